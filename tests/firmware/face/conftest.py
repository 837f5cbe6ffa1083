"""Fixtures of the face tests (``portraits`` and ``faces_dev`` are in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from firmware.face.images import read_image, resize_to_fit


@pytest.fixture(scope="session")
def photo(portraits: Path):  # type: ignore[no-untyped-def]
    """A portrait by name, shrunk to a camera-sized frame (640x480 at most)."""

    def load(name: str) -> np.ndarray:
        return resize_to_fit(read_image(str(portraits / name)), 640, 480)

    return load


@pytest.fixture(scope="session")
def verifier():  # type: ignore[no-untyped-def]
    from firmware.face.verifier import FaceVerifier

    return FaceVerifier()


@pytest.fixture(scope="session")
def three_faces(photo) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Three people side by side in one frame (head-and-shoulders crops of three portraits)."""
    from firmware.face.card_photo import passport_crop
    from firmware.face.detection import HogDetector

    detector = HogDetector()
    crops = []
    for name in ("obama.jpg", "biden.jpg", "obama2.jpg"):
        frame = photo(name)
        crop = passport_crop(frame, detector.detect(frame)[0])
        crops.append(np.asarray(Image.fromarray(crop).resize((round(crop.shape[1] * 300 / crop.shape[0]), 300))))
    return np.concatenate(crops, axis=1)
