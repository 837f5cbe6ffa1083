"""One registry of device backends: every device is opened by a config URL, and every backend says whether it is an
emulation.

A :class:`Backend` names its kind (:data:`CARD`, :data:`CAMERA`, :data:`GPIO`, :data:`PANEL`, :data:`AUDIO`,
:data:`HOST`), its URL scheme, whether it is emulated, and its opener. :class:`Registry` finds the backend for a URL
(an unknown one is a :class:`BackendConfigError` naming the URL) and opens it; :mod:`firmware.devices.backends`
registers the standard ones, and a test or a new device adds its own with :meth:`Registry.register`.

The demo key follows from these declarations alone (:meth:`Registry.emulated_evidence`): results are signed with
the demo key when any device that produces evidence or answers is emulated — the card (vpcd's readers behind the
real pcscd), the face camera and the card-face camera, the buttons, keypad and keyswitch. The panel and the audio
only show and speak, and the host line only carries results that are signed end to end, so none of them decides it.

Threading rule (for everything opened here): the asyncio event loop owns the reception flow and is the only thread
that touches it. Each blocking device has one worker thread of its own — one for the card (commands, on its own PC/SC
context; presence is watched on another), one for the camera and the face pipeline, one for the panel — and no
blocking call ever runs on the loop. Workers hand results to the loop with ``loop.call_soon_threadsafe``. The panel's
worker draws only the latest screen: a newer screen replaces an older one not yet drawn. A worker that overruns its
timeout is abandoned (its late answer is dropped, never delivered to a later request) and reported as a fault.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from drivers.card.readers import is_emulated_reader

if TYPE_CHECKING:  # the types only: opening a backend imports its library, looking one up imports nothing
    from gpiozero.pins import Factory

    from display.panels import Panel
    from drivers.audio import AudioOutput
    from drivers.camera import FrameSource
    from drivers.card.readers import ReaderRoles
    from firmware.devices.host_line import HostLine

T = TypeVar("T")


class BackendConfigError(ValueError):
    """A device URL that no backend of its kind opens; ``url`` is the URL as configured."""

    def __init__(self, url: str, message: str) -> None:
        self.url = url
        super().__init__(f"{url!r}: {message}")


@dataclass(frozen=True)
class Kind(Generic[T]):
    """A kind of device; ``T`` is what its backends open to. ``evidence``: the device produces evidence or answers,
    so an emulated one means results are signed with the demo key."""

    name: str
    evidence: bool


CARD: Kind[ReaderRoles] = Kind("card", evidence=True)
CAMERA: Kind[FrameSource] = Kind("camera", evidence=True)
GPIO: Kind[Factory] = Kind("gpio", evidence=True)
PANEL: Kind[Panel] = Kind("panel", evidence=False)
AUDIO: Kind[AudioOutput] = Kind("audio", evidence=False)
HOST: Kind[HostLine] = Kind("host", evidence=False)
KINDS: tuple[Kind[Any], ...] = (CARD, CAMERA, GPIO, PANEL, AUDIO, HOST)

DEVICE_PATH = ""
"""The scheme of a URL that is a plain device path (a serial port such as ``/dev/ttyGS0`` or ``COM3``)."""

_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*)(:|$)")


def scheme_of(url: str) -> str:
    """``"files"`` for ``files:DIR``, ``"socket"`` for ``socket://H:P``, the whole name for a bare name such as
    ``lgpio``, and :data:`DEVICE_PATH` for anything else (``/dev/ttyGS0``, ``COM3``)."""
    match = _SCHEME.match(url)
    return match.group(1) if match else DEVICE_PATH


@dataclass(frozen=True)
class Backend(Generic[T]):
    """One way to open a kind of device. ``emulated_target``, where given, decides for a backend that fronts real
    and emulated devices alike (PC/SC: the emulated card sits behind the real pcscd, in vpcd's readers)."""

    kind: Kind[T]
    scheme: str
    emulated: bool
    open: Callable[[str], T]
    description: str
    emulated_target: Callable[[str], bool] | None = None

    def is_emulated(self, url: str) -> bool:
        return self.emulated or (self.emulated_target is not None and self.emulated_target(url))


@dataclass(frozen=True)
class DeviceConfig:
    """The device URLs of one reader. ``card_face_camera`` (the camera over the card, for the printed face) and
    ``audio`` are optional."""

    card: str = "pcsc:"
    camera: str = "picamera2:0"
    card_face_camera: str | None = None
    gpio: str = "lgpio"
    panel: str = "waveshare:epd4in2_V2"
    audio: str | None = "alsa:"
    host: str = "/dev/ttyGS0"

    def devices(self) -> list[tuple[str, Kind[Any], str]]:
        """(field name, kind, URL) of every device configured."""
        kinds: dict[str, Kind[Any]] = {"card": CARD, "camera": CAMERA, "card_face_camera": CAMERA, "gpio": GPIO,
                                       "panel": PANEL, "audio": AUDIO, "host": HOST}
        return [(f.name, kinds[f.name], url) for f in fields(self) if (url := getattr(self, f.name)) is not None]


class Registry:
    """Backends by kind and scheme."""

    def __init__(self, backends: Iterable[Backend[Any]] = ()) -> None:
        self._backends: dict[tuple[str, str], Backend[Any]] = {}
        for backend in backends:
            self.register(backend)

    def register(self, backend: Backend[T]) -> None:
        key = (backend.kind.name, backend.scheme)
        if key in self._backends:
            raise ValueError(f"a {backend.kind.name} backend for scheme {backend.scheme!r} is already registered")
        self._backends[key] = backend

    def with_backend(self, backend: Backend[T]) -> Registry:
        """A copy in which ``backend`` replaces the one of its kind and scheme (a test or the demo bringing its own
        twin, e.g. the MockFactory its scripted patient presses)."""
        copy = Registry()
        copy._backends = {**self._backends, (backend.kind.name, backend.scheme): backend}
        return copy

    def backends(self, kind: Kind[T]) -> list[Backend[T]]:
        return [cast(Backend[T], b) for (name, _), b in sorted(self._backends.items()) if name == kind.name]

    def backend(self, kind: Kind[T], url: str) -> Backend[T]:
        found = self._backends.get((kind.name, scheme_of(url)))
        if found is None:
            known = ", ".join(b.description for b in self.backends(kind)) or "none registered"
            raise BackendConfigError(url, f"no {kind.name} backend opens this (known: {known})")
        # Sound: register() keys each backend by its own kind, so the one found under kind.name is a Backend[T].
        return cast(Backend[T], found)

    def open(self, kind: Kind[T], url: str) -> T:
        """Open the device; the backend's own typed errors (a missing library, a device that will not open) pass."""
        return self.backend(kind, url).open(url)

    def check(self, config: DeviceConfig) -> None:
        """Every configured URL has a backend (raises :class:`BackendConfigError` for the first that has none)."""
        for _, kind, url in config.devices():
            self.backend(kind, url)

    def emulated_evidence(self, config: DeviceConfig, readers: Iterable[str] = ()) -> list[str]:
        """The emulated devices that produce evidence or answers, as ``name=URL`` (and ``reader=NAME`` for the card
        readers in use, ``readers`` being those pcscd lists): non-empty means results are signed with the demo key."""
        found = [f"{name}={url}" for name, kind, url in config.devices()
                 if kind.evidence and self.backend(kind, url).is_emulated(url)]
        roles = self.open(CARD, config.card)
        found += [f"reader={reader}" for reader in readers
                  if roles.role_of(reader) is not None and is_emulated_reader(reader)]
        return found
