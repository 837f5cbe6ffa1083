"""Carries out the flow's ``Show`` action: draw the screen, put it on the panel, speak its prompt, and remember
which physical button now selects which option.

A screen the renderer refuses (a bug: the flow checks its values against display's limits) must not stop the daemon:
the panel shows a plain device-error screen instead, with no buttons, and the error is logged by its type and screen
id only (its message may quote the parameters, such as a staff id).
"""

from __future__ import annotations

import logging

import display
from display.compose import Rendering
from display.errors import DisplayError
from display.panels import Panel, RefreshKind
from firmware.reception.types import Option
from firmware.reception.screens import DeviceErrorScreen, Screen, ScreenId
from firmware.voice import VoiceGuide

log = logging.getLogger(__name__)

# Screens that change while the patient acts on them: a partial refresh (~0.3 s) keeps up with the keys.
_LIVE = frozenset({ScreenId.PIN_ENTRY, ScreenId.FACE_GUIDANCE})
RENDER_FAILED_CODE = "display.render"
"""The code the fallback screen shows, so staff can tell a drawing fault from a device fault."""


class FrontPanel:
    def __init__(self, panel: Panel, voice: VoiceGuide | None = None) -> None:
        self.panel = panel
        self.voice = voice
        self._buttons: dict[str, Option] = {}
        self._rendering: Rendering | None = None
        self._page = 0

    def show(self, screen: Screen) -> tuple[Rendering, RefreshKind]:
        try:
            rendering = self._render(screen)
        except DisplayError as error:
            log.error("screen %s not drawn (%s); showing %s instead", screen.id.value, type(error).__name__,
                      RENDER_FAILED_CODE)
            # Fixed but for the language, so it draws wherever any screen can (a test draws it at every size).
            screen = DeviceErrorScreen(language=screen.language, code=RENDER_FAILED_CODE)
            rendering = self._render(screen)
        params = screen.to_dict()
        kind = self.panel.show(rendering.image, interactive=screen.id in _LIVE or bool(rendering.buttons))
        self._buttons = {button: Option(option) for button, option in rendering.buttons}
        self._rendering, self._page = rendering, 0
        if self.voice is not None:
            self.voice.screen_shown(screen.id.value, params, screen.language.value)
        return rendering, kind

    def _render(self, screen: Screen) -> Rendering:
        return display.render(screen.id.value, screen.to_dict(), language=screen.language.value, size=self.panel.size)

    def next_page(self) -> RefreshKind:
        """Show the next page of a screen that needed more than one (the daemon calls this every few seconds)."""
        if self._rendering is None or len(self._rendering.pages) == 1:
            return RefreshKind.SKIPPED
        self._page = (self._page + 1) % len(self._rendering.pages)
        return self.panel.show(self._rendering.pages[self._page], interactive=False)

    def option_for(self, button: str) -> Option | None:
        """The option drawn beside ``button`` on the screen shown now (None: that button carries nothing)."""
        return self._buttons.get(button)
