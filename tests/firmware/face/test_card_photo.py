"""The card-side simulation gives what the chip stores: a small greyscale JPEG 2000 portrait."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from firmware.face.card_photo import CARD_HEIGHT, CARD_WIDTH, simulate_card_photo
from firmware.face.errors import CardPhotoError
from firmware.face.images import read_image

#: The band the issue gives for a chip photo (the encoder aims just under 13 KB).
BYTES_RANGE = (10_000, 15_000)


@pytest.mark.parametrize("name", ["obama.jpg", "biden.jpg", "obama3.jpg"])
def test_card_photo_is_small_grey_jpeg2000(portraits, name: str) -> None:  # type: ignore[no-untyped-def]
    data = simulate_card_photo(read_image(str(portraits / name)))
    assert data[:12] == b"\x00\x00\x00\x0cjP  \r\n\x87\n"  # the JP2 signature box
    assert BYTES_RANGE[0] <= len(data) <= BYTES_RANGE[1]
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG2000" and image.mode == "L"
        assert image.width <= CARD_WIDTH and image.height <= CARD_HEIGHT
        assert abs(image.width / image.height - 3 / 4) < 0.02


def test_low_resolution_source_stays_within_the_budget(photo) -> None:  # type: ignore[no-untyped-def]
    """From a small face the portrait is smaller than 240x320 (never enlarged) and no larger than 15 KB."""
    data = simulate_card_photo(photo("obama3.jpg"))
    assert len(data) <= BYTES_RANGE[1]
    with Image.open(io.BytesIO(data)) as image:
        assert image.width < CARD_WIDTH and image.mode == "L"


def test_no_face_no_card_photo() -> None:
    pattern = np.tile(np.linspace(0, 255, 320, dtype=np.uint8)[None, :, None], (240, 1, 3))
    with pytest.raises(CardPhotoError):
        simulate_card_photo(pattern)
