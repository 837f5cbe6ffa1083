"""Decoding and checking of the images the face path accepts.

Every image enters as RGB ``uint8`` with shape ``(height, width, 3)``; anything else is converted here or refused
with a typed error. Limits keep a hostile or broken input from exhausting the Pi's memory.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from drivers.camera.frames import decode_frame
# MAX_PIXELS (the largest image accepted, checked from the header before decoding) is the drivers' image guard's.
from drivers.images import MAX_PIXELS, ImageTooLarge, ImageUndecodable
from firmware.face.errors import ImageDecodeError, ImageSizeError

#: Smallest side that can hold a detectable face (dlib's HOG window is 80 px; the card photo may be upsampled).
MIN_SIDE = 32
#: Largest encoded input accepted, in bytes.
MAX_BYTES = 40_000_000


def check_frame(frame: object) -> np.ndarray:
    """Return ``frame`` as a C-contiguous RGB ``uint8`` array, or raise :class:`ImageError` saying why not."""
    if not isinstance(frame, np.ndarray):
        raise ImageDecodeError(f"a frame must be a numpy array, not {type(frame).__name__}")
    if frame.ndim == 2:
        frame = np.repeat(frame[:, :, None], 3, axis=2)
    if frame.ndim != 3 or frame.shape[2] not in (3, 4):
        raise ImageDecodeError(f"a frame must be RGB (height, width, 3); got shape {frame.shape}")
    if frame.shape[2] == 4:
        frame = frame[:, :, :3]
    height, width = frame.shape[:2]
    if height == 0 or width == 0:
        raise ImageSizeError("the image is empty")
    if min(height, width) < MIN_SIDE:
        raise ImageSizeError(f"the image is {width}x{height}; at least {MIN_SIDE} px a side is needed")
    if height * width > MAX_PIXELS:
        raise ImageSizeError(f"the image is {width}x{height}; at most {MAX_PIXELS} pixels are accepted")
    if frame.dtype != np.uint8:
        if not np.issubdtype(frame.dtype, np.number):
            raise ImageDecodeError(f"a frame must hold numbers, not {frame.dtype}")
        frame = np.clip(frame, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(frame)


def decode_image(data: bytes) -> np.ndarray:
    """Decode JPEG 2000, JPEG, PNG or any format Pillow reads into an RGB array.

    Raises :class:`ImageDecodeError` for bytes that are not a whole image and :class:`ImageSizeError` for empty or
    oversized ones. The size is checked from the header before any pixel is decoded.
    """
    if not data:
        raise ImageSizeError("the image is empty (0 bytes)")
    if len(data) > MAX_BYTES:
        raise ImageSizeError(f"the image file is {len(data)} bytes; at most {MAX_BYTES} are accepted")
    try:
        frame = decode_frame(io.BytesIO(data))
    except ImageTooLarge as error:
        raise ImageSizeError(str(error)) from None
    except ImageUndecodable as error:
        raise ImageDecodeError(f"the image cannot be decoded: {error}") from None
    return check_frame(frame)


def read_image(path: str) -> np.ndarray:
    """Read and decode the image file at ``path`` (only read: nothing is ever written)."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except OSError as error:
        raise ImageDecodeError(f"cannot read {path}: {error.strerror or error}") from None
    return decode_image(data)


def to_grey_rgb(frame: np.ndarray) -> np.ndarray:
    """Luma (ITU-R 601, as the card's greyscale photo) repeated over three channels."""
    luma = frame[:, :, 0] * 0.299 + frame[:, :, 1] * 0.587 + frame[:, :, 2] * 0.114
    grey = np.clip(luma + 0.5, 0, 255).astype(np.uint8)
    return np.repeat(grey[:, :, None], 3, axis=2)


def resize_to_fit(frame: np.ndarray, max_width: int, max_height: int, fast: bool = False) -> np.ndarray:
    """Shrink ``frame`` (never enlarge) to fit in ``max_width`` x ``max_height``, keeping its aspect ratio.

    ``fast`` trades a little sharpness for speed (box-reduce then bilinear), which is what detection needs.
    """
    height, width = frame.shape[:2]
    scale = min(max_width / width, max_height / height, 1.0)
    if scale >= 1.0:
        return frame
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if fast:
        return np.asarray(Image.fromarray(frame).resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0))
    return np.asarray(Image.fromarray(frame).resize(size, Image.Resampling.LANCZOS))
