"""One frame: find and flatten the card, discard its back unread, read the card face, and keep a value only when two
different passes read it alike with enough confidence.

Pass 1 reads every text line of the flattened card with the Japanese model and picks the fields by their pattern.
Pass 2 re-reads each picked line on its own, from a crop binarised and enlarged (the security code with the English
model restricted to digits). Any field found twice with different values, found in neither pass, read differently
by the two passes, or read with a character below :data:`MIN_CONFIDENCE` is refused.
"""

from __future__ import annotations

import re

import cv2
import numpy as np

from drivers.card.era import ERAS
from firmware.cardface import fields
from firmware.cardface.locate import PhotoBox, Side, locate
from firmware.cardface.ocr import Line, Ocr
from firmware.cardface.result import CardFaceReading, Refusal

# Lowest confidence (Tesseract's 0-100) of any digit or date character of a field, in either pass.
MIN_CONFIDENCE = 55.0
SECOND_PASS_HEIGHTS = (64, 44)  # pixels, margin included
_DATE_CHARACTERS = set("0123456789０１２３４５６７８９年月日元") | {c for name, _ in ERAS for c in name}


def _counts(character: str) -> bool:
    return character in _DATE_CHARACTERS


def _under_photo(line: Line, photo: PhotoBox) -> bool:
    """The line starts below the photo and overlaps its column (with a little slack either side)."""
    left, top, right, _ = line.box
    slack = (photo.right - photo.left) // 5
    return top >= photo.bottom - 4 and right > photo.left - slack and left < photo.right + slack


def field_box(line: Line) -> tuple[int, int, int, int] | None:
    """Where to crop the line for the second pass: across all its characters, between the median top and bottom of
    its date and digit characters (Tesseract's own line box may take in a frame drawn around the text)."""
    printed = [c.box for c in line.characters if c.box is not None and c.text.strip()]
    counted = [c.box for c in line.characters if c.box is not None and _counts(c.text)]
    if not counted:
        return None
    tops, bottoms = sorted(b[1] for b in counted), sorted(b[3] for b in counted)
    return min(b[0] for b in printed), tops[len(tops) // 2], max(b[2] for b in printed), bottoms[len(bottoms) // 2]


def crop_line(grey: np.ndarray, box: tuple[int, int, int, int], height: int = 64) -> np.ndarray:
    """The line's box with a margin, scaled to about ``height`` px high and binarised (Otsu), for the second
    pass."""
    left, top, right, bottom = box
    pad = max(6, (bottom - top) // 3)
    side = max(12, bottom - top)  # Tesseract's character boxes run a little late: room on both sides
    crop = grey[max(0, top - pad) : bottom + pad, max(0, left - side) : right + side]
    factor = height / max(1, crop.shape[0])
    crop = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    _, binary = cv2.threshold(cv2.GaussianBlur(crop, (3, 3), 0), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    padded: np.ndarray = cv2.copyMakeBorder(binary, 16, 16, 16, 16, cv2.BORDER_CONSTANT, value=255)
    return padded


def _single(values: list[object]) -> object | None:
    """The one value all matches agree on; None if there are none or they differ."""
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None


def read_frame(frame: np.ndarray, ocr: Ocr) -> CardFaceReading | Refusal:
    card = locate(frame)
    if card is None:
        return Refusal.NO_CARD
    if card.side is Side.BACK or card.photo is None:
        return Refusal.FACE_DOWN  # discarded unread: the back never reaches OCR
    grey, photo = card.grey, card.photo
    lines = ocr.page_lines(grey)

    birth_lines = [(line, b) for line in lines if (b := fields.find_birth(line.text)) is not None]
    validity_lines = [(line, v) for line in lines if (v := fields.find_validity(line.text)) is not None]
    code_lines = [(line, c) for line in lines if (c := fields.find_code(line.text)) is not None
                  and _under_photo(line, photo)]
    if not birth_lines:
        if any(fields.is_western_birth(line.text) for line in lines):
            return Refusal.WESTERN_BIRTH_DATE
        return Refusal.UNREADABLE
    if not validity_lines or not code_lines:
        return Refusal.UNREADABLE
    birth = _single([b for _, b in birth_lines])
    validity = _single([v for _, v in validity_lines])
    code = _single([c for _, c in code_lines])
    if birth is None or validity is None or code is None or len(code_lines) > 1:
        return Refusal.INCONSISTENT

    confidence = {"birth": 100.0, "expiry": 100.0, "security_code": 100.0}
    for name, (line, value) in (("birth", birth_lines[0]), ("expiry", validity_lines[0]),
                                ("security_code", code_lines[0])):
        digits = name == "security_code"
        box = field_box(line)
        if box is None:
            return Refusal.UNREADABLE
        again = []
        for height in SECOND_PASS_HEIGHTS:  # two scales: a glyph one scale skips, the other usually reads
            lines_read = ocr.single_line(crop_line(grey, box, height), digits=digits)
            if [_numbers(name, other.text) for other in lines_read] != [_numbers(name, value)]:
                return Refusal.INCONSISTENT
            again += lines_read
        low = min(line.confidence(_counts), min(other.confidence(_counts) for other in again))
        if low < MIN_CONFIDENCE:
            return Refusal.UNREADABLE
        confidence[name] = round(low / 100, 3)

    assert isinstance(birth, fields.EraBirth) and isinstance(validity, tuple) and isinstance(code, str)
    expiry = fields.validity_date(*validity)
    era_birth = None if expiry is None else fields.era_date(birth, expiry)
    if expiry is None or era_birth is None:
        return Refusal.INVALID_DATE  # no real day in an era, an era not settled, or born after the card expires
    return CardFaceReading(era_birth, expiry, code, confidence)


def _numbers(name: str, value: object) -> tuple[int, ...] | str | None:
    """What the second pass must read alike: the code, or a date's first three numbers in order (its kanji may come
    out misread in a crop without harm; its digits may not)."""
    if isinstance(value, fields.EraBirth):
        return value.year, value.month, value.day
    if isinstance(value, tuple):
        return tuple(int(v) for v in value)
    if not isinstance(value, str):
        return None
    if name == "security_code":
        return fields.find_code(value)
    groups = re.findall(r"\d+", fields.normalise(value).replace("元", "1"))
    return tuple(int(g) for g in groups[:3]) if len(groups) >= 3 else None
