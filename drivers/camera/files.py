"""A folder (or a list) of image files as a camera: recorded bursts, demo footage, photos to evaluate."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from drivers.camera.base import CameraConfigError, CameraError, FramesExhaustedError, SourceBase
from drivers.camera.frames import decode_frame
from drivers.images import ImageTooLarge, ImageUndecodable

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
            frame = decode_frame(path)
        except (ImageTooLarge, ImageUndecodable) as error:
            raise CameraError(f"files camera: cannot decode {path.name}: {error}") from None
        self.size = (frame.shape[1], frame.shape[0])
        return frame
