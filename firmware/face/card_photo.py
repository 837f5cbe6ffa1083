"""Simulation of the card side: a photo turned into what the My Number card chip stores.

The chip holds a passport-style portrait (head and shoulders, 3:4), at most 240x320, greyscale JPEG 2000 of about
10-15 KB. Tests, benchmarks and ``face calibrate --simulate-card`` pass ordinary photos through this so that the card
side of every comparison is as degraded as on a real card. Unlike the emulated card's portrait (a fixed window, no
detection), the crop here is placed around the detected face, as an issuer frames a passport photo, and a small
source is not enlarged.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from drivers.card.emulated import portrait as portrait_encoder
from firmware.face.detection import FaceBox, FaceDetector, HogDetector
from firmware.face.errors import CardPhotoError

CARD_WIDTH = 240
CARD_HEIGHT = 320


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
    """Greyscale, at most 240x320 (never enlarged), JPEG 2000 just under the emulated card's 13 KB photo budget."""
    image = Image.fromarray(portrait).convert("L")
    scale = min(CARD_WIDTH / image.width, CARD_HEIGHT / image.height, 1.0)
    if scale < 1.0:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    # The emulated card's encoder: the same rate search gives both the same kind of photo.
    try:
        return portrait_encoder.encode_jp2(image, portrait_encoder.DEFAULT_PHOTO_BYTES)
    except portrait_encoder.PhotoError as error:
        raise CardPhotoError(f"the portrait cannot be encoded as a card photo: {error}") from None


def simulate_card_photo(frame: np.ndarray, detector: FaceDetector | None = None) -> bytes:
    """The JPEG 2000 bytes a card chip would hold for the person in ``frame`` (largest face)."""
    boxes = (detector or HogDetector()).detect(frame)
    if not boxes:
        raise CardPhotoError("no face found to crop a card photo from")
    return encode_card_jpeg2000(passport_crop(frame, boxes[0]))
