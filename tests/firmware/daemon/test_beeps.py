"""A beep still playing when the daemon stops is stopped with it: the buzzer is closed after the pattern, never
under it (which left a task failing with ``GPIODeviceClosed`` that nobody read)."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Any

import pytest

from daemon_harness import running_reader
from firmware.reception import Beep, BeepPattern

pytestmark = pytest.mark.pcsc


def test_a_beep_playing_at_stop_ends_with_the_daemon(tmp_path: Path, pcscd: Any) -> None:
    problems: list[dict[str, Any]] = []

    async def scenario() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _loop, context: problems.append(context))
        async with running_reader(tmp_path) as reader:
            daemon = reader.daemon
            daemon._execute([Beep(BeepPattern.REMINDER)])  # a long pattern: still playing when the stop comes
            await asyncio.sleep(0.05)
            assert daemon._beeps
        assert not daemon._beeps
        gc.collect()  # an unread task's failure is reported when the task is collected

    asyncio.run(scenario())
    assert problems == []
