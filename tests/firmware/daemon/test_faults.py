"""The daemon under failing devices and bad input: it becomes ready (or keeps running), the panel shows the
out-of-service or device-error screen with the fault's code, and the log names the key or device that failed.

The daemon is the real one, in-process, as in test_reception.py: the emulated card behind the real pcscd, the PNG
panel, the host SDK on a pty. A failing device is a configuration naming one that is not there, or, for a panel that
raises, a panel below the real FrontPanel that raises where the e-ink driver would.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import display
from daemon_harness import Reader, pin_reception, running_reader, until
from display.errors import PanelError
from display.panels import PngPanel, RefreshKind
from display.layout import PanelSize
from firmware.devices.registry import PANEL, Backend
from firmware.reception import Option, State
from firmware.reception.config import FlowConfig, Timeouts
from firmware.reception.screens import ChooseMethodScreen, DeviceErrorScreen, OutOfServiceScreen, Screen
from firmware.reception.types import FaceUnavailable
from protocol.vocabulary import Method

MYNAREADER = Path(sys.executable).with_name("mynareader")
QUICK = FlowConfig(timeouts=Timeouts(notice=1.0))  # end screens give way to rest sooner


def _events(reader: Reader, code: str) -> list[dict[str, Any]]:
    records = [json.loads(line) for line in reader.log.getvalue().splitlines()]
    return [r for r in records if r["code"] == code]


def _image(screen: Screen) -> bytes:
    rendering = display.render(screen.id.value, screen.to_dict(), language=screen.language.value,
                               size=PanelSize.SMALL)  # fmt: skip
    return rendering.image.tobytes()


class RecordingPanel:
    """The PNG panel, remembering every frame it was given; ``fail`` frames from the first raise first."""

    def __init__(self, url: str, fail: int = 0) -> None:
        self.png = PngPanel(url.partition(":")[2], PanelSize.SMALL)
        self.size = self.png.size
        self.frames: list[bytes] = []
        self.fail = fail
        self.failed = 0

    def show(self, image: Image.Image, *, interactive: bool = True) -> RefreshKind:
        if self.failed < self.fail:
            self.failed += 1
            raise PanelError("the panel did not answer (BUSY stuck high)")
        kind = self.png.show(image, interactive=interactive)
        self.frames.append(image.tobytes())
        return kind

    def close(self) -> None:
        self.png.close()


def _panel_backend(made: list[RecordingPanel], fail: int = 0) -> Backend[Any]:
    def open_panel(url: str) -> RecordingPanel:
        made.append(RecordingPanel(url, fail))
        return made[-1]

    return Backend(PANEL, "png", emulated=True, open=open_panel, description="png:PATH")


@pytest.mark.pcsc
@pytest.mark.parametrize("camera", ["v4l2:/dev/nonexistent-video", "files:/nonexistent/frames"])
def test_a_missing_face_camera_withdraws_face_and_the_pin_path_works(tmp_path: Path, insert_card: Callable[..., Any],
                                                                     camera: str) -> None:  # fmt: skip
    panels: list[RecordingPanel] = []

    async def scenario() -> None:
        async with running_reader(tmp_path, QUICK, devices={"camera": camera, "card_face_camera": "synthetic:64x48"},
                                  backends=[_panel_backend(panels)]) as reader:  # fmt: skip
            faults = _events(reader, "device.fault")
            assert [(f["fault"], f["device"]) for f in faults] == [("camera.face", f"devices.camera={camera}")]
            assert faults[0]["error"] in ("CameraUnavailableError", "CameraConfigError")
            await reader.reach(State.IDLE)  # the brief device-error screen gives way: the reader stays in service
            await until(lambda: _image(DeviceErrorScreen(code="camera.face")) in panels[0].frames,
                        what="the device-error screen with the code drawn")  # fmt: skip
            await asyncio.to_thread(insert_card, "normal", pin="1234")
            await reader.reach(State.CHOOSE_METHOD)
            assert reader.daemon.flow is not None
            screen = reader.daemon.flow.screen
            assert isinstance(screen, ChooseMethodScreen)
            assert screen.options == (Option.PIN,) and screen.face_unavailable is FaceUnavailable.DEVICE_FAULT
            await pin_reception(reader)
            assert reader.results[0].claims.method is Method.PIN

    asyncio.run(scenario())


@pytest.mark.pcsc
def test_an_unplugged_card_reader_is_out_of_service_with_the_code(tmp_path: Path, insert_card: Callable[..., Any]) -> None:
    panels: list[RecordingPanel] = []
    url = "pcsc:ACS ACR1252 1S CL Reader PICC"  # a reader pcscd does not list: unplugged

    async def scenario() -> None:
        async with running_reader(tmp_path, QUICK, devices={"card": url}, backends=[_panel_backend(panels)]) as reader:
            faults = _events(reader, "device.fault")
            assert [(f["fault"], f["device"]) for f in faults] == [("card.reader_missing", f"devices.card={url}")]
            await reader.reach(State.OUT_OF_SERVICE)
            expected = OutOfServiceScreen(fault_codes=("card.reader_missing",))
            assert reader.daemon.flow is not None and reader.daemon.flow.screen == expected
            await until(lambda: panels[0].frames[-1:] == [_image(expected)], what="the out-of-service screen drawn")
            # A card in a reader that is not the configured one starts nothing; the daemon keeps turning.
            await asyncio.to_thread(insert_card, "normal", pin="1234")
            await asyncio.sleep(0.5)
            assert reader.state is State.OUT_OF_SERVICE and not reader.daemon._card_worker.busy()  # type: ignore[union-attr]

    asyncio.run(scenario())


@pytest.mark.pcsc
def test_a_panel_that_raises_is_a_fault_and_the_next_reception_completes(tmp_path: Path,
                                                                          insert_card: Callable[..., Any]) -> None:  # fmt: skip
    panels: list[RecordingPanel] = []

    async def scenario() -> None:
        async with running_reader(tmp_path, QUICK, backends=[_panel_backend(panels, fail=2)]) as reader:
            await until(lambda: bool(_events(reader, "device.recovered")), what="the panel drawing again")
            faults = _events(reader, "device.fault")
            assert faults and {(f["fault"], f["device"], f["error"]) for f in faults} == {
                ("display.panel", f"devices.panel=png:{tmp_path / 'screen.png'}", "PanelError")}
            assert _events(reader, "device.recovered")[0]["fault"] == "display.panel"
            assert panels[0].failed == 2
            await reader.reach(State.IDLE)
            await asyncio.to_thread(insert_card, "normal", pin="1234")
            await pin_reception(reader)

    asyncio.run(scenario())


@pytest.mark.pcsc
def test_a_panel_that_always_raises_leaves_the_daemon_running(tmp_path: Path) -> None:
    """Nothing can be drawn: the daemon still becomes ready, logs the fault once (not once per failed draw of the
    out-of-service screen), tells the flow, and keeps answering the host."""
    panels: list[RecordingPanel] = []

    async def scenario() -> None:
        async with running_reader(tmp_path, QUICK, backends=[_panel_backend(panels, fail=10**6)]) as reader:
            await reader.reach(State.OUT_OF_SERVICE)
            assert reader.daemon.flow is not None
            assert reader.daemon.flow.screen == OutOfServiceScreen(fault_codes=("display.panel",))
            await until(lambda: panels[0].failed >= 2, what="the out-of-service screen tried too")
            await asyncio.sleep(0.5)
            faults = _events(reader, "device.fault")
            assert [(f["fault"], f["device"]) for f in faults] == [
                ("display.panel", f"devices.panel=png:{tmp_path / 'screen.png'}")]
            assert panels[0].frames == []

    asyncio.run(scenario())


def test_mynareader_run_with_a_bad_config_exits_2_naming_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[devices]\ncamera = "v4l2:/dev/video0"\n\n[flow]\nface_max_attempts = 0\n')
    result = subprocess.run([str(MYNAREADER), "run", "--config", str(bad)], capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.returncode == 2 and not result.stdout
    assert "flow.face_max_attempts" in result.stderr and "0" in result.stderr and str(bad) in result.stderr

    bad.write_text("[devices]\ncamera = 'webcam'\n")
    result = subprocess.run([str(MYNAREADER), "run", "--config", str(bad)], capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.returncode == 2 and "devices.camera" in result.stderr and "'webcam'" in result.stderr


# -- sd_notify ------------------------------------------------------------------------------------------------------


class NotifySocket:
    """The service manager's end: an AF_UNIX datagram socket collecting what the daemon sends."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="notify-")  # short: AF_UNIX paths are limited to 108 bytes
        self.path = os.path.join(self._dir.name, "notify")
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(self.path)
        self.socket.settimeout(0.05)
        self.messages: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._collect, daemon=True)
        self._thread.start()

    def _collect(self) -> None:
        while not self._stop.is_set():
            try:
                self.messages.append(self.socket.recv(4096).decode())
            except TimeoutError:
                continue

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.socket.close()
        self._dir.cleanup()


