"""Bad input to the image layer gives typed errors, never a crash."""

from __future__ import annotations

import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from firmware.face.errors import FaceError, ImageDecodeError, ImageSizeError
from firmware.face.images import MAX_PIXELS, check_frame, decode_image, to_grey_rgb


def encode(array: np.ndarray, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format=fmt, **options)
    return buffer.getvalue()


def test_decodes_jpeg2000_greyscale_to_rgb() -> None:
    grey = np.tile(np.arange(64, dtype=np.uint8)[None, :] * 4, (80, 1))
    frame = decode_image(encode(grey, "JPEG2000", irreversible=False))
    assert frame.shape == (80, 64, 3) and frame.dtype == np.uint8
    assert np.array_equal(frame[:, :, 0], grey)


@pytest.mark.parametrize("cut", [0.9, 0.5, 0.1])
def test_truncated_jpeg2000_is_a_decode_error(cut: float) -> None:
    data = encode(np.full((120, 90), 128, np.uint8), "JPEG2000", quality_mode="rates", quality_layers=[8])
    with pytest.raises(ImageDecodeError):
        decode_image(data[: int(len(data) * cut)])


def test_corrupted_codestream_is_a_decode_error_or_decodes() -> None:
    """Flipped bytes inside the codestream either fail as ImageDecodeError or decode to some image; never crash."""
    rng = np.random.default_rng(1)
    data = bytearray(encode(rng.integers(0, 255, (96, 72), dtype=np.uint8), "JPEG2000"))
    for position in range(200, len(data), 97):
        data[position] ^= 0xFF
    try:
        frame = decode_image(bytes(data))
    except FaceError as error:
        assert isinstance(error, ImageDecodeError | ImageSizeError)
    else:
        assert frame.shape[2] == 3


def test_random_bytes_and_empty_input() -> None:
    with pytest.raises(ImageDecodeError):
        decode_image(b"\x00\x00\x00\x0cjP  garbage" * 10)
    with pytest.raises(ImageSizeError):
        decode_image(b"")
    # Both are ValueErrors too, for callers that catch the builtin.
    with pytest.raises(ValueError):
        decode_image(b"")


def test_huge_image_is_refused_from_its_header() -> None:
    """A 40-megapixel PNG of zeros compresses to a few KB; it is refused before its pixels are decoded."""
    side = 6400
    data = encode(np.zeros((side, side), np.uint8), "PNG")
    assert len(data) < 1_000_000 and side * side > MAX_PIXELS
    with pytest.raises(ImageSizeError, match="at most"):
        decode_image(data)


def test_tiny_image_is_refused() -> None:
    with pytest.raises(ImageSizeError):
        decode_image(encode(np.zeros((8, 8, 3), np.uint8), "PNG"))


@pytest.mark.parametrize(
    "frame",
    [np.zeros((0, 0, 3), np.uint8), np.zeros((480, 640, 5), np.uint8), np.zeros((4, 4, 3), np.uint8), "not a frame"],
)
def test_check_frame_refuses_non_images(frame: object) -> None:
    with pytest.raises(FaceError):
        check_frame(frame)


def test_check_frame_accepts_grey_rgba_and_float() -> None:
    assert check_frame(np.zeros((40, 50), np.uint8)).shape == (40, 50, 3)
    assert check_frame(np.zeros((40, 50, 4), np.uint8)).shape == (40, 50, 3)
    converted = check_frame(np.full((40, 50, 3), 300.0))
    assert converted.dtype == np.uint8 and converted.max() == 255


def test_grey_is_luma_on_three_channels() -> None:
    frame = np.zeros((40, 40, 3), np.uint8)
    frame[:, :, 1] = 200
    grey = to_grey_rgb(frame)
    assert grey.shape == frame.shape and np.all(grey == round(200 * 0.587))


JP2_HEAD = encode(np.full((48, 40), 100, np.uint8), "JPEG2000")[:120]


@settings(max_examples=150)
@given(st.one_of(st.binary(max_size=2048), st.binary(max_size=1024).map(lambda tail: JP2_HEAD + tail)))
def test_any_bytes_decode_to_a_frame_or_a_typed_error(data: bytes) -> None:
    try:
        frame = decode_image(data)
    except FaceError:
        return
    assert frame.ndim == 3 and frame.shape[2] == 3 and frame.dtype == np.uint8
