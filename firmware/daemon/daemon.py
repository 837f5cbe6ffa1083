"""The reception daemon: one asyncio process that owns one :class:`~firmware.reception.ReceptionFlow` and carries
out its actions with the reader's parts.

Events and ``Tick``s go in, actions come out (the flow's own docstring shows the loop). The loop owns the flow and
never blocks: card work runs on the card worker, camera and face work on the face worker, drawing on the panel
worker (docs/architecture.md, "Threads"). Whatever a driver raises becomes the request's failure or a device fault
(:mod:`firmware.reception.faults`): the loop keeps turning, and the screen says what is wrong.

Start-up: the configuration is already checked; each device is opened on its own and one that fails becomes a fault
on the panel and in the log (a unit that never becomes ready would be restarted into a dead panel). ``READY=1`` goes
to systemd once the loop runs and the first screen is handed to the panel; the face models load after that, on the
face worker. ``WATCHDOG=1`` follows while the loop turns; SIGTERM (the ``stop`` event) ends with ``STOPPING=1``, the
card released and the outbox as it is.

Session secrets (the PIN while it is sent, the chip photo, the face session, the nonce) live in
:class:`~firmware.daemon.session.SessionState` and go at ``DropSession``; the log carries codes and kinds only.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import dataclasses
import importlib.metadata
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from drivers.card import errors as card_errors
from drivers.card.channel import CardChannel
from drivers.card.pcsc import CardArrived
from drivers.card.pcsc import PcscContext
from drivers.card.presence import PresenceWatcher, RoleEvent
from drivers.card.readers import ReaderRoles
from firmware.adapters import card as card_answers
from firmware.adapters.face import face_answer
from firmware.adapters.inputs import flow_event
from firmware.attest import DeviceKeys, StateError, config_hash
from firmware.adapters.claims import DeviceFacts, EvidenceMissing, signed_claims
from firmware.card_session import CardSession, SessionEvidence
from firmware.daemon.config import DaemonConfig
from firmware.daemon.log import EventLog
from firmware.daemon.notify import Notifier
from firmware.daemon.panel import PanelWorker
from firmware.daemon.session import SessionState
from firmware.daemon.workers import Job, Worker
from firmware.devices.registry import AUDIO, CAMERA, CARD, GPIO, HOST, PANEL, Registry
from firmware.front_panel import FrontPanel
from firmware.host_link import HostLink, Notice, ResultNotStored
from firmware.reception import (
    Beep,
    CaptureFace,
    DropSession,
    EmitResult,
    ModeRefused,
    ReadCard,
    ReadPinTries,
    ReceptionClaims,
    ReceptionFlow,
    Request,
    ScanCardFace,
    Show,
    SignChallenge,
    State,
    VerifyPin,
)
from firmware.reception.actions import Action, Cancel
from firmware.reception.events import (
    CardInserted,
    CardRemoved,
    DeviceFault,
    DeviceRecovered,
    Event,
    FaceGuidance,
    HostCancel,
    HostConnected,
    HostLost,
    HostSetMode,
    InvalidEvent,
    NonceUnavailable,
    PinVerified,
    RequestFailed,
    ResultAccepted,
    Signed,
    SignRefused,
    Tick,
)
from firmware.reception.faults import Fault, device_fault
from firmware.reception.types import CardKind, HostMode, ReaderRole, StatusLight
from protocol.reader import Cancel as HostCancelCommand
from protocol.results import ResultError
from protocol.reader import HostCommand, SetMode

def firmware_version() -> str:
    try:
        return importlib.metadata.version("mynareader")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


HOST_POLL_SECONDS = 1.0  # how often host readiness (link up, nonces in the pool) is checked
PAGE_SECONDS = 6.0  # a screen too long for the panel shows its pages in turn
READER_CHECK_SECONDS = 5.0  # how often the card readers are listed (a reader plugged in clears its fault)
CARD_TIMEOUT = 15.0  # a card operation that takes longer is abandoned (a stuck reader or pcscd)
RESULT_TIMEOUT = 10.0  # signing and the durable outbox write


class Daemon:
    def __init__(self, config: DaemonConfig, registry: Registry, *, log: EventLog | None = None,
                 notifier: Notifier | None = None, clock: Callable[[], float] = time.monotonic,
                 prompts: Path | None = None, on_drawn: Callable[[str], None] | None = None) -> None:  # fmt: skip
        self.config = config
        self.registry = registry
        self.log = log if log is not None else EventLog()
        self.notifier = notifier if notifier is not None else Notifier()
        self.clock = clock
        self.prompts = prompts
        self.on_drawn = on_drawn  # called on the panel thread with the screen id, once the panel has drawn it
        self.session = SessionState()
        self.flow: ReceptionFlow | None = None
        self.ready = asyncio.Event()
        self.timings: list[tuple[str, float]] = []  # (request kind, seconds of device time), for the benchmark
        self._events: asyncio.Queue[Event] = asyncio.Queue()
        self._handled = asyncio.Event()  # set by each event handled, so the loop waits for the flow's new deadline
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closers: list[Callable[[], object]] = []
        self._panel: PanelWorker | None = None
        self._front: FrontPanel | None = None
        self._sounder: Any = None
        self._beeps: set[asyncio.Future[None]] = set()  # patterns playing: stopped before the buzzer is closed
        self._led: Any = None
        self._led_shown: StatusLight | None = None
        self._host: HostLink | None = None
        self._host_ready = False
        self._host_command: HostCommand | None = None
        self._card_worker: Worker | None = None
        self._face_worker: Worker | None = None
        self._card_context: PcscContext | None = None
        self._roles: ReaderRoles | None = None
        self._readers: dict[ReaderRole, str] = {}  # where the card (or phone) of each role is, while present
        self._mute: set[ReaderRole] = set()
        self._face_camera: Any = None
        self._card_face_camera: Any = None
        self._verifier: Any = None
        self._ocr: Any = None
        self._issuer_key: rsa.RSAPublicKey | None = None
        self._keys: DeviceKeys | None = None
        self._device: DeviceFacts | None = None
        self._started_at = 0.0
        self._faults: set[str] = set()

    # -- life ---------------------------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Run until ``stop`` is set; never raises for a device's sake."""
        self._loop = asyncio.get_running_loop()
        self._started_at = self.clock()
        self.log("daemon.starting", version=firmware_version())
        flow_config = self.config.flow
        if self.config.devices.card_face_camera is None:
            flow_config = dataclasses.replace(flow_config, face_enabled=False)  # no way to open the chip photo
        self.flow = ReceptionFlow(flow_config, now=self.clock(), on_transition=self._on_transition)
        self._card_worker = Worker("card", self._loop, self._put)
        self._face_worker = Worker("face", self._loop, self._put)
        self._open_panel()
        self._execute(self.flow.start())
        self._open_inputs()
        keys = self._open_keys()
        self._open_card()
        self._open_cameras()
        await self._open_host(keys)
        self._load_issuer_key()
        self.notifier.send("READY=1", "STATUS=ready")
        self.ready.set()
        self.log("daemon.ready", seconds=round(self.clock() - self._started_at, 3))
        self._load_face_models()
        tasks = [asyncio.ensure_future(self._host_poll()), asyncio.ensure_future(self._watchdog()),
                 asyncio.ensure_future(self._turn_pages()), asyncio.ensure_future(self._watch_readers())]
        try:
            await self._turn(stop)
        finally:
            self.notifier.send("STOPPING=1")
            self.log("daemon.stopping")
            for task in tasks:
                task.cancel()
            await self._close()

    async def _turn(self, stop: asyncio.Event) -> None:
        assert self.flow is not None
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                deadline = self.flow.deadline
                timeout = None if deadline is None else max(0.0, deadline - self.clock())
                self._handled.clear()
                getter = asyncio.ensure_future(self._events.get())
                handled = asyncio.ensure_future(self._handled.wait())
                done, _ = await asyncio.wait({getter, stopping, handled}, timeout=timeout,
                                             return_when=asyncio.FIRST_COMPLETED)  # fmt: skip
                handled.cancel()
                if getter in done:
                    event = getter.result()
                else:
                    getter.cancel()
                    if stop.is_set():
                        break
                    if handled in done:
                        continue  # an input, a card or a host command moved the flow: its deadline may be sooner
                    event = Tick()
                self.handle(event)
        finally:
            stopping.cancel()

    def handle(self, event: Event) -> None:
        """Feed one event to the flow and carry out what it asks (the loop's one entry into the flow)."""
        assert self.flow is not None
        try:
            actions = self.flow.handle(event, self.clock())
        except InvalidEvent as error:
            self.log("flow.invalid_event", event=type(event).__name__, error=type(error).__name__)
            return
        self._execute(actions)
        self._show_light()
        self._handled.set()

    def _put(self, event: Event) -> None:
        self._events.put_nowait(event)

    def _put_threadsafe(self, event: Event) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._events.put_nowait, event)

    async def _close(self) -> None:
        for beep in list(self._beeps):
            beep.cancel()
        await asyncio.gather(*self._beeps, return_exceptions=True)
        for worker in (self._card_worker, self._face_worker):
            if worker is not None:
                worker.close()
        self.session.drop()
        if self._host is not None:
            await self._host.close()
        for closer in reversed(self._closers):
            with contextlib.suppress(Exception):
                closer()
        self.notifier.close()

    # -- opening the parts (each on its own: a failure is a fault, never a failed start) --------------------------

    def _fault(self, fault: Fault, device: str, error: BaseException | None = None) -> None:
        if fault.value in self._faults:
            return  # reported already (a panel failing each retry): once in the log and to the flow until it clears
        self._faults.add(fault.value)
        self.log("device.fault", fault=fault.value, device=device,
                 error=None if error is None else type(error).__name__)  # fmt: skip
        self._put(device_fault(fault))

    def _recovered(self, fault: Fault) -> None:
        if fault.value in self._faults:
            self._faults.discard(fault.value)
            self.log("device.recovered", fault=fault.value)
            self._put(DeviceRecovered(fault.value))

    def _open_panel(self) -> None:
        devices = self.config.devices
        voice = None
        if devices.audio is not None:
            try:
                from firmware.voice import DEFAULT_PROMPTS_DIR, VoiceGuide

                output = self.registry.open(AUDIO, devices.audio)
                voice = VoiceGuide(output, self.prompts or DEFAULT_PROMPTS_DIR)
            except Exception as error:  # no sound is no reason to stop: the screen says everything too
                self.log("device.fault", fault="audio", device=f"devices.audio={devices.audio}",
                         error=type(error).__name__)  # fmt: skip
        try:
            panel = self.registry.open(PANEL, devices.panel)
        except Exception as error:
            self._fault(Fault.PANEL, f"devices.panel={devices.panel}", error)
            return
        self._front = FrontPanel(panel, voice)
        self._panel = PanelWorker(self._front, on_drawn=self._drawn, on_error=self._panel_failed)
        self._closers.append(self._panel.close)

    def _drawn(self, screen: Any, seconds: float) -> None:
        assert self._loop is not None
        if self.on_drawn is not None:
            self.on_drawn(screen.id.value)  # before the next screen is drawn: the demo keeps a copy of each one
        self._loop.call_soon_threadsafe(self._after_draw, screen.id.value, seconds)

    def _after_draw(self, screen_id: str, seconds: float) -> None:
        self.timings.append(("panel", seconds))
        self._recovered(Fault.PANEL)

    def _panel_failed(self, error: Exception) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._fault, Fault.PANEL, f"devices.panel={self.config.devices.panel}", error)

    def _open_inputs(self) -> None:
        devices, inputs = self.config.devices, self.config.inputs
        try:
            from drivers.inputs.outputs import Sounder, StatusLed
            from drivers.inputs.panel import FrontPanelInputs

            factory = self.registry.open(GPIO, devices.gpio)
            panel_inputs = FrontPanelInputs(inputs, self._on_input, pin_factory=factory)
            panel_inputs.start()
            self._closers.append(panel_inputs.close)
            if inputs.buzzer is not None:
                self._sounder = Sounder(inputs.buzzer, pin_factory=factory)
                self._closers.append(self._sounder.close)
            if inputs.status_led is not None:
                self._led = StatusLed(inputs.status_led, pin_factory=factory)
                self._closers.append(self._led.close)
        except Exception as error:
            self._fault(Fault.INPUTS, f"devices.gpio={devices.gpio}", error)

    def _on_input(self, raw: Any) -> None:
        # Called on the input scanner's thread: the button's meaning is read on the loop, against the screen shown.
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._input_on_loop, raw)

    def _input_on_loop(self, raw: Any) -> None:
        front = self._front
        event = flow_event(raw, front.option_for if front is not None else (lambda _button: None))
        if event is not None:
            self.handle(event)

    def _open_keys(self) -> DeviceKeys:
        emulated = self.registry.emulated_evidence(self.config.devices, self._list_readers())
        if emulated:
            self.log("keys.demo", devices=", ".join(emulated))
        return DeviceKeys.open(self.config.state_directory, demo=bool(emulated))

    def _list_readers(self) -> list[str]:
        try:
            context = PcscContext()
            try:
                return context.readers()
            finally:
                context.close()
        except card_errors.CardError:
            return []

    def _open_card(self) -> None:
        url = self.config.devices.card
        try:
            roles: ReaderRoles = self.registry.open(CARD, url)
            self._card_context = PcscContext()
            self._closers.append(self._card_context.close)
            watcher = PresenceWatcher(roles, self._on_presence)
            watcher.start()
            self._closers.append(watcher.stop)
        except Exception as error:
            self._fault(Fault.CARD_SERVICE, f"devices.card={url}", error)
            return
        self._roles = roles
        readers = self._list_readers()
        if not any(roles.role_of(r) == "card" for r in readers):
            self._fault(Fault.CARD_READER_MISSING, f"devices.card={url}")

    async def _watch_readers(self) -> None:
        """A card reader plugged in (or pulled out) while no card moves: listed on the card worker every few
        seconds, so its fault clears (or shows) by itself."""
        loop, worker, url = self._loop, self._card_worker, self.config.devices.card
        assert loop is not None and worker is not None

        def check() -> None:
            context, roles = self._card_context, self._roles
            if context is None or roles is None:
                return
            try:
                present = any(roles.role_of(r) == "card" for r in context.readers())
            except card_errors.CardError:
                return  # pcscd away: the presence watcher reports its cards gone; nothing to decide here
            if present:
                loop.call_soon_threadsafe(self._recovered, Fault.CARD_READER_MISSING)
            else:
                loop.call_soon_threadsafe(self._fault, Fault.CARD_READER_MISSING, f"devices.card={url}", None)

        while True:
            await asyncio.sleep(READER_CHECK_SECONDS)
            if not worker.busy():
                worker.run_detached(check)

    def _on_presence(self, change: RoleEvent) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._presence_on_loop, change)

    def _presence_on_loop(self, change: RoleEvent) -> None:
        role = ReaderRole(change.role)
        event = change.event
        if isinstance(event, CardArrived):
            self._readers[role] = event.reader
            if event.mute:
                self._mute.add(role)
            else:
                self._mute.discard(role)
            if role is ReaderRole.CARD:
                self._recovered(Fault.CARD_READER_MISSING)
            self.log("card.inserted", role=role.value, mute=event.mute)
            self.handle(CardInserted(role))
        else:
            self._readers.pop(role, None)
            self._mute.discard(role)
            self.log("card.removed", role=role.value)
            self.handle(CardRemoved(role))

    def _open_cameras(self) -> None:
        devices = self.config.devices
        for name, url in (("camera", devices.camera), ("card_face_camera", devices.card_face_camera)):
            if url is None:
                continue
            fault = Fault.FACE_CAMERA if name == "camera" else Fault.CARD_FACE_CAMERA
            try:
                source = self.registry.open(CAMERA, url)
            except Exception as error:
                self._fault(fault, f"devices.{name}={url}", error)
                continue
            self._closers.append(source.close)
            if name == "camera":
                self._face_camera = source
            else:
                self._card_face_camera = source

    def _load_issuer_key(self) -> None:
        path = self.config.issuer_key
        if path is None:
            return
        try:
            key = serialization.load_pem_public_key(path.read_bytes())
        except (OSError, ValueError) as error:
            self._fault(Fault.CONFIG, f"card.issuer_key={path}", error)
            return
        if isinstance(key, rsa.RSAPublicKey):
            self._issuer_key = key
        else:
            self._fault(Fault.CONFIG, f"card.issuer_key={path}")

    def _load_face_models(self) -> None:
        """After READY, on the face worker: dlib and the weights take seconds to load."""
        assert self._face_worker is not None and self._loop is not None
        loop = self._loop

        def load() -> None:
            try:
                from firmware.face.verifier import FaceVerifier

                self._verifier = FaceVerifier()
            except Exception as error:
                loop.call_soon_threadsafe(self._fault, Fault.FACE_MODELS, "face models", error)
            else:
                loop.call_soon_threadsafe(self.log, "face.models_loaded")

        self._face_worker.run_detached(load)

    async def _open_host(self, keys: DeviceKeys) -> None:
        url = self.config.devices.host
        try:
            line = self.registry.open(HOST, url)
        except Exception as error:
            self.log("host.unavailable", device=f"devices.host={url}", error=type(error).__name__)
            return
        self._closers.append(line.close)
        outbox = self.config.state_directory / "outbox"
        self._host = HostLink(line.url, keys, firmware_version(), outbox, self._on_host_command, on_notice=self._on_notice)
        self._keys = keys
        self._device = DeviceFacts(keys.device, firmware_version(), keys.demo, config_hash(self.config.canonical()))
        try:
            await self._host.start()
        except Exception as error:
            self.log("host.unavailable", device=f"devices.host={url}", error=type(error).__name__)

    def _on_notice(self, notice: Notice) -> None:
        self.log("host.notice", notice=type(notice).__name__)

    # -- the host ---------------------------------------------------------------------------------------------

    async def _host_poll(self) -> None:
        while True:
            await asyncio.sleep(HOST_POLL_SECONDS)
            ready = self._host is not None and self._host.ready()
            if ready != self._host_ready:
                self._host_ready = ready
                self.log("host.ready" if ready else "host.lost")
                self.handle(HostConnected() if ready else HostLost())

    def _on_host_command(self, command: HostCommand) -> None:
        self._host_command = command
        try:
            if isinstance(command, SetMode):
                try:
                    event: Event = HostSetMode(HostMode(command.mode), command.staff_id)
                except (ValueError, InvalidEvent):
                    assert self._host is not None
                    self._host.refuse(command, "unknown mode or staff id")
                    return
                self.handle(event)
            elif isinstance(command, HostCancelCommand):
                self.handle(HostCancel())
        finally:
            self._host_command = None

    def _on_transition(self, old: State, new: State) -> None:
        self.log("flow.state", state=new.value, previous=old.value)
        if self._host is not None and self.flow is not None:
            self._host.state_changed(new.value, self.flow.mode.value)

    async def _turn_pages(self) -> None:
        while True:
            await asyncio.sleep(PAGE_SECONDS)
            if self._panel is not None:
                self._panel.next_page()

    async def _watchdog(self) -> None:
        interval = self.notifier.watchdog_interval()
        if interval is None:
            return
        while True:
            self.notifier.send("WATCHDOG=1")  # the loop turns: a stuck worker is abandoned, not a stuck daemon
            await asyncio.sleep(interval)

    # -- carrying out actions ---------------------------------------------------------------------------------

    def _execute(self, actions: list[Action]) -> None:
        for action in actions:
            match action:
                case Show(screen=screen):
                    if self._panel is not None:
                        self._panel.show(screen)
                case Beep(pattern=pattern):
                    if self._sounder is not None:
                        beep = asyncio.ensure_future(self._sounder.play(pattern.value))
                        self._beeps.add(beep)
                        beep.add_done_callback(self._beep_done)
                case DropSession(reason=reason):
                    # The old state is forgotten on the card worker, after any job still using its connection.
                    old, self.session = self.session, SessionState()
                    assert self._card_worker is not None
                    self._card_worker.run_detached(old.drop)
                    self.log("session.dropped", reason=reason.value)
                case Cancel(request_id=request_id):
                    for worker in (self._card_worker, self._face_worker):
                        if worker is not None:
                            worker.cancel(request_id)
                case ModeRefused(reason=reason):
                    if self._host is not None and self._host_command is not None:
                        self._host.refuse(self._host_command, reason.value)
                case Request():
                    self._start(action)

    def _beep_done(self, beep: asyncio.Future[None]) -> None:
        self._beeps.discard(beep)
        if not beep.cancelled() and beep.exception() is not None:  # a buzzer that fails is no reason to stop
            self.log("device.fault", fault="buzzer", device=f"inputs.buzzer={self.config.inputs.buzzer}",
                     error=type(beep.exception()).__name__)  # fmt: skip

    def _show_light(self) -> None:
        assert self.flow is not None
        light = self.flow.status_light
        if self._led is None or light is self._led_shown:
            return
        self._led_shown = light
        {StatusLight.OFF: self._led.off, StatusLight.READY: self._led.ready, StatusLight.WORKING: self._led.working,
         StatusLight.FAULT: self._led.fault}[light]()  # fmt: skip

    def _start(self, request: Request) -> None:
        self.log("request", kind=type(request).__name__, id=request.request_id)
        if request.uses_host_nonce and not self._take_nonce():
            self._host_ready = False  # the flow treats it as the host lost; readiness is reported again on refill
            self._put(NonceUnavailable(request.request_id))
            return
        card, face, state = self._card_worker, self._face_worker, self.session  # jobs keep the state they began in
        assert card is not None and face is not None
        match request:
            case ReadCard(reader=role):
                card.submit(request.request_id, lambda job: self._read_card(job, state, role), timeout=CARD_TIMEOUT,
                            timeout_code="timeout.card", on_error=card_answers.read_failed)  # fmt: skip
            case ReadPinTries():
                card.submit(request.request_id, lambda job: self._pin_tries(job, state), timeout=CARD_TIMEOUT,
                            timeout_code="timeout.card", on_error=self._card_failed)  # fmt: skip
            case VerifyPin():
                pin = request.pin  # only in this closure, until the VERIFY is sent
                card.submit(request.request_id, lambda job: self._verify_pin(job, state, pin), timeout=CARD_TIMEOUT,
                            timeout_code="timeout.card", on_error=card_answers.pin_refused)  # fmt: skip
            case SignChallenge():
                card.submit(request.request_id, lambda job: self._sign(job, state), timeout=CARD_TIMEOUT,
                            timeout_code="timeout.card", on_error=self._card_failed)  # fmt: skip
            case ScanCardFace():
                card.submit(request.request_id, lambda job: self._scan_card_face(job, state),
                            timeout=self.config.flow.timeouts.card_face_scan, timeout_code="timeout.card_face",
                            on_error=self._card_face_failed)  # fmt: skip
            case CaptureFace(seconds=seconds):
                face.submit(request.request_id, lambda job: self._capture_face(job, state, seconds),
                            timeout=seconds + 5, timeout_code="timeout.face", on_error=self._camera_failed)  # fmt: skip
            case EmitResult(claims=claims):
                self._emit_result(request.request_id, state, claims)

    def _take_nonce(self) -> bool:
        if self.session.nonce is None and self._host is not None:
            self.session.nonce = self._host.take_nonce()
        return self.session.nonce is not None

    def _timed(self, kind: str, started: float) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self.timings.append, (kind, time.monotonic() - started))

    # -- card jobs (on the card worker) ---------------------------------------------------------------------------

    def _read_card(self, job: Job, state: SessionState, role: ReaderRole) -> Event:
        started = time.monotonic()
        if role in self._mute:
            return card_answers.read_failed(job.request_id, card_errors.MuteCard("the card does not answer"))
        reader = self._readers.get(role)
        if reader is None or self._card_context is None:
            raise card_errors.NoCard("the card left before it was read")
        connection = self._card_context.connect(reader)
        session = CardSession(CardChannel(connection))
        state.reader, state.connection, state.card = reader, connection, session
        state.is_phone = role is ReaderRole.PHONE
        info = session.identify()
        state.card_expiry = info.card_expiry
        if info.auth_certificate is not None:
            state.certificate_not_after = info.auth_certificate.not_after
        wall = self._host.wall_time() if self._host is not None else None
        self._timed("card", started)
        return card_answers.card_read(job.request_id, info, wall)

    @staticmethod
    def _card(state: SessionState) -> CardSession:
        if state.card is None:
            raise card_errors.NoCard("no card session")
        return state.card

    def _pin_tries(self, job: Job, state: SessionState) -> Event:
        started = time.monotonic()
        tries = self._card(state).pin_tries_left()
        self._timed("card", started)
        return card_answers.pin_tries(job.request_id, tries)

    def _verify_pin(self, job: Job, state: SessionState, pin: str) -> Event:
        started = time.monotonic()
        self._card(state).verify_pin(pin)
        self._timed("card", started)
        return PinVerified(job.request_id)

    def _sign(self, job: Job, state: SessionState) -> Event:
        started = time.monotonic()
        assert state.nonce is not None
        try:
            self._card(state).sign_nonce(state.nonce)
        except card_errors.StatusWordError:
            if state.is_phone:  # an iPhone whose holder declined answers with a status word: a refusal, no fault
                return SignRefused(job.request_id)
            raise
        self._timed("card", started)
        return Signed(job.request_id)

    def _card_failed(self, request_id: int, error: Exception) -> Event:
        return RequestFailed(request_id, card_answers.failure_code(error))

    def _card_face_failed(self, request_id: int, error: Exception) -> Event:
        if isinstance(error, card_errors.CardError):
            return self._card_failed(request_id, error)
        return RequestFailed(request_id, Fault.CARD_FACE_CAMERA.value)

    def _scan_card_face(self, job: Job, state: SessionState) -> Event:
        from firmware.daemon.card_face import scan_card_face

        started = time.monotonic()
        answer = scan_card_face(job, state, self._card_face_camera, self._ocr_engine(), self._issuer_key)
        self._timed("card_face", started)
        return answer

    def _ocr_engine(self) -> Any:
        if self._ocr is None:
            from firmware.cardface.ocr import Ocr

            self._ocr = Ocr()
        return self._ocr

    # -- face jobs (on the face worker) ----------------------------------------------------------------------------

    def _camera_failed(self, request_id: int, error: Exception) -> Event:
        from firmware.face.errors import CardPhotoError

        # A chip photo with no usable face is the card's, not the camera's: the code says which, for staff.
        return RequestFailed(request_id, "face.card_photo" if isinstance(error, CardPhotoError)
                             else Fault.FACE_CAMERA.value)  # fmt: skip

    def _capture_face(self, job: Job, state: SessionState, seconds: float) -> Event:
        if self._verifier is None or self._face_camera is None or state.photo is None:
            return RequestFailed(job.request_id, Fault.FACE_MODELS.value if self._verifier is None
                                 else Fault.FACE_CAMERA.value)  # fmt: skip
        if state.face is None:
            state.face = self._verifier.open_session(state.photo)
        attempt = state.face.attempt()
        deadline = time.monotonic() + max(1.0, seconds - 1.0)
        last_cue = None
        started = time.monotonic()
        while attempt.result is None and not job.cancelled.is_set() and time.monotonic() < deadline:
            outcome = attempt.feed(self._face_camera.read())
            cue = outcome.guidance[0] if outcome.guidance else None
            if cue is not None and cue is not last_cue:
                job.emit(FaceGuidance(job.request_id, cue))
            last_cue = cue
        result = attempt.finish()
        self._timed("face", started)
        return face_answer(job.request_id, result)

    # -- the result ----------------------------------------------------------------------------------------------

    def _emit_result(self, request_id: int, state: SessionState, claims: ReceptionClaims) -> None:
        """Build, sign and store durably on a thread (an fsync), then send on the loop; the flow hears
        ``ResultAccepted`` only once the outbox holds the result."""
        host, keys, device = self._host, self._keys, self._device
        if host is None or keys is None or device is None:
            self._put(RequestFailed(request_id, Fault.OUTBOX.value))
            return
        nonce = state.nonce
        evidence = state.card.evidence if state.card is not None else SessionEvidence()
        issued_at = host.wall_time()
        assert nonce is not None  # EmitResult uses the host nonce: the daemon took one before starting it
        started = time.monotonic()

        def store() -> tuple[bytes, bytes]:
            signed = signed_claims(claims, evidence, device, nonce=nonce, cti=secrets.token_bytes(16),
                                   counter=keys.next_counter(), issued_at=issued_at)  # fmt: skip
            return signed.cti, host.store(signed)

        def stored(future: asyncio.Future[tuple[bytes, bytes]]) -> None:
            self.timings.append(("result", time.monotonic() - started))
            try:
                cti, cose = future.result()
            except ResultNotStored as error:
                self.log("outbox.write_failed", error=error.error)
                self._put(RequestFailed(request_id, Fault.OUTBOX.value))
                return
            except (EvidenceMissing, ResultError, StateError) as error:
                self.log("result.not_made", error=type(error).__name__)
                self._put(RequestFailed(request_id, "result.invalid"))
                return
            host.send_result(cti, cose)
            self.log("result.stored", method=claims.method.value)
            self._put(ResultAccepted(request_id))

        asyncio.ensure_future(asyncio.to_thread(store)).add_done_callback(stored)
