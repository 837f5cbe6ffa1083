"""A whole reader on emulated hardware: the daemon with the emulated card behind the real pcscd, gpiozero's
MockFactory pins pressed by a scripted patient, the PNG panel, and the real host SDK on the other end of a pty."""

from __future__ import annotations

import asyncio
import dataclasses
import io
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.card.emulated import pki
from drivers.inputs.config import InputConfig
from drivers.inputs.emulated import EmulatedFrontPanel
from firmware.daemon.config import DaemonConfig
from firmware.daemon.daemon import Daemon
from firmware.daemon.log import EventLog
from firmware.devices.backends import standard_registry
from firmware.devices.registry import GPIO, Backend, DeviceConfig
from firmware.reception import Option, State
from firmware.reception.config import FlowConfig
from protocol.host.client import ReaderClient
from protocol.host.policy import HostPolicy
from protocol.host.store import HostStore
from protocol.host.verify import ResultVerifier, VerifiedResult

CARD_READER = "Virtual PCD 00 00"
TIMEOUT = 30.0


async def until(predicate: Callable[[], bool], timeout: float = TIMEOUT, what: str = "condition") -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError(f"{what} not reached")
        await asyncio.sleep(0.02)


@dataclass
class Reader:
    """The running daemon, its scripted patient and the reception PC's end."""

    daemon: Daemon
    patient: EmulatedFrontPanel
    results: list[VerifiedResult] = field(default_factory=list)
    log: io.StringIO = field(default_factory=io.StringIO)

    @property
    def state(self) -> State:
        assert self.daemon.flow is not None
        return self.daemon.flow.state

    async def reach(self, state: State, timeout: float = TIMEOUT) -> None:
        await until(lambda: self.state is state, timeout, f"state {state.value} (at {self.state.value})")

    async def choose(self, option: Option) -> None:
        """Press the button the panel draws ``option`` beside, once that screen is on the panel."""
        front = self.daemon._front
        assert front is not None
        await until(lambda: option in front._buttons.values(), what=f"a button for {option.value}")
        button = next(b for b, o in front._buttons.items() if o is option)
        await self.patient.push(button)

    async def type(self, keys: str) -> None:
        for key in keys:
            await self.patient.tap(key)
        await self.patient.tap("enter")


@asynccontextmanager
async def running_reader(tmp_path: Path, flow: FlowConfig | None = None, *, devices: dict[str, str | None] | None = None,
                         backends: Sequence[Backend[Any]] = ()) -> AsyncIterator[Reader]:  # fmt: skip
    """``devices`` replaces device URLs by field name; ``backends`` replace the standard ones of their scheme."""
    inputs = InputConfig()
    patient = EmulatedFrontPanel(inputs)
    registry = standard_registry().with_backend(
        Backend(GPIO, "mock", emulated=True, open=lambda _url: patient.factory, description="mock"))
    for backend in backends:
        registry = registry.with_backend(backend)
    link = tmp_path / "host-line"
    device_config = DeviceConfig(card=f"pcsc:{CARD_READER}", camera="synthetic:64x48", card_face_camera=None,
                                 gpio="mock", panel=f"png:{tmp_path / 'screen.png'}", audio=None, host=f"pty:{link}")
    config = DaemonConfig(
        devices=dataclasses.replace(device_config, **(devices or {})),
        flow=flow or FlowConfig(),
        inputs=inputs,
        state_directory=tmp_path / "state",
    )
    log = io.StringIO()
    daemon = Daemon(config, registry, log=EventLog(stream=log))
    reader = Reader(daemon, patient, log=log)
    stop = asyncio.Event()
    task = asyncio.ensure_future(daemon.run(stop))
    try:
        await asyncio.wait_for(daemon.ready.wait(), TIMEOUT)
        assert daemon._keys is not None
        verifier = ResultVerifier(daemon._keys.key.public_key(), HostStore(tmp_path / "host.sqlite"),
                                  [pki.test_ca().certificate], policy=HostPolicy.development())  # fmt: skip
        async with ReaderClient(str(link), verifier, on_result=reader.results.append, pool_size=4):
            yield reader
    finally:
        stop.set()
        await asyncio.wait_for(task, TIMEOUT)


async def pin_reception(reader: Reader, pin: str = "1234") -> None:
    """A patient's whole PIN reception from the card read to the result verified at the host: PIN, the three
    consents agreed."""
    await reader.reach(State.CHOOSE_METHOD)
    await reader.choose(Option.PIN)
    await reader.reach(State.ENTERING_PIN)
    await reader.type(pin)
    await reader.reach(State.CONSENT_MEDICAL)
    await reader.choose(Option.AGREE)
    await reader.reach(State.CONSENT_CHECKUP)
    await reader.choose(Option.AGREE)
    await reader.reach(State.CONSENT_LIMIT)
    await reader.choose(Option.PROVIDE)
    await until(lambda: len(reader.results) == 1, what="the verified result at the host")
