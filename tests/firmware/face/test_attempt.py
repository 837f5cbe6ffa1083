"""The attempt state machine, fed scripted frame outcomes: early accept, refusal after K, budget, liveness veto."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

import numpy as np
import pytest

from firmware.face.attempt import Attempt, AttemptResult, FrameOutcome, Verdict
from firmware.face.decision import DecisionRule, load_rule
from firmware.face.detection import FaceBox
from firmware.face.liveness import NoLivenessCheck
from firmware.reception.types import FaceCue, Liveness

K = 3
RULE = DecisionRule("hog", True, K, 0.001, {1: 0.41, K: 0.45})
THRESHOLD = RULE.threshold_for(K)
BOX = FaceBox(10, 20, 110, 140, 1.5)
# The attempt never looks at pixels itself (the score function does), so any array stands in for a camera frame.
FRAME = np.zeros((48, 64, 3), np.uint8)


def scored(score: float) -> FrameOutcome:
    return FrameOutcome(score, (), 1, BOX)


def hint(*guidance: FaceCue) -> FrameOutcome:
    return FrameOutcome(None, guidance, 0, None)


class Script:
    """The score function of an attempt, answering with the given outcomes in turn and counting its calls."""

    def __init__(self, outcomes: Sequence[FrameOutcome]) -> None:
        self._outcomes = iter(outcomes)
        self.calls = 0

    def __call__(self, frame: np.ndarray) -> FrameOutcome:
        self.calls += 1
        return next(self._outcomes)


def attempt_over(outcomes: Sequence[FrameOutcome], rule: DecisionRule = RULE, **options: int) -> Attempt:
    return Attempt(Script(outcomes), rule, NoLivenessCheck(), options.pop("frames", K), **options)


def test_a_score_equal_to_the_k_frame_threshold_matches_at_once() -> None:
    attempt = attempt_over([scored(THRESHOLD - 0.0001), scored(THRESHOLD), scored(0.9)])
    attempt.feed(FRAME)
    assert attempt.result is None  # just under the threshold: keep looking
    attempt.feed(FRAME)
    result = attempt.result
    assert result is not None and result.verdict is Verdict.MATCH and result.match
    assert result.score == THRESHOLD == result.threshold
    assert (result.frames_scored, result.frames_seen) == (2, 2)


def test_the_shipped_rule_uses_its_k_frame_threshold_not_the_single_frame_one() -> None:
    rule = load_rule()
    between = (rule.single_frame_threshold + rule.attempt_threshold) / 2
    assert rule.single_frame_threshold < between < rule.attempt_threshold
    attempt = attempt_over([scored(between)] * rule.frames_per_attempt, rule, frames=rule.frames_per_attempt)
    result = attempt.run(FRAME for _ in range(100))
    assert attempt.threshold == rule.attempt_threshold
    assert result.verdict is Verdict.NO_MATCH and result.frames_scored == rule.frames_per_attempt


def test_refused_after_exactly_k_scored_frames_with_the_best_score() -> None:
    scores = [0.1, 0.3, 0.2]
    attempt = attempt_over([scored(s) for s in scores] + [scored(0.99)])
    for _ in range(K - 1):
        attempt.feed(FRAME)
        assert attempt.result is None
    attempt.feed(FRAME)
    result = attempt.result
    assert result is not None and result.verdict is Verdict.NO_MATCH and not result.match
    assert result.score == max(scores) and result.frames_scored == K == result.frames_seen


def test_guidance_frames_do_not_use_up_the_k_scored_frames() -> None:
    attempt = attempt_over([hint(FaceCue.LOOK_AT_CAMERA), scored(0.1), hint(FaceCue.HOLD_STILL), scored(0.2)] * 2)
    for _ in range(5):
        attempt.feed(FRAME)
        assert attempt.result is None  # 5 frames seen > K, but only 2 scored
    attempt.feed(FRAME)
    assert attempt.result is not None and attempt.result.verdict is Verdict.NO_MATCH
    assert (attempt.result.frames_scored, attempt.result.frames_seen) == (K, 6)


def test_only_guidance_frames_end_as_no_usable_frame_after_the_budget() -> None:
    attempt = attempt_over([hint(FaceCue.LOOK_AT_CAMERA)] * 100)
    assert attempt.budget == 4 * K
    for _ in range(4 * K - 1):
        attempt.feed(FRAME)
    assert attempt.result is None
    attempt.feed(FRAME)
    result = attempt.result
    assert result is not None and result.verdict is Verdict.NO_USABLE_FRAME and not result.match
    assert result.score is None and (result.frames_scored, result.frames_seen) == (0, 4 * K)


def test_the_budget_counts_scored_frames_too_and_can_be_set() -> None:
    attempt = attempt_over([scored(0.1), hint(FaceCue.MORE_LIGHT), hint(FaceCue.MORE_LIGHT)], budget=3)
    result = attempt.run(FRAME for _ in range(10))
    assert result.verdict is Verdict.NO_MATCH and (result.frames_scored, result.frames_seen) == (1, 3)


def test_guidance_is_collected_once_each_in_order_of_first_appearance() -> None:
    attempt = attempt_over(
        [
            hint(FaceCue.LOOK_AT_CAMERA),
            hint(FaceCue.MOVE_CLOSER, FaceCue.MORE_LIGHT),
            hint(FaceCue.LOOK_AT_CAMERA),
            hint(FaceCue.MORE_LIGHT, FaceCue.HOLD_STILL),
        ]
    )
    result = attempt.run(FRAME for _ in range(4))
    assert result.guidance == (FaceCue.LOOK_AT_CAMERA, FaceCue.MOVE_CLOSER, FaceCue.MORE_LIGHT, FaceCue.HOLD_STILL)


def test_feeding_a_decided_attempt_raises_without_scoring_the_frame() -> None:
    script = Script([scored(0.9), scored(0.9)])
    attempt = Attempt(script, RULE, NoLivenessCheck(), K)
    attempt.feed(FRAME)
    assert attempt.result is not None
    with pytest.raises(RuntimeError, match="decided"):
        attempt.feed(FRAME)
    assert script.calls == 1
    assert attempt.finish() is attempt.result  # finishing again changes nothing


def test_finish_decides_early_on_what_was_seen() -> None:
    partial = attempt_over([hint(FaceCue.MOVE_BACK), scored(0.2)])
    partial.feed(FRAME)
    partial.feed(FRAME)
    result = partial.finish()
    assert result.verdict is Verdict.NO_MATCH and result.score == 0.2
    assert (result.frames_scored, result.frames_seen) == (1, 2) and result.guidance == (FaceCue.MOVE_BACK,)
    nothing = attempt_over([]).finish()
    assert nothing.verdict is Verdict.NO_USABLE_FRAME and nothing.frames_seen == 0
    assert nothing.frame_ms_median is None


def test_run_stops_at_the_decision_and_decides_when_the_frames_run_out() -> None:
    consumed: list[int] = []

    def camera(count: int) -> Iterator[np.ndarray]:
        for index in range(count):
            consumed.append(index)
            yield FRAME

    early = attempt_over([scored(0.1), scored(0.8), scored(0.1)]).run(camera(10))
    assert early.verdict is Verdict.MATCH and consumed == [0, 1]  # no frame is taken after the decision
    consumed.clear()
    short = attempt_over([scored(0.1), hint(FaceCue.HOLD_STILL)] * 5).run(camera(2))
    assert short.verdict is Verdict.NO_MATCH and consumed == [0, 1]
    assert (short.frames_scored, short.frames_seen) == (1, 2)


class SpoofAfter:
    """A liveness check that calls the attempt a spoof once it has seen ``frames`` frames."""

    name = "test-spoof-after"

    def __init__(self, frames: int) -> None:
        self.frames = frames
        self.faces: list[FaceBox | None] = []

    def observe(self, frame: np.ndarray, face: FaceBox | None) -> None:
        self.faces.append(face)

    def verdict(self) -> Liveness:
        return Liveness.SPOOF_SUSPECTED if len(self.faces) >= self.frames else Liveness.LIVE

    def reset(self) -> None:
        self.faces.clear()


def test_a_spoof_verdict_vetoes_a_matching_score() -> None:
    check = SpoofAfter(2)
    attempt = Attempt(Script([hint(FaceCue.LOOK_AT_CAMERA), scored(0.9)]), RULE, check, K)
    result = attempt.run(FRAME for _ in range(5))
    assert result.verdict is Verdict.SPOOF and not result.match
    assert result.liveness is Liveness.SPOOF_SUSPECTED and result.score == 0.9 >= result.threshold
    # The check is shown the face only for frames that were scored.
    assert check.faces == [None, BOX]


def test_a_live_verdict_lets_the_match_stand() -> None:
    check = SpoofAfter(99)
    result = Attempt(Script([scored(0.9)]), RULE, check, K).run([FRAME])
    assert result.verdict is Verdict.MATCH and result.liveness is Liveness.LIVE


def test_the_result_as_a_dict_holds_only_plain_values() -> None:
    result = attempt_over([hint(FaceCue.MORE_LIGHT), scored(0.123456)]).run([FRAME, FRAME])
    record = result.as_dict()
    assert record["verdict"] == "no_match" and record["match"] is False and record["score"] == 0.1235
    assert record["guidance"] == ["more_light"] and record["liveness"] == "not-checked"
    assert (record["frames_scored"], record["frames_seen"], record["threshold"]) == (1, 2, THRESHOLD)
    assert set(record) == {f for f in AttemptResult.__dataclass_fields__} | {"match"}

    def plain(value: object) -> bool:
        if isinstance(value, list):
            return all(plain(item) for item in value)
        return value is None or type(value) in (str, int, float, bool)

    assert all(plain(value) for value in record.values()), record
    json.dumps(record)
