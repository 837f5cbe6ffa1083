"""``mynareader emulate-card``: put an emulated My Number card into vpcd's virtual reader until stopped.

The card stays inserted while the command runs; when pcscd restarts (vpcd drops the connection) it is inserted
again. SIGTERM or Ctrl-C removes it cleanly. Retry counters live as long as the process, like a card's EEPROM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from drivers.card.emulated import profiles
from drivers.card.emulated.vpcd import DEFAULT_PORT, VpcdCard


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("emulate-card", help="emulate a My Number card in vpcd's virtual reader")
    parser.add_argument("--profile", default=profiles.Profile.NORMAL.value,
                        choices=[p.value for p in profiles.Profile], help="card situation (default: normal)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help="vpcd TCP port: 35963 = 'Virtual PCD 00 00', 35964 = 'Virtual PCD 00 01'")
    parser.add_argument("--host", default="127.0.0.1", help=argparse.SUPPRESS)
    parser.add_argument("--pin", default="1234", help="the card's 4-digit 利用者証明用 PIN (default: 1234)")
    parser.set_defaults(handler=emulate_command)


def emulate_command(args: argparse.Namespace) -> int:
    if not (len(args.pin) == 4 and args.pin.isascii() and args.pin.isdigit()):
        print("mynareader emulate-card: --pin must be 4 digits", file=sys.stderr)
        return 2
    card = profiles.build(args.profile, pin=args.pin)
    slot = VpcdCard(card, args.host, args.port)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()
        slot.remove()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    while not stop.is_set():
        try:
            slot.insert(timeout=30)
        except OSError as exc:
            print(f"mynareader emulate-card: vpcd not reachable on {args.host}:{args.port}: {exc}", file=sys.stderr)
            return 1
        print(f"emulated card ({args.profile}) inserted on vpcd port {args.port}", file=sys.stderr, flush=True)
        while not stop.is_set() and not slot.wait_removed(timeout=0.2):
            pass
        if not stop.is_set():
            print("vpcd closed the connection; inserting the card again", file=sys.stderr, flush=True)
    print("emulated card removed", file=sys.stderr, flush=True)
    return 0
