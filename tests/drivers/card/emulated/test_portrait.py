"""The chip photo: greyscale JPEG 2000 in a JP2 container, passport-style 3:4, ≤ 240×320, within its byte budget."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from drivers.card.card_face import JP2_SIGNATURE, inspect_photo
from drivers.card.emulated import portrait

PHOTOS = ["ef_Tom_Hanks.jpg", "fr_obama.jpg", "fr_kit_harington_john1.jpeg", "fp_bradley_cooper.png"]


def check_photo(data: bytes, low: int, high: int) -> None:
    assert data.startswith(JP2_SIGNATURE)
    assert low <= len(data) <= high
    info = inspect_photo(data)
    assert info.format == "JPEG 2000" and info.mode == "L"
    assert (info.width, info.height) == (240, 320)


@pytest.mark.parametrize("name", PHOTOS)
def test_real_photos_become_10_to_15_kb_chip_photos(faces_dev: Path, name: str) -> None:
    data = portrait.photo_from_file(str(faces_dev / "images" / name))
    check_photo(data, 10_000, 15_000)


def test_the_compact_budget_is_kept(faces_dev: Path) -> None:
    data = portrait.photo_from_file(str(faces_dev / "images" / PHOTOS[0]), portrait.COMPACT_PHOTO_BYTES)
    check_photo(data, 800, portrait.COMPACT_PHOTO_BYTES)


def test_without_a_photo_the_synthetic_portrait_is_used() -> None:
    check_photo(portrait.default_photo(), 10_000, 15_000)


def test_unusable_photos_are_typed_errors(tmp_path: Path) -> None:
    not_an_image = tmp_path / "notes.txt"
    not_an_image.write_text("not a photo")
    with pytest.raises(portrait.PhotoError):
        portrait.photo_from_file(str(not_an_image))
    tiny = tmp_path / "tiny.png"
    Image.new("RGB", (40, 40)).save(tiny)
    with pytest.raises(portrait.PhotoError):
        portrait.photo_from_file(str(tiny))
    with pytest.raises(portrait.PhotoError):
        portrait.encode_jp2(portrait.synthetic_portrait(), 200)


def test_the_crop_keeps_the_middle_of_a_wide_photo() -> None:
    wide = Image.new("L", (900, 400), 0)
    wide.paste(255, (400, 0, 500, 400))  # a white band in the middle
    cropped = portrait.passport_crop(wide)
    assert cropped.size == (240, 320)
    assert cropped.getpixel((120, 160)) > 200 and cropped.getpixel((5, 160)) < 50
    assert Image.open(io.BytesIO(portrait.encode_jp2(cropped, 5_000))).size == (240, 320)
