"""Audio output for the voice prompts: WAV bytes to the Pi's audio output through ``aplay``, into a folder of WAV
files (the emulated device), or to a recording sink in tests. One prompt at a time: a new one cuts the previous short
(the screen it belonged to is gone).

Chosen by a config URL (:func:`open_audio`): ``alsa:DEVICE`` (``aplay -D DEVICE``; ``alsa:`` is ALSA's default) or
``wav:DIR`` (each prompt played becomes the next numbered file in DIR).
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path
from typing import Protocol


class AudioError(RuntimeError):
    """The audio output could not be opened."""


class AudioOutput(Protocol):
    def play(self, wav: bytes) -> None:
        """Start playing a complete WAV file; returns at once."""
        ...

    def stop(self) -> None:
        """Cut the prompt that is playing, if any."""
        ...


class AplayOutput:
    """Plays through ALSA's ``aplay`` (``device`` as for ``aplay -D``, e.g. ``"default"`` or ``"plughw:0,0"``)."""

    def __init__(self, device: str | None = None) -> None:
        executable = shutil.which("aplay")
        if executable is None:
            raise AudioError("aplay is not installed (Debian package alsa-utils)")
        self._command = [executable, "-q", *(["-D", device] if device else []), "-"]
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def play(self, wav: bytes) -> None:
        with self._lock:
            self._stop_locked()
            process = subprocess.Popen(self._command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            self._process = process
        # aplay reads in real time; feed it from a thread so the caller (the event loop) never waits on the pipe.
        threading.Thread(target=self._feed, args=(process, wav), daemon=True).start()

    @staticmethod
    def _feed(process: subprocess.Popen[bytes], wav: bytes) -> None:
        try:
            process.communicate(wav)
        except (BrokenPipeError, ValueError):  # stopped while feeding: the prompt was cut on purpose
            pass

    def _stop_locked(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait()
        self._process = None

    def stop(self) -> None:
        with self._lock:
            self._stop_locked()


class WavFolderOutput:
    """The emulated audio output: every prompt played is written to ``directory`` as ``000001.wav``, ``000002.wav``,
    … (numbering goes on after the files already there), so a demo run leaves what the patient would have heard."""

    def __init__(self, directory: Path) -> None:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AudioError(f"cannot use {directory} for prompts: {exc}") from exc
        self.directory = directory
        numbers = [int(p.stem) for p in directory.glob("*.wav") if p.stem.isdigit()]
        self._next = max(numbers, default=0) + 1

    def play(self, wav: bytes) -> None:
        (self.directory / f"{self._next:06d}.wav").write_bytes(wav)
        self._next += 1

    def stop(self) -> None:
        """A file is whole once written: there is nothing to cut."""


def open_audio(url: str) -> AplayOutput | WavFolderOutput:
    """The audio output a config URL names: ``alsa:DEVICE`` or ``wav:DIR``."""
    scheme, sep, target = url.partition(":")
    if scheme == "alsa" and sep:
        return AplayOutput(target or None)
    if scheme == "wav" and sep:
        if not target:
            raise AudioError("wav: needs a folder, e.g. wav:/tmp/prompts-played")
        return WavFolderOutput(Path(target))
    raise AudioError(f"unknown audio output {url!r}: use alsa:DEVICE or wav:DIR")


class RecordingOutput:
    """Keeps what would have been played (tests, and the emulated device without a sound card)."""

    def __init__(self) -> None:
        self.played: list[bytes] = []
        self.stops = 0

    def play(self, wav: bytes) -> None:
        self.played.append(wav)

    def stop(self) -> None:
        self.stops += 1
