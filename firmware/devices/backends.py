"""The standard backends of every kind, each with its URL scheme and whether it is an emulation.

Openers import their library only when called, so looking a URL up (and deciding the key) loads no hardware library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.card.readers import ReaderRoles, is_emulated_reader
from firmware.devices.host_line import HostLine, open_development_pty, open_serial_url
from firmware.devices.registry import AUDIO, CAMERA, CARD, DEVICE_PATH, GPIO, HOST, PANEL, Backend, Registry

if TYPE_CHECKING:
    from gpiozero.pins import Factory

    from display.panels import Panel
    from drivers.audio import AudioOutput
    from drivers.camera import FrameSource


def _open_camera(url: str) -> FrameSource:
    from drivers.camera import open_camera

    return open_camera(url)


def _open_pins(url: str) -> Factory:
    from drivers.inputs.pins import open_pin_factory

    return open_pin_factory(url)


def _open_panel(url: str) -> Panel:
    from display.panels import open_panel

    return open_panel(url)


def _open_audio(url: str) -> AudioOutput:
    from drivers.audio import open_audio

    return open_audio(url)


def _emulated_card_readers(url: str) -> bool:
    """``pcsc:Virtual PCD…``: the URL itself names one of vpcd's readers."""
    return any(is_emulated_reader(pattern) for pattern, _ in ReaderRoles.from_url(url).rules)


def _serial(scheme: str, description: str) -> Backend[HostLine]:
    return Backend(HOST, scheme, emulated=False, open=open_serial_url, description=description)


def standard_registry() -> Registry:
    """A registry holding every backend the reader ships with."""
    return Registry([
        Backend(CARD, "pcsc", emulated=False, open=ReaderRoles.from_url, emulated_target=_emulated_card_readers,
                description="pcsc:[READER][?phone=READER]"),
        Backend(CAMERA, "picamera2", emulated=False, open=_open_camera, description="picamera2:INDEX"),
        Backend(CAMERA, "v4l2", emulated=False, open=_open_camera, description="v4l2:DEVICE"),
        Backend(CAMERA, "files", emulated=True, open=_open_camera, description="files:DIR"),
        Backend(CAMERA, "synthetic", emulated=True, open=_open_camera, description="synthetic:WxH"),
        Backend(GPIO, "lgpio", emulated=False, open=_open_pins, description="lgpio"),
        Backend(GPIO, "mock", emulated=True, open=_open_pins, description="mock"),
        Backend(PANEL, "waveshare", emulated=False, open=_open_panel, description="waveshare:MODEL"),
        Backend(PANEL, "inky", emulated=False, open=_open_panel, description="inky:MODEL"),
        Backend(PANEL, "png", emulated=True, open=_open_panel, description="png:PATH"),
        Backend(AUDIO, "alsa", emulated=False, open=_open_audio, description="alsa:DEVICE"),
        Backend(AUDIO, "wav", emulated=True, open=_open_audio, description="wav:DIR"),
        _serial(DEVICE_PATH, "a serial device path"),
        _serial("socket", "socket://HOST:PORT"),
        _serial("rfc2217", "rfc2217://HOST:PORT"),
        Backend(HOST, "loop", emulated=True, open=open_serial_url, description="loop://"),
        Backend(HOST, "pty", emulated=True, open=open_development_pty, description="pty:[LINK]"),
    ])
