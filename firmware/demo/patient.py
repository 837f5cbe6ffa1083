"""The scripted patient (and the staff member beside them): puts the card on the reader, presses the buttons the
panel draws, types on the keypad, turns the staff key; and the record of one scenario — each step with its time
since the scenario began, each state the flow went through and each screen the panel drew (a copy per screen).

The patient never types its PIN into the record: steps say "types the PIN", never which digits.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from drivers.card.emulated.vpcd import VpcdCard
from drivers.inputs.emulated import EmulatedFrontPanel
from firmware.daemon.daemon import Daemon
from firmware.reception import Option, State

STEP_TIMEOUT = 45.0  # a state or a button the scenario waits for longer than this is a failed scenario


class ScenarioFailed(RuntimeError):
    """The reader did not do what the scenario expects (a state not reached, a button not drawn)."""


@dataclass
class Step:
    seconds: float
    text: str


@dataclass
class Record:
    """What happened in one scenario, as the demo prints it."""

    started: float = field(default_factory=time.monotonic)
    steps: list[Step] = field(default_factory=list)
    states: list[State] = field(default_factory=list)
    screens: list[Path] = field(default_factory=list)

    def at(self) -> float:
        return round(time.monotonic() - self.started, 3)

    def step(self, text: str) -> None:
        self.steps.append(Step(self.at(), text))


class ScreenCopies:
    """Keeps a copy of each screen the PNG panel draws (the panel overwrites one file) as ``NN-SCREEN.png``.

    Called on the panel thread right after the panel wrote the file, before the next screen is drawn."""

    def __init__(self, panel_file: Path, folder: Path) -> None:
        self.panel_file = panel_file
        self.folder = folder
        self.record: Record | None = None
        self.last: str | None = None  # the screen on the panel now
        self._count = 0
        self._lock = threading.Lock()

    def __call__(self, screen_id: str) -> None:
        with self._lock:
            self.last = screen_id
            record = self.record
            if record is None or not self.panel_file.exists():
                return
            self._count += 1
            copy = self.folder / f"{self._count:03d}-{screen_id}.png"
            shutil.copyfile(self.panel_file, copy)
            record.screens.append(copy)
            record.steps.append(Step(record.at(), f"screen {screen_id} → {copy.name}"))


@dataclass
class Patient:
    """Drives the reader as a patient does. ``card_slot`` and ``phone_slot`` are vpcd slots (card reader, phone
    reader); ``record`` is the current scenario's record."""

    daemon: Daemon
    panel: EmulatedFrontPanel
    record: Record
    screens: ScreenCopies
    slots: list[VpcdCard] = field(default_factory=list)

    @property
    def state(self) -> State:
        assert self.daemon.flow is not None
        return self.daemon.flow.state

    async def until(self, predicate: Callable[[], bool], what: str, timeout: float = STEP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise ScenarioFailed(f"{what} not reached within {timeout:.0f} s (the reader is at {self.state.value})")
            await asyncio.sleep(0.02)

    async def reach(self, state: State, timeout: float = STEP_TIMEOUT) -> None:
        await self.until(lambda: state in self.record.states or self.state is state, f"state {state.value}", timeout)

    async def choose(self, option: Option, who: str = "patient") -> None:
        """Press the button the panel draws ``option`` beside, once the screen of the reader's state is on the panel
        (a patient reads the screen in front of them, not the one before)."""
        front, flow = self.daemon._front, self.daemon.flow
        if front is None or flow is None:
            raise ScenarioFailed("the panel did not open")
        await self.until(lambda: self.screens.last == flow.screen.id.value and option in front._buttons.values(),
                         f"a button for {option.value}")  # fmt: skip
        button = next(b for b, o in front._buttons.items() if o is option)
        self.record.step(f"{who} presses {button} ({option.value})")
        await self.panel.push(button)

    async def type_pin(self, pin: str, what: str = "the PIN") -> None:
        self.record.step(f"patient types {what} ({len(pin)} digits) and 決定")
        for key in pin:
            await self.panel.tap(key)
        await self.panel.tap("enter")

    async def type_digits(self, digits: str) -> None:
        self.record.step(f"patient types {len(digits)} digits")
        for key in digits:
            await self.panel.tap(key)

    def place(self, slot: VpcdCard, what: str) -> None:
        self.record.step(f"patient places {what} on the reader")
        slot.insert()
        self.slots.append(slot)

    def take(self, slot: VpcdCard, what: str) -> None:
        self.record.step(f"patient takes {what} away")
        slot.remove()

    def staff_key(self, on: bool) -> None:
        self.record.step(f"staff turns the key {'on' if on else 'off'}")
        self.panel.turn_staff_key(on)
