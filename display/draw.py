"""The one entry point that draws: a screen id and its parameters to the pages of a panel."""

from __future__ import annotations

from collections.abc import Mapping

from display.compose import Rendering, compose
from display.errors import BadParameters, UnknownScreen
from display.layout import PanelSize, layout_for
from display.params import Params
from display.screens import RENDERERS
from display.wording import LANGUAGES, Tr

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
