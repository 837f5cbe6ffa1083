"""Front-panel inputs as flow events."""

from __future__ import annotations

from drivers.inputs import events as inputs
from drivers.inputs.keypad import KEY_LAYOUT
from firmware.adapters.inputs import flow_event
from firmware.reception.events import KeyPressed, LanguagePressed, Selected, StaffKeyChanged
from firmware.reception.types import Key, Option

BUTTONS = {"button1": Option.AGREE, "button2": Option.DISAGREE}


def test_inputs_become_flow_events() -> None:
    option_for = BUTTONS.get
    assert flow_event(inputs.ButtonPressed("button2"), option_for) == Selected(Option.DISAGREE)
    assert flow_event(inputs.ButtonPressed("button3"), option_for) is None  # nothing drawn beside it
    assert flow_event(inputs.KeyPressed("7"), option_for) == KeyPressed(Key.D7)
    assert flow_event(inputs.KeyPressed("enter"), option_for) == KeyPressed(Key.ENTER)
    assert flow_event(inputs.StaffKeyTurned(True), option_for) == StaffKeyChanged(True)
    assert flow_event(inputs.LanguageButtonPressed(), option_for) == LanguagePressed()
    for ignored in (inputs.ButtonReleased("button1"), inputs.ButtonHeld("button1"), inputs.KeyHeld("1"),
                    inputs.KeysAmbiguous()):
        assert flow_event(ignored, option_for) is None


def test_every_key_the_keypad_names_is_a_flow_key() -> None:
    assert {key for row in KEY_LAYOUT for key in row} == {k.value for k in Key}
