"""Whole receptions through the daemon: card placed → screens and buttons → PIN → consents → signed result
verified by the host SDK."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from daemon_harness import running_reader, until
from firmware.reception import Option, State
from protocol.vocabulary import Assurance, Method

pytestmark = pytest.mark.pcsc


def test_a_pin_reception_from_card_to_verified_result(tmp_path: Path, insert_card) -> None:
    insert_card("normal", pin="1234")

    async def scenario() -> None:
        async with running_reader(tmp_path) as reader:
            await reader.reach(State.CHOOSE_METHOD)
            await reader.choose(Option.PIN)
            await reader.reach(State.ENTERING_PIN)
            await reader.type("1234")
            await reader.reach(State.CONSENT_MEDICAL)
            await reader.choose(Option.AGREE)
            await reader.reach(State.CONSENT_CHECKUP)
            await reader.choose(Option.AGREE)
            await reader.reach(State.CONSENT_LIMIT)
            await reader.choose(Option.PROVIDE)
            await until(lambda: len(reader.results) == 1, what="the verified result at the host")
            verified = reader.results[0]
            assert verified.claims.method is Method.PIN and verified.claims.assurance is Assurance.CARD_SIGNED
            assert verified.claims.consents.medical and verified.claims.demo
            await reader.reach(State.DONE)
        records = [json.loads(line) for line in reader.log.getvalue().splitlines()]
        # No PIN in the log (the timestamps aside: the wall clock's digits may hold 1234; test_privacy checks more).
        assert not any("1234" in str(v) for r in records for k, v in r.items() if k != "ts")
        codes = [r["code"] for r in records]
        assert "daemon.ready" in codes and "result.stored" in codes

    asyncio.run(scenario())
