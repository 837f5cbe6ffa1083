"""The demo against the real daemon: a reduced set of its scenarios (pin, face, the card taken away midway) on the
real pcscd + vpcd, the real photos, the PNG panel and the host SDK; and the demo refusing someone else's pcscd."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from firmware.demo.runner import Outcome, check, running_rig
from firmware.demo.scenarios import BY_NAME, PIN
from protocol.results import open_result
from protocol.vocabulary import Assurance, Method

pytestmark = pytest.mark.pcsc


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory, pcscd: Any, portraits: Path) -> dict[str, Outcome]:
    folder = tmp_path_factory.mktemp("demo")

    async def run() -> dict[str, Outcome]:
        async with running_rig(folder) as rig:
            return {name: await rig.run(BY_NAME[name]) for name in ("pin", "face", "card-removed-midway")}

    return asyncio.run(run())


def test_each_scenario_ends_as_expected(outcomes: dict[str, Outcome]) -> None:
    for name, outcome in outcomes.items():
        assert outcome.ok, (name, outcome.problems)


def test_the_pin_scenario_delivers_one_card_signed_result_exactly_as_signed(outcomes: dict[str, Outcome]) -> None:
    [delivery] = outcomes["pin"].deliveries
    assert delivery.result.claims.method is Method.PIN and delivery.result.assurance is Assurance.CARD_SIGNED
    # The bytes kept are the COSE_Sign1 the reader sent: they open to the result the host verified.
    assert open_result(delivery.cose).claims  # raises on anything but a COSE_Sign1 result
    assert base64.b64decode(base64.b64encode(delivery.cose)) == delivery.cose


def test_the_face_scenario_goes_through_the_card_face_scan_and_says_liveness_was_not_checked(
        outcomes: dict[str, Outcome]) -> None:  # fmt: skip
    outcome = outcomes["face"]
    [delivery] = outcome.deliveries
    claims = delivery.result.claims
    assert claims.method is Method.FACE and claims.assurance is Assurance.DEVICE_ATTESTED
    assert claims.face is not None and claims.face.liveness == "not-checked"
    shown = [path.name.split("-", 1)[1] for path in outcome.record.screens]
    assert "card_face_scan.png" in shown and "face_guidance.png" in shown and "done.png" in shown


def test_a_card_taken_away_midway_sends_nothing(outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes["card-removed-midway"]
    assert outcome.end is not None and outcome.end.value == "card_removed" and outcome.deliveries == []


def test_each_screen_drawn_is_kept_as_a_png(outcomes: dict[str, Outcome]) -> None:
    for outcome in outcomes.values():
        assert outcome.record.screens
        for path in outcome.record.screens:
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_scenario_that_ends_otherwise_is_a_failure(outcomes: dict[str, Outcome]) -> None:
    as_if_face = dataclasses.replace(outcomes["pin"], scenario=BY_NAME["face"], problems=[])
    problems = check(as_if_face)
    assert "method pin, expected face" in problems and "never reached scanning_card_face" in problems
    as_if_removed = dataclasses.replace(outcomes["pin"], scenario=BY_NAME["card-removed-midway"], problems=[])
    assert "1 result(s) reached the host; none expected" in check(as_if_removed)


def test_no_pin_in_the_steps_or_the_daemon_log(outcomes: dict[str, Outcome]) -> None:
    steps = json.dumps([[s.text for s in o.record.steps] for o in outcomes.values()], ensure_ascii=False)
    assert PIN not in steps
    log = next(iter(outcomes.values())).record.screens[0].parents[1] / "daemon.log"
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert PIN not in json.dumps([{k: v for k, v in event.items() if k != "ts"} for event in events])


def test_the_demo_will_not_take_a_pcscd_it_does_not_own(pcscd: Any, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "firmware.cli", "demo", "--scenario", "pin", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 3
    assert "a pcscd is already running" in done.stderr
