"""``mynareader face``: verify one pair, score a list of pairs, or re-fit the decision rule.

Exit status of ``verify``: 0 match, 1 no match (or no usable face in the live image), 2 unusable input.
Nothing is written but the report (and, for ``calibrate --out``, the decision-rule file).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

from firmware.face import decision
from firmware.face.card_photo import simulate_card_photo
from firmware.face.errors import DecisionRuleError, FaceError
from firmware.face.evaluation import equal_error_rate, far, frr, read_labelled_pairs, read_pairs
from firmware.face.images import read_image
from firmware.face.verifier import CardTemplate, FaceVerifier


def register(face: argparse.ArgumentParser) -> None:
    sub = face.add_subparsers(dest="face_command", required=True, metavar="ACTION")

    verify = sub.add_parser("verify", help="compare a card photo with one live image (a single-frame decision)")
    verify.add_argument("card", type=Path, help="the card's photo (JPEG 2000 as read from the chip, or any image)")
    verify.add_argument("live", type=Path, help="a live camera image")
    verify.add_argument("--json", action="store_true", help="print one JSON object")
    verify.add_argument("--rule", type=Path, help="decision-rule file (default: the shipped one)")
    verify.set_defaults(handler=run_verify)

    score = sub.add_parser("score", help="score pairs listed in a CSV (header card,live); CSV to stdout")
    score.add_argument("--pairs", type=Path, required=True, help="CSV with header card,live; paths relative to it")
    score.add_argument("--rule", type=Path, help="decision-rule file (default: the shipped one)")
    score.set_defaults(handler=run_score)

    calibrate = sub.add_parser("calibrate", help="fit the decision rule on labelled pairs (card,live,same_person)")
    calibrate.add_argument("--pairs", type=Path, required=True, help="CSV: card,live,same_person (or img_a,img_b,...)")
    calibrate.add_argument("--images", type=Path, help="folder the paths are relative to (default: the CSV's)")
    calibrate.add_argument("--simulate-card", action="store_true", help="make the card side a chip-style JPEG 2000")
    calibrate.add_argument("--both-ways", action="store_true", help="use every pair also with card and live swapped")
    calibrate.add_argument("--frames", type=int, default=5, help="K: frames per attempt (default 5)")
    calibrate.add_argument("--target", type=float, default=0.001, help="false-accept target per attempt (0.001)")
    calibrate.add_argument("--detector", default="hog", choices=["hog", "haar", "cnn"])
    calibrate.add_argument("--grey-live", action="store_true", help="embed live faces in greyscale, as the card")
    calibrate.add_argument("--out", type=Path, help="write the rule here (default: print it)")
    calibrate.set_defaults(handler=run_calibrate)


def _verifier(rule_path: Path | None) -> FaceVerifier:
    return FaceVerifier(rule=decision.load_rule(rule_path))


def run_verify(args: argparse.Namespace) -> int:
    try:
        verifier = _verifier(args.rule)
        started = time.perf_counter()
        template = verifier.card_template(read_image(str(args.card)))
        card_ms = (time.perf_counter() - started) * 1000
        try:
            outcome = verifier.compare(template, read_image(str(args.live)))
        finally:
            template.discard()
    except (FaceError, OSError) as error:
        return _fail(args, error)
    threshold = verifier.rule.single_frame_threshold
    match = outcome.score is not None and outcome.score >= threshold
    timings = {"card": round(card_ms, 1), **{k: round(v, 1) for k, v in outcome.timings_ms.items()}}
    report = {
        "score": None if outcome.score is None else round(outcome.score, 4),
        "threshold": threshold,
        "match": match,
        "guidance": [g.value for g in outcome.guidance],
        "faces_in_live": outcome.faces,
        "liveness": "not-checked",
        "timings_ms": timings,
    }
    if args.json:
        print(json.dumps(report))
    else:
        score = "none (no usable face)" if outcome.score is None else f"{outcome.score:.4f}"
        print(f"score {score}  threshold {threshold:.4f}  match {'yes' if match else 'no'}")
        if outcome.guidance:
            print("guidance: " + ", ".join(g.value for g in outcome.guidance))
        print("liveness: not checked (no liveness check is implemented)")
        print("timings: " + ", ".join(f"{k} {v} ms" for k, v in timings.items()))
    return 0 if match else 1


def _fail(args: argparse.Namespace, error: Exception) -> int:
    reason = f"{type(error).__name__}: {error}"
    if getattr(args, "json", False):
        print(json.dumps({"error": type(error).__name__, "reason": str(error)}))
    print(f"mynareader face: {reason}", file=sys.stderr)
    return 2


class _PairScorer:
    """Embeds each distinct card and live image once, and scores pairs of them."""

    def __init__(self, verifier: FaceVerifier, simulate_card: bool = False) -> None:
        self.verifier = verifier
        self.simulate_card = simulate_card
        self._cards: dict[Path, CardTemplate | str] = {}
        self._lives: dict[Path, object] = {}

    def card(self, path: Path) -> CardTemplate | str:
        if path not in self._cards:
            try:
                photo = read_image(str(path))
                self._cards[path] = self.verifier.card_template(
                    simulate_card_photo(photo) if self.simulate_card else photo
                )
            except (FaceError, OSError) as error:
                self._cards[path] = f"card {type(error).__name__}"
        return self._cards[path]

    def live(self, path: Path) -> object:
        if path not in self._lives:
            try:
                live = self.verifier.analyse(read_image(str(path)))
                self._lives[path] = live.embedding if live.embedding is not None else (
                    "live " + "+".join(g.value for g in live.outcome.guidance))
            except (FaceError, OSError) as error:
                self._lives[path] = f"live {type(error).__name__}"
        return self._lives[path]

    def score(self, card: Path, live: Path) -> tuple[float | None, str | None]:
        """(score, None), or (None, why not)."""
        template = self.card(card)
        if isinstance(template, str):
            return None, template
        embedding = self.live(live)
        if isinstance(embedding, str):
            return None, embedding
        return template.similarity(embedding), None  # type: ignore[arg-type]

    def close(self) -> None:
        for template in self._cards.values():
            if isinstance(template, CardTemplate):
                template.discard()
        self._cards.clear()
        self._lives.clear()


def run_score(args: argparse.Namespace) -> int:
    try:
        verifier = _verifier(args.rule)
        rows = read_pairs(args.pairs)
    except (FaceError, OSError, ValueError, csv.Error) as error:
        return _fail(args, error)
    base = args.pairs.resolve().parent
    threshold = verifier.rule.single_frame_threshold
    scorer = _PairScorer(verifier)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["card", "live", "score", "match"])
    reasons: dict[str, int] = {}
    matches = 0
    started = time.perf_counter()
    try:
        for card, live in rows:
            score, why = scorer.score(base / card, base / live)
            match = score is not None and score >= threshold
            matches += match
            if why:
                reasons[why] = reasons.get(why, 0) + 1
            writer.writerow([card, live, "" if score is None else f"{score:.6f}", int(match)])
            sys.stdout.flush()
    except BrokenPipeError:
        # The reader of stdout went away (`| head`): stop quietly, as command-line filters do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    finally:
        scorer.close()
    elapsed = time.perf_counter() - started
    unscored = sum(reasons.values())
    print(
        f"face score: {len(rows)} pairs, {matches} match at threshold {threshold:.4f} (single frame), "
        f"{unscored} without a score {dict(sorted(reasons.items()))}; {elapsed:.1f} s",
        file=sys.stderr,
    )
    return 0


def run_calibrate(args: argparse.Namespace) -> int:
    try:
        pairs = read_labelled_pairs(args.pairs)
        base_rule = decision.DecisionRule(
            detector=args.detector, grey_live=args.grey_live, frames_per_attempt=args.frames,
            target_far_per_attempt=args.target, thresholds={1: 1.0, args.frames: 1.0},
        )
        verifier = FaceVerifier(rule=base_rule)
    except (FaceError, OSError, ValueError, csv.Error) as error:
        return _fail(args, error)
    base = (args.images or args.pairs.resolve().parent).resolve()
    listed = [(p.card, p.live, p.same_person) for p in pairs]
    if args.both_ways:
        listed += [(p.live, p.card, p.same_person) for p in pairs]
    scorer = _PairScorer(verifier, simulate_card=args.simulate_card)
    genuine: list[float | None] = []
    impostor: list[float] = []
    unscored_impostors = 0
    for card, live, same in listed:
        score, _ = scorer.score(base / card, base / live)
        if same:
            genuine.append(score)
        elif score is None:
            unscored_impostors += 1
        else:
            impostor.append(score)
    scorer.close()
    try:
        fits = {k: decision.fit_threshold(impostor, k, args.target) for k in sorted({1, args.frames})}
    except DecisionRuleError as error:
        return _fail(args, error)
    eer, _ = equal_error_rate(genuine, impostor)
    fitted_on: dict[str, decision.FitValue] = {
        "dataset": args.pairs.resolve().parent.name,
        "pairs_file": args.pairs.name,
        "pairs_sha256": hashlib.sha256(args.pairs.read_bytes()).hexdigest(),
        "pairs_used": "both ways" if args.both_ways else "as listed",
        "card_side": "simulated: passport crop, <=240x320 greyscale JPEG 2000 just under 13 KB" if args.simulate_card
        else "as given",
        "genuine_pairs": len(genuine),
        "impostor_pairs": len(impostor) + unscored_impostors,
        "impostor_pairs_without_face": unscored_impostors,
        "impostor_mean": round(statistics.fmean(impostor), 5),
        "impostor_sd": round(statistics.stdev(impostor), 5),
        "impostor_max": round(max(impostor), 5),
        "genuine_min": round(min((s for s in genuine if s is not None), default=float("nan")), 5),
        "eer": round(eer, 5),
        "method": "per-frame target 1-(1-T)^(1/K); threshold = max(normal-tail quantile of impostor scores, "
        "highest impostor score)",
        "live_side": "images as given",
        "detector_used": args.detector,
        "fitted": datetime.date.today().isoformat(),
    }
    for k, fit in fits.items():
        fitted_on[f"k{k}_per_frame_far_target"] = float(f"{fit.per_frame_far:.3g}")
        fitted_on[f"k{k}_gaussian_threshold"] = round(fit.gaussian_threshold, 5)
        fitted_on[f"k{k}_frr_on_fit_data"] = round(frr(genuine, fit.threshold), 5)
        fitted_on[f"k{k}_far_on_fit_data"] = round(far(impostor, fit.threshold), 5)
    rule = decision.DecisionRule(
        detector=args.detector, grey_live=args.grey_live, frames_per_attempt=args.frames,
        target_far_per_attempt=args.target, thresholds={k: fit.threshold for k, fit in fits.items()},
        fitted_on=fitted_on,
    )
    text = decision.rule_to_toml(rule)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"face calibrate: wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    for k, fit in fits.items():
        print(f"face calibrate: K={k} threshold {fit.threshold:.4f} (normal tail {fit.gaussian_threshold:.4f}, "
              f"highest impostor {fit.max_impostor:.4f}); FRR on these pairs {100 * frr(genuine, fit.threshold):.1f} %",
              file=sys.stderr)
    return 0
