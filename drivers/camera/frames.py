"""Decoded images as frames: RGB ``uint8`` ``(height, width, 3)``, whatever the image's own pixel format.

:func:`decode_frame` is the one guarded way from image bytes to a frame, and :func:`decode_image` the same way to an
image in its own mode (the card driver's look at the chip photo): the size is checked from the header before any
pixel is decoded, and Pillow's many ways of failing come out as two typed errors.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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


@contextmanager
def _decoded(source: str | Path | IO[bytes], formats: Sequence[str] | None, max_pixels: int) -> Iterator[Image.Image]:
    """The image, loaded after its header passed the size check; Pillow's errors (in the body too) made typed."""
    try:
        with warnings.catch_warnings():
            # Pillow warns before it refuses a decompression bomb; the size check below refuses first.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(source, formats=None if formats is None else list(formats)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise FrameTooLarge(f"the image is {width}x{height}; at most {max_pixels} pixels are accepted")
                image.load()
                yield image
    except FrameTooLarge:
        raise
    except Image.DecompressionBombError as error:
        raise FrameTooLarge(f"the image is too large to decode safely: {error}") from None
    except _DECODE_ERRORS as error:
        raise FrameUndecodable(f"{type(error).__name__}: {error}") from None


def decode_frame(source: str | Path | IO[bytes]) -> np.ndarray:
    """Decode an image file or stream into a frame.

    Raises :class:`FrameTooLarge` (from the header, before decoding) and :class:`FrameUndecodable`.
    """
    with _decoded(source, None, MAX_PIXELS) as image:
        return image_to_frame(image)


def decode_image(
    source: str | Path | IO[bytes], *, formats: Sequence[str] | None = None, max_pixels: int = MAX_PIXELS
) -> Image.Image:
    """Decode an image file or stream in its own mode, accepting only Pillow's ``formats`` when they are given.

    Raises :class:`FrameTooLarge` (more than ``max_pixels``, from the header, before decoding) and
    :class:`FrameUndecodable` (not a whole image, or in another format).
    """
    with _decoded(source, formats, max_pixels) as image:
        return image.copy()  # the opened image is closed on the way out
