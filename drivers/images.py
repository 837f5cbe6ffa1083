"""The one guarded way from image bytes to pixels, for every driver that decodes an image (the files camera, the
card's chip photo) and for the face path.

The size is checked from the header before any pixel is decoded, and Pillow's many ways of failing come out as two
typed errors. Pillow only: no numpy here, so the card driver can use it without loading the camera's stack.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from PIL import Image

#: Largest image decoded, in pixels (a 12 MP still; cameras give far less). Checked from the header first.
MAX_PIXELS = 12_000_000

# What Pillow raises for bytes that are not a whole image (truncated or corrupt codestreams, unknown formats).
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError, MemoryError)


class ImageTooLarge(ValueError):
    """The image declares more pixels than allowed; nothing was decoded."""


class ImageUndecodable(ValueError):
    """The bytes are not a whole image Pillow can decode (in the formats asked for)."""


@contextmanager
def decoded_image(
    source: str | Path | IO[bytes], *, formats: Sequence[str] | None = None, max_pixels: int = MAX_PIXELS
) -> Iterator[Image.Image]:
    """The image, decoded in its own mode once its header passed the size check, open for the ``with`` block.

    Only Pillow's ``formats`` are tried when they are given. Raises :class:`ImageTooLarge` (more than ``max_pixels``,
    from the header, before decoding) and :class:`ImageUndecodable`, also for Pillow's errors inside the block (a
    conversion that meets a broken codestream).
    """
    try:
        with warnings.catch_warnings():
            # Pillow warns before it refuses a decompression bomb; the size check below refuses first.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(source, formats=None if formats is None else list(formats)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise ImageTooLarge(f"the image is {width}x{height}; at most {max_pixels} pixels are accepted")
                image.load()
                yield image
    except ImageTooLarge:
        raise
    except Image.DecompressionBombError as error:
        raise ImageTooLarge(f"the image is too large to decode safely: {error}") from None
    except _DECODE_ERRORS as error:
        raise ImageUndecodable(f"{type(error).__name__}: {error}") from None
