"""The decision rule: fitting for a per-attempt target, the shipped rule, and its file format."""

from __future__ import annotations

import hashlib
import statistics

import numpy as np
import pytest

from firmware.face.decision import (
    DecisionRule,
    fit_threshold,
    load_rule,
    per_frame_target,
    rule_from_mapping,
    rule_to_toml,
)
from firmware.face.errors import DecisionRuleError
from firmware.face.evaluation import equal_error_rate, far, frr, lowest_threshold_at_far


def test_per_frame_target_keeps_k_tries_within_the_attempt_target() -> None:
    p = per_frame_target(0.001, 5)
    assert 1 - (1 - p) ** 5 == pytest.approx(0.001)
    assert per_frame_target(0.001, 1) == pytest.approx(0.001)


def test_fit_is_the_normal_tail_quantile_or_the_highest_impostor() -> None:
    scores = list(np.random.default_rng(7).normal(0.1, 0.05, 2000))
    one = fit_threshold(scores, 1, 0.001)
    five = fit_threshold(scores, 5, 0.001)
    mean, sd = statistics.fmean(scores), statistics.stdev(scores)
    assert one.gaussian_threshold == pytest.approx(mean + 3.0902 * sd, abs=1e-3)
    assert five.threshold > one.threshold  # best of five needs a stricter threshold
    for fit in (one, five):
        assert fit.threshold > max(scores) and fit.threshold >= fit.gaussian_threshold
        assert fit.threshold - max(fit.gaussian_threshold, max(scores)) <= 0.0001 + 1e-12
    with_outlier = fit_threshold([*scores, 0.9], 1, 0.001)
    assert 0.9 < with_outlier.threshold <= 0.9001 + 1e-12


def test_the_rounded_threshold_accepts_no_impostor_it_was_fitted_on() -> None:
    rng = np.random.default_rng(3)
    for highest in (0.38304, 0.3830, 0.38305, 0.41):
        scores = [*rng.normal(0.1, 0.02, 100), highest]
        fit = fit_threshold(scores, 1, 0.001)
        assert fit.threshold == round(fit.threshold, 4)
        assert far(scores, fit.threshold) == 0.0


def test_fit_refuses_too_little_data_or_a_nonsense_target() -> None:
    with pytest.raises(DecisionRuleError):
        fit_threshold([0.1] * 10, 1, 0.001)
    with pytest.raises(DecisionRuleError):
        fit_threshold([0.1, 0.2] * 20, 1, 1.5)


def test_shipped_rule_is_consistent_and_says_what_it_was_fitted_on() -> None:
    rule = load_rule()
    assert rule.detector == "hog" and rule.frames_per_attempt >= 1
    assert rule.attempt_threshold >= rule.single_frame_threshold
    assert rule.target_far_per_attempt <= 0.001
    for key in ("dataset", "pairs_sha256", "genuine_pairs", "impostor_pairs", "card_side", "method", "impostor_max"):
        assert key in rule.fitted_on
    assert rule.single_frame_threshold > float(rule.fitted_on["impostor_max"])  # FAR 0 on its own fitting data


@pytest.mark.facedev
def test_shipped_rule_was_fitted_on_this_dev_set(faces_dev) -> None:  # type: ignore[no-untyped-def]
    digest = hashlib.sha256((faces_dev / "pairs.csv").read_bytes()).hexdigest()
    assert load_rule().fitted_on["pairs_sha256"] == digest


def test_rule_file_round_trips_and_bad_files_are_typed_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rule = DecisionRule("hog", True, 3, 0.001, {1: 0.41, 3: 0.44}, {"dataset": 'a "quoted" name', "n": 5})
    path = tmp_path / "rule.toml"
    path.write_text(rule_to_toml(rule))
    assert load_rule(path) == rule
    with pytest.raises(DecisionRuleError):
        load_rule(tmp_path / "missing.toml")
    path.write_text("[rule\nbroken")
    with pytest.raises(DecisionRuleError):
        load_rule(path)
    good = {"detector": "hog", "grey_live": True, "frames_per_attempt": 3, "target_far_per_attempt": 0.001}
    with pytest.raises(DecisionRuleError, match="thresholds for 1 frame"):
        rule_from_mapping({"rule": {**good, "thresholds": {"1": 0.4}}})
    with pytest.raises(DecisionRuleError, match="must lie"):
        rule_from_mapping({"rule": {**good, "thresholds": {"1": 0.4, "3": 7.0}}})
    with pytest.raises(DecisionRuleError):
        rule.threshold_for(2)


def test_error_rates() -> None:
    genuine = [0.9, 0.8, 0.7, None]
    impostor = [0.1, 0.2, 0.75, 0.3]
    assert far(impostor, 0.5) == 0.25 and frr(genuine, 0.5) == 0.25  # the genuine pair with no face is a reject
    eer, threshold = equal_error_rate(genuine, impostor)
    assert eer == pytest.approx(0.25) and 0.3 < threshold <= 0.75
    threshold, achieved = lowest_threshold_at_far(impostor, 0.001)
    assert achieved == 0.0 and threshold > 0.75
    threshold, achieved = lowest_threshold_at_far(impostor, 0.25)
    assert achieved == 0.25 and 0.3 < threshold <= 0.75
