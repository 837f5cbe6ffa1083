"""Card-face scan figures on generated card fronts: correct / refused / wrong per capture condition, and latency.

Run: ``.venv/bin/python benchmarks/cardface.py [--cards 200] [--frames 3] [--seed 17]``.

Each card is a front of the emulated card (drivers.card.emulated.card_front) with its own holder data and its own
layout (:func:`card_front.random_style`: typeface, sizes, positions, spacing, paper), birth dates across all eras
(大正 to 令和, 元年, and the era boundaries 1926-12-24/25, 1989-01-07/08, 2019-04-30/05-01), security codes with
leading zeros. The first half is captured clean (a small tilt); the second half under one condition each: rotation
(±6-10°), perspective, blur, glare, under-exposure, over-exposure, noise, a finger over a corner. Every frame is made
in memory from the seed (drivers.card.emulated.card_capture); nothing is written.

``--frames K``: the device's scan (K frames of the same capture, each with its own noise and placement, voted: two
must agree); ``--frames 1``: what ``mynareader cardface read`` does with one image. "wrong" counts readings whose
照合番号B differs from the card's; the target is none.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from drivers.card.emulated import card_front, pki, profiles  # noqa: E402
from drivers.card.emulated.card_capture import Conditions, capture  # noqa: E402
from drivers.card.emulated.card_face_aps import PrintedFace  # noqa: E402
from firmware.cardface.ocr import Ocr  # noqa: E402
from firmware.cardface.result import CardFaceReading  # noqa: E402
from firmware.cardface.scan import scan  # noqa: E402

BOUNDARY_BIRTHS = [dt.date(1912, 7, 30), dt.date(1926, 12, 24), dt.date(1926, 12, 25), dt.date(1926, 12, 31),
                   dt.date(1989, 1, 7), dt.date(1989, 1, 8), dt.date(2019, 4, 30), dt.date(2019, 5, 1),
                   dt.date(1989, 12, 31), dt.date(2019, 12, 31), dt.date(1920, 2, 29), dt.date(2000, 2, 29)]
ERA_SPANS = [(dt.date(1912, 7, 30), dt.date(1926, 12, 24)), (dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
             (dt.date(1989, 1, 8), dt.date(2019, 4, 30)), (dt.date(2019, 5, 1), dt.date(2025, 12, 31))]
NAMES = ["試験\u3000花子", "見本\u3000太郎", "模擬\u3000一郎", "架空\u3000さくら", "例示\u3000健"]
CONDITIONS = ["rotation", "perspective", "blur", "glare", "under-exposure", "over-exposure", "noise", "finger"]


def holder(rng: random.Random, index: int) -> tuple[dt.date, dt.date]:
    if index < len(BOUNDARY_BIRTHS):
        birth = BOUNDARY_BIRTHS[index]
    else:
        start, end = ERA_SPANS[index % len(ERA_SPANS)]
        birth = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
    issued = max(birth + dt.timedelta(days=30), dt.date(2016, 1, 1)) + dt.timedelta(days=rng.randrange(3650))
    issued = min(issued, dt.date(2026, 6, 30))
    return birth, pki.nth_birthday_after(birth, issued, 10)


def security_code(rng: random.Random, index: int) -> str:
    if index % 5 == 0:
        return f"{rng.randrange(100):04d}"  # 00xx
    if index % 5 == 1:
        return f"{rng.randrange(1000):04d}"  # 0xxx and the like
    return f"{rng.randrange(10000):04d}"


def conditions(name: str, rng: random.Random) -> Conditions:
    sign = rng.choice([-1, 1])
    if name == "clean":
        return Conditions(rotation=rng.uniform(-2, 2))
    if name == "rotation":
        return Conditions(rotation=sign * rng.uniform(6, 10))
    if name == "perspective":
        return Conditions(rotation=rng.uniform(-3, 3), perspective=rng.uniform(0.06, 0.12))
    if name == "blur":
        return Conditions(blur=rng.uniform(1.5, 2.5))
    if name == "glare":
        return Conditions(glare=rng.uniform(150, 220), rotation=rng.uniform(-3, 3))
    if name == "under-exposure":
        return Conditions(exposure=rng.uniform(0.35, 0.5), noise=4)
    if name == "over-exposure":
        return Conditions(exposure=rng.uniform(1.25, 1.4))
    if name == "noise":
        return Conditions(noise=rng.uniform(10, 16))
    return Conditions(finger=True, rotation=rng.uniform(-4, 4))


def frames(front: Image.Image, condition: Conditions, rng: random.Random, count: int,
           handed: list[float], read: list[float]) -> Iterator[np.ndarray]:
    """``count`` frames of one capture, each with its own sensor noise and a slight change of size, as a burst
    would be. ``read`` gets the time the scan spent on each frame but the last (from hand-over to the next ask)."""
    for _ in range(count):
        shifted = dataclasses.replace(condition, fill=condition.fill * rng.uniform(0.98, 1.02))
        frame = capture(front, shifted, rng)
        handed.append(time.perf_counter())
        yield frame
        read.append(time.perf_counter() - handed[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=200)
    parser.add_argument("--frames", type=int, default=3, help="frames per scan (1 = the CLI's single image)")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    base = profiles.build("normal").face
    assert base is not None
    ocr = Ocr()
    tally: dict[str, Counter[str]] = defaultdict(Counter)
    reasons: Counter[str] = Counter()
    per_frame: list[float] = []
    frames_read = 0
    for index in range(args.cards):
        birth, expiry = holder(rng, index)
        face: PrintedFace = dataclasses.replace(base, birth=birth, expiry=expiry, security_code=security_code(rng, index),
                                                name=rng.choice(NAMES), serial=f"{rng.randrange(10**16):016d}")
        front = card_front.render_front(face, card_front.random_style(rng))
        name = "clean" if index < args.cards // 2 else CONDITIONS[index % len(CONDITIONS)]
        handed: list[float] = []
        read: list[float] = []
        result = scan(frames(front, conditions(name, rng), rng, args.frames, handed, read), ocr,
                      max_frames=args.frames, agreeing=min(2, args.frames))
        read.append(time.perf_counter() - handed[-1])  # the last frame: until the verdict
        per_frame += read
        frames_read += len(handed)
        if isinstance(result, CardFaceReading):
            tally[name]["correct" if result.collation_b == face.collation_b else "wrong"] += 1
        else:
            tally[name]["refused"] += 1
            reasons[result.value] += 1
    ocr.close()

    print(f"card-face scan: {args.cards} cards, up to {args.frames} frame(s) per scan, seed {args.seed}")
    print(f"{'condition':16} {'n':>4} {'correct':>8} {'refused':>8} {'wrong':>6}")
    for name in ["clean", *CONDITIONS]:
        row = tally[name]
        n = sum(row.values())
        if n:
            print(f"{name:16} {n:4d} {row['correct']:8d} {row['refused']:8d} {row['wrong']:6d}")
    total = Counter[str]()
    for row in tally.values():
        total.update(row)
    n = sum(total.values())
    clean = tally["clean"]
    print(f"{'all':16} {n:4d} {total['correct']:8d} {total['refused']:8d} {total['wrong']:6d}")
    print(f"correct: clean {100 * clean['correct'] / max(1, sum(clean.values())):.1f} %, "
          f"overall {100 * total['correct'] / max(1, n):.1f} %; wrong values presented: {total['wrong']}")
    print("refusals: " + ", ".join(f"{reason} {count}" for reason, count in reasons.most_common()))
    print(f"frames read: {frames_read}; per frame: median {1000 * statistics.median(per_frame):.0f} ms, "
          f"p95 {1000 * sorted(per_frame)[int(0.95 * (len(per_frame) - 1))]:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
