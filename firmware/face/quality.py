"""Frame quality: what to tell the person at the camera when a frame cannot be scored.

Measured on the aligned chip (so the numbers do not depend on the camera's resolution) and on the face's place in
the frame. The limits are deliberately lenient: they turn away frames that cannot give a fair score, not merely
imperfect ones; ``benchmarks/face.py`` prints how the dev photos sit against them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from firmware.face.detection import FaceBox
from firmware.reception.types import FaceCue


@dataclass(frozen=True)
class QualityLimits:
    """Where a frame stops being usable."""

    #: Eye distance in frame pixels below which the face is too small (the chip would be upsampled mush).
    min_eye_distance: float = 20.0
    #: Share of the face box allowed outside the frame before the person must step back.
    max_outside: float = 0.15
    #: Mean luma (0-255) of the aligned face below which the light is too poor.
    min_brightness: float = 40.0
    #: Variance of the Laplacian of the aligned grey chip below which the face is motion-blurred.
    min_sharpness: float = 15.0
    #: A second face at least this fraction of the largest one's width counts as another person.
    second_face_ratio: float = 0.6


def sharpness(chip: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian of the chip's luma: low when the face is blurred."""
    luma = chip[:, :, 0] * 0.299 + chip[:, :, 1] * 0.587 + chip[:, :, 2] * 0.114
    lap = -4 * luma[1:-1, 1:-1] + luma[:-2, 1:-1] + luma[2:, 1:-1] + luma[1:-1, :-2] + luma[1:-1, 2:]
    return float(lap.var())


def brightness(chip: np.ndarray) -> float:
    """Mean luma of the central part of the chip (the face, not the background at its corners)."""
    size = chip.shape[0]
    core = chip[size // 4 : size - size // 4, size // 4 : size - size // 4]
    return float((core[:, :, 0] * 0.299 + core[:, :, 1] * 0.587 + core[:, :, 2] * 0.114).mean())


def people_guidance(boxes: list[FaceBox], limits: QualityLimits) -> FaceCue | None:
    """LOOK_AT_CAMERA when no face, ONE_PERSON when a second face is about as large as the first."""
    if not boxes:
        return FaceCue.LOOK_AT_CAMERA
    if len(boxes) > 1 and boxes[1].width >= limits.second_face_ratio * boxes[0].width:
        return FaceCue.ONE_PERSON
    return None


def placement_guidance(frame_shape: tuple[int, ...], box: FaceBox, limits: QualityLimits) -> FaceCue | None:
    """MOVE_BACK when the face runs off the frame."""
    height, width = frame_shape[:2]
    visible_w = min(box.right, width) - max(box.left, 0)
    visible_h = min(box.bottom, height) - max(box.top, 0)
    area = max(box.width * box.height, 1)
    # Compared in whole pixels: 1 - visible / area rounds exactly 15 % outside up to 0.15000000000000002.
    outside = area - max(visible_w, 0) * max(visible_h, 0)
    return FaceCue.MOVE_BACK if outside > limits.max_outside * area else None


def chip_guidance(chip: np.ndarray, eye_distance: float, limits: QualityLimits) -> tuple[FaceCue, ...]:
    """Size, light and blur problems of an aligned face, most useful first."""
    found: list[FaceCue] = []
    if eye_distance < limits.min_eye_distance:
        found.append(FaceCue.MOVE_CLOSER)
    if brightness(chip) < limits.min_brightness:
        found.append(FaceCue.MORE_LIGHT)
    elif sharpness(chip) < limits.min_sharpness:
        # A dark chip is also flat; only call it blur when the light is enough.
        found.append(FaceCue.HOLD_STILL)
    return tuple(found)
