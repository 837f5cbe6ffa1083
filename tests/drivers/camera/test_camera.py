"""Frame sources: every backend gives RGB uint8 frames or a typed error."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from drivers.camera import (
    CameraClosedError,
    CameraConfigError,
    CameraError,
    CameraUnavailableError,
    FileCamera,
    FrameSource,
    FramesExhaustedError,
    SyntheticCamera,
    open_camera,
)


def write_image(path: Path, colour: tuple[int, int, int], fmt: str = "PNG") -> None:
    Image.new("RGB", (64, 48), colour).save(path, format=fmt)


def test_synthetic_frames_are_rgb_and_change() -> None:
    with open_camera("synthetic:320x240") as camera:
        assert isinstance(camera, FrameSource)
        first, second = camera.read(), camera.read()
    assert first.shape == (240, 320, 3) and first.dtype == np.uint8
    assert not np.array_equal(first, second)


def test_synthetic_around_a_photo_applies_light_and_blur() -> None:
    photo = np.zeros((100, 80, 3), np.uint8)
    photo[:, 40:] = 255
    plain = SyntheticCamera((160, 120), photo=photo, scale=1.0).read()
    dark = SyntheticCamera((160, 120), photo=photo, scale=1.0, brightness=0.2).read()
    blurred = SyntheticCamera((160, 120), photo=photo, scale=1.0, blur=4).read()
    assert dark.mean() < plain.mean() * 0.3
    edge = lambda f: np.abs(np.diff(f[:, :, 0].astype(int), axis=1)).max()  # noqa: E731
    assert edge(blurred) < edge(plain)


def test_files_in_name_order_then_exhausted_or_looped(tmp_path: Path) -> None:
    write_image(tmp_path / "b.png", (0, 255, 0))
    write_image(tmp_path / "a.jpg", (255, 0, 0), "JPEG")
    (tmp_path / "notes.txt").write_text("not a frame")
    camera = open_camera(f"files:{tmp_path}")
    red, green = camera.read(), camera.read()
    assert red[0, 0, 0] > 200 and red[0, 0, 1] < 50  # RGB order, not BGR
    assert green[0, 0, 1] > 200
    with pytest.raises(FramesExhaustedError):
        camera.read()
    looped = open_camera(f"files:{tmp_path}?loop=1")
    assert len([looped.read() for _ in range(5)]) == 5
    assert len(list(FileCamera(tmp_path))) == 2


def test_greyscale_jpeg2000_file_comes_out_rgb(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("L", (60, 80), 90).save(buffer, format="JPEG2000")
    (tmp_path / "card.jp2").write_bytes(buffer.getvalue())
    frame = FileCamera(tmp_path).read()
    assert frame.shape == (80, 60, 3) and np.all(frame == 90)


def test_a_broken_file_is_named_in_the_error(tmp_path: Path) -> None:
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not really")
    with pytest.raises(CameraError, match="broken.jpg"):
        FileCamera(tmp_path).read()


@pytest.mark.parametrize(
    "url",
    ["nocolon", "webcam:0", "synthetic:640by480", "synthetic:0x0", "files:", "files:/nonexistent/dir", "picamera2:x"],
)
def test_bad_urls_are_config_errors(url: str) -> None:
    with pytest.raises(CameraConfigError):
        open_camera(url)


def test_hardware_backends_fail_clearly_without_hardware() -> None:
    # picamera2 installs only on the Pi; elsewhere (or with no camera) the error says what to install or check.
    with pytest.raises(CameraUnavailableError):
        open_camera("picamera2:0")
    with pytest.raises(CameraUnavailableError):
        open_camera("v4l2:/dev/video-none")


def test_closed_source_refuses_frames() -> None:
    camera = SyntheticCamera((64, 48))
    camera.close()
    with pytest.raises(CameraClosedError):
        camera.read()
