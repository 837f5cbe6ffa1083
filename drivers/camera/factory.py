"""Choosing a frame source from its config URL."""

from __future__ import annotations

from urllib.parse import parse_qs

from drivers.camera.base import CameraConfigError, FrameSource
from drivers.camera.files import FileCamera
from drivers.camera.synthetic import SyntheticCamera


def parse_size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise CameraConfigError(f"camera size {text!r} is not WIDTHxHEIGHT") from None
    if width <= 0 or height <= 0:
        raise CameraConfigError(f"camera size {text!r} must be positive")
    return width, height


def open_camera(url: str) -> FrameSource:
    """The frame source a config URL names (see :mod:`drivers.camera`). Hardware backends are imported only here."""
    scheme, sep, rest = url.partition(":")
    if not sep:
        raise CameraConfigError(f"camera URL {url!r} has no scheme (picamera2:, v4l2:, files:, synthetic:)")
    target, _, query = rest.partition("?")
    options = {key: values[-1] for key, values in parse_qs(query).items()}
    size = parse_size(options["size"]) if "size" in options else (640, 480)
    if scheme == "picamera2":
        from drivers.camera.picamera2 import Picamera2Camera

        try:
            index = int(target or "0")
        except ValueError:
            raise CameraConfigError(f"picamera2 camera index {target!r} is not a number") from None
        return Picamera2Camera(index, size)
    if scheme == "v4l2":
        from drivers.camera.v4l2 import V4l2Camera

        return V4l2Camera(target or "/dev/video0", size)
    if scheme == "files":
        if not target:
            raise CameraConfigError("files camera needs a folder: files:DIR")
        return FileCamera(target, loop=options.get("loop", "0") in {"1", "true", "yes"})
    if scheme == "synthetic":
        return SyntheticCamera(parse_size(target) if target else size)
    raise CameraConfigError(f"unknown camera scheme {scheme!r} (picamera2, v4l2, files, synthetic)")
