"""Screens: what each reception state shows, drawn as a 1-bit image, and the panels that show it.

display draws what it is told: :func:`render` takes a screen id and the screen's plain parameters (the shape of the
reception flow's ``Screen.to_dict()``), a language and a panel size, and returns the pages as mode-"1" images. It
imports nothing of the firmware, the drivers or the protocol.
"""

from __future__ import annotations

from collections.abc import Mapping

from display.compose import PlacedText, Rendering, compose
from display.errors import BadParameters, DisplayError, TextDoesNotFit, UnknownScreen, UnknownWording
from display.layout import LAYOUTS, PanelLayout, PanelSize, layout_for
from display.params import Params
from display.screens import RENDERERS
from display.wording import CONSENT_WORDING, LANGUAGES, Tr

__all__ = [
    "BadParameters", "CONSENT_WORDING", "DisplayError", "LANGUAGES", "LAYOUTS", "PanelLayout", "PanelSize",
    "PlacedText", "Rendering", "SCREEN_IDS", "TextDoesNotFit", "UnknownScreen", "UnknownWording", "layout_for",
    "render",
]

SCREEN_IDS: tuple[str, ...] = tuple(RENDERERS)


def render(screen_id: str, params: Mapping[str, object], *, language: str, size: PanelSize | str) -> Rendering:
    """Draw ``screen_id`` with ``params`` in ``language`` ("ja" or "en") for a panel of ``size``."""
    try:
        build = RENDERERS[screen_id]
    except KeyError:
        raise UnknownScreen(f"no renderer for screen {screen_id!r}") from None
    if language not in LANGUAGES:
        raise BadParameters(f"language must be one of {LANGUAGES}, got {language!r}")
    if "id" in params and params["id"] != screen_id:
        raise BadParameters(f"parameters of {params['id']!r} given for screen {screen_id!r}")
    if "language" in params and params["language"] != language:
        raise BadParameters(f"{screen_id}: parameters say language {params['language']!r}, asked for {language!r}")
    checked = Params(screen_id, params)
    content = build(checked, Tr(language))
    checked.finish()
    return compose(content, layout_for(size), language)
