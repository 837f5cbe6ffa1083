"""Simulation of the card side: a photo turned into what the My Number card chip stores.

The chip holds a passport-style portrait (head and shoulders, 3:4), at most 240x320, greyscale JPEG 2000 of about
10-15 KB. Tests and benchmarks pass ordinary photos through this so that the card side of every comparison is as
degraded as on a real card.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from firmware.face.detection import FaceBox, FaceDetector, HogDetector
from firmware.face.errors import CardPhotoError

CARD_WIDTH = 240
CARD_HEIGHT = 320
#: The size the encoder aims at, and the band it must land in.
TARGET_BYTES = 12_500
BYTES_RANGE = (10_000, 15_000)


def passport_crop(frame: np.ndarray, box: FaceBox) -> np.ndarray:
    """A 3:4 head-and-shoulders crop around a detected face, padded with the edge colour where the photo ends.

    A HOG box spans brows to chin; on a passport photo that is about half of the picture's height, with some hair
    above and the neck below.
    """
    height = round(box.height * 2.1)
    width = round(height * 3 / 4)
    centre_x = (box.left + box.right) / 2
    top = round(box.top - 0.65 * box.height)
    left = round(centre_x - width / 2)
    pad = max(0, -top, -left, top + height - frame.shape[0], left + width - frame.shape[1])
    padded = np.pad(frame, ((pad, pad), (pad, pad), (0, 0)), mode="edge") if pad else frame
    return padded[top + pad : top + pad + height, left + pad : left + pad + width]


def encode_card_jpeg2000(portrait: np.ndarray) -> bytes:
    """Greyscale, at most 240x320, JPEG 2000 with the compression rate searched to land at about 12.5 KB."""
    image = Image.fromarray(portrait).convert("L")
    scale = min(CARD_WIDTH / image.width, CARD_HEIGHT / image.height, 1.0)
    if scale < 1.0:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    raw = image.width * image.height
    if raw <= BYTES_RANGE[1]:
        # A tiny portrait: lossless already fits the chip's budget.
        return _encode(image, None)
    ratio = raw / TARGET_BYTES
    data = b""
    for _ in range(6):
        data = _encode(image, ratio)
        if BYTES_RANGE[0] <= len(data) <= BYTES_RANGE[1]:
            break
        ratio *= len(data) / TARGET_BYTES
    return data


def _encode(image: Image.Image, ratio: float | None) -> bytes:
    buffer = io.BytesIO()
    if ratio is None:
        image.save(buffer, format="JPEG2000", irreversible=False)
    else:
        image.save(buffer, format="JPEG2000", quality_mode="rates", quality_layers=[ratio], irreversible=True)
    return buffer.getvalue()


def simulate_card_photo(frame: np.ndarray, detector: FaceDetector | None = None) -> bytes:
    """The JPEG 2000 bytes a card chip would hold for the person in ``frame`` (largest face)."""
    boxes = (detector or HogDetector()).detect(frame)
    if not boxes:
        raise CardPhotoError("no face found to crop a card photo from")
    return encode_card_jpeg2000(passport_crop(frame, boxes[0]))
