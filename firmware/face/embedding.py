"""Alignment and embedding: 5-point landmarks, an aligned 150x150 chip, dlib's ResNet descriptor.

The descriptor is scaled to unit length so that the similarity of two faces is their cosine (1 = same direction).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from firmware.face import models
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
    """Aligns a detected face with the 5-point model and computes its unit-length 128-d embedding."""

    def __init__(self, grey: bool = False) -> None:
        #: When True the chip is turned to greyscale before embedding, as the card's photo is.
        self.grey = grey
        self._dlib = models.dlib_module()
        self._landmarks = models.landmark_predictor()
        self._descriptor = models.descriptor_model()

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
        vector = np.asarray(self._descriptor.compute_face_descriptor(np.ascontiguousarray(chip)), dtype=np.float32)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm > 0 else vector


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two unit-length embeddings, in [-1, 1]; higher = more alike."""
    return float(np.clip(np.dot(a, b), -1.0, 1.0))
