"""The three printed values found by what they look like, in OCR text lines: 「…年…月…日生」 with an era (the birth
date), 「…年…月…日まで有効」 (the validity), and a line of exactly four digits under the photo (the security code).
Then the calendar: real days, inside their era (元年 = 1), a validity in the card's years."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from drivers.card.era import ERAS, EraDate, from_era

ERA_NAMES = tuple(name for name, _ in ERAS)
# An era name with at most one of its two characters misread (「昭」 often comes out as 「召」 or 「果」). Which era
# it is does not enter 照合番号B (only the era year does); it is settled from the calendar (:func:`era_date`).
_ERA_PATTERN = "|".join([*ERA_NAMES] + [rf"[^\d\s]{name[1]}" for name in ERA_NAMES]
                        + [rf"{name[0]}[^\d\s]" for name in ERA_NAMES])
BIRTH_ERA = re.compile(rf"({_ERA_PATTERN})(元|\d{{1,2}})年(\d{{1,2}})月(\d{{1,2}})日生")
BIRTH_WESTERN = re.compile(r"(?<![\d元])(\d{4})年(\d{1,2})月(\d{1,2})日生")
VALIDITY = re.compile(r"(?<!\d)(\d{4})年(\d{1,2})月(\d{1,2})日まで有効")
CODE = re.compile(r"\d{4}")
# The card has been issued since 2016 and is valid for at most ten years and some months from issue.
FIRST_EXPIRY_YEAR, LAST_EXPIRY_YEAR = 2016, 2100
# Rules and frame edges OCR reads next to a number; they are not digits.
EDGE_MARKS = "|[]()!｜:;,.、。'`\"_-—"


def normalise(text: str) -> str:
    """NFKC (full-width digits and spaces to ASCII) and no white space: the card pads 「 2月」 with spaces."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@dataclass(frozen=True)
class EraBirth:
    eras: tuple[str, ...]  # the era names the printed name may be (one, or two when a character was misread)
    year: int
    month: int
    day: int


def find_birth(text: str) -> EraBirth | None:
    match = BIRTH_ERA.search(normalise(text))
    if match is None:
        return None
    printed, year, month, day = match.groups()
    eras = tuple(name for name in ERA_NAMES if name == printed or (len(printed) == 2 and (
        name[0] == printed[0] or name[1] == printed[1])))
    if printed in ERA_NAMES:
        eras = (printed,)
    return EraBirth(eras, 1 if year == "元" else int(year), int(month), int(day))


def is_western_birth(text: str) -> bool:
    return BIRTH_WESTERN.search(normalise(text)) is not None


def find_validity(text: str) -> tuple[int, int, int] | None:
    match = VALIDITY.search(normalise(text))
    return None if match is None else (int(match[1]), int(match[2]), int(match[3]))


def find_code(text: str) -> str | None:
    """Four digits that are the whole line (the 16-digit serial or an address with digits is not one)."""
    value = normalise(text).strip(EDGE_MARKS)
    return value if CODE.fullmatch(value) else None


def era_date(birth: EraBirth, expiry: dt.date) -> EraDate | None:
    """The birth date if exactly one of its possible eras makes it a real day inside that era and before the card's
    expiry; else None."""
    found = []
    for era in birth.eras:
        try:
            day = from_era(era, birth.year, birth.month, birth.day)
        except ValueError:
            continue
        if day < expiry:
            found.append(EraDate(era, birth.year, birth.month, birth.day))
    return found[0] if len(found) == 1 else None


def validity_date(year: int, month: int, day: int) -> dt.date | None:
    if not FIRST_EXPIRY_YEAR <= year <= LAST_EXPIRY_YEAR:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
