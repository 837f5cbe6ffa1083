"""The scan against the chip, and the device path to the chip photo.

:func:`cross_check` is pure: it takes what the chip gives without a PIN — the card expiry of the 共通AP and the
not-after of the 利用者証明用 certificate — as plain values the card session has already read. The device path
(firmware/daemon/card_face.py) checks a reading with it before the card-session service presents 照合番号B.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from firmware.cardface.result import CardFaceReading, Refusal

JST = dt.timezone(dt.timedelta(hours=9), "JST")


@dataclass(frozen=True)
class ChipFacts:
    """What the chip says without a PIN: the card expiry (共通AP) and the 利用者証明用 certificate's not-after (it
    ends on the holder's birthday, Japan time). None = not read."""

    card_expiry: dt.date | None
    certificate_not_after: dt.datetime | None


def _birthday_matches(birth: dt.date, not_after: dt.datetime) -> bool:
    day = not_after.astimezone(JST).date()
    if (day.month, day.day) == (birth.month, birth.day):
        return True
    # 29 February: in a common year the birthday falls on 28 February.
    return (birth.month, birth.day) == (2, 29) and (day.month, day.day) == (2, 28)


def cross_check(reading: CardFaceReading, chip: ChipFacts) -> Refusal | None:
    """None when the printed values agree with the chip; :attr:`Refusal.CHIP_MISMATCH` on any disagreement or
    when the chip gave neither value (nothing to check against is no agreement)."""
    if chip.card_expiry is None or chip.certificate_not_after is None:
        return Refusal.CHIP_MISMATCH
    if chip.card_expiry != reading.expiry:  # its year is the one 照合番号B carries
        return Refusal.CHIP_MISMATCH
    if not _birthday_matches(reading.birth_date, chip.certificate_not_after):
        return Refusal.CHIP_MISMATCH
    return None
