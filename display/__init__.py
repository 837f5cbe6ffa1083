"""Screens: what each reception state shows, drawn as a 1-bit image, and the panels that show it.

display draws what it is told: :func:`render` takes a screen id and the screen's plain parameters (the shape of the
reception flow's ``Screen.to_dict()``), a language and a panel size, and returns the pages as mode-"1" images. It
imports nothing of the firmware, the drivers or the protocol.

Importing the package loads nothing else: the names below come from their modules on first use (PEP 562). The
reception flow reads :mod:`display.limits` and :mod:`display.wording`, and must not pay for Pillow, fontTools and
budoux through this file.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from display.compose import PlacedText, Rendering
    from display.draw import SCREEN_IDS, render
    from display.errors import BadParameters, DisplayError, TextDoesNotFit, UnknownScreen, UnknownWording
    from display.layout import LAYOUTS, PanelLayout, PanelSize, layout_for
    from display.wording import CONSENT_WORDING, LANGUAGES

__all__ = [
    "BadParameters", "CONSENT_WORDING", "DisplayError", "LANGUAGES", "LAYOUTS", "PanelLayout", "PanelSize",
    "PlacedText", "Rendering", "SCREEN_IDS", "TextDoesNotFit", "UnknownScreen", "UnknownWording", "layout_for",
    "render",
]

_HOMES = {
    "PlacedText": "compose", "Rendering": "compose",
    "SCREEN_IDS": "draw", "render": "draw",
    "BadParameters": "errors", "DisplayError": "errors", "TextDoesNotFit": "errors", "UnknownScreen": "errors",
    "UnknownWording": "errors",
    "LAYOUTS": "layout", "PanelLayout": "layout", "PanelSize": "layout", "layout_for": "layout",
    "CONSENT_WORDING": "wording", "LANGUAGES": "wording",
}


def __getattr__(name: str) -> object:
    try:
        home = _HOMES[name]
    except KeyError:
        raise AttributeError(f"module 'display' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f"display.{home}"), name)
    globals()[name] = value  # looked up once
    return value
