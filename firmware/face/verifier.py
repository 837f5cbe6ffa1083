"""The face pipeline: card photo -> template once per session; each live frame -> score or guidance.

``FaceVerifier`` holds only models and the decision rule (no personal data) and lives as long as the daemon.
``FaceSession`` holds the card template for one card; closing it (the card left) drops the template and anything
derived from a frame. Nothing here writes a file or logs an image or embedding.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from firmware.face.attempt import Attempt, FrameOutcome
from firmware.face.detection import FaceDetector, make_detector
from firmware.face.decision import DecisionRule, load_rule
from firmware.face.embedding import FaceEmbedder, similarity
from firmware.face.errors import CardPhotoError, SessionClosedError
from firmware.face.images import check_frame, decode_image
from firmware.face.liveness import LivenessCheck, NoLivenessCheck
from firmware.face.quality import QualityLimits, chip_guidance, people_guidance, placement_guidance
from firmware.reception.types import FaceCue


class CardTemplate:
    """The embedding of the card's photo. Opaque: it can be compared and discarded, not read out."""

    __slots__ = ("_embedding", "__weakref__")

    def __init__(self, embedding: np.ndarray) -> None:
        self._embedding: np.ndarray | None = embedding

    def similarity(self, embedding: np.ndarray) -> float:
        if self._embedding is None:
            raise SessionClosedError("the card template was discarded")
        return similarity(self._embedding, embedding)

    def discard(self) -> None:
        """Drop the embedding (overwritten first, in case another reference to the array survives)."""
        if self._embedding is not None:
            self._embedding.fill(0.0)
        self._embedding = None

    @property
    def discarded(self) -> bool:
        return self._embedding is None

    def __repr__(self) -> str:
        return f"CardTemplate({'discarded' if self.discarded else 'held'})"


@dataclass(frozen=True, eq=False)
class LiveFace:
    """One analysed live frame: its embedding (None when it could not be scored) and the unscored outcome."""

    embedding: np.ndarray | None
    outcome: FrameOutcome


class FaceVerifier:
    """Detect -> align -> embed -> compare, with the decision rule it was calibrated with."""

    def __init__(
        self,
        rule: DecisionRule | None = None,
        detector: FaceDetector | None = None,
        limits: QualityLimits | None = None,
    ) -> None:
        self.rule = rule or load_rule()
        self.detector = detector or make_detector(self.rule.detector)
        self.limits = limits or QualityLimits()
        # The chip's photo is greyscale; a colour card image (e.g. a photo given to `face verify`) is made so too.
        self._card_embedder = FaceEmbedder(grey=True)
        self._live_embedder = FaceEmbedder(grey=self.rule.grey_live)

    def card_template(self, photo: bytes | np.ndarray) -> CardTemplate:
        """Embed the card's photo (JPEG 2000 bytes as read from the chip, or a decoded array).

        Raises :class:`ImageError` for an undecodable or unusable image and :class:`CardPhotoError` when it holds
        no face or several faces of similar size.
        """
        frame = decode_image(photo) if isinstance(photo, (bytes, bytearray, memoryview)) else check_frame(photo)
        boxes = self.detector.detect(frame)
        problem = people_guidance(boxes, self.limits)
        if problem is FaceCue.LOOK_AT_CAMERA:
            raise CardPhotoError("no face found in the card photo")
        if problem is FaceCue.ONE_PERSON:
            raise CardPhotoError(f"the card photo shows {len(boxes)} faces")
        return CardTemplate(self._card_embedder.embed(self._card_embedder.align(frame, boxes[0])))

    def analyse(self, frame: np.ndarray) -> LiveFace:
        """Detect, check and embed the face in one live frame (the embedding is None when guidance is given).

        :meth:`compare` is the normal use; evaluation code calls this to embed each image once.
        """
        frame = check_frame(frame)
        started = time.perf_counter()
        boxes = self.detector.detect(frame)
        detected = time.perf_counter()
        timings = {"detect": (detected - started) * 1000}
        problem = people_guidance(boxes, self.limits)
        if problem is not None:
            return LiveFace(None, FrameOutcome(None, (problem,), len(boxes), None, timings))
        box = boxes[0]
        placement = placement_guidance(frame.shape, box, self.limits)
        if placement is not None:
            return LiveFace(None, FrameOutcome(None, (placement,), len(boxes), box, timings))
        aligned = self._live_embedder.align(frame, box)
        aligned_at = time.perf_counter()
        timings["align"] = (aligned_at - detected) * 1000
        guidance = chip_guidance(aligned.chip, aligned.eye_distance, self.limits)
        if guidance:
            return LiveFace(None, FrameOutcome(None, guidance, len(boxes), box, timings))
        embedding = self._live_embedder.embed(aligned)
        timings["embed"] = (time.perf_counter() - aligned_at) * 1000
        return LiveFace(embedding, FrameOutcome(None, (), len(boxes), box, timings))

    def compare(self, template: CardTemplate, frame: np.ndarray) -> FrameOutcome:
        """Score one live frame against the card template, or say what the person should change."""
        started = time.perf_counter()
        live = self.analyse(frame)
        if live.embedding is None:
            return live.outcome
        score = template.similarity(live.embedding)
        timings = dict(live.outcome.timings_ms, total=(time.perf_counter() - started) * 1000)
        return FrameOutcome(score, (), live.outcome.faces, live.outcome.face, timings)

    def open_session(self, card_photo: bytes | np.ndarray, liveness: LivenessCheck | None = None) -> FaceSession:
        """Start a session for one card: its photo is embedded here, once."""
        return FaceSession(self, self.card_template(card_photo), liveness or NoLivenessCheck())


class FaceSession:
    """One card's face session. Use as a context manager; closing it drops the template and the liveness state."""

    def __init__(self, verifier: FaceVerifier, template: CardTemplate, liveness: LivenessCheck) -> None:
        self._verifier: FaceVerifier | None = verifier
        self._template: CardTemplate | None = template
        self._liveness = liveness

    def attempt(self, frames: int | None = None) -> Attempt:
        """A new attempt of up to ``frames`` scored frames (default: the rule's K)."""
        verifier, template = self._require()
        self._liveness.reset()
        return Attempt(
            lambda frame: verifier.compare(template, frame),
            verifier.rule,
            self._liveness,
            frames or verifier.rule.frames_per_attempt,
        )

    def _require(self) -> tuple[FaceVerifier, CardTemplate]:
        if self._verifier is None or self._template is None:
            raise SessionClosedError("the face session is closed")
        return self._verifier, self._template

    @property
    def closed(self) -> bool:
        return self._template is None

    def close(self) -> None:
        if self._template is not None:
            self._template.discard()
        self._template = None
        self._verifier = None
        self._liveness.reset()

    def __enter__(self) -> FaceSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
