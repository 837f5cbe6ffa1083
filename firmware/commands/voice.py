"""``mynareader voice build [--out DIR]``: synthesise the voice prompts (at install or build time, never at run time).

Writes ``DIR/<lang>/<key>.wav`` for every prompt in Japanese and English, redoing only those whose wording or engine
changed (``DIR/manifest.json``). scripts/setup runs it; the default DIR is ``build/prompts`` in the repository.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from firmware.voice import DEFAULT_PROMPTS_DIR, build_prompts


def register(voice: argparse.ArgumentParser) -> None:
    sub = voice.add_subparsers(dest="voice_command", required=True, metavar="SUBCOMMAND")
    build = sub.add_parser("build", help="synthesise the prompts into a directory")
    build.add_argument("--out", type=Path, default=DEFAULT_PROMPTS_DIR, metavar="DIR")
    build.set_defaults(handler=build_command)


def build_command(args: argparse.Namespace) -> int:
    built, kept = build_prompts(args.out)
    print(f"voice prompts in {args.out}: {built} built, {kept} up to date")
    return 0
