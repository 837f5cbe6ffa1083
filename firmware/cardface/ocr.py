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
class Line:
    """One text line: its characters with their confidence (0-100; a space between words has none), and its box
    (left, top, right, bottom) in the image it was read from."""

    characters: tuple[tuple[str, float | None], ...]
    box: tuple[int, int, int, int]

    @property
    def text(self) -> str:
        return "".join(character for character, _ in self.characters)

    def confidence(self, counts: Callable[[str], bool]) -> float:
        """The lowest confidence of the characters ``counts`` picks (100 when it picks none)."""
        picked = [c for character, c in self.characters if c is not None and counts(character)]
        return min(picked, default=100.0)

    def __repr__(self) -> str:  # the text may be a birth date or a code: never in a repr
        return f"Line(<{len(self.characters)} characters>, box={self.box})"


class Ocr:
    """The two Tesseract engines, loaded once (about 0.3 s) and reused for every frame. Not thread-safe."""

    def __init__(self) -> None:
        try:
            import tesserocr
        except ImportError as error:
            raise OcrUnavailable(f"tesserocr is not installed ({error}): pip install -e '.[cardface]'") from None
        self._t: Any = tesserocr
        path = tessdata_dir()
        self._page: Any = tesserocr.PyTessBaseAPI(path=path, lang="jpn", psm=tesserocr.PSM.SPARSE_TEXT)
        self._line: Any = tesserocr.PyTessBaseAPI(path=path, lang="jpn", psm=tesserocr.PSM.SINGLE_LINE)
        self._digits: Any = tesserocr.PyTessBaseAPI(path=path, lang="eng", psm=tesserocr.PSM.SINGLE_LINE)
        self._digits.SetVariable("tessedit_char_whitelist", "0123456789")
        self.calls = 0  # images recognised: a test shows the back of a card never gets here

    def page_lines(self, grey: np.ndarray) -> list[Line]:
        """Every text line Tesseract finds on the flattened card."""
        return self._lines(self._page, grey)

    def single_line(self, grey: np.ndarray, digits: bool = False) -> list[Line]:
        """A crop holding one line, read as one line (``digits``: the English model, digits only)."""
        return self._lines(self._digits if digits else self._line, grey)

    def _lines(self, api: Any, grey: np.ndarray) -> list[Line]:
        t = self._t
        self.calls += 1
        api.SetImage(Image.fromarray(grey))
        api.Recognize()
        lines: list[Line] = []
        characters: list[tuple[str, float | None]] = []
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
                characters.append((" ", None))
            character = symbol.GetUTF8Text(t.RIL.SYMBOL)
            if character:
                characters.append((character, float(symbol.Confidence(t.RIL.SYMBOL))))
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
