"""``mynareader card …``: look at the card in the reader.

``card info`` prints what the reader learns without a PIN. Exit status: 0 supported card, 3 unsupported card (the
JSON is still printed), 2 no reader, no card or no PC/SC service, 1 a card that answers wrongly.

``card face-check`` runs the face path of the 券面事項確認AP with 照合番号B read from standard input (never from the
command line, where other users and shell histories would see it) and reports what it proves; it writes no image.
With ``--camera URL`` it then matches the chip photo against the face in front of that camera (one attempt, as at
the counter). Exit status as for ``card info``, plus 4 照合番号B refused (wrong, locked or not 14 digits), 5 a
signature that does not verify, and 6 the live face did not match (no match, no usable frame, or the camera or the
photo could not be used; the report says which).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
import time
from pathlib import Path
from collections.abc import Callable
from typing import Any, TypeVar

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from drivers.card import errors
from drivers.card.card_face import SignatureCheck, check_collation_b_format, inspect_photo
from drivers.card.channel import CardChannel
from drivers.card.info import CardInfo, read_card_info
from drivers.card.pcsc import CardArrived, PcscContext
from firmware.card_session import CardFaceRefusal, CardSession

T = TypeVar("T")

EXIT_OK, EXIT_CARD_ERROR, EXIT_NO_CARD, EXIT_UNSUPPORTED, EXIT_REFUSED, EXIT_PROOF_FAILED = 0, 1, 2, 3, 4, 5
EXIT_NO_FACE_MATCH = 6


def register(card: argparse.ArgumentParser) -> None:
    sub = card.add_subparsers(dest="card_command", required=True, metavar="SUBCOMMAND")
    info = sub.add_parser("info", help="identify the card and show what needs no PIN")
    info.add_argument("--reader", help="reader name (default: the first reader holding a card)")
    info.add_argument("--json", action="store_true", help="print one JSON object")
    info.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                      help="wait this long for a card to be placed (default: 0)")
    info.set_defaults(handler=info_command)
    face = sub.add_parser("face-check", help="the face path: 照合番号B (from standard input), photo, card key, issuer "
                                             "signature")
    face.add_argument("--reader", help="reader name (default: the first reader holding a card)")
    face.add_argument("--json", action="store_true", help="print one JSON object")
    face.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                      help="wait this long for a card to be placed (default: 0)")
    face.add_argument("--issuer-key", type=Path, metavar="PEM",
                      help="public key of the card face record's issuer; without it the issuer signature is reported "
                           "as not verifiable")
    face.add_argument("--camera", metavar="URL",
                      help="then match the chip photo against the live face from this camera: picamera2:0, "
                           "v4l2:/dev/video0, files:DIR or synthetic:WxH (in memory; nothing is written)")
    face.set_defaults(handler=face_check_command)


def find_card_reader(context: PcscContext, reader: str | None, wait: float) -> str:
    """The reader to use: the named one, or the first holding a card; waits up to ``wait`` s for a card."""
    deadline = time.monotonic() + wait
    while True:
        readers = context.readers()
        if reader is not None and reader not in readers:
            raise errors.NoReader(f"no reader named {reader!r} (readers: {', '.join(readers) or 'none'})")
        if not readers:
            raise errors.NoReader("no card reader attached")
        candidates = [reader] if reader else readers
        for name in candidates:
            if context.card_present(name):
                return name
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise errors.NoCard("no card in " + (reader or "any reader"))
        events = context.wait_for_events(min(remaining, 1.0))
        for event in events:
            if isinstance(event, CardArrived) and event.reader in candidates:
                return event.reader


def info_as_json(reader: str, info: CardInfo, now: dt.datetime) -> dict[str, Any]:
    cert = info.auth_certificate
    return {
        "reader": reader,
        "kind": info.kind.value,
        "token_label": info.token_label,
        "supported": info.supported,
        "reason": info.reason,
        "auth_certificate": None if cert is None else {
            "serial_hex": cert.serial_hex,
            "issuer": cert.issuer,
            "not_before": _iso_utc(cert.not_before),
            "not_after": _iso_utc(cert.not_after),
            "days_left": cert.days_left(now),
            "expired": cert.expired(now),
        },
        "pin_tries_left": info.pin_tries_left,
        "pin_state": None if info.pin_state is None else info.pin_state.value,
        "card_expiry": None if info.card_expiry is None else info.card_expiry.isoformat(),
    }


def _iso_utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _print_text(report: dict[str, Any]) -> None:
    print(f"reader:          {report['reader']}")
    print(f"kind:            {report['kind']} ({report['token_label'] or 'no JPKI token'})")
    print(f"supported:       {'yes' if report['supported'] else 'no — ' + str(report['reason'])}")
    cert = report["auth_certificate"]
    if cert is not None:
        state = "EXPIRED" if cert["expired"] else f"{cert['days_left']} days left"
        print(f"auth cert:       serial {cert['serial_hex']}, valid {cert['not_before']} – {cert['not_after']} ({state})")
        print(f"  issuer:        {cert['issuer']}")
    if report["supported"]:
        tries = report["pin_tries_left"]
        if report["pin_state"] == "not_usable":
            print("PIN:             not usable on this card (no PIN: use the face path)")
        else:
            print(f"PIN tries left:  {'LOCKED' if tries == 0 else tries}")
        print(f"card expiry:     {report['card_expiry'] or 'not on this token'}")


def on_card(command: str, args: argparse.Namespace, operation: Callable[[CardChannel], T]) -> tuple[str, T] | int:
    """Run ``operation`` on the card in the chosen reader: (reader, its result), or, after saying why on stderr,
    the exit status (no reader or card: 2; a card that answered wrongly: 1)."""
    context = PcscContext()
    try:
        reader = find_card_reader(context, args.reader, args.wait)
        with context.connect(reader) as connection:
            return reader, operation(CardChannel(connection))
    except (errors.NoReader, errors.NoCard, errors.ServiceUnavailable, errors.CardRemovedError) as exc:
        print(f"mynareader card {command}: {exc}", file=sys.stderr)
        return EXIT_NO_CARD
    except errors.CardError as exc:
        print(f"mynareader card {command}: the card answered wrongly: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_CARD_ERROR
    finally:
        context.close()


def info_command(args: argparse.Namespace) -> int:
    outcome = on_card("info", args, read_card_info)
    if isinstance(outcome, int):
        return outcome
    reader, info = outcome
    report = info_as_json(reader, info, dt.datetime.now(dt.UTC))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_text(report)
    return EXIT_OK if info.supported else EXIT_UNSUPPORTED


def _read_collation_b() -> str:
    """One line from standard input; on a terminal, prompted without echo."""
    if sys.stdin.isatty():
        return getpass.getpass("照合番号B (14 digits): ")
    return sys.stdin.readline().rstrip("\r\n")


def _load_issuer_key(path: Path) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key


def face_check(
    channel: CardChannel, code: str, issuer_key: rsa.RSAPublicKey | None, camera: str | None = None
) -> tuple[dict[str, Any], int]:
    """The face path on an open channel: the report (no personal data) and the exit status. A value typed by hand is
    presented even with one try left (the device's scan never does that)."""
    outcome = CardSession(channel).read_card_face(code, None, issuer_key, risk_last_try=True)
    report: dict[str, Any] = {"tries_left": outcome.tries_left, "verify": _VERIFY_REPORT[outcome.refusal],
                              "tries_left_after_verify": outcome.tries_after, "photo": None, "card_key": None,
                              "issuer_signature": None, "card_expiry": None}
    if outcome.refusal is CardFaceRefusal.NO_APPLICATION:
        return report, EXIT_UNSUPPORTED
    if not outcome.read:
        return report, EXIT_REFUSED
    photo = inspect_photo(outcome.photo)
    assert outcome.card_key is not None and outcome.issuer_signature is not None and outcome.expiry is not None
    report.update(
        photo={"format": photo.format, "width": photo.width, "height": photo.height, "mode": photo.mode,
               "bytes": len(outcome.photo)},
        card_key=outcome.card_key.value,
        issuer_signature=outcome.issuer_signature.value,
        card_expiry=outcome.expiry.isoformat(),
    )
    if SignatureCheck.FAILED in (outcome.card_key, outcome.issuer_signature):
        return report, EXIT_PROOF_FAILED  # a photo the card or its issuer does not vouch for is not matched
    if camera is None:
        return report, EXIT_OK
    report["live_face"] = match_live_face(outcome.photo, camera)
    return report, EXIT_OK if report["live_face"]["match"] else EXIT_NO_FACE_MATCH


_VERIFY_REPORT = {
    None: "ok",
    CardFaceRefusal.NO_APPLICATION: "no-application",
    CardFaceRefusal.LOCKED: "locked",
    CardFaceRefusal.WRONG: "wrong",
    CardFaceRefusal.LAST_TRY: "last-try",
}


def match_live_face(photo: bytes, camera_url: str) -> dict[str, Any]:
    """One face attempt of the chip photo against the camera's frames; the attempt's result or the error."""
    # Imported here: loading dlib and the face models is only worth it when a face is to be matched.
    from drivers.camera import CameraError, open_camera
    from firmware.face.errors import FaceError
    from firmware.face.verifier import FaceVerifier

    try:
        with open_camera(camera_url) as frames, FaceVerifier().open_session(photo) as session:
            return session.attempt().run(frames).as_dict()
    except (CameraError, FaceError) as error:
        return {"match": False, "error": f"{type(error).__name__}: {error}"}


def _print_face_text(report: dict[str, Any]) -> None:
    print(f"reader:             {report['reader']}")
    if report["verify"] == "no-application":
        print("券面事項確認AP:      not on this token (smartphone or 住基カード)")
        return
    print(f"照合番号B tries left: {report['tries_left']}")
    after = report["tries_left_after_verify"]
    print(f"VERIFY 照合番号B:    {report['verify']}" + ("" if after is None else f" ({after} tries left)"))
    photo = report["photo"]
    if photo is not None:
        print(f"photo:              {photo['format']}, {photo['width']}×{photo['height']} {photo['mode']}, "
              f"{photo['bytes']} bytes")
        print(f"card key challenge: {report['card_key']}")
        print(f"issuer signature:   {report['issuer_signature']}")
        print(f"card expiry:        {report['card_expiry']}")
    live = report.get("live_face")
    if live is not None and "error" in live:
        print(f"live face:          not checked: {live['error']}")
    elif live is not None:
        score = "none" if live["score"] is None else f"{live['score']:.4f}"
        print(f"live face:          {live['verdict']} (best score {score}, threshold {live['threshold']:.4f}; "
              f"{live['frames_scored']} of {live['frames_seen']} frames scored)")
        if live["guidance"]:
            print(f"guidance:           {', '.join(live['guidance'])}")
        print(f"liveness:           {live['liveness']}")


def face_check_command(args: argparse.Namespace) -> int:
    issuer_key = None
    if args.issuer_key is not None:
        try:
            issuer_key = _load_issuer_key(args.issuer_key)
        except (OSError, ValueError) as exc:
            print(f"mynareader card face-check: --issuer-key {args.issuer_key}: {exc}", file=sys.stderr)
            return EXIT_NO_CARD
    code = _read_collation_b()
    try:
        check_collation_b_format(code)
    except errors.InvalidPinFormat as exc:
        print(f"mynareader card face-check: {exc} (nothing was sent to the card)", file=sys.stderr)
        return EXIT_REFUSED
    outcome = on_card("face-check", args, lambda channel: face_check(channel, code, issuer_key, args.camera))
    if isinstance(outcome, int):
        return outcome
    reader, (report, status) = outcome
    report = {"reader": reader, **report}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_face_text(report)
    return status
