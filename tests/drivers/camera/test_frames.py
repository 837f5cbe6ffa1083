"""Decoded images as frames: deep greyscale is scaled, not clipped; oversized files are refused unread."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from drivers.camera import CameraError, FileCamera
from drivers.camera.frames import image_to_frame


def ramp16() -> np.ndarray:
    """A 16-bit greyscale ramp over the whole range."""
    return (np.arange(64 * 48, dtype=np.uint32).reshape(48, 64) * 65535 // (64 * 48 - 1)).astype(np.uint16)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG2000"])
def test_sixteen_bit_greyscale_keeps_its_tones(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / ("ramp.png" if fmt == "PNG" else "ramp.jp2")
    Image.fromarray(ramp16()).save(path, format=fmt)
    with Image.open(path) as image:
        assert image.mode.startswith("I")  # Pillow's convert("RGB") would clip these values to white
        frame = image_to_frame(image)
    assert frame.dtype == np.uint8 and frame.shape == (48, 64, 3)
    expected = np.round(ramp16() / 257.0)
    assert np.abs(frame[:, :, 0].astype(int) - expected).max() <= 1
    assert frame[0, 0, 0] == 0 and frame[-1, -1, 0] == 255


def test_eight_bit_images_are_converted_as_pillow_does() -> None:
    image = Image.new("L", (8, 8), 77)
    assert (image_to_frame(image) == 77).all()
    palette = Image.new("P", (8, 8))
    assert image_to_frame(palette).shape == (8, 8, 3)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a huge size and holds almost nothing (a decompression bomb's header)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 16)) + chunk(b"IEND", b"")


def test_files_camera_refuses_an_oversized_image_unread(tmp_path: Path) -> None:
    (tmp_path / "bomb.png").write_bytes(png_header_only(100_000, 100_000))
    with FileCamera(tmp_path) as camera, pytest.raises(CameraError, match="bomb.png"):
        camera.read()

