"""Face boxes and detectors: geometry, the registry of detectors, and HOG across frame sizes on real portraits."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from PIL import Image

from firmware.face import models
from firmware.face.detection import (
    DEFAULT_DETECTOR,
    DETECTORS,
    FaceBox,
    HaarDetector,
    HogDetector,
    make_detector,
)
from firmware.face.errors import ModelUnavailableError


@pytest.fixture(scope="module")
def hog() -> HogDetector:
    return HogDetector()


@pytest.fixture(scope="module")
def landscape(photo) -> np.ndarray:  # type: ignore[no-untyped-def]
    """obama.jpg as a 640x480 camera frame (edges widened), so that a frame enlarged from it shrinks back to it."""
    frame = photo("obama.jpg")
    side = (640 - frame.shape[1]) // 2
    framed = np.pad(frame, ((0, 0), (side, 640 - frame.shape[1] - side), (0, 0)), mode="edge")
    assert framed.shape == (480, 640, 3)
    return framed


def test_face_box_size_excludes_right_and_bottom() -> None:
    face = FaceBox(10, 20, 110, 170, 0.7)
    assert (face.width, face.height) == (100, 150)


def test_scaled_box_rounds_each_edge_and_keeps_the_confidence() -> None:
    face = FaceBox(10, 21, 111, 170, 0.7)
    assert face.scaled(2.5) == FaceBox(25, 52, 278, 425, 0.7)
    assert face.scaled(1 / 3) == FaceBox(3, 7, 37, 57, 0.7)
    assert face.scaled(1.0) == face


def test_make_detector_builds_each_named_detector() -> None:
    assert DEFAULT_DETECTOR == "hog" and isinstance(make_detector(), HogDetector)
    assert make_detector("cnn").name == "cnn"
    if importlib.util.find_spec("cv2") is None:  # OpenCV is the optional camera extra (scripts/setup installs it)
        with pytest.raises(ModelUnavailableError, match=r"\[camera\]"):
            make_detector("haar")
    else:
        assert isinstance(make_detector("haar"), HaarDetector) and make_detector("haar").name == "haar"
    assert set(DETECTORS) == {"hog", "cnn", "haar"}


def test_an_unknown_detector_is_a_value_error_naming_the_choices() -> None:
    with pytest.raises(ValueError, match=r"unknown face detector 'sift'; choose one of hog, cnn, haar"):
        make_detector("sift")


def test_hog_finds_exactly_the_one_face_of_a_portrait(hog: HogDetector, landscape: np.ndarray) -> None:
    (face,) = hog.detect(landscape)
    # The face sits in the upper middle of the portrait, about 100 px wide at this size.
    assert 90 <= face.width <= 130 and 90 <= face.height <= 130
    assert face.left < 320 < face.right and face.bottom < 240
    assert face.confidence > 0


def test_a_frame_above_max_side_gives_a_box_in_its_own_pixels(hog: HogDetector, landscape: np.ndarray) -> None:
    factor = 2.5
    large = np.asarray(Image.fromarray(landscape).resize((1600, 1200), Image.Resampling.LANCZOS))
    assert max(large.shape[:2]) > hog.max_side
    (small_face,) = hog.detect(landscape)
    (large_face,) = hog.detect(large)
    expected = small_face.scaled(factor)
    tolerance = 0.05 * expected.width
    for edge in ("left", "top", "right", "bottom"):
        assert abs(getattr(large_face, edge) - getattr(expected, edge)) <= tolerance, (edge, large_face, expected)


def test_a_blank_frame_has_no_face(hog: HogDetector) -> None:
    assert hog.detect(np.zeros((480, 640, 3), np.uint8)) == []
    assert hog.detect(np.full((240, 320, 3), 180, np.uint8)) == []


def test_a_small_face_is_found_by_the_upsampled_pass(hog: HogDetector, photo) -> None:  # type: ignore[no-untyped-def]
    portrait = photo("obama.jpg")
    (face,) = hog.detect(portrait)
    shrink = 50 / face.width
    size = (round(portrait.shape[1] * shrink), round(portrait.shape[0] * shrink))
    small = np.asarray(Image.fromarray(portrait).resize(size, Image.Resampling.LANCZOS))
    # The first pass alone (HOG's 80 px window, no upsampling) misses a face this small.
    rects, _, _ = models.hog_detector_model().run(small, 0, 0.0)
    assert len(rects) == 0
    (found,) = hog.detect(small)
    assert 40 <= found.width <= 65
    expected = face.scaled(shrink)
    assert abs(found.left - expected.left) <= 8 and abs(found.top - expected.top) <= 8
