"""``mynareader run [--config PATH]``: the reception daemon, on the devices its configuration names.

Exit status: 0 after a clean stop (SIGTERM or SIGINT), 2 when the configuration cannot be read or checked (the error
names the key). A device that is missing or fails is not a reason to exit: the daemon shows it and keeps running.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

from firmware.daemon.config import DEFAULT_PATH, ConfigFileError, load_config


def register(run: argparse.ArgumentParser) -> None:
    run.add_argument("--config", type=Path, default=DEFAULT_PATH, metavar="PATH",
                     help=f"the configuration file (default: {DEFAULT_PATH})")
    run.set_defaults(handler=run_command)


def run_command(args: argparse.Namespace) -> int:
    from firmware.daemon.daemon import Daemon
    from firmware.devices.backends import standard_registry

    registry = standard_registry()
    try:
        config = load_config(args.config, registry)
    except ConfigFileError as error:
        print(f"mynareader run: {args.config}: {error}", file=sys.stderr)
        return 2

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await Daemon(config, registry).run(stop)

    asyncio.run(main())
    return 0
