"""The front panel as the daemon drives it: PNG panel, recorded voice, button-to-option mapping."""

from __future__ import annotations

from pathlib import Path

from display import PanelSize
from display.panels import PngPanel, RefreshKind
from drivers.audio import RecordingOutput
from firmware.front_panel import FrontPanel
from firmware.reception_types import Language, Option
from firmware.screens import ChooseMethodScreen, InsertCardScreen, OutOfServiceScreen, PinEntryScreen
from firmware.voice import DEFAULT_PROMPTS_DIR, VoiceGuide


def test_a_pin_entry_refreshes_partially_speaks_once_and_maps_buttons(tmp_path: Path) -> None:
    panel = PngPanel(tmp_path / "screen.png", PanelSize.SMALL, full_every=20)
    output = RecordingOutput()
    front = FrontPanel(panel, VoiceGuide(output, DEFAULT_PROMPTS_DIR))

    _, kind = front.show(InsertCardScreen(language=Language.JA))
    assert kind is RefreshKind.FULL
    assert front.option_for("button1") is None
    front.show(ChooseMethodScreen(language=Language.JA, options=(Option.FACE, Option.PIN), pin_tries_left=3))
    assert front.option_for("button1") is Option.FACE and front.option_for("button2") is Option.PIN
    kinds = [front.show(PinEntryScreen(language=Language.JA, options=(Option.BACK,), entered=n))[1] for n in range(5)]
    assert kinds == [RefreshKind.PARTIAL] * 5
    assert front.show(PinEntryScreen(language=Language.JA, options=(Option.BACK,), entered=4))[1] is RefreshKind.SKIPPED
    assert front.option_for("button1") is Option.BACK
    assert len(output.played) == 3  # insert card, choose method, PIN entry: not once per digit
    assert (tmp_path / "screen.png").is_file()


def test_a_screen_of_several_pages_turns_them(tmp_path: Path) -> None:
    panel = PngPanel(tmp_path / "screen.png", PanelSize.SMALL)
    front = FrontPanel(panel)
    rendering, _ = front.show(OutOfServiceScreen(language=Language.JA, reason="点検のため休止しています。" * 12))
    assert len(rendering.pages) > 1
    shown = [front.next_page() for _ in range(len(rendering.pages))]
    assert shown == [RefreshKind.FULL] * len(rendering.pages)  # back round to page 1 at the end
    front.show(InsertCardScreen(language=Language.JA))
    assert front.next_page() is RefreshKind.SKIPPED
