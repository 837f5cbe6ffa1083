"""A 3×4 matrix keypad, scanned by our code (gpiozero has no keypad class).

Rows are outputs driven low one at a time; columns are inputs with pull-ups, so a column reads low while the key
joining it to the driven row is down. Without diodes, three keys at the corners of a rectangle make a phantom fourth:
the scanner therefore refuses to report any key while more than one is down.
"""

from __future__ import annotations

from gpiozero import DigitalInputDevice, DigitalOutputDevice
from gpiozero.pins import Factory

KEY_LAYOUT: tuple[tuple[str, str, str], ...] = (
    ("1", "2", "3"),
    ("4", "5", "6"),
    ("7", "8", "9"),
    ("correct", "0", "enter"),
)


class MatrixKeypad:
    def __init__(self, rows: tuple[str, ...], columns: tuple[str, ...], pin_factory: Factory | None = None) -> None:
        # active_high=False: "on" drives the row low, the level that a pressed key passes to its column.
        self._rows = [DigitalOutputDevice(p, active_high=False, initial_value=False, pin_factory=pin_factory)
                      for p in rows]
        self._columns = [DigitalInputDevice(p, pull_up=True, pin_factory=pin_factory) for p in columns]

    def read(self) -> frozenset[str]:
        """The keys down now: one pass over the rows."""
        down = set()
        for r, row in enumerate(self._rows):
            row.on()
            for c, column in enumerate(self._columns):
                if column.value:
                    down.add(KEY_LAYOUT[r][c])
            row.off()
        return frozenset(down)

    def close(self) -> None:
        for device in (*self._rows, *self._columns):
            device.close()
