"""Camera: one frame-source interface, a real backend per platform, and twins for tests and the demo.

Every source yields RGB ``uint8`` arrays of shape ``(height, width, 3)``. Choose one with a config URL through
:func:`open_camera`:

``picamera2:0``
    The Pi's camera through picamera2 (from apt: ``python3-picamera2``; imported only when chosen).
``v4l2:/dev/video0``
    Any V4L2 device through OpenCV (the optional ``camera`` extra).
``files:DIR`` or ``files:DIR?loop=1``
    The images in a folder, in name order: a recorded burst, or photos to evaluate.
``synthetic:640x480``
    Generated frames with no camera at all; optionally built around a still photo with controlled light, blur and
    size (:class:`SyntheticCamera`).
"""

from __future__ import annotations

from drivers.camera.base import (
    CameraClosedError,
    CameraConfigError,
    CameraError,
    CameraUnavailableError,
    FrameSource,
    FramesExhaustedError,
)
from drivers.camera.factory import open_camera
from drivers.camera.files import FileCamera
from drivers.camera.synthetic import SyntheticCamera

__all__ = [
    "CameraClosedError",
    "CameraConfigError",
    "CameraError",
    "CameraUnavailableError",
    "FileCamera",
    "FrameSource",
    "FramesExhaustedError",
    "SyntheticCamera",
    "open_camera",
]
