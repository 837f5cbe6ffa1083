"""A face attempt's result as the reception flow's answer."""

from __future__ import annotations

from firmware.face.attempt import AttemptResult, Verdict
from firmware.reception.events import FaceNotCaptured, FaceResult
from firmware.reception.types import Liveness


def face_answer(request_id: int, result: AttemptResult) -> FaceResult | FaceNotCaptured:
    """``CaptureFace``'s answer: a scored attempt is a result (match or not, with its liveness); an attempt in which
    no frame could be scored is "not captured" (it still counts as an attempt)."""
    if result.verdict is Verdict.NO_USABLE_FRAME or result.score is None:
        return FaceNotCaptured(request_id)
    liveness = Liveness.SPOOF_SUSPECTED if result.verdict is Verdict.SPOOF else result.liveness
    return FaceResult(request_id, result.verdict is Verdict.MATCH, result.score, result.threshold, liveness,
                      max(1, result.frames_scored))
