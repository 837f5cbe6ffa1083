"""The front panel's inputs: buttons, keypad, staff keyswitch and language button, sampled by one scanner, events to a sink."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

from gpiozero import DigitalInputDevice
from gpiozero.pins import Factory

from drivers.inputs.config import InputConfig
from drivers.inputs.debounce import Debounced
from drivers.inputs.events import (
    ButtonHeld,
    ButtonPressed,
    ButtonReleased,
    InputEvent,
    KeyHeld,
    KeyPressed,
    KeysAmbiguous,
    LanguageButtonPressed,
    StaffKeyTurned,
)
from drivers.inputs.keypad import KEY_LAYOUT, MatrixKeypad

Sink = Callable[[InputEvent], None]
ALL_KEYS = tuple(key for row in KEY_LAYOUT for key in row)


def asyncio_sink(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[InputEvent]) -> Sink:
    """A sink that hands events from the scanner thread to ``queue`` on ``loop``."""
    def put(event: InputEvent) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, event)
    return put


class FrontPanelInputs:
    """Samples every input each ``scan()``; ``start()`` runs the scans on a thread at ``config.scan_period``."""

    def __init__(self, config: InputConfig, sink: Sink, pin_factory: Factory | None = None) -> None:
        self.config = config
        self._sink = sink
        self._buttons = {f"button{i + 1}": DigitalInputDevice(pin, pull_up=True, pin_factory=pin_factory)
                         for i, pin in enumerate(config.buttons)}
        self._staff_key = (DigitalInputDevice(config.staff_key, pull_up=True, pin_factory=pin_factory)
                           if config.staff_key else None)
        self._language = (DigitalInputDevice(config.language_button, pull_up=True, pin_factory=pin_factory)
                          if config.language_button else None)
        self._keypad = MatrixKeypad(config.keypad_rows, config.keypad_columns, pin_factory)
        self._button_state = {name: self._debounced() for name in self._buttons}
        self._key_state = {key: self._debounced() for key in ALL_KEYS}
        self._staff_state = self._debounced()
        self._language_state = self._debounced()
        self._ambiguous = False  # more than one key was down; report nothing until all are up
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def _debounced(self) -> Debounced:
        return Debounced(self.config.stable_samples, self.config.hold_samples)

    # --- sampling ---------------------------------------------------------------------------------------------------

    def scan(self) -> None:
        """Take one sample of every input and emit the events it completes."""
        for name, device in self._buttons.items():
            changed, held = self._button_state[name].sample(bool(device.value))
            if changed:
                self._sink(ButtonPressed(name) if self._button_state[name].state else ButtonReleased(name))
            if held:
                self._sink(ButtonHeld(name))
        if self._staff_key is not None:
            changed, _ = self._staff_state.sample(bool(self._staff_key.value))
            if changed:
                self._sink(StaffKeyTurned(self._staff_state.state))
        if self._language is not None:
            changed, _ = self._language_state.sample(bool(self._language.value))
            if changed and self._language_state.state:
                self._sink(LanguageButtonPressed())
        self._scan_keypad(self._keypad.read())

    def _scan_keypad(self, raw: frozenset[str]) -> None:
        went_down, became_held = [], []
        for key, state in self._key_state.items():
            changed, held = state.sample(key in raw)
            if changed and state.state:
                went_down.append(key)
            if held:
                became_held.append(key)
        down = [key for key, state in self._key_state.items() if state.state]
        if len(down) > 1:
            if not self._ambiguous:
                self._ambiguous = True
                self._sink(KeysAmbiguous())
            return
        if self._ambiguous:
            if not down:
                self._ambiguous = False
            return
        # Every key is an ordinary key, 訂正 held too: staff codes are typed as digits and checked by the reception
        # flow (salted, with a lockout), never here.
        for key in went_down:
            self._sink(KeyPressed(key))
        for key in became_held:
            self._sink(KeyHeld(key))

    # --- thread -----------------------------------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the input scanner is already running")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="front-panel-inputs", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.config.scan_period):
            self.scan()

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None

    def close(self) -> None:
        self.stop()
        for device in self._buttons.values():
            device.close()
        for single in (self._staff_key, self._language):
            if single is not None:
                single.close()
        self._keypad.close()