class GatedPngPanel(RecordingPanel):
    """Holds its first frame until released, so the test sees what the daemon had done when READY=1 came."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.entered = threading.Event()
        self.release = threading.Event()

    def show(self, image: Image.Image, *, interactive: bool = True) -> RefreshKind:
        self.entered.set()
        self.release.wait(10)
        return super().show(image, interactive=interactive)


@pytest.mark.pcsc
def test_sd_notify_ready_after_the_first_screen_watchdog_and_stopping(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    notify = NotifySocket()
    monkeypatch.setenv("NOTIFY_SOCKET", notify.path)
    monkeypatch.setenv("WATCHDOG_USEC", "200000")  # the daemon pings at its floor of every 0.5 s
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    panels: list[GatedPngPanel] = []

    def open_panel(url: str) -> GatedPngPanel:
        panels.append(GatedPngPanel(url))
        return panels[-1]

    async def scenario() -> None:
        gated = Backend(PANEL, "png", emulated=True, open=open_panel, description="png:PATH")
        try:
            async with running_reader(tmp_path, backends=[gated]):
                await until(lambda: any("READY=1" in m for m in notify.messages), what="READY=1")
                assert panels[0].entered.is_set()  # the first screen was handed to the panel before READY=1
                panels[0].release.set()
                assert notify.messages[0].splitlines() == ["READY=1", "STATUS=ready"]
                await until(lambda: notify.messages.count("WATCHDOG=1") >= 2, what="two watchdog pings")
                assert "STOPPING=1" not in notify.messages
            await until(lambda: "STOPPING=1" in notify.messages, what="STOPPING=1")
            assert notify.messages[-1] == "STOPPING=1"
            assert all(m == "WATCHDOG=1" for m in notify.messages[1:-1])
        finally:
            for panel in panels:
                panel.release.set()
            notify.close()

    asyncio.run(scenario())


@pytest.mark.pcsc
def test_no_watchdog_pings_for_another_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``WATCHDOG_PID`` names the process systemd watches; a child that inherited the variables stays quiet."""
    notify = NotifySocket()
    monkeypatch.setenv("NOTIFY_SOCKET", notify.path)
    monkeypatch.setenv("WATCHDOG_USEC", "200000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid() + 1))

    async def scenario() -> None:
        try:
            async with running_reader(tmp_path):
                await until(lambda: bool(notify.messages), what="READY=1")
                await asyncio.sleep(1.2)  # two intervals at the floor
            await until(lambda: "STOPPING=1" in notify.messages, what="STOPPING=1")
            assert "WATCHDOG=1" not in notify.messages
        finally:
            notify.close()

    asyncio.run(scenario())



@pytest.mark.pcsc
def test_a_card_service_that_comes_up_after_the_daemon_clears_the_fault(tmp_path: Path, pcscd: Any,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A boot race: the daemon starts before pcscd. It is out of service with card.reader_missing, and comes back by
    itself once the readers are listed (no card needs to move)."""
    from drivers.card.emulated import pcscd as pcscd_control
    from firmware.daemon import daemon as daemon_module

    monkeypatch.setattr(daemon_module, "READER_CHECK_SECONDS", 0.2)
    pcscd_control.stop(pcscd.pidfile)
    try:
        async def scenario() -> None:
            async with running_reader(tmp_path, QUICK) as reader:
                await reader.reach(State.OUT_OF_SERVICE)
                assert [f["fault"] for f in _events(reader, "device.fault")] == ["card.reader_missing"]
                await asyncio.to_thread(pcscd_control.start, pcscd.pidfile, pcscd.log)
                await reader.reach(State.IDLE)
                assert [f["fault"] for f in _events(reader, "device.recovered")] == ["card.reader_missing"]

        asyncio.run(scenario())
    finally:
        if pcscd_control.running_pcscd() is None:
            pcscd_control.start(pcscd.pidfile, pcscd.log)
