"""The frame-source interface and the camera errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, Self, runtime_checkable

import numpy as np


class CameraError(Exception):
    """Base class of the camera errors."""


class CameraConfigError(CameraError, ValueError):
    """The camera URL or its options are not understood."""


class CameraUnavailableError(CameraError, OSError):
    """The backend's library or device is missing, or the device would not open."""


class FramesExhaustedError(CameraError, EOFError):
    """A finite source (a folder of files) has no more frames."""


class CameraClosedError(CameraError, RuntimeError):
    """The source was closed."""


@runtime_checkable
class FrameSource(Protocol):
    """Something that gives frames. ``read`` blocks until the next frame; ``close`` releases the device."""

    #: (width, height) of the frames, when known before the first frame.
    size: tuple[int, int] | None

    def read(self) -> np.ndarray:
        """The next frame: RGB, ``uint8``, shape (height, width, 3)."""
        ...

    def close(self) -> None:
        """Release the device. Idempotent."""
        ...

    def __iter__(self) -> Iterator[np.ndarray]:
        """Frames until a finite source runs out (a live camera never does)."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...


class SourceBase:
    """Context-manager and closed-state plumbing shared by the backends."""

    size: tuple[int, int] | None = None
    _closed = False

    def _check_open(self) -> None:
        if self._closed:
            raise CameraClosedError(f"{type(self).__name__} is closed")

    def close(self) -> None:
        self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def read(self) -> np.ndarray:
        raise NotImplementedError

    def __iter__(self) -> Iterator[np.ndarray]:
        """Frames until a finite source runs out."""
        while True:
            try:
                yield self.read()
            except FramesExhaustedError:
                return
