"""Alignment and embedding: 5-point landmarks, an aligned 150x150 chip, dlib's ResNet descriptor.

The similarity of two faces is ``1 - d`` where ``d`` is the Euclidean distance of their descriptors, the metric the
ResNet was trained for (its authors' rule of thumb: same person below d = 0.6, i.e. similarity above 0.4). Measured on
the dev set with the card side simulated, this separated genuine from impostor pairs better than the cosine of
unit-length descriptors (``benchmarks/face.py`` prints both; docs/face.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from firmware.face.models import descriptor_network, dlib_module, landmark_predictor
from firmware.face.detection import FaceBox
from firmware.face.images import to_grey_rgb

#: Size of the aligned chip the ResNet descriptor was trained on.
CHIP_SIZE = 150
#: Margin around the landmarks in the chip, as a fraction of the face (dlib's own default for this model).
CHIP_PADDING = 0.25


@dataclass(frozen=True, eq=False)
class AlignedFace:
    """One face cut out and aligned: the chip (RGB, 150x150) and the eye distance in frame pixels."""

    chip: np.ndarray
    eye_distance: float


class FaceEmbedder:
    """Aligns a detected face with the 5-point model and computes its 128-d embedding."""

    def __init__(self, grey: bool = False) -> None:
        #: When True the chip is turned to greyscale before embedding, as the card's photo is.
        self.grey = grey
        self._dlib = dlib_module()
        self._landmarks = landmark_predictor()
        self._descriptor = descriptor_network()

    def align(self, frame: np.ndarray, box: FaceBox) -> AlignedFace:
        rect = self._dlib.rectangle(box.left, box.top, box.right - 1, box.bottom - 1)
        shape = self._landmarks(frame, rect)
        # Points 0-1 are one eye's corners, 2-3 the other's, 4 the base of the nose.
        points = np.array([(shape.part(i).x, shape.part(i).y) for i in range(5)], dtype=np.float64)
        eye_distance = float(np.linalg.norm(points[0:2].mean(axis=0) - points[2:4].mean(axis=0)))
        chip = np.asarray(self._dlib.get_face_chip(frame, shape, size=CHIP_SIZE, padding=CHIP_PADDING))
        return AlignedFace(chip=chip, eye_distance=eye_distance)

    def embed(self, face: AlignedFace) -> np.ndarray:
        chip = to_grey_rgb(face.chip) if self.grey else face.chip
        return self._descriptor.descriptor(chip).astype(np.float64)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """``1 - Euclidean distance`` of two embeddings: 1 for identical faces, higher = more alike."""
    return 1.0 - float(np.linalg.norm(a - b))
