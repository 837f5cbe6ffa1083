"""The demo's rig: one reader on emulated hardware, run by the real daemon, and the reception PC's end.

pcscd (our own, stopped at the end) with vpcd's two virtual readers — the card reader and the smartphone reader; the
scenario's emulated card put in and taken out through vpcd; gpiozero's MockFactory pins pressed by the scripted
patient; a ``files:`` face camera showing a real photo of whoever stands at the reader and a ``files:`` card-face
camera showing the card's rendered front on the tray; the PNG panel (a copy of each screen kept); voice to WAV
files; and on the other end of a pty the host SDK (:class:`~protocol.host.client.ReaderClient`) verifying each result
against the device key, the emulated cards' test CA and a development host policy. With ``host_line`` the host end
is the user's own program and the demo only drives the patient.

One daemon serves every scenario, one patient after another, as a reader at a counter does.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from cryptography.hazmat.primitives.asymmetric import ec

from drivers.card.emulated import pcscd as pcscd_control
from drivers.card.emulated import pki, profiles
from drivers.card.emulated.vpcd import DEFAULT_PORT, VpcdCard
from drivers.inputs.config import InputConfig
from drivers.inputs.emulated import EmulatedFrontPanel
from firmware.attest import DeviceKeys
from firmware.daemon.config import DaemonConfig
from firmware.daemon.daemon import Daemon
from firmware.daemon.log import EventLog, Field
from firmware.daemon.notify import Notifier
from firmware.demo import photos
from firmware.demo.patient import Patient, Record, ScenarioFailed, ScreenCopies
from firmware.demo.scenarios import PIN, Scenario
from firmware.devices.backends import standard_registry
from firmware.devices.registry import GPIO, Backend, DeviceConfig, Registry
from firmware.reception import State
from firmware.reception.config import FlowConfig
from firmware.reception.states import RESTING
from protocol.host.client import ReaderClient
from protocol.host.policy import HostPolicy
from protocol.host.store import HostStore
from protocol.host.verify import AlreadyAccepted, ResultVerifier, VerifiedResult

CARD_READER = "Virtual PCD 00 00"
PHONE_READER = "Virtual PCD 00 01"
START_TIMEOUT = 60.0  # the daemon's READY, the face models, the first host connection
HOST_LINE_TIMEOUT = 600.0  # with the user's host: how long to wait for it to connect
SCENARIO_TIMEOUT = 120.0
RESULT_TIMEOUT = 30.0  # a result the scenario expects, after its session ended

DEMO_FLOW = FlowConfig(require_liveness=False, smartphone_reader=True, keyswitch_fitted=True)
"""The demo reader: a smartphone reader and the staff keyswitch fitted; no liveness check yet, so face results say
``not-checked`` (production keeps ``require_liveness = true``)."""


class DemoError(RuntimeError):
    """The demo cannot run here (pcscd owned by someone else, photos missing, the daemon not starting)."""


@contextlib.contextmanager
def own_pcscd(folder: Path) -> Iterator[None]:
    """A pcscd of our own, stopped on exit; never one that is already running (a test run's, the system's)."""
    running = pcscd_control.running_pcscd()
    if running is not None:
        raise DemoError(f"a pcscd is already running (PID {running}), perhaps a test run's: the demo needs its own. "
                        "Wait until it ends (or stop the system's pcscd) and run the demo again.")
    pidfile = folder / "pcscd.pid"
    try:
        pcscd_control.start(pidfile, folder / "pcscd.log")
    except pcscd_control.PcscdError as error:
        raise DemoError(f"pcscd: {error}") from None
    try:
        yield
    finally:
        pcscd_control.stop(pidfile)


class RecordingVerifier(ResultVerifier):
    """The host SDK's verifier, keeping each verified result exactly as it crossed the wire (COSE_Sign1)."""

    wire: dict[bytes, bytes]

    def admit(self, cose: bytes) -> VerifiedResult | AlreadyAccepted:
        admitted = super().admit(cose)
        if isinstance(admitted, VerifiedResult):
            self.wire[admitted.claims.cti] = cose
        return admitted


