"""The front panel's input events as the reception flow's events."""

from __future__ import annotations

from collections.abc import Callable

from drivers.inputs import events as inputs
from firmware.reception.events import Event, KeyPressed, LanguagePressed, Selected, StaffKeyChanged
from firmware.reception.types import Key, Option


def flow_event(event: inputs.InputEvent, option_for: Callable[[str], Option | None]) -> Event | None:
    """The flow event an input means, or None (a release, a hold, two keys at once, a button with nothing drawn
    beside it). ``option_for`` names the option drawn beside a button on the screen shown now."""
    match event:
        case inputs.ButtonPressed(button=button):
            option = option_for(button)
            return None if option is None else Selected(option)
        case inputs.KeyPressed(key=key):
            return KeyPressed(Key(key))
        case inputs.StaffKeyTurned(on=on):
            return StaffKeyChanged(on)
        case inputs.LanguageButtonPressed():
            return LanguagePressed()
    return None
