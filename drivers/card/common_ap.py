"""共通AP (common application): the card information record, whose expiry the card-face scan cross-checks.

EF 0001, record 1 is a simple TLV ``01 1C`` holding 28 ASCII digits: a 15-digit card serial, a 5-digit municipality
code and the card's expiry YYYYMMDD (docs/card.md, "共通AP"; myna-card ``common.rs``, myna ``unknown.rs``). No
source shows a PIN or code guarding it, and both read it straight after SELECT, so the driver reads it without one.
Only the expiry is kept: the serial and municipality code are dropped as the record is parsed.
"""

from __future__ import annotations

import datetime as dt

from drivers.card import apdu, ber, errors
from drivers.card.channel import CardChannel
from drivers.card.files import ApplicationFiles

COMMON_AID = bytes.fromhex("D3921000310001010100")
EF_CARD_INFO = 0x0001


def parse_card_expiry(record: bytes) -> dt.date:
    items = ber.parse_all(record)
    if len(items) != 1 or items[0][0] != 0x01:
        raise errors.MalformedResponse("card information record is not one TLV with tag 01")
    digits = items[0][1]
    if len(digits) != 28 or not digits.isdigit():
        raise errors.MalformedResponse(f"card information holds {len(digits)} bytes, expected 28 digits")
    try:
        return dt.datetime.strptime(digits[20:28].decode("ascii"), "%Y%m%d").date()
    except ValueError as exc:
        raise errors.MalformedResponse("card information carries an invalid expiry date") from exc


def read_card_expiry(channel: CardChannel) -> dt.date:
    """SELECT the 共通AP and read the card's expiry date. Leaves the 共通AP selected."""
    channel.call(apdu.select_df(COMMON_AID))
    return parse_card_expiry(ApplicationFiles(channel).read_record(EF_CARD_INFO))