class DemoLog(EventLog):
    """The daemon's log to a file, and the flow's states into the current scenario's record."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self.record: Record | None = None

    def __call__(self, code: str, **fields: Field) -> None:
        super().__call__(code, **fields)
        record = self.record
        if record is not None and code == "flow.state" and isinstance(fields.get("state"), str):
            state = State(str(fields["state"]))
            record.states.append(state)
            record.step(f"reader → {state.value}")

    def seen(self, *codes: str) -> bool:
        return any(event["code"] in codes for event in self.recent)


@dataclass
class Delivery:
    result: VerifiedResult
    cose: bytes


@dataclass
class Outcome:
    scenario: Scenario
    record: Record
    end: State | None
    deliveries: list[Delivery] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    host_checked: bool = True  # False when the host end was the user's: results were not seen here

    @property
    def ok(self) -> bool:
        return not self.problems


class Rig:
    def __init__(self, folder: Path, host_line: str | None) -> None:
        self.folder = folder
        self.host_line = host_line
        self.inputs = InputConfig()
        self.panel = EmulatedFrontPanel(self.inputs)
        self.face_camera = photos.Camera(folder / "cameras" / "face", 1)
        self.card_face_camera = photos.Camera(folder / "cameras" / "card-face", photos.CARD_FACE_FRAMES)
        self.face_camera.show([photos.empty_tray()])  # nobody at the reader yet
        self.card_face_camera.show([photos.empty_tray()])
        self.screens = folder / "screens"
        self.screens.mkdir(parents=True, exist_ok=True)
        (folder / "voice").mkdir(exist_ok=True)
        self.copies = ScreenCopies(folder / "panel.png", self.screens)
        self.link = folder / "host-line"
        self.deliveries: list[Delivery] = []
        self.client: ReaderClient | None = None
        self.keys = DeviceKeys.open(folder / "state", demo=True)  # the installer pins the device key on the host
        (folder / "device-key.pem").write_text(self.keys.public_pem)
        (folder / "test-ca.pem").write_bytes(pki.test_ca().certificate_pem)
        (folder / "issuer-key.pem").write_bytes(pki.card_face_issuer_public_pem())
        public = self.keys.key.public_key()
        assert isinstance(public, ec.EllipticCurvePublicKey)
        self.verifier = RecordingVerifier(public, HostStore(folder / "host.sqlite"), [pki.test_ca().certificate],
                                          policy=HostPolicy.development())  # fmt: skip
        self.verifier.wire = {}
        self._log_file = (folder / "daemon.log").open("a", encoding="utf-8")
        self.log = DemoLog(self._log_file)
        self.daemon = Daemon(self.config(), self.registry(), log=self.log, notifier=Notifier(""),
                             on_drawn=self.copies)  # fmt: skip
        self.patient = Patient(self.daemon, self.panel, Record(), self.copies)
        self.holder_photo = photos.chip_photo(photos.portraits() / photos.HOLDER_CHIP)
        self._record: Record | None = None

    @property
    def device_public_pem(self) -> str:
        return self.keys.public_pem

    def config(self) -> DaemonConfig:
        host = self.host_line if self.host_line is not None else f"pty:{self.link}"
        devices = DeviceConfig(card=f"pcsc:{CARD_READER}?phone={PHONE_READER}", camera=self.face_camera.url,
                               card_face_camera=self.card_face_camera.url, gpio="mock",
                               panel=f"png:{self.folder / 'panel.png'}", audio=f"wav:{self.folder / 'voice'}",
                               host=host)  # fmt: skip
        return DaemonConfig(devices=devices, flow=DEMO_FLOW, inputs=self.inputs, state_directory=self.folder / "state",
                            issuer_key=self.folder / "issuer-key.pem")  # fmt: skip

    def registry(self) -> Registry:
        panel = self.panel
        return standard_registry().with_backend(
            Backend(GPIO, "mock", emulated=True, open=lambda _url: panel.factory, description="mock"))

    # -- the host end -----------------------------------------------------------------------------------------------

    def _handed_over(self, result: VerifiedResult) -> None:
        cose = self.verifier.wire.get(result.claims.cti, b"")
        self.deliveries.append(Delivery(result, cose))
        if self._record is not None:
            self._record.step(f"host verified the result: {result.claims.method.value}, {result.assurance.value}")

    async def host_online(self) -> None:
        if self.host_line is not None or self.client is not None:
            return
        client = ReaderClient(str(self.link), self.verifier, on_result=self._handed_over, pool_size=4)
        await client.__aenter__()
        self.client = client

    async def host_offline(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            await client.__aexit__(None, None, None)

    # -- running ------------------------------------------------------------------------------------------------------

    async def wait(self, predicate: Callable[[], bool], what: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise DemoError(f"{what} not reached within {timeout:.0f} s")
            await asyncio.sleep(0.05)

    async def at_rest(self, timeout: float) -> None:
        await self.wait(lambda: self.daemon.flow is not None and self.daemon.flow.state is State.IDLE,
                        "the reader waiting for a card (host connected)", timeout)  # fmt: skip

    async def run(self, scenario: Scenario) -> Outcome:
        card = photos.with_printed_serial(profiles.build(scenario.profile, pin=PIN, photo=self.holder_photo))
        self.face_camera.show(photos.face_frames(photos.portraits() / scenario.at_camera))
        self.card_face_camera.show(photos.card_on_tray(card))
        record = Record()  # times count from here: the card is made and the cameras set, the patient steps up
        self._record = self.copies.record = self.log.record = self.patient.record = record
        slot = VpcdCard(card, port=DEFAULT_PORT + 1 if scenario.phone else DEFAULT_PORT)
        stage = Stage(self, slot, "the phone" if scenario.phone else "the card")
        outcome = Outcome(scenario, record, None, host_checked=self.host_line is None)
        before = len(self.deliveries)
        expected = scenario.expected
        try:
            await asyncio.wait_for(scenario.script(stage), SCENARIO_TIMEOUT)
            await self.patient.reach(expected.end)
            outcome.end = expected.end
            if expected.method is not None and outcome.host_checked:
                await self.patient.until(lambda: len(self.deliveries) > before, "the verified result at the host",
                                         RESULT_TIMEOUT)  # fmt: skip
        except (ScenarioFailed, asyncio.TimeoutError) as error:
            outcome.problems.append(str(error) or f"the scenario did not finish within {SCENARIO_TIMEOUT:.0f} s")
            outcome.end = self.patient.state
        finally:
            if slot.inserted:
                stage.take()
            await self.host_online()
            try:
                await self.at_rest(START_TIMEOUT)
            except DemoError as error:
                outcome.problems.append(str(error))
        outcome.deliveries = self.deliveries[before:]
        outcome.problems += check(outcome)
        self._record = self.copies.record = self.log.record = None
        return outcome


def check(outcome: Outcome) -> list[str]:
    """What the scenario expected and did not get."""
    expected, record = outcome.scenario.expected, outcome.record
    problems = [f"never reached {state.value}" for state in expected.visits if state not in record.states]
    if not outcome.host_checked:
        return problems
    if expected.method is None:
        if outcome.deliveries:
            problems.append(f"{len(outcome.deliveries)} result(s) reached the host; none expected")
        return problems
    if len(outcome.deliveries) != 1:
        problems.append(f"{len(outcome.deliveries)} results reached the host; exactly one expected")
        return problems
    claims = outcome.deliveries[0].result.claims
    if claims.method is not expected.method:
        problems.append(f"method {claims.method.value}, expected {expected.method.value}")
    if claims.assurance is not expected.assurance and expected.assurance is not None:
        problems.append(f"assurance {claims.assurance.value}, expected {expected.assurance.value}")
    if expected.liveness is not None and (claims.face is None or claims.face.liveness != expected.liveness.value):
        problems.append(f"liveness {None if claims.face is None else claims.face.liveness}, "
                        f"expected {expected.liveness.value}")
    return problems


@dataclass
class Stage:
    """What a scenario's script reaches besides the patient (see :class:`firmware.demo.scenarios.Stage`)."""

    rig: Rig
    slot: VpcdCard
    what: str

    @property
    def patient(self) -> Patient:
        return self.rig.patient

    def place(self) -> None:
        self.patient.place(self.slot, self.what)

    def take(self) -> None:
        self.patient.take(self.slot, self.what)

    async def host_offline(self) -> None:
        self.patient.record.step("the reception PC goes away (its end of the line closed)")
        await self.rig.host_offline()

    async def host_back(self) -> None:
        self.patient.record.step("the reception PC is back")
        await self.rig.host_online()


@contextlib.asynccontextmanager
async def running_rig(folder: Path, host_line: str | None = None,
                      on_waiting: Callable[[Rig], None] | None = None) -> AsyncIterator[Rig]:  # fmt: skip
    """The daemon started on the emulated parts (pcscd must already run), the host end connected, the face models
    loaded and the reader at rest; everything stopped on exit."""
    rig = Rig(folder, host_line)
    stop = asyncio.Event()
    task = asyncio.ensure_future(rig.daemon.run(stop))
    try:
        await asyncio.wait_for(rig.daemon.ready.wait(), START_TIMEOUT)
        await rig.host_online()
        if on_waiting is not None and host_line is not None:
            on_waiting(rig)
        await rig.wait(lambda: rig.log.seen("face.models_loaded", "device.fault"), "the face models", START_TIMEOUT)
        await rig.at_rest(HOST_LINE_TIMEOUT if host_line is not None else START_TIMEOUT)
        yield rig
    finally:
        await rig.host_offline()
        stop.set()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(task, START_TIMEOUT)
        rig.panel.close()
        rig._log_file.close()
