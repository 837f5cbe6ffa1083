"""The decision rule: a similarity threshold calibrated for a false-accept target per attempt.

An attempt takes the best score of up to K frames, so an impostor gets K chances: if one frame is falsely accepted
with probability p, an attempt is with up to 1 - (1 - p)^K (exactly that for independent frames; frames of one
person are correlated, so the true rate is lower and the bound is safe). The rule therefore stores one threshold per
frame count, each fitted for the same per-attempt target, with the data and method it was fitted with. The shipped
rule lives in ``decision.toml`` beside this module; a deployment re-fits it with ``mynareader face calibrate``.
"""

from __future__ import annotations

import math
import statistics
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from firmware.face.errors import DecisionRuleError

FitValue = str | int | float | bool


@dataclass(frozen=True)
class DecisionRule:
    """Threshold(s) on similarity (``1 - descriptor distance``), and where they came from."""

    detector: str
    grey_live: bool
    frames_per_attempt: int
    target_far_per_attempt: float
    #: Frame count K -> threshold on the best score of K frames.
    thresholds: Mapping[int, float]
    #: The data and method the thresholds were fitted on (dataset, pair counts, checksums, fitted statistics).
    fitted_on: Mapping[str, FitValue] = field(default_factory=dict)

    def threshold_for(self, frames: int) -> float:
        """The threshold for a decision over ``frames`` frames (1 = a single-frame decision)."""
        try:
            return self.thresholds[frames]
        except KeyError:
            raise DecisionRuleError(
                f"the decision rule has no threshold for {frames} frames (has {sorted(self.thresholds)})"
            ) from None

    @property
    def attempt_threshold(self) -> float:
        return self.threshold_for(self.frames_per_attempt)

    @property
    def single_frame_threshold(self) -> float:
        return self.threshold_for(1)


def per_frame_target(target_per_attempt: float, frames: int) -> float:
    """The single-frame false-accept rate that keeps K independent tries within the per-attempt target."""
    rate: float = 1.0 - (1.0 - target_per_attempt) ** (1.0 / frames)  # float ** float is typed Any (could be complex)
    return rate


@dataclass(frozen=True)
class ThresholdFit:
    threshold: float
    gaussian_threshold: float
    max_impostor: float
    per_frame_far: float


def fit_threshold(impostor_scores: Sequence[float], frames: int, target_per_attempt: float) -> ThresholdFit:
    """Threshold for ``frames`` frames at ``target_per_attempt``.

    A few hundred impostor pairs cannot resolve rates of 1e-4 empirically, so the impostor scores' tail is modelled
    as a normal distribution and the threshold is the larger of that model's quantile and the highest impostor score
    seen (the empirical false-accept rate at the threshold is then zero on the fitting data).
    """
    if len(impostor_scores) < 30:
        raise DecisionRuleError(f"{len(impostor_scores)} impostor scores are too few to fit a threshold (need 30)")
    if not 0 < target_per_attempt < 1 or frames < 1:
        raise DecisionRuleError("the target must be in (0, 1) and the frame count at least 1")
    p = per_frame_target(target_per_attempt, frames)
    mean = statistics.fmean(impostor_scores)
    sd = statistics.stdev(impostor_scores)
    gaussian = mean + statistics.NormalDist().inv_cdf(1.0 - p) * sd
    highest = max(impostor_scores)
    # Rounded up, and strictly above the highest impostor (a score equal to the threshold is a match): rounding to
    # nearest could put the threshold below either bound.
    ticks = math.ceil(max(gaussian, highest) * 10_000)
    if ticks / 10_000 <= highest:
        ticks += 1
    threshold = ticks / 10_000
    return ThresholdFit(threshold=threshold, gaussian_threshold=gaussian, max_impostor=highest, per_frame_far=p)


def load_rule(path: str | Path | None = None) -> DecisionRule:
    """The decision rule in ``path``, or the shipped one."""
    try:
        if path is None:
            text = resources.files("firmware.face").joinpath("decision.toml").read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise DecisionRuleError(f"cannot read the decision rule: {error}") from None
    return rule_from_mapping(data)


def rule_from_mapping(data: Mapping[str, Any]) -> DecisionRule:
    try:
        section = data["rule"]
        thresholds = {int(k): float(v) for k, v in section["thresholds"].items()}
        rule = DecisionRule(
            detector=str(section["detector"]),
            grey_live=bool(section["grey_live"]),
            frames_per_attempt=int(section["frames_per_attempt"]),
            target_far_per_attempt=float(section["target_far_per_attempt"]),
            thresholds=thresholds,
            fitted_on=dict(data.get("fitted_on", {})),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise DecisionRuleError(f"the decision rule is malformed: {type(error).__name__}: {error}") from None
    if rule.frames_per_attempt < 1 or 1 not in thresholds or rule.frames_per_attempt not in thresholds:
        raise DecisionRuleError("the decision rule needs thresholds for 1 frame and for frames_per_attempt")
    if not all(-1.0 <= t <= 1.0 for t in thresholds.values()):
        raise DecisionRuleError("thresholds are similarities (1 - distance) and must lie in [-1, 1]")
    if not 0 < rule.target_far_per_attempt < 1:
        raise DecisionRuleError("target_far_per_attempt must be in (0, 1)")
    return rule


def rule_to_toml(rule: DecisionRule) -> str:
    """TOML text for ``rule`` (tomllib reads only; the format written here is the small subset it needs)."""
    lines = [
        "# Face decision rule: similarity (1 - descriptor distance) thresholds on the best of K frames. Written by",
        "# `mynareader face calibrate`; see docs/face.md before changing it by hand.",
        "[rule]",
        f'detector = "{rule.detector}"',
        f"grey_live = {'true' if rule.grey_live else 'false'}",
        f"frames_per_attempt = {rule.frames_per_attempt}",
        f"target_far_per_attempt = {rule.target_far_per_attempt!r}",
        "",
        "[rule.thresholds]",
        *(f'"{k}" = {v!r}' for k, v in sorted(rule.thresholds.items())),
        "",
        "[fitted_on]",
    ]
    for key, value in rule.fitted_on.items():
        lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: FitValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else '"nan"'
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
