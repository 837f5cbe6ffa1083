"""The ``mynareader`` command line: one sub-command group per module in :mod:`firmware.commands`.

Only the group named on the command line is imported (see :mod:`firmware.commands`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from firmware.commands import GROUPS


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser, with the sub-commands and options of the group ``command`` only (its module is imported); the
    other groups are listed by name and help, which is all ``mynareader --help`` shows of them."""
    parser = argparse.ArgumentParser(
        prog="mynareader",
        description="Face-authenticating My Number card reader: firmware and developer tools.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in GROUPS:
        group_parser = sub.add_parser(group.name, help=group.help, description=group.help)
        if group.name == command:
            group.load().register(group_parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    # The top level has no options but --help, so the first word that is not an option names the group.
    command = next((word for word in arguments if not word.startswith("-")), None)
    args = build_parser(command).parse_args(arguments)
    # Each sub-command stores its handler with set_defaults(handler=...); it returns the exit status.
    status: int = args.handler(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
