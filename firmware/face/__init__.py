"""Face verification on the device: the card chip's photo against the live camera.

A session embeds the card's photo once (:meth:`FaceVerifier.open_session`); each attempt scores up to K live frames
and decides on the best of them against a threshold calibrated for a per-attempt false-accept target
(:mod:`firmware.face.decision`). Frames that cannot be scored give :class:`FaceCue`. See docs/face.md.

dlib and its weights (the ``face`` extra) are loaded when a :class:`FaceVerifier` is made, not on import.
"""

from __future__ import annotations

from firmware.face.attempt import Attempt, AttemptResult, FrameOutcome, Verdict
from firmware.face.decision import DecisionRule, load_rule
from firmware.face.errors import (
    CardPhotoError,
    DecisionRuleError,
    FaceError,
    ImageDecodeError,
    ImageError,
    ImageSizeError,
    ModelUnavailableError,
    SessionClosedError,
)
from firmware.face.liveness import LivenessCheck, NoLivenessCheck
from firmware.face.quality import QualityLimits
from firmware.face.verifier import CardTemplate, FaceSession, FaceVerifier

__all__ = [
    "Attempt",
    "AttemptResult",
    "CardPhotoError",
    "CardTemplate",
    "DecisionRule",
    "DecisionRuleError",
    "FaceError",
    "FaceSession",
    "FaceVerifier",
    "FrameOutcome",
    "ImageDecodeError",
    "ImageError",
    "ImageSizeError",
    "LivenessCheck",
    "ModelUnavailableError",
    "NoLivenessCheck",
    "QualityLimits",
    "SessionClosedError",
    "Verdict",
    "load_rule",
]
