"""The host SDK: talk to a reader over its port, keep its nonce pool filled, and receive verified results.

::

    store = HostStore("host.sqlite")
    verifier = ResultVerifier(load_pem_public_key(pinned_pem), store, ca_certificates, HostPolicy())

    async def hand_over(result: VerifiedResult) -> None:               # store it durably, then return
        await reception_system.save(result.as_json())

    async with ReaderClient("/dev/ttyACM0", verifier, on_result=hand_over) as reader:   # or "COM3", "socket://…"
        info = await reader.info()
        while True:
            event = await reader.next_event()
            if isinstance(event, Rejection): ...                       # log it: event.reason is a stable code

On every (re)connection the client says hello, sets the reader's clock and tops its nonce pool up; nonces are issued
from the :class:`~protocol.host.store.HostStore`, so they are on record before the reader ever sees them.

Each result is verified, recorded as pending, handed to ``on_result``, and only once ``on_result`` has returned
is the hand-over committed to the store and the result acknowledged to the reader (``accepted: true``); so a host
that stops at any moment loses no result and hands none over twice (docs/protocol.md, "Acknowledgement"). If
``on_result`` raises, the result is not acknowledged (:class:`HandOverFailed`); the reader sends it again after the
next reconnect, and it comes back with ``redelivered`` set — as does a result whose hand-over was interrupted by a
host restart. A resend of a result already handed over is acknowledged as accepted again and reported as
:class:`~protocol.host.verify.AlreadyAccepted`, not handed over twice. A result that fails verification is
acknowledged with ``accepted: false`` and its rejection code, so that the reader stops resending it.

All work on the store (SQLite) and the result checks run in a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from protocol import messages
from protocol.host.verify import AlreadyAccepted, ResultRejected, ResultVerifier, UntrustedDevice, VerifiedResult
from protocol.link import Connected, Delivered, Event, Link, LinkError, PeerRestarted
from protocol.messages import Message, MessageError
from protocol.results import CTI, ResultError, fingerprint, fingerprint_bytes, open_result
from protocol.serial_link import SerialLink


@dataclass(frozen=True)
class ReaderInfo:
    """What a reader says about itself. ``fingerprint`` is computed here from ``public_key_pem`` (None when that is
    not a P-256 public key); ``reported_fingerprint`` is the text the reader sent, which decides nothing."""

    device: bytes
    public_key_pem: str
    fingerprint: str | None
    reported_fingerprint: str
    firmware: str
    versions: list[int]
    demo: bool
    clock_set: bool
    nonces: int

    def as_json(self) -> dict[str, Any]:
        return {"device": self.device.hex(), "public_key": self.public_key_pem, "fingerprint": self.fingerprint,
                "reported_fingerprint": self.reported_fingerprint, "firmware": self.firmware,
                "protocol_versions": self.versions, "demo": self.demo, "clock_set": self.clock_set,
                "nonces": self.nonces}


@dataclass(frozen=True)
class StateChange:
    state: str
    mode: str
    seq: int


@dataclass(frozen=True)
class Rejection:
    """A result (or a reader) that failed verification; ``reason`` is the rejection's stable code. ``cose`` is the
    rejected result's bytes (None when a reader, not a result, was rejected): keep them if the rejection must be
    investigated — the reader keeps its copy aside and does not send it again."""

    reason: str
    detail: str
    cose: bytes | None = None


@dataclass(frozen=True)
class HandOverFailed:
    """``on_result`` raised for ``result``: it was not acknowledged, stays pending in the store, and is handed over
    again (``redelivered``) when the reader resends it after the next reconnect."""

    result: VerifiedResult
    error: Exception


@dataclass(frozen=True)
class ReaderError:
    """An ``error`` message from the reader (a command it refused, a message it could not parse)."""

    code: int
    detail: str
    in_reply_to: int | None


@dataclass(frozen=True)
class ProtocolProblem:
    """Input from the line that was refused: a frame the link dropped (``protocol.errors.FrameError``: CRC, COBS,
    oversize, version, …) or a message that did not decode (``protocol.messages.MessageError``, answered with an
    ``error`` message). Informational: the link and the reader recover by themselves. Also an event the client
    failed to handle (e.g. :class:`~protocol.host.store.StoreError`): the client carries on with the next one, and a
    result it could not handle stays unacknowledged, so the reader sends it again after a reconnect."""

    error: Exception


ClientEvent = ReaderInfo | StateChange | Rejection | AlreadyAccepted | HandOverFailed | ReaderError | ProtocolProblem
ResultHandler = Callable[[VerifiedResult], Awaitable[None] | None]


class ReaderClient:
    """One reader on ``port``: use as an async context manager and read :meth:`next_event` (see the module docstring).

    ``verifier`` checks every result (None: an ``info``-only client that accepts no results) and ``on_result``
    (required with a verifier) takes each verified result: the acknowledgement waits for it to return. ``pool_size``
    nonces of ``nonce_ttl`` seconds are kept on the reader, and at most ``max_unused`` unused ones on record for it
    (default twice the pool: room for one reader restart that lost its pool; beyond it the oldest are retired).
    ``link`` replaces the default link (tests inject a lossy one).
    """

    def __init__(
        self,
        port: str,
        verifier: ResultVerifier | None,
        *,
        on_result: ResultHandler | None = None,
        baudrate: int = 115200,
        pool_size: int = 8,
        nonce_ttl: float = 900.0,
        max_unused: int | None = None,
        host_name: str = "mynareader-host",
        link: Link | None = None,
    ) -> None:
        if verifier is not None and verifier.store is None:
            raise ValueError("a live client needs a verifier with a HostStore (nonces must be on record)")
        if verifier is not None and on_result is None:
            raise ValueError("a live client needs on_result: the hand-over that the acknowledgement waits for")
        if not 1 <= pool_size <= messages.MAX_POOL or not 1 <= nonce_ttl <= messages.MAX_NONCE_TTL:
            raise ValueError(f"pool_size must be 1-{messages.MAX_POOL} and nonce_ttl 1-{messages.MAX_NONCE_TTL} s")
        self.verifier = verifier
        self.on_result = on_result
        self.pool_size = pool_size
        self.nonce_ttl = nonce_ttl
        self.max_unused = 2 * pool_size if max_unused is None else max(max_unused, pool_size)
        self.host_name = host_name
        self._port = SerialLink(port, baudrate=baudrate, link=link, on_event=self._on_link_event)
        self._events: asyncio.Queue[ClientEvent] = asyncio.Queue()
        self._inbox: asyncio.Queue[Event] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._info: ReaderInfo | None = None
        self._info_ready = asyncio.Event()
        self._last_state: StateChange | None = None
        self._next_id = 0
        self.protocol_errors = 0

    async def __aenter__(self) -> ReaderClient:
        if self.verifier is not None and self.verifier.store is not None:
            await asyncio.to_thread(self.verifier.store.prune, time.time())
        self._worker = asyncio.ensure_future(self._work())
        await self._port.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._port.close()
        if self._worker is not None:
            self._worker.cancel()
            try:
                await self._worker
            except asyncio.CancelledError:
                pass

    # -- what the integrator calls ----------------------------------------------------------------------------

    async def info(self, timeout: float = 10.0) -> ReaderInfo:
        """The reader's info from the current connection's handshake."""
        await asyncio.wait_for(self._info_ready.wait(), timeout)
        assert self._info is not None
        return self._info

    async def next_event(self) -> ClientEvent:
        return await self._events.get()

    def set_mode(self, mode: str, staff_id: str | None = None) -> None:
        fields: dict[str, Any] = {"mode": mode}
        if staff_id is not None:
            fields["staff"] = staff_id
        self._send(messages.SET_MODE, fields)

    def cancel(self) -> None:
        self._send(messages.CANCEL)

    def status(self) -> None:
        self._send(messages.STATUS)

    # -- link events --------------------------------------------------------------------------------------------

    def _on_link_event(self, event: Event) -> None:
        # Called by the link, synchronously, for each event of a batch: queued for the worker, which handles them in
        # order and may wait (for the store's thread, for on_result) without holding up the link.
        self._inbox.put_nowait(event)

    async def _work(self) -> None:
        while True:
            event = await self._inbox.get()
            # A failure to handle one event — a StoreError, a bug — is reported and the next event is handled. A
            # result whose handling failed is not acknowledged, so the reader sends it again after a reconnect.
            try:
                await self._handle_link_event(event)
            except Exception as exc:  # noqa: BLE001 - any failure, see above
                self.protocol_errors += 1
                self._events.put_nowait(ProtocolProblem(exc))

    async def _handle_link_event(self, event: Event) -> None:
        if isinstance(event, Connected):
            self._info = None
            self._info_ready.clear()  # the same Event: info() may already be waiting on it
            self._send(messages.HELLO, {"host": self.host_name, "versions": [messages.VERSION]})
            self._send(messages.SET_TIME, {"unix": time.time()})
        elif isinstance(event, PeerRestarted):
            # The reader restarted: what it did not acknowledge (nonce pools, commands) belonged to its old
            # incarnation. The handshake that follows (Connected) refills what it needs.
            pass
        elif isinstance(event, Delivered):
            await self._on_message(event.payload)
        elif isinstance(event, LinkError):
            self.protocol_errors += 1
            self._events.put_nowait(ProtocolProblem(event.error))

    async def _on_message(self, payload: bytes) -> None:
        try:
            message = messages.decode(payload)
        except MessageError as error:
            self.protocol_errors += 1
            self._events.put_nowait(ProtocolProblem(error))
            if error.message_type != messages.ERROR:  # an error about an error could bounce for ever
                self._port.send(messages.encode(messages.error_reply(error, self._id())))
            return
        if message.type == messages.INFO:
            await self._on_info(message)
        elif message.type == messages.NEED_NONCES:
            if self._trusted():
                await self._top_up(message["available"])
        elif message.type == messages.STATE:
            change = StateChange(message["state"], message["mode"], message["seq"])
            if change != self._last_state:  # the same state again is the reader's heartbeat: nothing changed
                self._last_state = change
                self._events.put_nowait(change)
        elif message.type == messages.RESULT:
            await self._on_result(message["cose"])
        elif message.type == messages.ERROR:
            self._events.put_nowait(ReaderError(message["code"], message.get("detail", ""), message.get("re")))

    async def _on_info(self, message: Message) -> None:
        info = ReaderInfo(message["device"], message["public_key"], _computed_fingerprint(message["public_key"]),
                          message["fingerprint"], message["firmware"], list(message["versions"]), message["demo"],
                          message["clock_set"], message["nonces"])
        self._info = info
        self._info_ready.set()
        self._events.put_nowait(info)
        if self.verifier is None:
            return  # information only: no nonces, so the reader makes no results for us
        if not self._trusted():
            self._events.put_nowait(Rejection(UntrustedDevice.reason,
                                              f"reader key {info.fingerprint} is not the pinned key"))
            return
        await self._top_up(info.nonces)

    def _trusted(self) -> bool:
        """Whether results from this reader can be verified: a verifier is set and the key the reader sent — not
        the fingerprint text it reports about itself — is the pinned one."""
        return (self.verifier is not None and self._info is not None
                and self._info.fingerprint == fingerprint(self.verifier.device_key))

    async def _top_up(self, available: int) -> None:
        missing = self.pool_size - available
        if missing <= 0:
            return
        assert self.verifier is not None and self.verifier.store is not None
        nonces = await asyncio.to_thread(self.verifier.store.issue, missing, self.nonce_ttl, time.time(),
                                         fingerprint_bytes(self.verifier.device_key), self.max_unused)
        self._send(messages.NONCE_POOL, {"nonces": nonces, "ttl": int(self.nonce_ttl)})

    async def _on_result(self, cose: bytes) -> None:
        if self.verifier is None or self.on_result is None:
            return  # information-only client: it issued no nonces, so no result can be for it
        # No need to wait for info: the verifier checks the result against the pinned key itself.
        try:
            admitted = await asyncio.to_thread(self.verifier.admit, cose)
        except ResultRejected as rejected:
            self._events.put_nowait(Rejection(rejected.reason, str(rejected), cose))
            cti = _cti_of(cose)
            if cti is not None:
                self._send(messages.RESULT_ACK, {"cti": cti, "accepted": False, "reason": rejected.reason})
            return
        if isinstance(admitted, AlreadyAccepted):
            self._events.put_nowait(admitted)
            self._send(messages.RESULT_ACK, {"cti": admitted.result_id, "accepted": True})
            return
        try:
            handed = self.on_result(admitted)
            if inspect.isawaitable(handed):
                await handed
        except Exception as exc:  # noqa: BLE001 - the integrator's failure: reported, the result stays pending
            self._events.put_nowait(HandOverFailed(admitted, exc))
            return
        await asyncio.to_thread(self.verifier.commit, admitted)
        self._send(messages.RESULT_ACK, {"cti": admitted.claims.cti, "accepted": True})

    def _send(self, kind: str, fields: dict[str, Any] | None = None) -> None:
        self._port.send(messages.encode(Message(kind, self._id(), fields or {})))

    def _id(self) -> int:
        self._next_id = (self._next_id + 1) % 2**32
        return self._next_id


def _computed_fingerprint(pem: str) -> str | None:
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except (ValueError, UnsupportedAlgorithm):  # not PEM, not a key, or a key type cryptography does not know
        return None
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        return None
    return fingerprint(key)


def _cti_of(cose: bytes) -> bytes | None:
    """The result id of a result that failed verification, so the reader can be told to stop resending it."""
    try:
        cti = open_result(cose).claims.get(CTI)
    except ResultError:
        return None
    return cti if isinstance(cti, bytes) and 1 <= len(cti) <= 64 else None
