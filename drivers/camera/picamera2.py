"""The Raspberry Pi camera through picamera2 (from apt: ``python3-picamera2``; it cannot install on x86)."""

from __future__ import annotations

from typing import Any

import numpy as np

from drivers.camera.base import CameraUnavailableError, SourceBase


class Picamera2Camera(SourceBase):
    """Camera ``index`` at ``size``. picamera2's "BGR888" format is, despite its name, RGB byte order in the array."""

    def __init__(self, index: int = 0, size: tuple[int, int] = (640, 480)) -> None:
        try:
            from picamera2 import Picamera2  # imported here: the module touches libcamera on import
        except ImportError as error:
            raise CameraUnavailableError(
                f"picamera2 is not installed ({error}); on Raspberry Pi OS: apt install python3-picamera2"
            ) from None
        try:
            self._camera: Any = Picamera2(index)
            config = self._camera.create_video_configuration(main={"format": "BGR888", "size": size})
            self._camera.configure(config)
            self._camera.start()
        except (RuntimeError, IndexError, OSError) as error:
            raise CameraUnavailableError(f"picamera2 camera {index} would not start: {error}") from None
        self.size = size

    def read(self) -> np.ndarray:
        self._check_open()
        frame = self._camera.capture_array("main")
        return np.ascontiguousarray(frame[:, :, :3])

    def close(self) -> None:
        if not self._closed:
            self._camera.stop()
            self._camera.close()
        super().close()
