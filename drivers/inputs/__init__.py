"""The front panel's inputs and outputs on GPIO: option buttons, a 3×4 matrix keypad, the staff keyswitch, the language button, a buzzer
and a status LED, through gpiozero (lgpio on the Pi, MockFactory in tests and in the emulated twin).

One scanner thread samples every input at a fixed period and debounces by counting equal samples (gpiozero's
``bounce_time`` is ignored by mock pins and differs between backends); events reach asyncio through
``loop.call_soon_threadsafe``.
"""

from drivers.inputs.config import InputConfig, InputConfigError
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
from drivers.inputs.panel import FrontPanelInputs, asyncio_sink

__all__ = [
    "ButtonHeld", "ButtonPressed", "ButtonReleased", "FrontPanelInputs", "InputConfig", "InputConfigError",
    "InputEvent", "KEY_LAYOUT", "KeyHeld", "KeyPressed", "KeysAmbiguous", "LanguageButtonPressed", "MatrixKeypad",
    "StaffKeyTurned",
    "asyncio_sink",
]
