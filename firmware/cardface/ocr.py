"""Tesseract in process through tesserocr: images are handed over in memory, nothing is written (pytesseract would
write every image to a temporary file, and a card front shows name, address and birth date).

Two engines: Tesseract's Japanese model over the whole flattened card (text lines with per-character confidence),
and a second look at single lines — the Japanese model again for the dates, the English model limited to digits
for the security code — so that every value is read twice, by different passes, before it counts.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
from PIL import Image

from firmware.cardface.errors import OcrUnavailable

# Debian's tesseract-ocr packages (5.x, then 4.x); TESSDATA_PREFIX wins when set.
TESSDATA_DIRS = (Path("/usr/share/tesseract-ocr/5/tessdata"), Path("/usr/share/tesseract-ocr/4.00/tessdata"))


def tessdata_dir() -> str:
    candidates = [Path(os.environ["TESSDATA_PREFIX"])] if os.environ.get("TESSDATA_PREFIX") else []
    for folder in candidates + list(TESSDATA_DIRS):
        if (folder / "jpn.traineddata").exists() and (folder / "eng.traineddata").exists():
            return str(folder)
    raise OcrUnavailable("Tesseract's jpn and eng models were not found (apt install tesseract-ocr-jpn; "
                         "scripts/setup does)")


@dataclass(frozen=True)
class Character:
    text: str
    confidence: float | None
    box: tuple[int, int, int, int] | None

    def __repr__(self) -> str:
        return f"Character(<1>, confidence={self.confidence})"


@dataclass(frozen=True)
class Line:
    """One text line: its characters, each with its confidence (0-100) and box (a space between words has
    neither), and the line's box — boxes as (left, top, right, bottom) in the image it was read from."""

    characters: tuple[Character, ...]
    box: tuple[int, int, int, int]

    @property
    def text(self) -> str:
        return "".join(character.text for character in self.characters)

    def confidence(self, counts: Callable[[str], bool]) -> float:
        """The lowest confidence of the characters ``counts`` picks (100 when it picks none)."""
        picked = [c.confidence for c in self.characters if c.confidence is not None and counts(c.text)]
        return min(picked, default=100.0)

    def __repr__(self) -> str:  # the text may be a birth date or a code: never in a repr
        return f"Line(<{len(self.characters)} characters>, box={self.box})"


def split_at_gaps(line: Line) -> list[Line]:
    """A Tesseract line cut where its characters leave a gap wider than twice their median height: text on the
    left and a number under the photo on the right are different lines even at the same height."""
    printed = [c for c in line.characters if c.box is not None and c.text.strip()]
    if not printed:
        return []
    heights = sorted(c.box[3] - c.box[1] for c in printed if c.box is not None)
    limit = 2 * max(8, heights[len(heights) // 2])
    pieces: list[list[Character]] = [[]]
    right: int | None = None
    for character in line.characters:
        box = character.box
        if box is not None and character.text.strip():
            if right is not None and box[0] - right > limit:
                pieces.append([])
            right = box[2] if right is None else max(right, box[2])
        pieces[-1].append(character)
    return [Line(tuple(piece), _box_of(piece)) for piece in pieces if any(c.text.strip() for c in piece)]


def _box_of(characters: list[Character]) -> tuple[int, int, int, int]:
    boxes = [c.box for c in characters if c.box is not None and c.text.strip()]
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def join_rows(lines: list[Line]) -> list[Line]:
    """Pieces of one printed line, which Tesseract may split into blocks, joined left to right (pieces that share
    most of their height and lie less than two line heights apart), after cutting lines at wide gaps
    (:func:`split_at_gaps`)."""
    rows: list[list[Line]] = []
    pieces = [piece for line in lines for piece in split_at_gaps(line)]
    for line in sorted(pieces, key=lambda item: item.box[0]):
        left, top, _, bottom = line.box
        for row in rows:
            _, row_top, row_right, row_bottom = row[-1].box
            overlap = min(bottom, row_bottom) - max(top, row_top)
            height = min(bottom - top, row_bottom - row_top)
            if height > 0 and overlap >= 0.6 * height and -height <= left - row_right < 2 * height:
                row.append(line)
                break
        else:
            rows.append([line])
    joined = []
    for row in rows:
        characters: list[Character] = []
        for piece in row:
            if characters:
                characters.append(Character(" ", None, None))
            characters += piece.characters
        joined.append(Line(tuple(characters), _box_of(characters)))
    return sorted(joined, key=lambda item: (item.box[1], item.box[0]))


class Ocr:
    """The two Tesseract engines, loaded once (about 0.3 s) and reused for every frame. Not thread-safe."""

    def __init__(self) -> None:
        try:
            import tesserocr
        except ImportError as error:
            raise OcrUnavailable(f"tesserocr is not installed ({error}): pip install -e '.[cardface]'") from None
        self._t: Any = tesserocr
        path = tessdata_dir()
        self._page: Any = tesserocr.PyTessBaseAPI(path=path, lang="jpn", psm=tesserocr.PSM.AUTO)
        self._line: Any = tesserocr.PyTessBaseAPI(path=path, lang="jpn", psm=tesserocr.PSM.SINGLE_LINE)
        self._digits: Any = tesserocr.PyTessBaseAPI(path=path, lang="eng", psm=tesserocr.PSM.SINGLE_LINE)
        self._digits.SetVariable("tessedit_char_whitelist", "0123456789")
        self.calls = 0  # images recognised: a test shows the back of a card never gets here

    def page_lines(self, grey: np.ndarray) -> list[Line]:
        """Every text line Tesseract finds on the flattened card, pieces of one printed line joined
        (:func:`join_rows`)."""
        return join_rows(self._lines(self._page, grey))

    def single_line(self, grey: np.ndarray, digits: bool = False) -> list[Line]:
        """A crop holding one line, read as one line (``digits``: the English model, digits only)."""
        return self._lines(self._digits if digits else self._line, grey)

    def _lines(self, api: Any, grey: np.ndarray) -> list[Line]:
        t = self._t
        self.calls += 1
        api.SetImage(Image.fromarray(grey))
        api.Recognize()
        lines: list[Line] = []
        characters: list[Character] = []
        box: tuple[int, int, int, int] | None = None
        iterator = api.GetIterator()
        if iterator is None:
            return []
        for symbol in t.iterate_level(iterator, t.RIL.SYMBOL):
            if symbol.IsAtBeginningOf(t.RIL.TEXTLINE):
                if box is not None and characters:
                    lines.append(Line(tuple(characters), box))
                characters = []
                box = symbol.BoundingBox(t.RIL.TEXTLINE)
            elif symbol.IsAtBeginningOf(t.RIL.WORD):
                characters.append(Character(" ", None, None))
            try:
                character = symbol.GetUTF8Text(t.RIL.SYMBOL)
            except RuntimeError:  # tesserocr's "No text" for an empty symbol
                continue
            if character:
                characters.append(Character(character, float(symbol.Confidence(t.RIL.SYMBOL)),
                                            symbol.BoundingBox(t.RIL.SYMBOL)))
        if box is not None and characters:
            lines.append(Line(tuple(characters), box))
        api.Clear()
        return lines

    def close(self) -> None:
        for api in (self._page, self._line, self._digits):
            api.End()

    def __enter__(self) -> Ocr:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
