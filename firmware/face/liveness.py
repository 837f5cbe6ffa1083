"""The liveness plug-in point.

A liveness check watches the frames of an attempt and says whether they show a live person rather than a photo,
screen or mask. None is implemented yet (a later issue): :class:`NoLivenessCheck` is the only one, and it says so in
every result instead of pretending.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from firmware.face.detection import FaceBox
from firmware.reception.types import Liveness


class LivenessCheck(Protocol):
    """Sees every frame of an attempt, then gives one verdict. Must keep no frame after :meth:`reset`."""

    name: str

    def observe(self, frame: np.ndarray, face: FaceBox | None) -> None:
        """One frame of the attempt and the face scored in it (None when none was)."""
        ...

    def verdict(self) -> Liveness:
        """The verdict over the frames observed so far."""
        ...

    def reset(self) -> None:
        """Forget everything observed (a new attempt, or the session ends)."""
        ...


class NoLivenessCheck:
    """The honest absence of a liveness check: observes nothing and always answers NOT_CHECKED."""

    name = "none"

    def observe(self, frame: np.ndarray, face: FaceBox | None) -> None:
        return None

    def verdict(self) -> Liveness:
        return Liveness.NOT_CHECKED

    def reset(self) -> None:
        return None
