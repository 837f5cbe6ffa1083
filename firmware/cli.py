"""The ``mynareader`` command line: one sub-command group per module in :mod:`firmware.commands`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from firmware.commands import COMMAND_MODULES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mynareader",
        description="Face-authenticating My Number card reader: firmware and developer tools.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # Each sub-command stores its handler with set_defaults(handler=...); it returns the exit status.
    status: int = args.handler(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
