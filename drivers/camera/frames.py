"""Decoded images as frames: RGB ``uint8`` ``(height, width, 3)``, whatever the image's own pixel format.

:func:`decode_frame` is the one guarded way from image bytes to a frame: the size is checked from the header before
any pixel is decoded, and Pillow's many ways of failing come out as two typed errors.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import IO

import numpy as np
from PIL import Image

#: Largest image decoded, in pixels (a 12 MP still; cameras give far less). Checked from the header first.
MAX_PIXELS = 12_000_000

#: Pillow modes of greyscale images deeper than 8 bits. ``convert("RGB")`` clips their values at 255 (a 16-bit
#: photo turns white), so they are scaled here instead.
_DEEP_GREY_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I", "F"})

# What Pillow raises for bytes that are not a whole image (truncated or corrupt codestreams, unknown formats).
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, MemoryError)


class FrameTooLarge(ValueError):
    """The image declares more than :data:`MAX_PIXELS` pixels; nothing was decoded."""


class FrameUndecodable(ValueError):
    """The bytes are not a whole image Pillow can decode."""


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

    Raises :class:`FrameTooLarge` (from the header, before decoding) and :class:`FrameUndecodable`.
    """
    try:
        with warnings.catch_warnings():
            # Pillow warns before it refuses a decompression bomb; the size check below refuses first.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(source) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise FrameTooLarge(f"the image is {width}x{height}; at most {MAX_PIXELS} pixels are accepted")
                image.load()
                return image_to_frame(image)
    except FrameTooLarge:
        raise
    except Image.DecompressionBombError as error:
        raise FrameTooLarge(f"the image is too large to decode safely: {error}") from None
    except _DECODE_ERRORS as error:
        raise FrameUndecodable(f"{type(error).__name__}: {error}") from None
