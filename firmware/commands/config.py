"""``mynareader config check PATH``: read and check a configuration file as ``mynareader run`` would, without
opening any device. Exit status 0 when it is valid, 2 with one line naming the key and the value when it is not."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from firmware.daemon.config import ConfigFileError, load_config


def register(config: argparse.ArgumentParser) -> None:
    sub = config.add_subparsers(dest="config_command", required=True, metavar="SUBCOMMAND")
    check = sub.add_parser("check", help="check a configuration file without starting the reader")
    check.add_argument("path", type=Path, metavar="PATH")
    check.set_defaults(handler=check_command)


def check_command(args: argparse.Namespace) -> int:
    from firmware.devices.backends import standard_registry

    try:
        load_config(args.path, standard_registry())
    except ConfigFileError as error:
        print(f"{args.path}: {error}", file=sys.stderr)
        return 2
    print(f"{args.path}: valid")
    return 0
