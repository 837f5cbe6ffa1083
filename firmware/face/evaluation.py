"""Measuring a decision rule on labelled pairs: error rates, the equal error rate, and the labelled dev set.

Used by ``mynareader face calibrate`` and ``benchmarks/face.py``. Scores are similarities (higher = more alike);
a pair is accepted when its score is at or above the threshold.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

#: Environment variable naming the labelled dev photos' folder (internal use only: never copied into the project).
FACES_DEV_ENV = "MYNAREADER_FACES_DEV"


def faces_dev_dir() -> Path:
    """The dev set's folder: ``$MYNAREADER_FACES_DEV``, else ``<repo>/../shared/data/faces-dev``. May not exist."""
    configured = os.environ.get(FACES_DEV_ENV)
    if configured:
        return Path(configured)
    repo = Path(__file__).resolve().parents[2]
    return repo.parent / "shared" / "data" / "faces-dev"


@dataclass(frozen=True)
class LabelledPair:
    card: str
    live: str
    same_person: bool


def read_csv_rows(csv_path: Path) -> tuple[set[str], list[dict[str, str]]]:
    """The header's fields and the rows of a pairs CSV (UTF-8, with or without the byte-order mark Excel writes).

    A row with fewer or more fields than the header raises ``ValueError`` naming its line: a pair file that does not
    parse is refused whole, never scored in part.
    """
    with open(csv_path, newline="", encoding="utf-8-sig") as stream:
        reader = csv.DictReader(stream)
        fields = set(reader.fieldnames or ())
        rows = []
        for row in reader:
            if None in row or None in row.values():
                raise ValueError(f"{csv_path}:{reader.line_num}: the row has not the header's {len(fields)} fields")
            rows.append(row)
    return fields, rows


def read_pairs(csv_path: Path) -> list[tuple[str, str]]:
    """(card, live) pairs from a CSV with the header ``card,live``."""
    fields, rows = read_csv_rows(csv_path)
    if not {"card", "live"} <= fields:
        raise ValueError(f"{csv_path}: the header must be card,live")
    return [(row["card"], row["live"]) for row in rows]


def read_labelled_pairs(csv_path: Path) -> list[LabelledPair]:
    """Pairs from a CSV with ``card,live,same_person`` or the dev set's ``img_a,img_b,same_person`` header."""
    fields, rows = read_csv_rows(csv_path)
    if {"card", "live", "same_person"} <= fields:
        names = ("card", "live")
    elif {"img_a", "img_b", "same_person"} <= fields:
        names = ("img_a", "img_b")
    else:
        raise ValueError(f"{csv_path}: need the header card,live,same_person (or img_a,img_b,same_person)")
    return [
        LabelledPair(row[names[0]], row[names[1]], row["same_person"].strip() in {"1", "true", "True"}) for row in rows
    ]


def far(impostor: Sequence[float], threshold: float) -> float:
    """Share of impostor scores accepted at ``threshold``."""
    return sum(score >= threshold for score in impostor) / len(impostor) if impostor else float("nan")


def frr(genuine: Sequence[float | None], threshold: float) -> float:
    """Share of genuine pairs rejected at ``threshold`` (a pair with no score, i.e. no face, is a reject)."""
    if not genuine:
        return float("nan")
    return sum(score is None or score < threshold for score in genuine) / len(genuine)


def equal_error_rate(genuine: Sequence[float | None], impostor: Sequence[float]) -> tuple[float, float]:
    """(EER, threshold): the point where FAR and FRR cross, over all candidate thresholds."""
    candidates = sorted({s for s in genuine if s is not None} | set(impostor))
    best = (float("inf"), 0.0, 0.0)
    for threshold in candidates:
        a, r = far(impostor, threshold), frr(genuine, threshold)
        if abs(a - r) < best[0]:
            best = (abs(a - r), (a + r) / 2, threshold)
    return best[1], best[2]


def lowest_threshold_at_far(impostor: Sequence[float], max_far: float) -> tuple[float, float]:
    """(threshold, achieved FAR): the lowest threshold whose FAR on these impostors is at most ``max_far``.

    With n impostor pairs the finest non-zero FAR is 1/n; when ``max_far`` is below that, the threshold is just above
    the highest impostor score and the achieved FAR is 0 (which bounds the true rate only to about 3/n at 95 %).
    """
    ordered = sorted(impostor, reverse=True)
    allowed = int(max_far * len(ordered))  # impostors that may sit at or above the threshold
    if allowed >= len(ordered):
        return ordered[-1], 1.0
    threshold = ordered[allowed] + 1e-6
    return threshold, far(impostor, threshold)
