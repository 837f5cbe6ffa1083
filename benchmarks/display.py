"""Render + PNG-panel push time per panel size: median and p95 over every catalogue screen in both languages.

Run: ``.venv/bin/python benchmarks/display.py [--rounds N]``. The target is well under the panels' partial refresh
(~0.3 s), so that drawing never adds noticeably to what the patient waits for.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

# This script is named like the package it measures: keep its own folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import display  # noqa: E402
from display import PanelSize  # noqa: E402
from display.panels import PngPanel  # noqa: E402
from firmware.reception.types import Language  # noqa: E402
from firmware.reception.examples import examples  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    cases = [(lang, sid, screen.to_dict()) for lang in Language for sid, screen in examples(lang).items()]
    # Warm the font and BudouX caches once, as the daemon does at start.
    for size in PanelSize:
        for lang, sid, params in cases:
            display.render(sid.value, params, language=lang.value, size=size)
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'size':8} {'n':>5} {'render med':>11} {'render p95':>11} {'push med':>9} {'push p95':>9} "
              f"{'total p95':>10}")
        for size in PanelSize:
            panel = PngPanel(Path(tmp) / f"{size.value}.png", size, full_every=1_000_000)
            renders, pushes, totals = [], [], []
            for _ in range(args.rounds):
                for lang, sid, params in cases:
                    t0 = time.perf_counter()
                    image = display.render(sid.value, params, language=lang.value, size=size).image
                    t1 = time.perf_counter()
                    panel.policy.forget()  # measure a real write, not a skipped identical frame
                    panel.show(image)
                    t2 = time.perf_counter()
                    renders.append(t1 - t0)
                    pushes.append(t2 - t1)
                    totals.append(t2 - t0)
            print(f"{size.value:8} {len(renders):5d} {_ms(statistics.median(renders))} {_ms(_p95(renders))} "
                  f"{_ms(statistics.median(pushes), 9)} {_ms(_p95(pushes), 9)} {_ms(_p95(totals), 10)}")


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def _ms(seconds: float, width: int = 11) -> str:
    return f"{seconds * 1000:{width - 3}.1f} ms"


if __name__ == "__main__":
    main()
