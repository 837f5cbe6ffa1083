"""``mynareader demo [--scenario NAME] [--json] [--host-line URL] [--out DIR]``: a whole reception on emulated hardware.

The real daemon runs in this process on emulated parts (:mod:`firmware.demo.runner`): our own pcscd with vpcd's
virtual readers and the scenario's emulated card, a scripted patient on gpiozero's mock pins, cameras showing real
photos of the card holder and the card's rendered front, the PNG panel, voice as WAV files, and the host SDK on the
other end of a pty verifying each result. Without ``--scenario`` every scenario runs and a table follows.

Each scenario prints its steps with times, the screens drawn (a copy of each, in the folder it names) and the
verified result as JSON; ``--json`` prints one JSON document instead, which also carries each result exactly as it
crossed the wire (base64 COSE_Sign1) and the device's public key (PEM), for re-verifying with any COSE library.

``--host-line URL`` (``pty:PATH``, ``socket://HOST:PORT``, a serial device) leaves the host end to you, e.g.
``mynareader-host listen --port PATH --trust DIR/device-key.pem --ca DIR/test-ca.pem --development`` in another
terminal: the demo then only drives the patient (results are your host's to verify; the scenario that takes the host
away is skipped).

Exit status: 0 every scenario ended as expected; 1 one did not; 2 bad arguments; 3 the demo cannot run here (pcscd
already running, the face photos missing).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

SCENARIO_NAMES = ("pin", "face", "visual-check", "android", "iphone", "pinless", "pin-locked", "one-try-left",
                  "wrong-pin-then-right", "cert-expired", "cert-expiring", "juki", "card-removed-midway",
                  "face-no-match-then-pin", "host-offline-then-back")  # fmt: skip
"""The scenario table's names (firmware.demo.scenarios), here so that ``--help`` loads nothing heavy."""


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenario", action="append", choices=SCENARIO_NAMES, metavar="NAME",
                        help=f"run only this scenario (repeatable): {', '.join(SCENARIO_NAMES)}")
    parser.add_argument("--json", action="store_true", help="one JSON document, with the results as on the wire")
    parser.add_argument("--host-line", metavar="URL", help="leave the host end to your program on this line")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="folder for screens, voice, logs and keys (default: a new one under the temp folder)")
    parser.set_defaults(handler=demo_command)


def demo_command(args: argparse.Namespace) -> int:
    from firmware.demo.photos import PhotosMissing
    from firmware.demo.runner import DemoError, Outcome, own_pcscd, running_rig
    from firmware.demo.scenarios import BY_NAME, SCENARIOS

    chosen = [BY_NAME[name] for name in args.scenario] if args.scenario else list(SCENARIOS)
    folder = args.out or Path(tempfile.mkdtemp(prefix="mynareader-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    say = (lambda *_a, **_k: None) if args.json else print
    say(f"mynareader demo: screens, voice, logs and keys in {folder}")

    def waiting(rig: Any) -> None:
        port = args.host_line[4:] if args.host_line.startswith("pty:") else args.host_line
        print(f"waiting for your host on {args.host_line}, e.g.\n  mynareader-host listen --port {port} "
              f"--trust {folder / 'device-key.pem'} --ca {folder / 'test-ca.pem'} --development", file=sys.stderr)

    async def main() -> tuple[list[Outcome], str]:
        outcomes: list[Outcome] = []
        async with running_rig(folder, args.host_line, on_waiting=waiting) as rig:
            for scenario in chosen:
                if scenario.needs_host and args.host_line is not None:
                    say(f"\n== {scenario.name}: skipped (it takes the host away, and the host end is yours)")
                    continue
                say(f"\n== {scenario.name}: {scenario.summary}")
                outcome = await rig.run(scenario)
                outcomes.append(outcome)
                if not args.json:
                    print_outcome(outcome)
            return outcomes, rig.device_public_pem

    try:
        with own_pcscd(folder):
            outcomes, device_pem = asyncio.run(main())
    except (DemoError, PhotosMissing) as error:
        print(f"mynareader demo: {error}", file=sys.stderr)
        return 3
    if args.json:
        print(json.dumps({"folder": str(folder), "device_public_key": device_pem,
                          "scenarios": [outcome_json(o) for o in outcomes]}, ensure_ascii=False, indent=2))
    else:
        print_table(outcomes)
    return 0 if all(o.ok for o in outcomes) else 1


def outcome_json(outcome: Any) -> dict[str, Any]:
    return {
        "scenario": outcome.scenario.name,
        "ok": outcome.ok,
        "problems": outcome.problems,
        "end": None if outcome.end is None else outcome.end.value,
        "steps": [{"t": step.seconds, "step": step.text} for step in outcome.record.steps],
        "screens": [str(path) for path in outcome.record.screens],
        "results": [{"verified": d.result.as_json(), "cose_sign1_base64": base64.b64encode(d.cose).decode()}
                    for d in outcome.deliveries],
    }


def print_outcome(outcome: Any) -> None:
    for step in outcome.record.steps:
        print(f"  {step.seconds:7.2f} s  {step.text}")
    if outcome.record.screens:
        print(f"  screens: {len(outcome.record.screens)} in {outcome.record.screens[0].parent}")
    for delivery in outcome.deliveries:
        print("  verified result:")
        print("    " + json.dumps(delivery.result.as_json(), ensure_ascii=False, indent=2).replace("\n", "\n    "))
    if not outcome.host_checked:
        print("  (the result, if any, went to your host)")
    print(f"  {'OK' if outcome.ok else 'FAILED'}: ended in {outcome.end.value if outcome.end else '?'}"
          + "".join(f"\n    - {problem}" for problem in outcome.problems))


def print_table(outcomes: list[Any]) -> None:
    rows = [("scenario", "end state", "result", "seconds", "")]
    for o in outcomes:
        result = ", ".join(f"{d.result.claims.method.value}/{d.result.assurance.value}" for d in o.deliveries)
        seconds = o.record.steps[-1].seconds if o.record.steps else 0.0
        rows.append((o.scenario.name, o.end.value if o.end else "?",
                     result or ("(your host)" if not o.host_checked else "none"), f"{seconds:.1f}",
                     "ok" if o.ok else "FAILED"))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    print()
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    failed = sum(not o.ok for o in outcomes)
    print(f"\n{len(outcomes) - failed} of {len(outcomes)} scenarios ended as expected")
