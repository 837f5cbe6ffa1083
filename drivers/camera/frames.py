"""Decoded images as frames: RGB ``uint8`` ``(height, width, 3)``, whatever the image's own pixel format.

:func:`decode_frame` decodes through :func:`drivers.images.decoded_image` (the size checked from the header first,
typed errors) and converts.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

import numpy as np
from PIL import Image

from drivers.images import decoded_image

#: Pillow modes of greyscale images deeper than 8 bits. ``convert("RGB")`` clips their values at 255 (a 16-bit
#: photo turns white), so they are scaled here instead.
_DEEP_GREY_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I", "F"})


def image_to_frame(image: Image.Image) -> np.ndarray:
    """``image`` as an RGB ``uint8`` array; 16-bit greyscale (and 32-bit holding 16-bit values) scaled to 8 bits."""
    if image.mode not in _DEEP_GREY_MODES:
        return np.asarray(image.convert("RGB"))
    values = np.asarray(image, dtype=np.float64)
    if image.mode.startswith("I;16") or (values.size and values.max() > 255):
        values = values / 257.0  # 65535 -> 255
    grey = np.clip(values + 0.5, 0, 255).astype(np.uint8)
    return np.repeat(grey[:, :, None], 3, axis=2)


def decode_frame(source: str | Path | IO[bytes]) -> np.ndarray:
    """Decode an image file or stream into a frame.

    Raises :class:`~drivers.images.ImageTooLarge` (from the header, before decoding) and
    :class:`~drivers.images.ImageUndecodable`.
    """
    with decoded_image(source) as image:
        return image_to_frame(image)
