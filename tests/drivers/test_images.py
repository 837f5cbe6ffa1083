"""The drivers' one image guard: the size from the header first, Pillow's failures as two typed errors."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from drivers.images import ImageTooLarge, ImageUndecodable, decoded_image


def png(width: int, height: int, value: int = 7) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("L", (width, height), value).save(buffer, format="PNG")
    buffer.seek(0)
    return buffer


def test_the_image_comes_in_its_own_mode() -> None:
    with decoded_image(png(12, 8)) as image:
        assert (image.mode, image.size, image.getpixel((0, 0))) == ("L", (12, 8), 7)


def test_only_the_formats_asked_for_are_tried() -> None:
    with pytest.raises(ImageUndecodable):
        with decoded_image(png(12, 8), formats=["JPEG2000"]):
            pass


def test_one_pixel_over_the_limit_is_refused() -> None:
    with decoded_image(png(12, 8), max_pixels=12 * 8):
        pass
    with pytest.raises(ImageTooLarge, match="12x8"):
        with decoded_image(png(12, 8), max_pixels=12 * 8 - 1):
            pass


@pytest.mark.parametrize("data", [b"", b"not an image", png(40, 40).getvalue()[:60]], ids=["empty", "text", "cut"])
def test_what_is_not_a_whole_image_is_undecodable(data: bytes) -> None:
    with pytest.raises(ImageUndecodable):
        with decoded_image(io.BytesIO(data)):
            pass
