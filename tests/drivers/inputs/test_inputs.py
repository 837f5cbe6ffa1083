"""Buttons, keypad and staff keyswitch on gpiozero MockFactory pins (the keypad through the matrix pin model)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from drivers.inputs import (
    KEY_LAYOUT,
    ButtonHeld,
    ButtonPressed,
    ButtonReleased,
    FrontPanelInputs,
    InputConfig,
    InputConfigError,
    InputEvent,
    KeyHeld,
    KeyPressed,
    KeysAmbiguous,
    LanguageButtonPressed,
    StaffKeyTurned,
    asyncio_sink,
)
from drivers.inputs.emulated import EmulatedFrontPanel
from drivers.inputs.outputs import PATTERNS, Sounder, StatusLed

CONFIG = InputConfig(stable_samples=4, hold_samples=20)
ALL_KEYS = [key for row in KEY_LAYOUT for key in row]


class Rig:
    def __init__(self) -> None:
        self.twin = EmulatedFrontPanel(CONFIG)
        self.events: list[InputEvent] = []
        self.inputs = FrontPanelInputs(CONFIG, self.events.append, pin_factory=self.twin.factory)

    def scans(self, n: int = CONFIG.stable_samples) -> list[InputEvent]:
        start = len(self.events)
        for _ in range(n):
            self.inputs.scan()
        return self.events[start:]

    def tap(self, key: str) -> None:
        self.twin.key_down(key)
        self.scans()
        self.twin.key_up(key)
        self.scans()


@pytest.fixture
def rig() -> Iterator[Rig]:
    r = Rig()
    yield r
    r.inputs.close()
    r.twin.close()


@pytest.mark.parametrize("key", ALL_KEYS)
def test_every_key_is_reported_once(rig: Rig, key: str) -> None:
    rig.twin.key_down(key)
    assert rig.scans(CONFIG.stable_samples - 1) == []  # not before the debounce count
    assert rig.scans(1) == [KeyPressed(key)]
    assert rig.scans(10) == []
    rig.twin.key_up(key)
    assert rig.scans() == []  # releases are not keypad events


def test_the_matrix_model_reads_exactly_the_key_that_is_down(rig: Rig) -> None:
    for key in ALL_KEYS:
        rig.twin.key_down(key)
        assert rig.inputs._keypad.read() == {key}
        rig.twin.key_up(key)
        assert rig.inputs._keypad.read() == set()


def test_key_bounce_gives_one_press(rig: Rig) -> None:
    for _ in range(5):  # contact chatter: a level never stable for the debounce count
        rig.twin.key_down("7")
        rig.scans(2)
        rig.twin.key_up("7")
        rig.scans(1)
    assert rig.events == []
    rig.twin.key_down("7")
    rig.scans(6)
    for _ in range(3):  # chatter on release, then down again: still the same press
        rig.twin.key_up("7")
        rig.scans(1)
        rig.twin.key_down("7")
        rig.scans(1)
    assert rig.events == [KeyPressed("7")]


def test_held_key_reports_a_hold_once(rig: Rig) -> None:
    rig.twin.key_down("5")
    events = rig.scans(CONFIG.hold_samples + 30)
    assert events == [KeyPressed("5"), KeyHeld("5")]


def test_two_keys_at_once_report_neither(rig: Rig) -> None:
    rig.twin.key_down("1")
    rig.twin.key_down("2")
    assert rig.scans(10) == [KeysAmbiguous()]
    rig.twin.key_up("1")
    assert rig.scans(10) == []  # "2" is still down, but it was part of the ambiguity
    rig.twin.key_up("2")
    rig.scans()
    rig.tap("3")
    assert rig.events[-1] == KeyPressed("3")


def test_a_second_key_while_one_is_held_is_ambiguous(rig: Rig) -> None:
    rig.twin.key_down("4")
    assert rig.scans() == [KeyPressed("4")]
    rig.twin.key_down("enter")
    assert rig.scans() == [KeysAmbiguous()]


def test_three_keys_in_a_rectangle_are_ambiguous(rig: Rig) -> None:
    for key in ("1", "2", "4"):  # on open-drain wiring without diodes "5" would read as down too
        rig.twin.key_down(key)
    assert rig.inputs._keypad.read() == {"1", "2", "4"}
    assert rig.scans(10) == [KeysAmbiguous()]


@pytest.mark.parametrize("button", ["button1", "button2", "button3"])
def test_buttons_press_release_and_bounce(rig: Rig, button: str) -> None:
    for _ in range(4):
        rig.twin.press(button)
        rig.scans(1)
        rig.twin.release(button)
        rig.scans(1)
    assert rig.events == []
    rig.twin.press(button)
    assert rig.scans() == [ButtonPressed(button)]
    rig.twin.release(button)
    assert rig.scans() == [ButtonReleased(button)]


def test_button_hold(rig: Rig) -> None:
    rig.twin.press("button1")
    assert rig.scans(CONFIG.hold_samples + 5) == [ButtonPressed("button1"), ButtonHeld("button1")]


def test_two_buttons_at_once_are_both_reported(rig: Rig) -> None:
    # Buttons have a pin each (no matrix): both presses are real, and the flow decides what they mean.
    rig.twin.press("button1")
    rig.twin.press("button3")
    assert set(rig.scans()) == {ButtonPressed("button1"), ButtonPressed("button3")}


def test_staff_keyswitch(rig: Rig) -> None:
    rig.twin.turn_staff_key(True)
    rig.scans(1)
    rig.twin.turn_staff_key(False)  # a bounce while turning
    rig.scans(1)
    rig.twin.turn_staff_key(True)
    assert rig.scans() == [StaffKeyTurned(True)]
    rig.twin.turn_staff_key(False)
    assert rig.scans() == [StaffKeyTurned(False)]


def test_language_button_reports_each_press_once(rig: Rig) -> None:
    rig.twin.language_button(True)
    rig.scans(1)
    rig.twin.language_button(False)  # a bounce: too short to count
    assert rig.scans(1) == []
    rig.twin.language_button(True)
    assert rig.scans(CONFIG.hold_samples + 5) == [LanguageButtonPressed()]  # held down: still one press
    rig.twin.language_button(False)
    assert rig.scans() == []  # the release means nothing
    rig.twin.language_button(True)
    assert rig.scans() == [LanguageButtonPressed()]


def test_a_panel_without_a_language_button_reports_none() -> None:
    config = InputConfig(stable_samples=4, hold_samples=20, language_button=None)
    twin = EmulatedFrontPanel(config)
    events: list[InputEvent] = []
    inputs = FrontPanelInputs(config, events.append, pin_factory=twin.factory)
    try:
        twin.pin(CONFIG.language_button or "").drive_low()  # wired to nothing now
        for _ in range(10):
            inputs.scan()
        assert events == []
        with pytest.raises(ValueError, match="no language button"):
            twin.language_button(True)
    finally:
        inputs.close()
        twin.close()


def test_holding_correct_starts_no_hidden_mode(rig: Rig) -> None:
    """The digits after a long 訂正 are keys like any other: nothing on the panel swallows them (staff codes are the
    flow's)."""
    rig.twin.key_down("correct")
    rig.scans(CONFIG.hold_samples + 2)
    rig.twin.key_up("correct")
    rig.scans()
    for key in ("2", "4", "6", "8", "enter"):
        rig.tap(key)
    assert rig.events == [KeyPressed("correct"), KeyHeld("correct"), KeyPressed("2"), KeyPressed("4"), KeyPressed("6"),
                          KeyPressed("8"), KeyPressed("enter")]  # fmt: skip


def test_events_reach_asyncio_from_the_scanner_thread() -> None:
    async def main() -> InputEvent:
        queue: asyncio.Queue[InputEvent] = asyncio.Queue()
        twin = EmulatedFrontPanel(CONFIG)
        inputs = FrontPanelInputs(CONFIG, asyncio_sink(asyncio.get_running_loop(), queue), pin_factory=twin.factory)
        inputs.start()
        try:
            twin.key_down("8")
            return await asyncio.wait_for(queue.get(), timeout=10)
        finally:
            inputs.close()
            twin.close()
    assert asyncio.run(main()) == KeyPressed("8")


def test_config_rejects_a_pin_used_twice() -> None:
    with pytest.raises(InputConfigError, match="GPIO5"):
        InputConfig(buttons=("GPIO5", "GPIO5", "GPIO13"))
    with pytest.raises(InputConfigError, match="GPIO26"):
        InputConfig(language_button="GPIO26")  # the staff keyswitch's pin
    with pytest.raises(InputConfigError, match="3×4"):
        InputConfig(keypad_rows=("GPIO17",))


@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_buzzer_patterns_drive_the_pin(pattern: str) -> None:
    twin = EmulatedFrontPanel(CONFIG)
    waits: list[float] = []

    async def no_wait(seconds: float) -> None:
        waits.append(seconds)

    assert CONFIG.buzzer is not None
    sounder = Sounder(CONFIG.buzzer, pin_factory=twin.factory, sleep=no_wait)
    pin = twin.pin(CONFIG.buzzer)
    pin.clear_states()
    asyncio.run(sounder.play(pattern))
    tones = PATTERNS[pattern]
    assert [s.state for s in pin.states] == [False] + [True, False] * len(tones)
    assert waits == [t for on, off in tones for t in (on, off) if t]
    sounder.close()
    twin.close()


def test_error_pattern_is_distinct_from_the_others() -> None:
    assert len({PATTERNS[name] for name in PATTERNS}) == len(PATTERNS)
    with pytest.raises(ValueError, match="unknown sound pattern"):
        asyncio.run(Sounder("GPIO2", pin_factory=EmulatedFrontPanel(CONFIG).factory).play("fanfare"))


def test_a_scripted_patient_types_a_pin_with_the_scanner_running() -> None:
    # Real time on a shared machine: holds far beyond any tap, so a slow scheduler cannot turn a tap into a hold.
    config = InputConfig(stable_samples=4, hold_samples=2000)

    async def main() -> list[InputEvent]:
        queue: asyncio.Queue[InputEvent] = asyncio.Queue()
        twin = EmulatedFrontPanel(config)
        inputs = FrontPanelInputs(config, asyncio_sink(asyncio.get_running_loop(), queue), pin_factory=twin.factory)
        inputs.start()
        try:
            for key in ("1", "2", "3", "4", "enter"):
                await twin.tap(key)
            await twin.push("button2")
            return [await asyncio.wait_for(queue.get(), timeout=10) for _ in range(7)]
        finally:
            inputs.close()
            twin.close()
    assert asyncio.run(main()) == [KeyPressed(k) for k in ("1", "2", "3", "4", "enter")] + [
        ButtonPressed("button2"), ButtonReleased("button2")]


def test_status_led_states() -> None:
    twin = EmulatedFrontPanel(CONFIG)
    assert CONFIG.status_led is not None
    led = StatusLed(CONFIG.status_led, pin_factory=twin.factory)
    pin = twin.pin(CONFIG.status_led)
    led.ready()
    assert pin.state is True
    led.off()
    assert pin.state is False
    led.fault()  # blinking runs on gpiozero's background thread; stopping it leaves the LED off
    led.off()
    assert pin.state is False
    led.close()
    twin.close()
