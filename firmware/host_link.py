"""The daemon's connection to the reception PC: the link, the message endpoint, signing and the durable outbox.

``HostLink`` runs :class:`protocol.serial_link.SerialLink` with a :class:`protocol.reader.ReaderEndpoint` on the
configured port (``/dev/ttyGS0`` on the Pi, a pty or ``socket://`` in development). The daemon tells it the flow's
state, takes a nonce when an authentication starts (the card signs over it on the PIN path), and publishes the signed
result; the result stays in the outbox until the host accepts it, and is sent again after a reconnect or reboot. A
result the host rejects is moved to the outbox's ``rejected/`` folder and reported as a :class:`ResultRefused` notice
(and a log line), naming the result id and the host's reason code only: no personal data.

A result is published only once it is durable: :meth:`HostLink.store` signs and writes it to the outbox, or raises
:class:`ResultNotStored` (a full or read-only disk) and nothing is sent — the reception then ends as a device error
rather than reach the counter without the reader being able to resend it.

:meth:`HostLink.ready` is what the flow calls "host connected": the link is up, the host has answered recently, and
the pool holds a nonce. While connected the reader sends its state every :data:`HEARTBEAT_SECONDS`; a message the host
leaves unacknowledged for :data:`SILENT_SECONDS` means the host went silent (a PC that hangs keeps the USB line up).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from protocol.link import Acked, Delivered, Event, Link, PeerRestarted
from protocol.serial_link import SerialLink

from firmware.attest import DeviceKeys
from firmware.outbox import Outbox, Quarantined
from protocol.reader import DeviceIdentity, HostCommand, HostError, Output, ReaderEndpoint
from protocol.results import ResultClaims

log = logging.getLogger(__name__)

# How often the endpoint's timers run (nonce expiry): well under the nonce TTLs and the need_nonces back-off.
TICK_SECONDS = 1.0
HEARTBEAT_SECONDS = 10.0  # an idle link sends the state this often, so a silent host is noticed
SILENT_SECONDS = 15.0  # a message unacknowledged this long: the host is not answering


@dataclass(frozen=True)
class ResultRefused:
    """The host refused a result: it is kept in ``<outbox>/rejected/`` and not sent again."""

    cti: bytes
    reason: str  # the host's rejection code, e.g. "expired-nonce"


class ResultNotStored(OSError):
    """The outbox could not store a result (a full or read-only disk): it was not sent."""

    def __init__(self, cti: bytes, error: str) -> None:
        super().__init__(error)
        self.cti = cti
        self.error = error


Notice = ResultRefused | Quarantined | HostError


class HostLink:
    def __init__(
        self,
        url: str,
        keys: DeviceKeys,
        firmware_version: str,
        outbox_dir: Path,
        on_command: Callable[[HostCommand], None],
        *,
        baudrate: int = 115200,
        link: Link | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_notice: Callable[[Notice], None] | None = None,
        heartbeat: float = HEARTBEAT_SECONDS,
        silent_after: float = SILENT_SECONDS,
    ) -> None:
        self.heartbeat = heartbeat
        self.silent_after = silent_after
        self.keys = keys
        self.clock = clock
        self.on_command = on_command
        self.on_notice = on_notice
        self.outbox = Outbox(outbox_dir, on_quarantine=self._notice)
        self.endpoint = ReaderEndpoint(DeviceIdentity(keys.device, keys.public_pem, keys.fingerprint,
                                                      firmware_version, keys.demo))
        self._port = SerialLink(url, baudrate=baudrate, link=link, on_event=self._on_event)
        self._ticker: asyncio.Task[None] | None = None
        self._sent_at: dict[int, float] = {}  # link msg_id -> when first sent, until acknowledged
        self._last_heartbeat = 0.0

    async def start(self) -> None:
        await self._port.start()
        self._ticker = asyncio.ensure_future(self._tick())
        # Results signed before a reboot and never acknowledged go first.
        for cti, cose in self.outbox.pending():
            self._port.send(self.endpoint.result(cti, cose))

    async def close(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            try:
                await self._ticker
            except asyncio.CancelledError:
                pass
        await self._port.close()

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECONDS)
            # Only while connected: without a host nobody would answer, and the asks would pile up in the link's
            # queue. The handshake's info tells a (re)connecting host the pool's size anyway.
            if self._port.link.connected:
                now = self.clock()
                self._apply(self.endpoint.poll(now))
                if not self._sent_at and now - self._last_heartbeat >= self.heartbeat:
                    self._send(self.endpoint.current_state())

    def ready(self) -> bool:
        """Whether the reader can make results the host accepts now: the link is up, the host answers, and the
        nonce pool holds at least one nonce."""
        now = self.clock()
        if not self._port.link.connected:
            return False
        if self._sent_at and now - min(self._sent_at.values()) > self.silent_after:
            return False
        return self.endpoint.nonces_available(now) > 0

    def _send(self, payload: bytes) -> None:
        now = self.clock()
        self._sent_at[self._port.send(payload)] = now
        self._last_heartbeat = now

    def state_changed(self, state: str, mode: str) -> None:
        self._send(self.endpoint.state_changed(state, mode))

    def take_nonce(self) -> bytes | None:
        nonce, out = self.endpoint.take_nonce(self.clock())
        self._apply(out)
        return nonce

    def wall_time(self) -> int | None:
        return self.endpoint.wall_time(self.clock())

    def store(self, claims: ResultClaims) -> bytes:
        """Sign and write the result to the outbox, durably; returns the signed result. Blocking (an fsync): call it
        off the event loop. Raises :class:`ResultNotStored` when the outbox cannot take it."""
        cose = self.keys.sign(claims)
        try:
            self.outbox.put(claims.cti, cose)
        except OSError as exc:
            raise ResultNotStored(claims.cti, exc.strerror or type(exc).__name__) from None
        return cose

    def send_result(self, cti: bytes, cose: bytes) -> None:
        """Send a stored result (on the loop); it goes again after a reconnect until the host acknowledges it."""
        self._send(self.endpoint.result(cti, cose))

    def publish(self, claims: ResultClaims) -> bytes:
        """:meth:`store`, then :meth:`send_result`; returns the signed result."""
        cose = self.store(claims)
        self.send_result(claims.cti, cose)
        return cose

    def refuse(self, command: HostCommand, detail: str) -> None:
        self._send(self.endpoint.refuse(command, detail))

    def _on_event(self, event: Event) -> None:
        if isinstance(event, Delivered):
            self._apply(self.endpoint.receive(event.payload, self.clock()))
        elif isinstance(event, Acked):
            self._sent_at.pop(event.msg_id, None)
        elif isinstance(event, PeerRestarted):
            # The host restarted: every result it has not acknowledged goes again (it may have taken some just
            # before; it recognises those by their result id).
            self._sent_at.clear()
            for payload in self.endpoint.unacknowledged():
                self._send(payload)

    def _apply(self, out: Output) -> None:
        for payload in out.send:
            self._send(payload)
        for cti in out.acknowledged:
            self.outbox.remove(cti)
        for refused in out.rejected:
            self.outbox.reject(refused.cti)
            self._notice(ResultRefused(refused.cti, refused.reason))
        for error in out.host_errors:
            self._notice(error)
        for command in out.commands:
            self.on_command(command)

    def _notice(self, notice: Notice) -> None:
        # Notices carry result ids, reason codes and file names only: no personal data reaches the log.
        log.warning("%r", notice)
        if self.on_notice is not None:
            self.on_notice(notice)
