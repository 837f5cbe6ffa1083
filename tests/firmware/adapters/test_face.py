"""A face attempt's result as the flow's answer."""

from __future__ import annotations

import pytest

from firmware.adapters.face import face_answer
from firmware.face.attempt import AttemptResult, Verdict
from firmware.reception.events import FaceNotCaptured, FaceResult
from firmware.reception.types import Liveness


def result(verdict: Verdict, score: float | None, liveness: Liveness = Liveness.NOT_CHECKED) -> AttemptResult:
    return AttemptResult(verdict, score, 0.45, 1 if score is not None else 0, 5, liveness, (), None, 10.0)


@pytest.mark.parametrize(("verdict", "score", "liveness", "expected"), [
    (Verdict.MATCH, 0.61, Liveness.LIVE, FaceResult(9, True, 0.61, 0.45, Liveness.LIVE)),
    (Verdict.MATCH, 0.61, Liveness.NOT_CHECKED, FaceResult(9, True, 0.61, 0.45, Liveness.NOT_CHECKED)),
    (Verdict.NO_MATCH, 0.2, Liveness.LIVE, FaceResult(9, False, 0.2, 0.45, Liveness.LIVE)),
    (Verdict.SPOOF, 0.9, Liveness.SPOOF_SUSPECTED, FaceResult(9, False, 0.9, 0.45, Liveness.SPOOF_SUSPECTED)),
    (Verdict.NO_USABLE_FRAME, None, Liveness.NOT_CHECKED, FaceNotCaptured(9)),
])  # fmt: skip
def test_each_verdict_has_its_answer(verdict: Verdict, score: float | None, liveness: Liveness,
                                     expected: object) -> None:
    assert face_answer(9, result(verdict, score, liveness)) == expected


def test_every_verdict_is_answered() -> None:
    for verdict in Verdict:
        assert face_answer(1, result(verdict, None if verdict is Verdict.NO_USABLE_FRAME else 0.5)) is not None
