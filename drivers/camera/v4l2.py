"""Any V4L2 camera (a USB webcam on a laptop or on the Pi) through OpenCV's VideoCapture (the ``camera`` extra)."""

from __future__ import annotations

from typing import Any

import numpy as np

from drivers.camera.base import CameraError, CameraUnavailableError, SourceBase


class V4l2Camera(SourceBase):
    def __init__(self, device: str = "/dev/video0", size: tuple[int, int] = (640, 480)) -> None:
        try:
            import cv2
        except ImportError as error:
            raise CameraUnavailableError(
                f"OpenCV is not installed ({error}); install the camera extra: pip install -e '.[camera]'"
            ) from None
        self._cv2: Any = cv2
        self._capture = cv2.VideoCapture(device, cv2.CAP_V4L2)
        if not self._capture.isOpened():
            raise CameraUnavailableError(f"V4L2 device {device} would not open")
        self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, size[0])
        self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, size[1])
        self.device = device
        self.size = size

    def read(self) -> np.ndarray:
        self._check_open()
        ok, frame = self._capture.read()
        if not ok or frame is None:
            raise CameraError(f"V4L2 device {self.device} gave no frame")
        # OpenCV delivers BGR; the face path wants RGB.
        return np.ascontiguousarray(self._cv2.cvtColor(frame, self._cv2.COLOR_BGR2RGB))

    def close(self) -> None:
        if not self._closed:
            self._capture.release()
        super().close()
