"""Which GPIO pin is what, and the timing of the scanner: a frozen, checked dataclass."""

from __future__ import annotations

from dataclasses import dataclass


class InputConfigError(ValueError):
    """The input configuration is inconsistent (a pin used twice, a wrong count, a bad timing)."""


@dataclass(frozen=True)
class InputConfig:
    """Pins by gpiozero name (``"GPIO5"`` or ``"BOARD29"``); buttons in the order of the panel's button slots."""

    buttons: tuple[str, ...] = ("GPIO5", "GPIO6", "GPIO13")
    keypad_rows: tuple[str, ...] = ("GPIO17", "GPIO27", "GPIO22", "GPIO23")
    keypad_columns: tuple[str, ...] = ("GPIO24", "GPIO25", "GPIO16")
    staff_key: str | None = "GPIO26"
    language_button: str | None = "GPIO19"  # 日本語 / English: its own button, since every screen offers it
    buzzer: str | None = "GPIO12"
    status_led: str | None = "GPIO21"
    scan_period: float = 0.005  # s between samples
    stable_samples: int = 4  # equal samples before a change counts (4 × 5 ms = 20 ms debounce)
    hold_samples: int = 300  # samples down before a hold (1.5 s)

    def __post_init__(self) -> None:
        if len(self.keypad_rows) != 4 or len(self.keypad_columns) != 3:
            raise InputConfigError("the keypad is 3×4: 4 row pins and 3 column pins")
        pins = [*self.buttons, *self.keypad_rows, *self.keypad_columns,
                *(p for p in (self.staff_key, self.language_button, self.buzzer, self.status_led) if p is not None)]
        repeated = sorted({p for p in pins if pins.count(p) > 1})
        if repeated:
            raise InputConfigError(f"pins used twice: {', '.join(repeated)}")
        if not 0 < self.scan_period <= 0.05:
            raise InputConfigError(f"scan_period must be in (0, 0.05] s, got {self.scan_period}")
        if self.stable_samples < 1 or self.hold_samples <= self.stable_samples:
            raise InputConfigError("stable_samples must be ≥ 1 and hold_samples larger")
