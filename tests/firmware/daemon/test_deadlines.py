"""The loop waits for the flow's current deadline, also when the event that moved the flow came from outside its
queue (a button, a card, a host command): a card taken away during PIN entry shows 「カードが取り出されました」 for
the notice time, not for what was left of the PIN entry's minute."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from daemon_harness import running_reader
from firmware.reception import Option, State
from firmware.reception.config import FlowConfig, Timeouts

pytestmark = pytest.mark.pcsc


def test_the_notice_after_a_card_removal_ends_on_its_own_deadline(tmp_path: Path, insert_card) -> None:
    card = insert_card("normal", pin="1234")
    flow = FlowConfig(timeouts=Timeouts(notice=1.0, pin_entry=120.0))

    async def scenario() -> None:
        async with running_reader(tmp_path, flow) as reader:
            await reader.reach(State.CHOOSE_METHOD)
            await reader.choose(Option.PIN)
            await reader.reach(State.ENTERING_PIN)
            await asyncio.to_thread(card.remove)
            await reader.reach(State.CARD_REMOVED)
            await reader.reach(State.IDLE, timeout=60.0)  # before the fix: the PIN entry's 120 s

    asyncio.run(scenario())
