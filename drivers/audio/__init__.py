"""Audio output for the voice prompts: WAV bytes to the Pi's audio output through ``aplay``, or to a recording
sink in tests. One prompt at a time: a new one cuts the previous short (the screen it belonged to is gone)."""

from __future__ import annotations

import shutil
import subprocess
import threading
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


class RecordingOutput:
    """Keeps what would have been played (tests, and the emulated device without a sound card)."""

    def __init__(self) -> None:
        self.played: list[bytes] = []
        self.stops = 0

    def play(self, wav: bytes) -> None:
        self.played.append(wav)

    def stop(self) -> None:
        self.stops += 1
