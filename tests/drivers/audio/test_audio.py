"""Audio outputs chosen by URL; the WAV-folder twin keeps every prompt played, numbered in order."""

from __future__ import annotations

import io
import shutil
import wave
from pathlib import Path

import pytest

from drivers.audio import AplayOutput, AudioError, WavFolderOutput, open_audio


def _wav(frames: bytes) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(16000)
        writer.writeframes(frames)
    return out.getvalue()


def test_the_wav_folder_keeps_each_prompt_in_order_and_goes_on_after_a_restart(tmp_path: Path) -> None:
    folder = tmp_path / "played"
    first, second, third = _wav(b"\x01\x00" * 8), _wav(b"\x02\x00" * 8), _wav(b"\x03\x00" * 8)
    output = open_audio(f"wav:{folder}")
    assert isinstance(output, WavFolderOutput)
    output.play(first)
    output.stop()
    output.play(second)
    again = open_audio(f"wav:{folder}")  # a restarted daemon numbers on
    again.play(third)
    assert sorted(p.name for p in folder.iterdir()) == ["000001.wav", "000002.wav", "000003.wav"]
    assert [(folder / n).read_bytes() for n in ("000001.wav", "000002.wav", "000003.wav")] == [first, second, third]


@pytest.mark.skipif(shutil.which("aplay") is None, reason="alsa-utils is not installed")
def test_alsa_urls_name_the_aplay_device() -> None:
    assert isinstance(open_audio("alsa:"), AplayOutput)
    assert isinstance(open_audio("alsa:plughw:0,0"), AplayOutput)


@pytest.mark.parametrize("url", ["wav:", "alsa", "pulse:default", ""])
def test_bad_audio_urls_are_typed_errors(url: str) -> None:
    with pytest.raises(AudioError, match="wav|alsa"):
        open_audio(url)


def test_a_wav_folder_that_cannot_be_made_is_a_typed_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(AudioError, match="cannot use"):
        open_audio(f"wav:{tmp_path / 'file' / 'sub'}")
