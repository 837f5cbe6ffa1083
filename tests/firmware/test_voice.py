"""Voice prompts: one for every asking screen in both languages, built ahead of time by scripts/setup
(``mynareader voice build``), current with the wording, audible and shorter than 8 s; and the guide that plays them."""

from __future__ import annotations

import array
import io
import json
import logging
import math
import wave
from pathlib import Path

import pytest

from display import PanelSize
from display.panels import PngPanel
from display.prompts import PROMPTS, SILENT_SCREENS, prompt_for
from drivers.audio import RecordingOutput
from firmware.front_panel import FrontPanel
from firmware.reception.types import Language, Option
from firmware.reception.examples import examples
from firmware.reception.screens import CATALOGUE, ChooseMethodScreen
from firmware.voice import DEFAULT_PROMPTS_DIR, LANGUAGES, MANIFEST, VoiceGuide, fingerprint, scale_volume

MAX_SECONDS = 8.0
MIN_RMS = 500  # of 32767: clearly audible speech, not a silent or near-silent file


def read(path: Path) -> tuple[float, float]:
    with wave.open(str(path)) as reader:
        assert reader.getsampwidth() == 2 and reader.getnchannels() == 1
        samples = array.array("h", reader.readframes(reader.getnframes()))
        seconds = reader.getnframes() / reader.getframerate()
    rms = math.sqrt(sum(s * s for s in samples) / max(len(samples), 1))
    return seconds, rms


@pytest.fixture(scope="module")
def manifest() -> dict[str, str]:
    path = DEFAULT_PROMPTS_DIR / MANIFEST
    assert path.is_file(), f"no prompts in {DEFAULT_PROMPTS_DIR}: run scripts/setup (mynareader voice build)"
    loaded: dict[str, str] = json.loads(path.read_text())
    return loaded


def test_every_asking_screen_has_a_prompt() -> None:
    for language in Language:
        for sid, screen in examples(language).items():
            key = prompt_for(sid.value, screen.to_dict())
            assert (key is None) == (sid.value in SILENT_SCREENS), sid
    assert SILENT_SCREENS <= {sid.value for sid in CATALOGUE}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("key", sorted(PROMPTS))
def test_prompt_is_built_current_audible_and_short(manifest: dict[str, str], key: str, language: str) -> None:
    path = DEFAULT_PROMPTS_DIR / language / f"{key}.wav"
    assert path.is_file(), f"missing {path}: run mynareader voice build"
    assert manifest.get(f"{language}/{key}") == fingerprint(key, language), "stale prompt: run mynareader voice build"
    seconds, rms = read(path)
    assert 0.3 < seconds < MAX_SECONDS
    assert rms > MIN_RMS


def _guide() -> tuple[VoiceGuide, RecordingOutput]:
    output = RecordingOutput()
    return VoiceGuide(output, DEFAULT_PROMPTS_DIR, volume=50), output


def test_guide_speaks_once_per_prompt_not_per_digit() -> None:
    guide, output = _guide()
    pin = {"id": "pin_entry", "options": [], "length": 4, "tries_left": 3, "last_try": False,
           "previous_wrong": False, "smartphone": False}
    assert guide.screen_shown("pin_entry", {**pin, "entered": 0}, "ja") == "pin_entry"
    assert guide.screen_shown("pin_entry", {**pin, "entered": 1}, "ja") is None
    assert guide.screen_shown("pin_entry", {**pin, "entered": 0, "previous_wrong": True}, "ja") == "pin_entry.wrong"
    assert guide.screen_shown("pin_entry", {**pin, "entered": 0, "previous_wrong": True}, "en") == "pin_entry.wrong"
    assert len(output.played) == 3
    assert guide.screen_shown("reading", {"subject": "card"}, "ja") is None


def test_volume_scales_the_samples_and_mute_silences() -> None:
    guide, output = _guide()
    original = guide.load("done", "ja")
    guide.screen_shown("done", {"remove_card": True}, "ja")
    with wave.open(io.BytesIO(output.played[0])) as half, wave.open(io.BytesIO(original)) as full:
        a = array.array("h", half.readframes(half.getnframes()))
        b = array.array("h", full.readframes(full.getnframes()))
    assert len(a) == len(b) and max(map(abs, a)) == pytest.approx(max(map(abs, b)) / 2, abs=1)
    guide.mute(True)
    assert output.stops >= 1
    assert guide.screen_shown("card_forgotten", {"smartphone": False}, "ja") is None
    assert len(output.played) == 1
    with pytest.raises(ValueError):
        guide.volume = 101
    with pytest.raises(ValueError):
        scale_volume(original, -1)


def test_a_missing_prompt_is_logged_not_raised_and_tried_again(tmp_path: Path,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    output = RecordingOutput()
    guide = VoiceGuide(output, tmp_path)  # no prompts built there
    with caplog.at_level(logging.ERROR):
        assert guide.screen_shown("done", {"remove_card": True}, "ja") is None
    assert "PromptMissing" in caplog.text and not output.played
    (tmp_path / "ja").mkdir()
    (tmp_path / "ja" / "done.wav").write_bytes((DEFAULT_PROMPTS_DIR / "ja" / "done.wav").read_bytes())
    assert guide.screen_shown("done", {"remove_card": True}, "ja") == "done", "a failed prompt is not 'already spoken'"
    assert len(output.played) == 1


def test_front_panel_keeps_showing_when_a_prompt_is_missing(tmp_path: Path) -> None:
    panel = PngPanel(tmp_path / "screen.png", PanelSize.SMALL)
    front = FrontPanel(panel, VoiceGuide(RecordingOutput(), tmp_path / "no-prompts"))
    front.show(ChooseMethodScreen(language=Language.JA, options=(Option.FACE, Option.PIN), pin_tries_left=3))
    assert front.option_for("button1") is Option.FACE
