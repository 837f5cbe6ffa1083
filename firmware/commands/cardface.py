"""``mynareader cardface read IMAGE [--json]``: read 照合番号B from one image of a card's printed face.

One image, no chip: the cross-check against the chip happens on the device path. Exit status: 0 read, 3 refused
(``{"refused": true, "reason": R}``, R one of :class:`firmware.cardface.result.Refusal`'s values, and no digit of the
image in the output), 2 the file is not an image that can be decoded, 1 OCR is not installed. Nothing is written but
the report. The scan's modules (OpenCV, Tesseract) are imported only when the command runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_READ, EXIT_UNAVAILABLE, EXIT_BAD_INPUT, EXIT_REFUSED = 0, 1, 2, 3

REFUSAL_TEXT = {
    "no_card": "no card in view",
    "face_down": "the card shows its back (the My Number side); it was not read",
    "unreadable": "the printed fields could not be read reliably",
    "inconsistent": "the printed fields were read in different ways",
    "invalid_date": "a printed date is not a valid date",
    "western_birth_date": "the birth date is printed in the Western calendar (use the PIN or ask staff)",
    "chip_mismatch": "the printed values disagree with the chip",
    "collation_locked": "the collation number is locked or has one try left",
}


def register(cardface: argparse.ArgumentParser) -> None:
    sub = cardface.add_subparsers(dest="cardface_command", required=True, metavar="ACTION")
    read = sub.add_parser("read", help="read one image of the card's face (refuses rather than guesses)")
    read.add_argument("image", type=Path, help="an image of the card's printed face")
    read.add_argument("--json", action="store_true", help="print one JSON object")
    read.set_defaults(handler=run_read)


def run_read(args: argparse.Namespace) -> int:
    from drivers.camera.frames import decode_frame
    from drivers.images import ImageTooLarge, ImageUndecodable
    from firmware.cardface.errors import OcrUnavailable
    from firmware.cardface.ocr import Ocr
    from firmware.cardface.result import CardFaceReading
    from firmware.cardface.scan import scan

    try:
        frame = decode_frame(args.image)
    except (OSError, ImageTooLarge, ImageUndecodable) as error:
        return _error(args, f"cannot read {args.image}: {error}", EXIT_BAD_INPUT)
    try:
        ocr = Ocr()
    except OcrUnavailable as error:
        return _error(args, str(error), EXIT_UNAVAILABLE)
    with ocr:
        result = scan([frame], ocr, max_frames=1, agreeing=1)
    if not isinstance(result, CardFaceReading):
        if args.json:
            print(json.dumps({"refused": True, "reason": result.value}))
        else:
            print(f"refused ({result.value}): {REFUSAL_TEXT[result.value]}")
        return EXIT_REFUSED
    report = {
        "collation_b": result.collation_b,
        "birth": {"era": result.birth.era, "year": result.birth.year, "month": result.birth.month,
                  "day": result.birth.day},
        "expiry": result.expiry.isoformat(),
        "security_code": result.security_code,
        "confidence": result.confidence,
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(f"照合番号B     {result.collation_b}")
        print(f"birth date    {result.birth.printed()}生")
        print(f"valid until   {result.expiry.isoformat()}")
        print(f"security code {result.security_code}")
        print("confidence    " + ", ".join(f"{k} {v:.2f}" for k, v in result.confidence.items()))
    return EXIT_READ


def _error(args: argparse.Namespace, message: str, status: int) -> int:
    if args.json:
        print(json.dumps({"error": message}, ensure_ascii=False))
    print(f"mynareader cardface: {message}", file=sys.stderr)
    return status
