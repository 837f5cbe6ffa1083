"""How much each decision of the reception flow costs: random sessions through the pure state machine.

Plays random receptions (firmware.reception.testing: random cards, choices, PINs, timeouts, pulled cards, cancels, faults,
staff stepping in) and times every ``ReceptionFlow.handle`` call alone (the simulator's own work is not counted).
Prints events per second of handling, the median / p95 / p99 / max time per event, per-session figures, and the
memory the flow holds.

    .venv/bin/python benchmarks/reception_flow.py [--sessions 20000] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import tracemalloc
from collections import Counter

from firmware.reception import State
from firmware.reception.actions import DropSession, EmitResult
from firmware.reception.config import FlowConfig, StaffCode
from firmware.reception.testing import FlowDriver, play_random_session


def percentile(sorted_values: list[int], fraction: float) -> int:
    index = min(len(sorted_values) - 1, max(0, round(fraction * (len(sorted_values) - 1))))
    return sorted_values[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    config = FlowConfig(
        smartphone_reader=True,
        ask_prescription_format=True,
        keyswitch_fitted=True,
        staff_codes=(StaffCode.from_code("nurse", "246810"),),
    )
    driver = FlowDriver(config, timed=True)
    sessions_ns: list[int] = []
    outcomes: Counter[str] = Counter()
    wall_start = time.perf_counter()
    for _ in range(args.sessions):
        before_events = len(driver.timings_ns or [])
        before_actions = len(driver.actions)
        play_random_session(driver, rng)
        timings = driver.timings_ns or []
        sessions_ns.append(sum(timings[before_events:]))
        new = driver.actions[before_actions:]
        results = sum(isinstance(a, EmitResult) for a in new)
        drops = [a.reason.value for a in new if isinstance(a, DropSession)]
        outcomes["result" if results else (drops[0] if drops else "no session")] += 1
        del driver.actions[:]  # keep memory flat over a long run
        if driver.state is not State.IDLE:
            raise SystemExit(f"a session did not end at idle: {driver.state}")
    wall = time.perf_counter() - wall_start

    timings = sorted(driver.timings_ns or [])
    events = len(timings)
    handling_s = sum(timings) / 1e9
    print(f"reception flow benchmark — python {sys.version.split()[0]}, {args.sessions} random sessions, seed {args.seed}")
    print(f"events handled:        {events}  ({events / args.sessions:.1f} per session)")
    print(f"events per second:     {events / handling_s:,.0f}  (handle() alone; "
          f"{events / wall:,.0f} including the simulator)")  # fmt: skip
    print(f"time per event:        median {percentile(timings, 0.5) / 1000:.1f} µs, "
          f"p95 {percentile(timings, 0.95) / 1000:.1f} µs, p99 {percentile(timings, 0.99) / 1000:.1f} µs, "
          f"max {timings[-1] / 1000:.0f} µs")  # fmt: skip
    per_session = sorted(sessions_ns)
    print(f"flow time per session: median {percentile(per_session, 0.5) / 1000:.0f} µs, "
          f"p95 {percentile(per_session, 0.95) / 1000:.0f} µs")  # fmt: skip
    print("session outcomes:      " + ", ".join(f"{k} {v}" for k, v in outcomes.most_common()))
    print(f"mean per event:        {statistics.fmean(timings) / 1000:.1f} µs")

    tracemalloc.start()
    flow_driver = FlowDriver(config)
    before = tracemalloc.take_snapshot()
    play_random_session(flow_driver, random.Random(args.seed))
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    print(f"memory:                {grown / 1024:.1f} KiB allocated and still held over one session "
          f"(the driver's action log included)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
