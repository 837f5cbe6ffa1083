"""The host SDK: talk to a reader over its port, keep its nonce pool filled, and receive verified results.

::

    store = HostStore("host.sqlite")
    verifier = ResultVerifier(load_pem_public_key(pinned_pem), store, ca_certificates)
    async with ReaderClient("/dev/ttyACM0", verifier) as reader:      # or "COM3", "socket://127.0.0.1:7700"
        info = await reader.info()
        while True:
            event = await reader.next_event()
            if isinstance(event, VerifiedResult): ...                  # hand it to the reception system
            elif isinstance(event, Rejection): ...                     # log it: event.reason is a stable code

On every (re)connection the client says hello, sets the reader's clock and tops its nonce pool up; nonces are issued
from the :class:`~protocol.host.store.HostStore`, so they are on record before the reader ever sees them. Each
result is verified before it is handed out, then acknowledged to the reader (accepted or not) so that the reader
stops resending it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from protocol import messages
from protocol.host.verify import ResultRejected, ResultVerifier, UntrustedDevice, VerifiedResult
from protocol.link import Connected, Delivered, Event, Link, LinkError, PeerRestarted
from protocol.messages import Message, MessageError
from protocol.results import CTI, ResultError, fingerprint, open_result
from protocol.serial_link import SerialLink


@dataclass(frozen=True)
class ReaderInfo:
    device: bytes
    public_key_pem: str
    fingerprint: str
    firmware: str
    versions: list[int]
    demo: bool
    clock_set: bool
    nonces: int

    def as_json(self) -> dict[str, Any]:
        return {"device": self.device.hex(), "public_key": self.public_key_pem, "fingerprint": self.fingerprint,
                "firmware": self.firmware, "protocol_versions": self.versions, "demo": self.demo,
                "clock_set": self.clock_set, "nonces": self.nonces}


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
    failed to handle (e.g. ``sqlite3.Error`` from the host store): the client carries on with the next one, and a
    result it could not handle stays unacknowledged, so the reader sends it again after a reconnect."""

    error: Exception


ClientEvent = ReaderInfo | StateChange | VerifiedResult | Rejection | ReaderError | ProtocolProblem


class ReaderClient:
    """One reader on ``port``: use as an async context manager and read :meth:`next_event` (see the module docstring).

    ``verifier`` checks every result (None: an ``info``-only client that accepts no results); ``pool_size`` nonces of
    ``nonce_ttl`` seconds are kept on the reader; ``link`` replaces the default link (tests inject a lossy one).
    """

    def __init__(
        self,
        port: str,
        verifier: ResultVerifier | None,
        *,
        baudrate: int = 115200,
        pool_size: int = 8,
        nonce_ttl: float = 900.0,
        host_name: str = "mynareader-host",
        link: Link | None = None,
    ) -> None:
        if verifier is not None and verifier.store is None:
            raise ValueError("a live client needs a verifier with a HostStore (nonces must be on record)")
        self.verifier = verifier
        self.pool_size = pool_size
        self.nonce_ttl = nonce_ttl
        self.host_name = host_name
        self._port = SerialLink(port, baudrate=baudrate, link=link, on_event=self._on_link_event)
        self._events: asyncio.Queue[ClientEvent] = asyncio.Queue()
        self._info: ReaderInfo | None = None
        self._info_ready = asyncio.Event()
        self._next_id = 0
        self.protocol_errors = 0

    async def __aenter__(self) -> ReaderClient:
        await self._port.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._port.close()

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
        # Called by the link for each event of a batch: an exception here would drop the rest of the batch (and
        # could end the link's driver task), so a failure to handle one event — a host SQLite error, a bug — is
        # reported and the next event is handled. A result whose handling failed is not acknowledged, so the
        # reader keeps it and sends it again after the next reconnect.
        try:
            self._handle_link_event(event)
        except Exception as exc:  # noqa: BLE001 - any failure, see above
            self.protocol_errors += 1
            self._events.put_nowait(ProtocolProblem(exc))

    def _handle_link_event(self, event: Event) -> None:
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
            self._on_message(event.payload)
        elif isinstance(event, LinkError):
            self.protocol_errors += 1
            self._events.put_nowait(ProtocolProblem(event.error))

    def _on_message(self, payload: bytes) -> None:
        try:
            message = messages.decode(payload)
        except MessageError as error:
            self.protocol_errors += 1
            self._events.put_nowait(ProtocolProblem(error))
            self._port.send(messages.encode(messages.error_reply(error, self._id())))
            return
        if message.type == messages.INFO:
            self._on_info(message)
        elif message.type == messages.NEED_NONCES:
            if self._trusted():
                self._top_up(message["available"])
        elif message.type == messages.STATE:
            self._events.put_nowait(StateChange(message["state"], message["mode"], message["seq"]))
        elif message.type == messages.RESULT:
            self._on_result(message["cose"])
        elif message.type == messages.ERROR:
            self._events.put_nowait(ReaderError(message["code"], message.get("detail", ""), message.get("re")))

    def _on_info(self, message: Message) -> None:
        info = ReaderInfo(message["device"], message["public_key"], message["fingerprint"], message["firmware"],
                          list(message["versions"]), message["demo"], message["clock_set"], message["nonces"])
        self._info = info
        self._info_ready.set()
        self._events.put_nowait(info)
        if self.verifier is None:
            return  # information only: no nonces, so the reader makes no results for us
        if not self._trusted():
            self._events.put_nowait(Rejection(UntrustedDevice.reason,
                                              f"reader key {info.fingerprint} is not the pinned key"))
            return
        self._top_up(info.nonces)

    def _trusted(self) -> bool:
        """Whether results from this reader can be verified: a verifier is set and the reader's key is pinned."""
        return (self.verifier is not None and self._info is not None
                and self._info.fingerprint == fingerprint(self.verifier.device_key))

    def _top_up(self, available: int) -> None:
        missing = self.pool_size - available
        if missing <= 0:
            return
        assert self.verifier is not None and self.verifier.store is not None
        nonces = self.verifier.store.issue(missing, self.nonce_ttl, time.time())
        self._send(messages.NONCE_POOL, {"nonces": nonces, "ttl": int(self.nonce_ttl)})

    def _on_result(self, cose: bytes) -> None:
        if self.verifier is None:
            return  # information-only client: it issued no nonces, so no result can be for it
        # No need to wait for info: the verifier checks the result against the pinned key itself.
        try:
            verified = self.verifier.verify(cose)
        except ResultRejected as rejected:
            self._events.put_nowait(Rejection(rejected.reason, str(rejected), cose))
            cti = _cti_of(cose)
            if cti is not None:
                self._send(messages.RESULT_ACK, {"cti": cti, "accepted": False, "reason": rejected.reason})
            return
        self._send(messages.RESULT_ACK, {"cti": verified.claims.cti, "accepted": True})
        self._events.put_nowait(verified)

    def _send(self, kind: str, fields: dict[str, Any] | None = None) -> None:
        self._port.send(messages.encode(Message(kind, self._id(), fields or {})))

    def _id(self) -> int:
        self._next_id = (self._next_id + 1) % 2**32
        return self._next_id


def _cti_of(cose: bytes) -> bytes | None:
    """The result id of a result that failed verification, so the reader can be told to stop resending it."""
    try:
        cti = open_result(cose).claims.get(CTI)
    except ResultError:
        return None
    return cti if isinstance(cti, bytes) and len(cti) <= 64 else None
