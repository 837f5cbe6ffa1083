"""The front of the emulated card, drawn from the same data as its chip (``mynareader emulate-card --render-front``).

It carries what the card-face scan reads through a camera: name, address, the birth date in the era form
(「昭和55年 2月17日生」), sex, the validity (「2035年 2月17日まで有効」), the photo, and under the photo a 16-digit
serial and the 4-digit security code — enough to derive 照合番号B. The layout is a plain, readable approximation
of the real card (ID-1 size at 300 dpi), marked 見本 (specimen) so that no one takes it for a card.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw

from drivers.card.emulated.card_face_aps import PrintedFace
from drivers.card.emulated.lettering import japanese_font
from drivers.card.era import printed_gregorian, to_era

SIZE = (1012, 638)  # ID-1, 85.6 × 54 mm at 300 dpi
PHOTO_BOX = (742, 60)  # top-left of the photo; the photo keeps its own pixel size (≤ 240 × 320)
INK = (20, 20, 20)
LABEL = (90, 90, 90)
PAPER = (247, 249, 246)


def photo_image(face: PrintedFace) -> Image.Image:
    with Image.open(io.BytesIO(face.photo)) as photo:
        photo.load()
        return photo.convert("L")


def render_front(face: PrintedFace) -> Image.Image:
    card = Image.new("RGB", SIZE, PAPER)
    draw = ImageDraw.Draw(card)
    draw.rounded_rectangle((2, 2, SIZE[0] - 3, SIZE[1] - 3), radius=36, outline=(170, 180, 170), width=3)
    label, text, large = japanese_font(22), japanese_font(32), japanese_font(44)

    draw.text((40, 52), "氏名", font=label, fill=LABEL)
    draw.text((110, 36), face.name, font=large, fill=INK)
    draw.text((40, 130), "住所", font=label, fill=LABEL)
    for i, line in enumerate(face.address):
        draw.text((110, 122 + 44 * i), line, font=text, fill=INK)
    draw.text((40, 270), f"{to_era(face.birth).printed()}生", font=text, fill=INK)
    draw.text((470, 276), "性別", font=label, fill=LABEL)
    draw.text((530, 270), face.sex_printed, font=text, fill=INK)
    validity = f"{printed_gregorian(face.expiry)}まで有効"
    width = draw.textlength(validity, font=text)
    draw.rectangle((34, 336, 46 + width, 384), outline=INK, width=2)
    draw.text((40, 342), validity, font=text, fill=INK)

    photo = photo_image(face)
    card.paste(photo, PHOTO_BOX)
    under = PHOTO_BOX[1] + photo.height + 14
    draw.text((PHOTO_BOX[0], under), face.serial, font=japanese_font(22), fill=INK)
    draw.text((PHOTO_BOX[0], under + 36), face.security_code, font=text, fill=INK)

    draw.text((40, 560), "個人番号カード", font=japanese_font(36), fill=INK)
    draw.text((330, 572), "見本 — mynareader emulated card", font=label, fill=LABEL)
    return card


def save_front(face: PrintedFace, path: Path) -> None:
    render_front(face).save(path, format="PNG")
