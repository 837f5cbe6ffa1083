"""``mynareader emulate-card`` as a developer runs it: a process that keeps a card in vpcd's reader."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest

pytestmark = pytest.mark.pcsc

READER = "Virtual PCD 00 00"


def mynareader(*args: str) -> list[str]:
    return [sys.executable, "-m", "firmware.cli", *args]


def test_emulated_card_serves_until_sigterm_then_leaves_the_reader(card_presence, pcscd) -> None:
    process = subprocess.Popen(mynareader("emulate-card", "--profile", "one-try-left", "--pin", "4321"),
                               stderr=subprocess.PIPE, text=True)
    try:
        card_presence(READER, True)
        info = subprocess.run(mynareader("card", "info", "--json"), capture_output=True, text=True, timeout=60)
        assert info.returncode == 0, info.stderr
        assert json.loads(info.stdout)["pin_tries_left"] == 1

        # pcscd restarts: the emulator puts the card back into the new pcscd's reader by itself.
        pcscd.restart()
        card_presence(READER, True)
        again = subprocess.run(mynareader("card", "info", "--json"), capture_output=True, text=True, timeout=60)
        assert again.returncode == 0 and json.loads(again.stdout)["pin_tries_left"] == 1
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0
    assert "emulated card removed" in stderr
    card_presence(READER, False)


def test_a_pin_that_is_not_four_digits_is_refused() -> None:
    done = subprocess.run(mynareader("emulate-card", "--pin", "12345"), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "4 digits" in done.stderr
