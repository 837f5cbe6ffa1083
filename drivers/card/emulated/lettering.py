"""Japanese lettering for the emulated card: the name, address and number images of the 券面 APs and the rendered
card front. Fonts come from Debian (scripts/apt-packages.txt): BIZ UDGothic first, Noto Sans CJK as the fallback; the
card fronts of the card-face benchmark also use Noto Serif CJK and IPA Gothic/Mincho when installed."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/bizud-gothic/BIZUDGothic-Regular.ttf"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)

# Typefaces the varied card fronts choose from (card_front.random_style); the first two are FONT_CANDIDATES.
TYPEFACES = FONT_CANDIDATES + (
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"),
    Path("/usr/share/fonts/opentype/ipafont-mincho/ipam.ttf"),
)


class FontMissing(RuntimeError):
    """No Japanese font is installed (install fonts-morisawa-bizud-gothic or fonts-noto-cjk; scripts/setup does)."""


@lru_cache(maxsize=16)
def japanese_font(size: int) -> ImageFont.FreeTypeFont:
    for path in FONT_CANDIDATES:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    raise FontMissing("no Japanese font found: " + ", ".join(str(p) for p in FONT_CANDIDATES))


def installed_fonts() -> list[Path]:
    """The :data:`TYPEFACES` present on this machine (:class:`FontMissing` if none is)."""
    found = [path for path in TYPEFACES if path.exists()]
    if not found:
        raise FontMissing("no Japanese font found: " + ", ".join(str(p) for p in TYPEFACES))
    return found


@lru_cache(maxsize=64)
def font_at(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def text_image(lines: tuple[str, ...], size: int, width: int | None = None) -> Image.Image:
    """Black text on white, 1 bit, one line per entry; ``width`` pads (never clips) to a fixed width."""
    font = japanese_font(size)
    line_height = size + size // 4
    text_width = max(int(font.getlength(line)) for line in lines) + 2
    image = Image.new("1", (max(width or 0, text_width), line_height * len(lines)), 1)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((1, i * line_height), line, font=font, fill=0)
    return image


@lru_cache(maxsize=32)
def text_png(lines: tuple[str, ...], size: int, width: int | None = None) -> bytes:
    """:func:`text_image` as PNG bytes, the way the 券面 APs store printed fields."""
    out = io.BytesIO()
    text_image(lines, size, width).save(out, format="PNG", optimize=True)
    return out.getvalue()
