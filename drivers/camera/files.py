"""A folder (or a list) of image files as a camera: recorded bursts, demo footage, photos to evaluate."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from drivers.camera.base import CameraConfigError, CameraError, FramesExhaustedError, SourceBase
from drivers.camera.frames import image_to_frame

#: Largest image the source decodes (a 12 MP still; cameras give far less), checked from the header first.
MAX_FRAME_PIXELS = 12_000_000

# What Pillow raises for a file that is not a whole image (truncated, corrupt, or a decompression bomb).
_DECODE_ERRORS = (OSError, UnidentifiedImageError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".jp2", ".j2k", ".ppm", ".webp", ".tif", ".tiff"})


class FileCamera(SourceBase):
    """Gives the images in ``paths`` (or in a folder, in name order) one per :meth:`read`, decoded to RGB.

    With ``loop`` it starts over at the end; without, it raises :class:`FramesExhaustedError`. A file that is not an
    image raises :class:`CameraError` naming the file, so a broken recording is noticed rather than skipped.
    """

    def __init__(self, source: str | Path | Sequence[str | Path], loop: bool = False) -> None:
        if isinstance(source, (str, Path)):
            folder = Path(source)
            if not folder.is_dir():
                raise CameraConfigError(f"files camera: {folder} is not a folder")
            self.paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        else:
            self.paths = [Path(p) for p in source]
        if not self.paths:
            raise CameraConfigError(f"files camera: no images in {source}")
        self.loop = loop
        self._next = 0

    def read(self) -> np.ndarray:
        self._check_open()
        if self._next >= len(self.paths):
            if not self.loop:
                raise FramesExhaustedError(f"files camera: all {len(self.paths)} images were read")
            self._next = 0
        path = self.paths[self._next]
        self._next += 1
        try:
            with warnings.catch_warnings():
                # Pillow warns before it refuses a decompression bomb; the size check below refuses first.
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(path) as image:
                    width, height = image.size
                    if width * height > MAX_FRAME_PIXELS:
                        raise CameraError(f"files camera: {path.name} is {width}x{height}, larger than a camera frame")
                    frame = image_to_frame(image)
        except _DECODE_ERRORS as error:
            raise CameraError(f"files camera: cannot decode {path.name}: {error}") from None
        self.size = (frame.shape[1], frame.shape[0])
        return frame
