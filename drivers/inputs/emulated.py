"""The emulated twin of the front panel: gpiozero MockFactory pins, with a pin model of the 3×4 key matrix.

``MockConnectedPin`` wires one output to one input for good and cannot model a matrix, so the row pins here tell a
:class:`KeyMatrix` when they change, and the matrix drives each column pin low while a pressed key joins it to a row
that is driven low. Tests and a scripted patient press buttons and keys through :class:`EmulatedFrontPanel`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from gpiozero.pins.mock import MockFactory, MockPin

from drivers.inputs.config import InputConfig
from drivers.inputs.keypad import KEY_LAYOUT


class KeyMatrix:
    def __init__(self) -> None:
        self.rows: list[MatrixRowPin] = []
        self.columns: list[MockPin] = []
        self.down: set[str] = set()

    def update(self) -> None:
        for c, column in enumerate(self.columns):
            if column.function != "input":
                continue
            low = any(KEY_LAYOUT[r][c] in self.down and row.function == "output" and not row.state
                      for r, row in enumerate(self.rows))
            if low:
                column.drive_low()
            else:
                column.drive_high()  # the pull-up


class MatrixRowPin(MockPin):  # type: ignore[misc]
    """A row pin that tells the key matrix when its level changes."""

    def __init__(self, factory: Any, info: Any, matrix: KeyMatrix) -> None:
        self.matrix = matrix
        super().__init__(factory, info)

    def _change_state(self, value: bool) -> bool:
        changed: bool = super()._change_state(value)
        if changed:
            self.matrix.update()
        return changed


class EmulatedFrontPanel:
    """Owns a MockFactory with the pins of ``config`` prepared; pass ``factory`` to the devices under test."""

    def __init__(self, config: InputConfig) -> None:
        self.config = config
        self.factory = MockFactory()
        self.matrix = KeyMatrix()
        self.matrix.rows = [self.factory.pin(p, pin_class=MatrixRowPin, matrix=self.matrix)
                            for p in config.keypad_rows]
        self.matrix.columns = [self.factory.pin(p) for p in config.keypad_columns]

    def _pin(self, name: str) -> MockPin:
        pin: MockPin = self.factory.pin(name)
        return pin

    def press(self, button: str) -> None:
        self._pin(self.config.buttons[_button_index(button)]).drive_low()

    def release(self, button: str) -> None:
        self._pin(self.config.buttons[_button_index(button)]).drive_high()

    def key_down(self, key: str) -> None:
        if key not in {k for row in KEY_LAYOUT for k in row}:
            raise ValueError(f"no key {key!r} on the keypad")
        self.matrix.down.add(key)
        self.matrix.update()

    def key_up(self, key: str) -> None:
        self.matrix.down.discard(key)
        self.matrix.update()

    def turn_staff_key(self, on: bool) -> None:
        if self.config.staff_key is None:
            raise ValueError("this panel has no staff keyswitch")
        pin = self._pin(self.config.staff_key)
        if on:
            pin.drive_low()
        else:
            pin.drive_high()

    def language_button(self, down: bool) -> None:
        if self.config.language_button is None:
            raise ValueError("this panel has no language button")
        pin = self._pin(self.config.language_button)
        if down:
            pin.drive_low()
        else:
            pin.drive_high()

    async def tap(self, key: str, hold: float = 0.15, pause: float = 0.1) -> None:
        """A scripted patient's key press while the scanner thread runs: down for ``hold`` s, then up."""
        self.key_down(key)
        await asyncio.sleep(hold)
        self.key_up(key)
        await asyncio.sleep(pause)

    async def push(self, button: str, hold: float = 0.15, pause: float = 0.1) -> None:
        """A scripted patient's button press while the scanner thread runs."""
        self.press(button)
        await asyncio.sleep(hold)
        self.release(button)
        await asyncio.sleep(pause)

    def pin(self, name: str) -> MockPin:
        return self._pin(name)

    def close(self) -> None:
        self.factory.close()


def _button_index(button: str) -> int:
    if not button.startswith("button") or not button[6:].isdigit():
        raise ValueError(f"buttons are named button1, button2, …; got {button!r}")
    return int(button[6:]) - 1
