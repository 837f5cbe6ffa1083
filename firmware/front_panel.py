"""Carries out the flow's ``Show`` action: draw the screen, put it on the panel, speak its prompt, and remember
which physical button now selects which option."""

from __future__ import annotations

import display
from display.compose import Rendering
from display.panels import Panel, RefreshKind
from firmware.reception_types import Option
from firmware.screens import Screen, ScreenId
from firmware.voice import VoiceGuide

# Screens that change while the patient acts on them: a partial refresh (~0.3 s) keeps up with the keys.
_LIVE = frozenset({ScreenId.PIN_ENTRY, ScreenId.FACE_GUIDANCE})


class FrontPanel:
    def __init__(self, panel: Panel, voice: VoiceGuide | None = None) -> None:
        self.panel = panel
        self.voice = voice
        self._buttons: dict[str, Option] = {}
        self._rendering: Rendering | None = None
        self._page = 0

    def show(self, screen: Screen) -> tuple[Rendering, RefreshKind]:
        params = screen.to_dict()
        rendering = display.render(screen.id.value, params, language=screen.language.value, size=self.panel.size)
        kind = self.panel.show(rendering.image, interactive=screen.id in _LIVE or bool(rendering.buttons))
        self._buttons = {button: Option(option) for button, option in rendering.buttons}
        self._rendering, self._page = rendering, 0
        if self.voice is not None:
            self.voice.screen_shown(screen.id.value, params, screen.language.value)
        return rendering, kind

    def next_page(self) -> RefreshKind:
        """Show the next page of a screen that needed more than one (the daemon calls this every few seconds)."""
        if self._rendering is None or len(self._rendering.pages) == 1:
            return RefreshKind.SKIPPED
        self._page = (self._page + 1) % len(self._rendering.pages)
        return self.panel.show(self._rendering.pages[self._page], interactive=False)

    def option_for(self, button: str) -> Option | None:
        """The option drawn beside ``button`` on the screen shown now (None: that button carries nothing)."""
        return self._buttons.get(button)
