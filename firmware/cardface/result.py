"""What a card-face scan gives: a reading of the three printed values, or a refusal with its documented reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from drivers.card.card_face import collation_number_b
from drivers.card.era import EraDate, from_era


class Refusal(StrEnum):
    """Why no value is presented (docs/cardface.md explains each). The scan refuses rather than guesses."""

    NO_CARD = "no_card"  # no card outline in view
    FACE_DOWN = "face_down"  # a card without the holder's photo: its back (the My Number side); discarded unread
    UNREADABLE = "unreadable"  # a field was not found, not read twice alike, or read with low confidence
    INCONSISTENT = "inconsistent"  # frames, or the two passes over one frame, read different values
    INVALID_DATE = "invalid_date"  # a date that is no real day, outside its era, or not a card's validity
    WESTERN_BIRTH_DATE = "western_birth_date"  # a foreign resident's card: which calendar 照合番号B expects is not public
    CHIP_MISMATCH = "chip_mismatch"  # the printed values disagree with what the chip says without a PIN
    COLLATION_LOCKED = "collation_locked"  # 照合番号B is locked, or has one try left: nothing is presented


@dataclass(frozen=True)
class CardFaceReading:
    """The era birth date, the validity and the security code as printed; ``confidence`` = per field the lowest
    character confidence (0-1) of the passes that read it, and how many frames agreed."""

    birth: EraDate = field(repr=False)
    expiry: dt.date = field(repr=False)
    security_code: str = field(repr=False)
    confidence: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def birth_date(self) -> dt.date:
        return from_era(self.birth.era, self.birth.year, self.birth.month, self.birth.day)

    @property
    def collation_b(self) -> str:
        """照合番号B: era birth date YYMMDD + the validity's year + the security code."""
        return collation_number_b(self.birth.yymmdd, self.expiry.year, self.security_code)

    def __repr__(self) -> str:  # the values are 照合番号B: never in a repr
        return "CardFaceReading(<birth, expiry, security code>)"


ScanResult = CardFaceReading | Refusal
