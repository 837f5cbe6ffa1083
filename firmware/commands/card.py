"""``mynareader card …``: look at the card in the reader.

``card info`` prints what the reader learns without a PIN. Exit status: 0 supported card, 3 unsupported card (the
JSON is still printed), 2 no reader, no card or no PC/SC service, 1 a card that answers wrongly.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from typing import Any

from drivers.card import errors
from drivers.card.channel import CardChannel
from drivers.card.info import CardInfo, read_card_info
from drivers.card.pcsc import CardInserted, PcscContext

EXIT_OK, EXIT_CARD_ERROR, EXIT_NO_CARD, EXIT_UNSUPPORTED = 0, 1, 2, 3


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    card = subparsers.add_parser("card", help="look at the card in the reader")
    sub = card.add_subparsers(dest="card_command", required=True, metavar="SUBCOMMAND")
    info = sub.add_parser("info", help="identify the card and show what needs no PIN")
    info.add_argument("--reader", help="reader name (default: the first reader holding a card)")
    info.add_argument("--json", action="store_true", help="print one JSON object")
    info.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                      help="wait this long for a card to be placed (default: 0)")
    info.set_defaults(handler=info_command)


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
            if isinstance(event, CardInserted) and event.reader in candidates:
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
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


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


def info_command(args: argparse.Namespace) -> int:
    context = PcscContext()
    try:
        reader = find_card_reader(context, args.reader, args.wait)
        with context.connect(reader) as connection:
            info = read_card_info(CardChannel(connection))
    except (errors.NoReader, errors.NoCard, errors.ServiceUnavailable, errors.CardRemoved) as exc:
        print(f"mynareader card info: {exc}", file=sys.stderr)
        return EXIT_NO_CARD
    except errors.CardError as exc:
        print(f"mynareader card info: the card answered wrongly: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_CARD_ERROR
    finally:
        context.close()
    report = info_as_json(reader, info, dt.datetime.now(dt.timezone.utc))
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_text(report)
    return EXIT_OK if info.supported else EXIT_UNSUPPORTED
