"""Both sides of the emulated card, drawn from the same data as its chip (``mynareader emulate-card --render-front``,
``--render-back``).

The front carries what the card-face scan reads through a camera: name, address, the birth date in the era form
(「昭和55年 2月17日生」), sex, the validity (「2035年 2月17日まで有効」), the photo, and under the photo a 16-digit
serial and the 4-digit security code — enough to derive 照合番号B. The back carries the (fictional) 個人番号, the
IC chip's contacts and a code block; the scan must discard it unread. Both are plain approximations of the real card
(ID-1 size at 300 dpi), marked 見本 (specimen) so that no one takes them for a card.

The layout is not one fixed drawing: a :class:`Style` varies typeface, sizes, positions, spacing, labels and the
paper, so that a reader tested on these fronts cannot lean on one geometry (:func:`random_style`).
:data:`DEFAULT_STYLE` is the plain layout the CLI draws.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from drivers.card.emulated.card_face_aps import PrintedFace
from drivers.card.emulated.lettering import font_at, installed_fonts, japanese_font
from drivers.card.era import printed_gregorian, to_era

SIZE = (1012, 638)  # ID-1, 85.6 × 54 mm at 300 dpi
INK = (20, 20, 20)
LABEL = (90, 90, 90)
PAPER = (247, 249, 246)


@dataclass(frozen=True)
class Style:
    """How one card front is laid out. Sizes are pixels at 300 dpi; ``font`` None = the default Japanese font."""

    font: Path | None = None
    text_size: int = 32
    name_size: int = 44
    label_size: int = 22
    code_size: int = 32
    left: int = 40  # left margin of the text column
    top: int = 36  # the name's baseline region
    line_gap: int = 44  # address line pitch
    birth_y: int = 270
    validity_y: int = 342
    validity_box: bool = True
    pad_digits: bool = True  # 「 2月 7日」 (the card's padding) or 「2月7日」
    spaced_fields: bool = False  # 「昭和 55 年 2 月 17 日生」
    labels: bool = True  # 氏名, 住所, 性別
    photo_x: int = 742
    photo_y: int = 60
    serial: bool = True  # the 16-digit serial above the security code
    code_gap: int = 14  # between the photo (or serial) and the security code
    paper: tuple[int, int, int] = PAPER
    pattern: bool = False  # faint guilloche-like waves across the card, as security printing has
    western_birth: bool = False  # a foreign resident's card: 「1980年 2月17日生」

    def font_of(self, size: int) -> ImageFont.FreeTypeFont:
        return japanese_font(size) if self.font is None else font_at(self.font, size)


DEFAULT_STYLE = Style()


def random_style(rng: random.Random) -> Style:
    """A layout drawn from ``rng``: every typeface installed, ±sizes, shifted fields, with or without labels, box,
    padding, serial and background pattern. The photo stays on the right, as on the real card."""
    fonts = installed_fonts()
    text = rng.randint(26, 36)
    return Style(
        font=rng.choice(fonts),
        text_size=text,
        name_size=rng.randint(text + 4, text + 14),
        label_size=rng.randint(18, 24),
        code_size=rng.randint(26, 40),
        left=rng.randint(28, 70),
        top=rng.randint(24, 56),
        line_gap=text + rng.randint(6, 16),
        birth_y=rng.randint(250, 300),
        validity_y=rng.randint(330, 420),
        validity_box=rng.random() < 0.6,
        pad_digits=rng.random() < 0.6,
        spaced_fields=rng.random() < 0.25,
        labels=rng.random() < 0.7,
        photo_x=rng.randint(690, 740),
        photo_y=rng.randint(40, 90),
        serial=rng.random() < 0.7,
        code_gap=rng.randint(8, 24),
        paper=(rng.randint(236, 252), rng.randint(238, 252), rng.randint(232, 250)),
        pattern=rng.random() < 0.5,
    )


def photo_image(face: PrintedFace) -> Image.Image:
    with Image.open(io.BytesIO(face.photo)) as photo:
        photo.load()
        return photo.convert("L")


def _date_text(text: str, style: Style) -> str:
    if not style.pad_digits:
        text = text.replace("年 ", "年").replace("月 ", "月")
    if style.spaced_fields:
        for mark in ("年", "月", "日"):
            text = text.replace(mark, f" {mark} ")
        text = " ".join(text.split())
    return text


def _blank(style: Style) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    card = Image.new("RGB", SIZE, style.paper)
    draw = ImageDraw.Draw(card)
    if style.pattern:
        tint = tuple(max(0, c - 14) for c in style.paper)
        for k in range(0, SIZE[1] + 120, 18):
            points = [(x, k + 10 * math.sin(x / 37 + k / 50)) for x in range(0, SIZE[0] + 8, 8)]
            draw.line(points, fill=tint, width=1)
    draw.rounded_rectangle((2, 2, SIZE[0] - 3, SIZE[1] - 3), radius=36, outline=(170, 180, 170), width=3)
    return card, draw


def render_front(face: PrintedFace, style: Style = DEFAULT_STYLE) -> Image.Image:
    card, draw = _blank(style)
    label, text, large = style.font_of(style.label_size), style.font_of(style.text_size), style.font_of(style.name_size)
    x = style.left
    value_x = x + (70 if style.labels else 0)
    if style.labels:
        draw.text((x, style.top + 16), "氏名", font=label, fill=LABEL)
    draw.text((value_x, style.top), face.name, font=large, fill=INK)
    address_y = style.top + style.name_size + 42
    if style.labels:
        draw.text((x, address_y + 8), "住所", font=label, fill=LABEL)
    room = style.photo_x - value_x - 24  # the address never runs into the photo: long lines get a smaller size
    size = style.text_size
    while size > 16 and max(draw.textlength(line, font=style.font_of(size)) for line in face.address) > room:
        size -= 2
    for i, line in enumerate(face.address):
        draw.text((value_x, address_y + style.line_gap * i), line, font=style.font_of(size), fill=INK)
    birth_y = max(style.birth_y, address_y + style.line_gap * len(face.address) + 16)
    printed_birth = printed_gregorian(face.birth) if style.western_birth else to_era(face.birth).printed()
    birth = _date_text(f"{printed_birth}生", style)
    draw.text((x, birth_y), birth, font=text, fill=INK)
    sex_x = x + draw.textlength(birth, font=text) + 60
    if style.labels:
        draw.text((sex_x, birth_y + 6), "性別", font=label, fill=LABEL)
        sex_x += 60
    draw.text((sex_x, birth_y), face.sex_printed, font=text, fill=INK)
    validity = _date_text(f"{printed_gregorian(face.expiry)}まで有効", style)
    validity_y = max(style.validity_y, birth_y + style.text_size + 30)
    if style.validity_box:
        width = draw.textlength(validity, font=text)
        draw.rectangle((x - 6, validity_y - 6, x + 6 + width, validity_y + style.text_size + 10), outline=INK, width=2)
    draw.text((x, validity_y), validity, font=text, fill=INK)

    photo = photo_image(face)
    card.paste(photo, (style.photo_x, style.photo_y))
    under = style.photo_y + photo.height + style.code_gap
    if style.serial:
        draw.text((style.photo_x, under), face.serial, font=style.font_of(22), fill=INK)
        under += 36
    draw.text((style.photo_x, under), face.security_code, font=style.font_of(style.code_size), fill=INK)

    draw.text((x, 560), "個人番号カード", font=style.font_of(36), fill=INK)
    draw.text((x + 290, 572), "見本 — mynareader emulated card", font=label, fill=LABEL)
    return card


def render_back(face: PrintedFace, style: Style = DEFAULT_STYLE) -> Image.Image:
    """The My Number side: the IC chip's contacts, 個人番号 (fictional, grouped 4-4-4), name, birth date, a code
    block and 見本 in large letters."""
    card, draw = _blank(style)
    label, text = style.font_of(style.label_size), style.font_of(style.text_size)
    chip = (70, 90, 200, 196)  # about 11 × 9 mm, as the contact plate
    draw.rounded_rectangle(chip, radius=14, fill=(201, 170, 92), outline=(150, 120, 60), width=2)
    for y in (125, 161):
        draw.line((chip[0], y, chip[2], y), fill=(150, 120, 60), width=2)
    draw.line((135, chip[1], 135, chip[3]), fill=(150, 120, 60), width=2)
    draw.text((300, 96), "個人番号", font=label, fill=LABEL)
    number = " ".join(face.my_number[i : i + 4] for i in range(0, 12, 4))
    draw.text((300, 126), number, font=style.font_of(56), fill=INK)
    draw.text((300, 240), "氏名", font=label, fill=LABEL)
    draw.text((370, 230), face.name, font=text, fill=INK)
    draw.text((300, 300), _date_text(f"{to_era(face.birth).printed()}生", style), font=text, fill=INK)
    modules = random.Random(face.serial)  # a stand-in code block: squares, encoding nothing
    for row in range(21):
        for col in range(21):
            if modules.random() < 0.5 or (row < 7 and col < 7) or (row < 7 and col > 13) or (row > 13 and col < 7):
                draw.rectangle((760 + 9 * col, 360 + 9 * row, 768 + 9 * col, 368 + 9 * row), fill=INK)
    draw.text((300, 420), "見本", font=style.font_of(120), fill=(200, 80, 80))
    draw.text((style.left, 580), "見本 — mynareader emulated card (back)", font=label, fill=LABEL)
    return card


def save_front(face: PrintedFace, path: Path, style: Style = DEFAULT_STYLE) -> None:
    render_front(face, style).save(path, format="PNG")


def save_back(face: PrintedFace, path: Path, style: Style = DEFAULT_STYLE) -> None:
    render_back(face, style).save(path, format="PNG")
