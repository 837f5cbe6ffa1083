"""The device registry: URLs to backends, and the demo-key decision read from the backends' own declarations,
through the real keys, signing and the host's verifier."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from drivers.camera import FrameSource, SyntheticCamera
from firmware.attest import DeviceKeys
from firmware.devices.backends import standard_registry
from firmware.devices.registry import (
    AUDIO,
    CAMERA,
    CARD,
    GPIO,
    HOST,
    KINDS,
    PANEL,
    Backend,
    BackendConfigError,
    DeviceConfig,
    Registry,
    scheme_of,
)
from protocol.host.policy import HostPolicy
from protocol.host.verify import DemoResult, ResultVerifier
from protocol.results import Method

from result_builders import CA, claims

REAL = DeviceConfig(card="pcsc:SONY FeliCa Port/PaSoRi 4.0", camera="picamera2:0",
                    card_face_camera="v4l2:/dev/video2", gpio="lgpio", panel="waveshare:epd4in2_V2",
                    audio="alsa:default", host="/dev/ttyGS0")


def test_every_documented_url_has_a_backend_and_unknown_ones_are_typed_errors_naming_the_url() -> None:
    registry = standard_registry()
    for kind, url in [(CARD, "pcsc:"), (CARD, "pcsc:Virtual PCD 00 00?phone=Virtual PCD 00 01"),
                      (CAMERA, "picamera2:0"), (CAMERA, "v4l2:/dev/video0"), (CAMERA, "files:/tmp/x"),
                      (CAMERA, "synthetic:640x480"), (GPIO, "lgpio"), (GPIO, "mock"),
                      (PANEL, "waveshare:epd7in5_V2"), (PANEL, "inky:what"), (PANEL, "png:/tmp/s.png"),
                      (AUDIO, "alsa:"), (AUDIO, "wav:/tmp/played"), (HOST, "/dev/ttyGS0"), (HOST, "COM3"),
                      (HOST, "socket://127.0.0.1:7700"), (HOST, "loop://"), (HOST, "pty:")]:
        assert registry.backend(kind, url).kind is kind
    for kind, url in [(HOST, "tcp://127.0.0.1:7700"), (CAMERA, "webcam:0"), (GPIO, "rpigpio"), (PANEL, "/dev/fb0"),
                      (CARD, "vpcd:")]:
        with pytest.raises(BackendConfigError) as raised:
            registry.backend(kind, url)
        assert raised.value.url == url and url in str(raised.value)
    with pytest.raises(BackendConfigError, match="tcp://"):
        registry.check(dataclasses.replace(REAL, host="tcp://127.0.0.1:7700"))
    assert {kind.name for kind in KINDS} == {"card", "camera", "gpio", "panel", "audio", "host"}


def test_schemes() -> None:
    assert [scheme_of(u) for u in ("files:/x", "socket://h:1", "lgpio", "/dev/ttyGS0", "COM3", "pty:", "")] == [
        "files", "socket", "lgpio", "", "", "pty", ""]


def test_a_scheme_registered_twice_is_refused() -> None:
    registry = standard_registry()
    with pytest.raises(ValueError, match="already registered"):
        registry.register(Backend(CAMERA, "files", emulated=False, open=lambda url: SyntheticCamera((64, 48)),
                                  description="files:DIR"))


def test_the_demo_key_follows_the_evidence_devices_only() -> None:
    registry = standard_registry()
    assert registry.emulated_evidence(REAL) == []
    assert registry.emulated_evidence(REAL, readers=["SONY FeliCa Port/PaSoRi 4.0 00 00", "Virtual PCD 00 00"]) == []
    anything = dataclasses.replace(REAL, card="pcsc:")  # every reader is the card reader: vpcd's count
    assert registry.emulated_evidence(anything, readers=["Virtual PCD 00 00"]) == ["reader=Virtual PCD 00 00"]
    for name, url in [("camera", "synthetic:640x480"), ("camera", "files:/tmp/x"), ("card_face_camera", "files:/x"),
                      ("gpio", "mock"), ("card", "pcsc:Virtual PCD 00 00"),
                      ("card", "pcsc:SONY?phone=Virtual PCD 00 01")]:
        assert registry.emulated_evidence(dataclasses.replace(REAL, **{name: url})) == [f"{name}={url}"]
    # The panel, the audio and the host line show, speak and carry: emulating them proves nothing either way.
    for name, url in [("panel", "png:/run/mynareader/screen.png"), ("audio", "wav:/tmp/played"), ("host", "pty:"),
                      ("host", "socket://192.0.2.7:7700"), ("host", "loop://"), ("audio", None)]:
        assert registry.emulated_evidence(dataclasses.replace(REAL, **{name: url})) == []


def _publish(tmp_path: Path, registry: Registry, config: DeviceConfig) -> tuple[DeviceKeys, bytes]:
    keys = DeviceKeys.open(tmp_path / "state", demo=bool(registry.emulated_evidence(config)))
    return keys, keys.sign(claims(Method.PIN, b"n" * 16, demo=keys.demo, device=keys.device))


def test_a_newly_registered_emulated_camera_makes_results_demo_signed(tmp_path: Path) -> None:
    registry = standard_registry()
    # A new emulated camera (here a synthetic source under a scheme of its own), missing from every list.
    registry.register(Backend(CAMERA, "replay", emulated=True, open=lambda url: SyntheticCamera((64, 48)),
                              description="replay:NAME"))
    config = dataclasses.replace(REAL, camera="replay:lobby")
    camera = registry.open(CAMERA, config.camera)
    assert isinstance(camera, FrameSource) and camera.read().shape == (48, 64, 3)
    keys, signed = _publish(tmp_path, registry, config)
    assert keys.demo and (tmp_path / "state" / "demo-key.pem").exists()
    assert not (tmp_path / "state" / "device-key.pem").exists()
    with pytest.raises(DemoResult):
        ResultVerifier(keys.key.public_key(), None, [CA.certificate]).verify(signed)
    verified = ResultVerifier(keys.key.public_key(), None, [CA.certificate],
                              policy=HostPolicy(allow_demo=True)).verify(signed)
    assert verified.claims.demo


def test_a_network_host_line_with_real_devices_signs_with_the_production_key(tmp_path: Path) -> None:
    registry = standard_registry()
    config = dataclasses.replace(REAL, host="socket://192.0.2.7:7700")  # a network serial server: no address used
    keys, signed = _publish(tmp_path, registry, config)
    assert not keys.demo and (tmp_path / "state" / "device-key.pem").exists()
    verified = ResultVerifier(keys.key.public_key(), None, [CA.certificate]).verify(signed)
    assert not verified.claims.demo
