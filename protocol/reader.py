"""The reader's side of the message layer, sans-IO: host messages in; replies, notifications and commands out.

The daemon feeds :meth:`ReaderEndpoint.receive` with each payload the link delivers and sends what comes back. It
also tells the endpoint about the reception flow (:meth:`state_changed`) and hands it signed results
(:meth:`result`). The endpoint keeps the host's nonce pool (expiry counted on the monotonic clock, so a wall-clock
jump cannot extend a nonce), the wall-clock offset once the host set the time, and the results not yet acknowledged
by the host (sent again after a reconnect until ``result_ack`` names them).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from protocol import messages
from protocol.messages import ErrorCode, Message, MessageError

LOW_WATERMARK = 2  # ask for nonces when fewer than this many remain
MAX_NONCES = messages.MAX_POOL
# After asking, wait this long for nonces before asking again (the host may have been busy or the ask lost).
NONCE_ASK_BACKOFF = 30.0


@dataclass(frozen=True)
class DeviceIdentity:
    device: bytes  # ueid
    public_key_pem: str
    fingerprint: str
    firmware: str
    demo: bool


@dataclass(frozen=True)
class SetMode:
    """The host asks for a mode; the daemon passes it to the flow and answers :meth:`ReaderEndpoint.refuse` if the
    flow cannot take it now."""

    message_id: int
    mode: str
    staff_id: str | None


@dataclass(frozen=True)
class Cancel:
    message_id: int


HostCommand = SetMode | Cancel


@dataclass(frozen=True)
class RejectedByHost:
    """The host answered a result with ``result_ack`` without ``accepted: true``: it will not take that result, so
    it is not sent again, but it is kept (never deleted) for the technician and for audit."""

    cti: bytes
    reason: str  # the host's rejection code ("" when it gave none); host text, so log it quoted


@dataclass(frozen=True)
class HostError:
    """An ``error`` message from the host: it refused or could not read something the reader sent. Informational
    (results are resent until acknowledged anyway); the daemon logs it."""

    code: int
    detail: str
    in_reply_to: int | None


@dataclass
class Output:
    """What one call produced: payloads to send to the host, and commands for the daemon."""

    send: list[bytes] = field(default_factory=list)
    commands: list[HostCommand] = field(default_factory=list)
    acknowledged: list[bytes] = field(default_factory=list)  # result ids the host accepted: delete them
    rejected: list[RejectedByHost] = field(default_factory=list)  # results the host refused: keep them aside
    host_errors: list[HostError] = field(default_factory=list)  # error messages from the host, to log


class ReaderEndpoint:
    def __init__(self, identity: DeviceIdentity) -> None:
        self.identity = identity
        self._next_id = 0
        self._nonces: deque[tuple[bytes, float]] = deque()  # (nonce, monotonic expiry)
        self._clock_offset: float | None = None  # wall = monotonic + offset
        self._state = "idle"
        self._mode = "auto"
        self._state_seq = 0
        self._unacked: dict[bytes, bytes] = {}  # cti -> result message payload
        self._asked_at: float | None = None  # when the pool was last reported low; None = since new nonces came

    # -- from the host ---------------------------------------------------------------------------------------

    def receive(self, payload: bytes, now: float) -> Output:
        """Handle one payload from the host. Never raises for bad input: a message that does not decode, or whose
        field is out of its documented range, is answered with a typed ``error`` and changes nothing, so the
        daemon goes on with the next payload of the same read."""
        out = Output()
        try:
            message = messages.decode(payload)
        except MessageError as error:
            if error.message_type == messages.ERROR:  # an error about an error could bounce for ever
                out.host_errors.append(HostError(int(error.code), f"unreadable error message: {error.detail}",
                                                 error.in_reply_to))
            else:
                out.send.append(self._encode(messages.error_reply(error, self._id())))
            return out
        kind = message.type
        if kind in (messages.HELLO, messages.GET_INFO):
            out.send.append(self._info(now))
        elif kind == messages.NONCE_POOL:
            self._add_nonces(message, now)
        elif kind == messages.SET_MODE:
            out.commands.append(SetMode(message.id, message["mode"], message.get("staff")))
        elif kind == messages.CANCEL:
            out.commands.append(Cancel(message.id))
        elif kind == messages.STATUS:
            out.send.append(self._state_message())
        elif kind == messages.SET_TIME:
            self._set_time(message, now)
        elif kind == messages.RESULT_ACK:
            self._result_ack(message, out)
        elif kind == messages.ERROR:  # never answered: an error about an error could bounce for ever
            out.host_errors.append(HostError(message["code"], message.get("detail", ""), message.get("re")))
        else:  # a reader → host message sent to us
            out.send.append(self._error(ErrorCode.UNKNOWN_TYPE, f"{kind} is not a host message", message.id))
        return out

    def refuse(self, command: HostCommand, detail: str) -> bytes:
        """The error reply for a command the flow cannot take in its current state."""
        return self._error(ErrorCode.NOT_NOW, detail, command.message_id)

    # -- from the daemon ---------------------------------------------------------------------------------------

    def state_changed(self, state: str, mode: str) -> bytes:
        self._state, self._mode = state, mode
        self._state_seq = (self._state_seq + 1) % messages.UINT32_END
        return self._state_message()

    def current_state(self) -> bytes:
        """The state message again, unchanged (``seq`` too): a heartbeat the host may take as often as it comes."""
        return self._state_message()

    def take_nonce(self, now: float) -> tuple[bytes | None, Output]:
        """An unexpired nonce for a result (oldest first), and a ``need_nonces`` notice when the pool runs low."""
        self._drop_expired(now)
        nonce = self._nonces.popleft()[0] if self._nonces else None
        return nonce, self.poll(now)

    def poll(self, now: float) -> Output:
        """The time-driven entry point; call it every second or so while the link is connected. Nonces also run
        low by expiring while the reader is idle, so the pool is checked here, not only when one is taken."""
        out = Output()
        self._drop_expired(now)
        available = self.nonces_available(now)
        if available < LOW_WATERMARK and (self._asked_at is None or now - self._asked_at >= NONCE_ASK_BACKOFF):
            self._asked_at = now
            out.send.append(self._encode(Message(messages.NEED_NONCES, self._id(), {"available": available})))
        return out

    def nonces_available(self, now: float) -> int:
        return sum(1 for _, expiry in self._nonces if expiry > now)

    def wall_time(self, now: float) -> int | None:
        """Unix time, or None until the host has set the clock (the Pi has no RTC battery)."""
        return None if self._clock_offset is None else int(now + self._clock_offset)

    def result(self, cti: bytes, cose: bytes) -> bytes:
        """The ``result`` message for a signed result; kept until the host acknowledges it."""
        payload = self._encode(Message(messages.RESULT, self._id(), {"cose": cose}))
        self._unacked[cti] = payload
        return payload

    def unacknowledged(self) -> list[bytes]:
        """Result messages to send again after a reconnect, oldest first."""
        return list(self._unacked.values())

    # -- helpers ----------------------------------------------------------------------------------------------

    def _add_nonces(self, message: Message, now: float) -> None:
        nonces = message["nonces"]  # each 16-64 bytes and the ttl 1 s - 1 day: checked by messages.decode
        expiry = now + message["ttl"]
        for nonce in nonces:
            self._nonces.append((nonce, expiry))
        while len(self._nonces) > MAX_NONCES:
            self._nonces.popleft()
        self._asked_at = None

    def _drop_expired(self, now: float) -> None:
        while self._nonces and self._nonces[0][1] <= now:
            self._nonces.popleft()

    def _set_time(self, message: Message, now: float) -> None:
        # messages.decode refused NaN, infinities, bignums, negatives and milliseconds (bad-field, 2020-2100 only),
        # so the conversion cannot overflow and the old time stays when the value was wrong.
        self._clock_offset = float(message["unix"]) - now

    def _result_ack(self, message: Message, out: Output) -> None:
        cti: bytes = message["cti"]
        if self._unacked.pop(cti, None) is None:
            return  # a duplicate ack, or one for a result this reader never sent: nothing to do
        # Only an explicit acceptance may delete a result; anything else (a rejection, or an ack that does not
        # say) must not lose it, so it is set aside instead of being resent for ever.
        if message.get("accepted") is True:
            out.acknowledged.append(cti)
        else:
            out.rejected.append(RejectedByHost(cti, message.get("reason", "")))

    def _info(self, now: float) -> bytes:
        ident = self.identity
        if self.nonces_available(now) < LOW_WATERMARK:
            self._asked_at = now  # info carries the count, and the host tops up on it: no need_nonces on top
        return self._encode(Message(messages.INFO, self._id(), {
            "device": ident.device,
            "public_key": ident.public_key_pem,
            "fingerprint": ident.fingerprint,
            "firmware": ident.firmware,
            "versions": [messages.VERSION],
            "demo": ident.demo,
            "clock_set": self._clock_offset is not None,
            "nonces": self.nonces_available(now),
        }))

    def _state_message(self) -> bytes:
        return self._encode(Message(messages.STATE, self._id(),
                                    {"state": self._state, "mode": self._mode, "seq": self._state_seq}))

    def _error(self, code: ErrorCode, detail: str, in_reply_to: int | None) -> bytes:
        return self._encode(messages.error_reply(MessageError(code, detail, in_reply_to), self._id()))

    def _encode(self, message: Message) -> bytes:
        return messages.encode(message)

    def _id(self) -> int:
        self._next_id = (self._next_id + 1) % 2**32
        return self._next_id
