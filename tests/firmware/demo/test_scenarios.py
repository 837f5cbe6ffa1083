"""The scenario table (no card stack): the names the CLI offers are the table's, and every scenario that expects a
result names its method and assurance."""

from __future__ import annotations

from firmware.commands.demo import SCENARIO_NAMES
from firmware.demo.scenarios import SCENARIOS

ISSUE_SCENARIOS = {"pin", "face", "visual-check", "android", "iphone", "pinless", "pin-locked", "one-try-left",
                   "wrong-pin-then-right", "cert-expired", "cert-expiring", "juki", "card-removed-midway",
                   "face-no-match-then-pin", "host-offline-then-back"}  # fmt: skip


def test_the_cli_offers_the_tables_scenarios() -> None:
    assert SCENARIO_NAMES == tuple(s.name for s in SCENARIOS)
    assert ISSUE_SCENARIOS <= set(SCENARIO_NAMES)


def test_a_scenario_expecting_a_result_says_how_it_was_proven() -> None:
    for scenario in SCENARIOS:
        expected = scenario.expected
        assert (expected.method is None) == (expected.assurance is None), scenario.name
