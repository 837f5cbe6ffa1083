"""An attempt: one decision over a short burst of up to K frames.

The attempt keeps the best score over its scored frames and accepts as soon as one reaches the threshold that the
decision rule fitted for K frames (accepting early changes nothing: the best of K is above the threshold exactly when
one frame is). Frames that cannot be scored give guidance and do not use up one of the K; a frame budget stops an
attempt that never gets a usable frame. The attempt keeps no frame and no embedding: only scores and guidance.
"""

from __future__ import annotations

import enum
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from firmware.face.decision import DecisionRule
from firmware.face.detection import FaceBox
from firmware.face.liveness import LivenessCheck
from firmware.reception.types import FaceCue, Liveness


@dataclass(frozen=True)
class FrameOutcome:
    """What one frame gave: a score, or the guidance that explains why it could not be scored."""

    score: float | None
    guidance: tuple[FaceCue, ...]
    faces: int
    face: FaceBox | None
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def scored(self) -> bool:
        return self.score is not None


class Verdict(enum.Enum):
    MATCH = "match"
    NO_MATCH = "no_match"
    #: No frame of the attempt could be scored (no face, or only unusable frames): neither a match nor a mismatch.
    NO_USABLE_FRAME = "no_usable_frame"
    #: The liveness check said the frames show a spoof; the face score is not used.
    SPOOF = "spoof"


@dataclass(frozen=True)
class AttemptResult:
    """The decision, with everything needed to judge it: best score, threshold, frame counts, liveness."""

    verdict: Verdict
    score: float | None
    threshold: float
    frames_scored: int
    frames_seen: int
    liveness: Liveness
    guidance: tuple[FaceCue, ...]
    frame_ms_median: float | None
    total_ms: float

    @property
    def match(self) -> bool:
        return self.verdict is Verdict.MATCH

    def as_dict(self) -> dict[str, object]:
        return {
            "verdict": self.verdict.value,
            "match": self.match,
            "score": None if self.score is None else round(self.score, 4),
            "threshold": self.threshold,
            "frames_scored": self.frames_scored,
            "frames_seen": self.frames_seen,
            "liveness": self.liveness.value,
            "guidance": [g.value for g in self.guidance],
            "frame_ms_median": None if self.frame_ms_median is None else round(self.frame_ms_median, 1),
            "total_ms": round(self.total_ms, 1),
        }


class Attempt:
    """Feed frames with :meth:`feed` until :attr:`result` is set (or call :meth:`finish`, e.g. on a time-out)."""

    def __init__(
        self,
        score_frame: Callable[[np.ndarray], FrameOutcome],
        rule: DecisionRule,
        liveness: LivenessCheck,
        frames: int,
        budget: int | None = None,
    ) -> None:
        self._score_frame = score_frame
        self.threshold = rule.threshold_for(frames)
        self.frames = frames
        #: Frames of any kind after which the attempt gives up (guidance frames included).
        self.budget = budget if budget is not None else 4 * frames
        self._liveness = liveness
        self._best: float | None = None
        self._scored = 0
        self._seen = 0
        self._guidance: list[FaceCue] = []
        self._frame_ms: list[float] = []
        self._started = time.perf_counter()
        self.result: AttemptResult | None = None

    def feed(self, frame: np.ndarray) -> FrameOutcome:
        """Process one frame. Raises the image errors of :func:`check_frame` for a frame that is not an image."""
        if self.result is not None:
            raise RuntimeError("this attempt is decided; start a new one")
        started = time.perf_counter()
        outcome = self._score_frame(frame)
        self._frame_ms.append((time.perf_counter() - started) * 1000)
        self._liveness.observe(frame, outcome.face if outcome.scored else None)
        self._seen += 1
        for hint in outcome.guidance:
            if hint not in self._guidance:
                self._guidance.append(hint)
        if outcome.score is not None:
            self._scored += 1
            self._best = outcome.score if self._best is None else max(self._best, outcome.score)
        if (self._best is not None and self._best >= self.threshold) or self._scored >= self.frames:
            self.finish()
        elif self._seen >= self.budget:
            self.finish()
        return outcome

    def run(self, frames: Iterable[np.ndarray]) -> AttemptResult:
        """Feed frames from an iterable until decided (or it runs out) and return the result."""
        for frame in frames:
            self.feed(frame)
            if self.result is not None:
                return self.result
        return self.finish()

    def finish(self) -> AttemptResult:
        """Decide on what was seen so far."""
        if self.result is not None:
            return self.result
        liveness = self._liveness.verdict()
        if liveness is Liveness.SPOOF_SUSPECTED:
            verdict = Verdict.SPOOF
        elif self._best is None:
            verdict = Verdict.NO_USABLE_FRAME
        elif self._best >= self.threshold:
            verdict = Verdict.MATCH
        else:
            verdict = Verdict.NO_MATCH
        self.result = AttemptResult(
            verdict=verdict,
            score=self._best,
            threshold=self.threshold,
            frames_scored=self._scored,
            frames_seen=self._seen,
            liveness=liveness,
            guidance=tuple(self._guidance),
            frame_ms_median=statistics.median(self._frame_ms) if self._frame_ms else None,
            total_ms=(time.perf_counter() - self._started) * 1000,
        )
        self._score_frame = _closed
        return self.result


def _closed(frame: np.ndarray) -> FrameOutcome:
    raise RuntimeError("this attempt is decided")
