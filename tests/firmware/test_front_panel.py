"""The front panel as the daemon drives it: PNG panel, recorded voice, button-to-option mapping."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest

import display
from display import PanelSize
from display.limits import (
    ATTEMPTS_MAX,
    CODE_MAX_LENGTH,
    COUNTDOWN_MAX_SECONDS,
    FAULT_CODES_MAX,
    REASON_MAX_LENGTH,
    STAFF_ID_MAX_LENGTH,
)
from display.panels import PngPanel, RefreshKind
from drivers.audio import RecordingOutput
from firmware.front_panel import RENDER_FAILED_CODE, FrontPanel
from firmware.reception import State
from firmware.reception.config import FlowConfig, Timeouts
from firmware.reception.events import (
    CardFaceRead,
    DeviceFault,
    FaceNotCaptured,
    OutOfService,
    Selected,
    StaffKeyChanged,
)
from firmware.reception.testing import FlowDriver
from firmware.reception.types import IssuerSignature, Language, Option
from firmware.reception.screens import (
    CancelledScreen,
    ChooseMethodScreen,
    ConsentMedicalScreen,
    DeviceErrorScreen,
    InsertCardScreen,
    OutOfServiceScreen,
    PinEntryScreen,
    Screen,
)
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


# --- every value the flow accepts can be drawn; a screen that cannot is replaced, not fatal ---------------------------


def _draws_everywhere(screen: Screen) -> None:
    for size in PanelSize:
        for language in Language:
            shown = dataclasses.replace(screen, language=language)
            display.render(shown.id.value, shown.to_dict(), language=language.value, size=size)


def test_the_longest_fault_codes_the_flow_accepts_are_drawn() -> None:
    d = FlowDriver()
    d.send(DeviceFault("x" * CODE_MAX_LENGTH))
    assert d.state is State.DEVICE_ERROR
    _draws_everywhere(d.flow.screen)
    for n in range(FAULT_CODES_MAX + 3):
        d.send(DeviceFault(f"{n:02d}" + "y" * (CODE_MAX_LENGTH - 2), persistent=True))
    d.send(OutOfService("z" * REASON_MAX_LENGTH))
    d.run_to_deadline()  # the device-error notice ends
    assert d.state is State.OUT_OF_SERVICE
    assert len(d.flow.screen.to_dict()["fault_codes"]) == FAULT_CODES_MAX  # the first ones
    _draws_everywhere(d.flow.screen)


@pytest.mark.parametrize("staff_id", ["yoshida.takako@hosp.example.jp", "W" * STAFF_ID_MAX_LENGTH])
def test_long_staff_ids_are_drawn_on_the_visual_check(staff_id: str) -> None:
    d = FlowDriver(FlowConfig(keyswitch_fitted=True, keyswitch_staff_id=staff_id))
    d.place_card()
    d.send(StaffKeyChanged(True))
    assert d.state is State.VISUAL_CHECK
    _draws_everywhere(d.flow.screen)


def test_the_most_face_attempts_and_the_longest_countdown_are_drawn() -> None:
    d = FlowDriver(FlowConfig(face_max_attempts=ATTEMPTS_MAX, timeouts=Timeouts(face_attempt=COUNTDOWN_MAX_SECONDS)))
    d.place_card()
    d.send(Selected(Option.FACE))
    d.answer(CardFaceRead, card_key_verified=True, issuer_signature=IssuerSignature.VERIFIED)
    assert d.state is State.CAPTURING_FACE
    _draws_everywhere(d.flow.screen)
    d.answer(FaceNotCaptured)
    _draws_everywhere(d.flow.screen)


def test_a_screen_the_renderer_refuses_shows_the_device_error_and_logs_no_parameters(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    front = FrontPanel(PngPanel(tmp_path / "screen.png", PanelSize.SMALL))
    front.show(ChooseMethodScreen(language=Language.EN, options=(Option.FACE,)))
    with caplog.at_level(logging.ERROR):
        rendering, _ = front.show(ConsentMedicalScreen(language=Language.EN, options=(Option.AGREE,),
                                                       wording_version="secret-9"))  # fmt: skip
    assert any(RENDER_FAILED_CODE in t.text for t in rendering.texts)
    assert front.option_for("button1") is None, "no button may still select the screen before"
    assert "UnknownWording" in caplog.text and "secret-9" not in caplog.text


def test_the_fallback_screen_draws_everywhere() -> None:
    _draws_everywhere(DeviceErrorScreen(code=RENDER_FAILED_CODE))


def test_the_stop_screen_names_out_of_service() -> None:
    texts = {}
    for out_of_service in (False, True):
        screen = CancelledScreen(language=Language.EN, out_of_service=out_of_service)
        rendering = display.render(screen.id.value, screen.to_dict(), language="en", size=PanelSize.LARGE)
        texts[out_of_service] = " ".join(t.text for t in rendering.texts)
    assert "by staff" in texts[False] and "out of service" in texts[True] and "by staff" not in texts[True]
