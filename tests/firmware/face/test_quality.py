"""Frame quality guidance at its limits: people in view, placement in the frame, size, light and blur of the chip."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image, ImageFilter

from firmware.face.detection import FaceBox
from firmware.face.embedding import AlignedFace
from firmware.reception.types import FaceCue
from firmware.face.quality import (
    QualityLimits,
    brightness,
    chip_guidance,
    people_guidance,
    placement_guidance,
    sharpness,
)

LIMITS = QualityLimits()
FRAME_SHAPE = (480, 640, 3)


def box(left: int, top: int, width: int, height: int) -> FaceBox:
    return FaceBox(left, top, left + width, top + height, 1.0)


@pytest.fixture(scope="module")
def aligned(photo) -> AlignedFace:  # type: ignore[no-untyped-def]
    """A real aligned chip of a sharp, well lit, near face (obama2.jpg at camera size)."""
    from firmware.face.detection import HogDetector
    from firmware.face.embedding import FaceEmbedder

    frame = photo("obama2.jpg")
    return FaceEmbedder().align(frame, HogDetector().detect(frame)[0])


def test_no_face_asks_to_look_at_the_camera_and_one_face_is_fine() -> None:
    assert people_guidance([], LIMITS) is FaceCue.LOOK_AT_CAMERA
    assert people_guidance([box(0, 0, 100, 100)], LIMITS) is None


@pytest.mark.parametrize(
    ("second_width", "expected"), [(60, FaceCue.ONE_PERSON), (59, None), (100, FaceCue.ONE_PERSON)]
)
def test_a_second_face_from_sixty_percent_of_the_first_is_another_person(
    second_width: int, expected: FaceCue | None
) -> None:
    boxes = [box(0, 0, 100, 120), box(300, 0, second_width, 10)]
    assert LIMITS.second_face_ratio == 0.6
    assert people_guidance(boxes, LIMITS) is expected


def test_only_the_second_largest_face_is_weighed_and_the_ratio_is_configurable() -> None:
    # Detectors return faces largest first; a small face in the background behind the person is not a second person.
    assert people_guidance([box(0, 0, 100, 100), box(200, 0, 30, 30), box(300, 0, 20, 20)], LIMITS) is None
    strict = QualityLimits(second_face_ratio=0.3)
    assert people_guidance([box(0, 0, 100, 100), box(200, 0, 30, 30)], strict) is FaceCue.ONE_PERSON


@pytest.mark.parametrize(
    ("face", "expected"),
    [
        (box(100, 100, 200, 200), None),
        (box(-30, 100, 200, 200), None),  # exactly 15 % of the box off the left edge
        (box(-31, 100, 200, 200), FaceCue.MOVE_BACK),
        (box(470, 100, 200, 200), None),  # exactly 15 % off the right edge
        (box(471, 100, 200, 200), FaceCue.MOVE_BACK),
        (box(100, 310, 200, 200), None),  # exactly 15 % off the bottom
        (box(100, 311, 200, 200), FaceCue.MOVE_BACK),
        (box(-3, 100, 20, 20), None),  # exactly 15 % of a small box
        (box(-20, -20, 200, 200), FaceCue.MOVE_BACK),  # 10 % off two edges: 19 % of the area
        (box(700, 100, 100, 100), FaceCue.MOVE_BACK),  # wholly outside
    ],
)
def test_a_face_over_fifteen_percent_outside_the_frame_asks_to_step_back(
    face: FaceBox, expected: FaceCue | None
) -> None:
    assert LIMITS.max_outside == 0.15
    assert placement_guidance(FRAME_SHAPE, face, LIMITS) is expected


def test_a_real_chip_gives_no_guidance(aligned: AlignedFace) -> None:
    assert aligned.eye_distance >= LIMITS.min_eye_distance
    assert chip_guidance(aligned.chip, aligned.eye_distance, LIMITS) == ()


def test_eye_distance_just_under_the_limit_asks_to_come_closer(aligned: AlignedFace) -> None:
    limit = LIMITS.min_eye_distance
    assert chip_guidance(aligned.chip, limit, LIMITS) == ()
    assert chip_guidance(aligned.chip, math.nextafter(limit, 0.0), LIMITS) == (FaceCue.MOVE_CLOSER,)


def test_sharpness_and_brightness_limits_are_inclusive(aligned: AlignedFace) -> None:
    chip, eyes = aligned.chip, aligned.eye_distance
    sharp, bright = sharpness(chip), brightness(chip)
    assert chip_guidance(chip, eyes, QualityLimits(min_sharpness=sharp, min_brightness=bright)) == ()
    just_blurred = QualityLimits(min_sharpness=math.nextafter(sharp, math.inf))
    assert chip_guidance(chip, eyes, just_blurred) == (FaceCue.HOLD_STILL,)
    just_dark = QualityLimits(min_brightness=math.nextafter(bright, math.inf))
    assert chip_guidance(chip, eyes, just_dark) == (FaceCue.MORE_LIGHT,)


def test_a_blurred_real_chip_asks_to_hold_still(aligned: AlignedFace) -> None:
    blurred = np.asarray(Image.fromarray(aligned.chip).filter(ImageFilter.GaussianBlur(2)))
    assert abs(brightness(blurred) - brightness(aligned.chip)) < 2  # same light, only the detail is gone
    assert chip_guidance(blurred, aligned.eye_distance, LIMITS) == (FaceCue.HOLD_STILL,)
    assert chip_guidance(blurred, 5.0, LIMITS) == (FaceCue.MOVE_CLOSER, FaceCue.HOLD_STILL)


def test_a_dark_real_chip_asks_for_light_not_for_stillness(aligned: AlignedFace) -> None:
    dark = (aligned.chip * 0.2).astype(np.uint8)
    # Darkening also flattens the chip below the sharpness limit; blaming blur would send the person the wrong way.
    assert sharpness(dark) < LIMITS.min_sharpness
    assert chip_guidance(dark, aligned.eye_distance, LIMITS) == (FaceCue.MORE_LIGHT,)
    assert chip_guidance(dark, 5.0, LIMITS) == (FaceCue.MOVE_CLOSER, FaceCue.MORE_LIGHT)


@pytest.mark.parametrize(("core", "expected"), [(40, ()), (39, (FaceCue.MORE_LIGHT,))])
def test_brightness_is_measured_on_the_middle_of_the_chip(core: int, expected: tuple[FaceCue, ...]) -> None:
    # A bright, sharp checkerboard all round: only the uniform centre half may decide the light.
    rows, cols = np.indices((150, 150))
    chip = np.where((rows // 2 + cols // 2) % 2 == 0, 255, 120).astype(np.uint8)[:, :, None].repeat(3, axis=2)
    chip[37:113, 37:113] = core
    assert brightness(chip) == pytest.approx(core) and sharpness(chip) > LIMITS.min_sharpness
    assert chip_guidance(chip, 40.0, LIMITS) == expected


def test_a_flat_grey_chip_is_blur() -> None:
    flat = np.full((150, 150, 3), 128, np.uint8)
    assert sharpness(flat) == 0.0
    assert chip_guidance(flat, 40.0, LIMITS) == (FaceCue.HOLD_STILL,)
