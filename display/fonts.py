"""Fonts: BIZ UDGothic for everything, Noto Sans CJK JP Bold for the glyphs BIZ UDGothic lacks (e.g. 𠮷).

The fallback is chosen per character from the fonts' character maps (read with fontTools), so a rare kanji is drawn
in a real glyph instead of the primary font's empty box or a 「●」.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import ImageFont

from display.errors import FontMissing

BIZUD_DIR = Path("/usr/share/fonts/truetype/bizud-gothic")
NOTO_CJK_BOLD = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")
NOTO_CJK_JP_INDEX = 0  # face 0 of NotoSansCJK-Bold.ttc is "Noto Sans CJK JP"


class Weight(Enum):
    REGULAR = "Regular"
    BOLD = "Bold"


def _primary_path(weight: Weight) -> Path:
    return BIZUD_DIR / f"BIZUDGothic-{weight.value}.ttf"


def _require(path: Path, package: str) -> Path:
    if not path.is_file():
        raise FontMissing(f"{path} is missing: install the Debian package {package} (scripts/setup does)")
    return path


@functools.cache
def _charmap(path: Path, index: int) -> frozenset[int]:
    return frozenset(TTFont(str(path), fontNumber=index, lazy=True).getBestCmap())


@functools.cache
def _freetype(path: Path, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size, index=index)


@dataclass(frozen=True)
class Face:
    """One typeface at one size with its per-glyph fallback."""

    size: int
    weight: Weight

    @property
    def primary(self) -> ImageFont.FreeTypeFont:
        return _freetype(_require(_primary_path(self.weight), "fonts-morisawa-bizud-gothic"), 0, self.size)

    @property
    def fallback(self) -> ImageFont.FreeTypeFont:
        # Noto's Regular strokes break up at 1 bit; its Bold stays legible, and it is the only weight we need.
        return _freetype(_require(NOTO_CJK_BOLD, "fonts-noto-cjk"), NOTO_CJK_JP_INDEX, self.size)

    def runs(self, text: str) -> Iterator[tuple[ImageFont.FreeTypeFont, str]]:
        """Split ``text`` into runs drawn with one font each: BIZ UDGothic where it has the glyph, else Noto."""
        primary_map = _charmap(_require(_primary_path(self.weight), "fonts-morisawa-bizud-gothic"), 0)
        current: ImageFont.FreeTypeFont | None = None
        start = 0
        for i, ch in enumerate(text):
            font = self.primary if ord(ch) in primary_map or ch.isspace() else self.fallback
            if font is not current:
                if current is not None and i > start:
                    yield current, text[start:i]
                current, start = font, i
        if current is not None and start < len(text):
            yield current, text[start:]

    def width(self, text: str) -> float:
        return sum(font.getlength(run) for font, run in self.runs(text))

    def covers(self, ch: str) -> bool:
        """True when one of the two fonts has a real glyph for ``ch``."""
        code = ord(ch)
        return (code in _charmap(_require(_primary_path(self.weight), "fonts-morisawa-bizud-gothic"), 0)
                or code in _charmap(_require(NOTO_CJK_BOLD, "fonts-noto-cjk"), NOTO_CJK_JP_INDEX))

    @property
    def ascent(self) -> int:
        return int(self.primary.getmetrics()[0])
