"""Events of the front panel's inputs. Keys are named like the reception flow's ``Key`` values: "0"…"9",
"correct" (訂正) and "enter" (決定). No event carries a staff code or a PIN beyond the single key pressed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ButtonPressed:
    button: str  # "button1" … in the order of the panel layout's button slots


@dataclass(frozen=True)
class ButtonReleased:
    button: str


@dataclass(frozen=True)
class ButtonHeld:
    button: str


@dataclass(frozen=True)
class KeyPressed:
    key: str


@dataclass(frozen=True)
class KeyHeld:
    key: str


@dataclass(frozen=True)
class KeysAmbiguous:
    """Two or more keys were down at once: none of them is reported (a wrong PIN digit costs a try)."""


@dataclass(frozen=True)
class StaffKeyTurned:
    on: bool


@dataclass(frozen=True)
class LanguageButtonPressed:
    """The language button (日本語 / English) went down; its release and holds mean nothing."""


InputEvent = (ButtonPressed | ButtonReleased | ButtonHeld | KeyPressed | KeyHeld | KeysAmbiguous | StaffKeyTurned
              | LanguageButtonPressed)
