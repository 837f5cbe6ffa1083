"""``mynareader emulate-card``: put an emulated My Number card into vpcd's virtual reader until stopped.

The card stays inserted while the command runs; when pcscd restarts (vpcd drops the connection) it is inserted
again. SIGTERM or Ctrl-C removes it cleanly. Retry counters live as long as the process, like a card's EEPROM.

Before inserting the card it writes, when asked, PNGs of the card's front and back (``--render-front``,
``--render-back``) and the public key
of this process's test issuer of the 券面 records (``--export-issuer-key``), so that another process can read the
card face and check the record's signature.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from drivers.card.emulated import card_front, lettering, pki, portrait, profiles
from drivers.card.emulated.vpcd import DEFAULT_PORT, VpcdCard


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", default=profiles.Profile.NORMAL.value,
                        choices=[p.value for p in profiles.Profile], help="card situation (default: normal)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT,
                        help="vpcd TCP port: 35963 = 'Virtual PCD 00 00', 35964 = 'Virtual PCD 00 01'")
    parser.add_argument("--host", default="127.0.0.1", help=argparse.SUPPRESS)
    parser.add_argument("--pin", default="1234", help="the card's 4-digit 利用者証明用 PIN (default: 1234)")
    parser.add_argument("--photo", type=Path, metavar="PATH",
                        help="a photo of the holder for the chip (greyscale JPEG 2000, passport-style crop, ≤ 240×320); "
                             "default: a synthetic portrait")
    parser.add_argument("--photo-bytes", type=int, default=portrait.DEFAULT_PHOTO_BYTES, metavar="N",
                        help=f"byte budget of the chip photo (default: {portrait.DEFAULT_PHOTO_BYTES}, i.e. 10–15 KB; "
                             f"{portrait.COMPACT_PHOTO_BYTES} gives a ~3 KB card face record)")
    parser.add_argument("--security-code", default=profiles.DEFAULT_SECURITY_CODE, metavar="NNNN",
                        help="the 4-digit security code printed on the card (default: 2285)")
    parser.add_argument("--render-front", type=Path, metavar="PATH", help="write a PNG of the card's front to PATH")
    parser.add_argument("--render-back", type=Path, metavar="PATH",
                        help="write a PNG of the card's back (its fictional 個人番号, marked 見本) to PATH")
    parser.add_argument("--export-issuer-key", type=Path, metavar="PATH",
                        help="write the public key (PEM) of this process's test issuer of the 券面 records to PATH")
    parser.set_defaults(handler=emulate_command)


def emulate_command(args: argparse.Namespace) -> int:
    if not (len(args.pin) == 4 and args.pin.isascii() and args.pin.isdigit()):
        print("mynareader emulate-card: --pin must be 4 digits", file=sys.stderr)
        return 2
    if not (len(args.security_code) == 4 and args.security_code.isascii() and args.security_code.isdigit()):
        print("mynareader emulate-card: --security-code must be 4 digits", file=sys.stderr)
        return 2
    try:
        photo = (portrait.photo_from_file(str(args.photo), args.photo_bytes) if args.photo
                 else portrait.default_photo(args.photo_bytes))
    except portrait.PhotoError as exc:
        print(f"mynareader emulate-card: {exc}", file=sys.stderr)
        return 2
    try:
        card = profiles.build(args.profile, pin=args.pin, photo=photo, security_code=args.security_code)
        if args.render_front or args.render_back:
            if card.face is None:
                print(f"mynareader emulate-card: a {args.profile} token has no card face to render", file=sys.stderr)
                return 2
            if args.render_front:
                card_front.save_front(card.face, args.render_front)
            if args.render_back:
                card_front.save_back(card.face, args.render_back)
        if args.export_issuer_key:
            args.export_issuer_key.write_bytes(pki.card_face_issuer_public_pem())
    except (OSError, lettering.FontMissing) as exc:
        print(f"mynareader emulate-card: {exc}", file=sys.stderr)
        return 1
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
