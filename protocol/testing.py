"""Test tools for the link: a fault-injecting line model, a lossy pty proxy, and a resubmitting test application.

CPython only (not part of the portable core). Used by tests/protocol and benchmarks/link.py; an integrator can use
them to put their own implementation of docs/protocol.md through the same faults.

- :class:`Faults` mangles a byte stream frame by frame (drop, bit flip, duplicate, reorder) and byte by byte
  (random corruption), deterministically from a seed.
- :class:`LossyPtyProxy` opens two real pty pairs and copies bytes between them through two :class:`Faults`;
  each end of the link opens one pty's device path with pyserial, exactly as it would open a serial port.
- :class:`MessageApp` is the application the acceptance test runs on each side: it numbers its messages, keeps
  them until acknowledged, resubmits them after any restart, and checks that what it receives arrives exactly
  once and in order (de-duplicating by its own message id, as an application on this link must).
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import os
import random
import struct
import termios
import tty
from typing import Self

from protocol.link import Acked, Delivered, Event, Link, PeerRestarted

__all__ = ["Faults", "LossyPtyProxy", "MessageApp", "open_pty", "OrderViolation"]


class Faults:
    """Per-direction fault model, applied to the wire bytes as they pass.

    Frame faults (each frame is the bytes up to and including a 0x00 delimiter): ``drop``, ``flip`` (one random
    bit), ``dup`` (sent twice), ``reorder`` (held back and sent after the next frame), each a probability.
    ``corrupt`` is a per-byte probability of replacing a byte with a random one, applied afterwards to
    everything, delimiters included.
    """

    def __init__(
        self,
        seed: int = 0,
        drop: float = 0.0,
        flip: float = 0.0,
        dup: float = 0.0,
        reorder: float = 0.0,
        corrupt: float = 0.0,
    ) -> None:
        self.rng = random.Random(seed)
        self.drop = drop
        self.flip = flip
        self.dup = dup
        self.reorder = reorder
        self.corrupt = corrupt
        self._partial = bytearray()
        self._held: bytes | None = None
        self._skip = self._next_gap()
        self.counts = {"frames": 0, "dropped": 0, "flipped": 0, "duplicated": 0, "reordered": 0, "corrupted": 0}

    def _next_gap(self) -> float:
        if self.corrupt <= 0:
            return math.inf
        u = self.rng.random()
        return int(math.log(1.0 - u) / math.log(1.0 - self.corrupt))

    def process(self, data: bytes) -> bytes:
        """Bytes in, mangled bytes out. Bytes of an unfinished frame are kept until its delimiter arrives."""
        out = bytearray()
        self._partial += data
        while True:
            end = self._partial.find(b"\x00")
            if end < 0:
                break
            frame = bytes(self._partial[: end + 1])
            del self._partial[: end + 1]
            if frame == b"\x00":
                out += frame
                continue
            self._frame(frame, out)
        return self._corrupt(out)

    def flush(self) -> bytes:
        """Release a held-back frame (call when the line goes idle, so a reordered frame is not held forever)."""
        out = bytearray()
        if self._held is not None:
            out += self._held
            self._held = None
        return self._corrupt(out)

    def _frame(self, frame: bytes, out: bytearray) -> None:
        rng = self.rng
        self.counts["frames"] += 1
        if rng.random() < self.drop:
            self.counts["dropped"] += 1
            return
        if rng.random() < self.flip:
            self.counts["flipped"] += 1
            b = bytearray(frame)
            bit = rng.randrange((len(b) - 1) * 8)  # not the delimiter
            b[bit // 8] ^= 1 << (bit % 8)
            frame = bytes(b)
        copies = 2 if rng.random() < self.dup else 1
        if copies == 2:
            self.counts["duplicated"] += 1
        if self._held is None and rng.random() < self.reorder:
            self.counts["reordered"] += 1
            self._held = frame * copies
            return
        out += frame * copies
        if self._held is not None:
            out += self._held
            self._held = None

    def _corrupt(self, out: bytearray) -> bytes:
        n = len(out)
        pos = self._skip
        while pos < n:
            out[int(pos)] = self.rng.randrange(256)  # a whole number: only the "never" gap is math.inf
            self.counts["corrupted"] += 1
            pos += 1 + self._next_gap()
        self._skip = pos - n if pos != math.inf else math.inf
        return bytes(out)


def open_pty(baudrate: int | None = None) -> tuple[int, str, int]:
    """A raw pty pair: ``(master_fd, device_path, slave_fd)``. ``baudrate`` sets the slave's termios speed (a pty
    does not throttle to it: pace writes for a real-speed figure). The caller keeps ``slave_fd`` open so that the
    pair survives while an end closes and reopens the device (a restart), and closes it at the end."""
    master, slave = os.openpty()
    tty.setraw(slave)
    if baudrate is not None:
        speed = getattr(termios, "B%d" % baudrate)
        attrs = termios.tcgetattr(slave)
        attrs[4] = attrs[5] = speed
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
    return master, os.ttyname(slave), slave


class LossyPtyProxy:
    """Two pty pairs with a fault-injecting copier between their master ends.

    ``path_a`` and ``path_b`` are device paths for the two ends of the link. ``pace`` (bytes per second), if
    set, limits each direction like a UART at that rate (a pty alone copies as fast as the CPU allows).
    """

    def __init__(
        self,
        faults_ab: Faults | None = None,
        faults_ba: Faults | None = None,
        baudrate: int | None = None,
        pace: float | None = None,
    ) -> None:
        self.faults_ab = faults_ab or Faults()
        self.faults_ba = faults_ba or Faults(seed=1)
        self.pace = pace
        self._ma, self.path_a, self._sa = open_pty(baudrate)
        self._mb, self.path_b, self._sb = open_pty(baudrate)
        for fd in (self._ma, self._mb):
            os.set_blocking(fd, False)
        self._tasks: list[asyncio.Task[None]] = []
        self.bytes_ab = 0
        self.bytes_ba = 0
        self.bytes_lost = 0

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def start(self) -> None:
        self._tasks = [
            asyncio.ensure_future(self._pump(self._ma, self._mb, self.faults_ab, "ab")),
            asyncio.ensure_future(self._pump(self._mb, self._ma, self.faults_ba, "ba")),
        ]

    async def close(self) -> None:
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            try:
                await t
            except asyncio.CancelledError:
                pass
        for fd in (self._ma, self._mb, self._sa, self._sb):
            try:
                os.close(fd)
            except OSError:
                pass

    async def _pump(self, src: int, dst: int, faults: Faults, name: str) -> None:
        loop = asyncio.get_running_loop()
        readable = asyncio.Event()
        loop.add_reader(src, readable.set)
        budget_start = loop.time()
        sent = 0
        try:
            while True:
                try:
                    async with asyncio.timeout(0.05):  # not wait_for: see SerialLink._driver
                        await readable.wait()
                except TimeoutError:
                    out = faults.flush()
                    if out:
                        await self._write(dst, out)
                    continue
                readable.clear()
                try:
                    data = os.read(src, 65536)
                except (BlockingIOError, OSError):
                    continue
                if not data:
                    continue
                if name == "ab":
                    self.bytes_ab += len(data)
                else:
                    self.bytes_ba += len(data)
                out = faults.process(data)
                if self.pace:
                    # Pace like a UART: never ahead of `pace` bytes per second since the last idle moment.
                    now = loop.time()
                    if now - budget_start > sent / self.pace:
                        budget_start, sent = now, 0
                    sent += len(out)
                    delay = budget_start + sent / self.pace - loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
                await self._write(dst, out)
        finally:
            loop.remove_reader(src)

    async def _write(self, fd: int, data: bytes) -> None:
        view = memoryview(data)
        stalled = 0.0
        while view:
            try:
                n = os.write(fd, view)
                view = view[n:]
                stalled = 0.0
            except BlockingIOError:
                # The other end is not reading (it is restarting): after a moment the bytes are lost, as on a
                # UART with nobody listening. Never block the other direction for it.
                if stalled >= 0.05:
                    self.bytes_lost += len(view)
                    return
                await asyncio.sleep(0.005)
                stalled += 0.005
            except OSError:
                self.bytes_lost += len(view)
                return


class OrderViolation(AssertionError):
    """The test application received a message out of order."""


_MSG_HEADER = struct.Struct("<Q32s")


class MessageApp:
    """A test application on one end of the link.

    Messages are ``app id (8 bytes) | SHA-256 of the filler | filler`` of ``size_min..size_max`` bytes in all.
    The outbox keeps every message until the link acknowledges it and resubmits the unacknowledged ones, in
    order, after a restart of either side. Received messages must carry the next app id, or an earlier one (a
    duplicate after a restart, dropped here); anything else raises :class:`OrderViolation`.
    """

    def __init__(
        self, name: str, count: int, seed: int, size_min: int = 1000, size_max: int = 3000, max_outstanding: int = 16
    ) -> None:
        self.name = name
        self.count = count
        self.rng = random.Random(seed)
        self.size_min = size_min
        self.size_max = size_max
        self.max_outstanding = max_outstanding
        self.next_app_id = 0
        self.outbox: dict[int, bytes] = {}  # app id -> payload, until acknowledged
        self.in_link: dict[int, int] = {}  # link msg_id -> app id, for the current Link object
        self.received = 0  # next app id expected from the peer
        self.duplicates = 0
        self.restarts_seen = 0
        self.acked: set[int] = set()

    def make(self, app_id: int) -> bytes:
        size = self.rng.randint(self.size_min, self.size_max) - _MSG_HEADER.size
        filler = self.rng.randbytes(size)
        return _MSG_HEADER.pack(app_id, hashlib.sha256(filler).digest()) + filler

    @property
    def done_sending(self) -> bool:
        return len(self.acked) == self.count

    def attach(self, link: Link) -> None:
        """A new Link object (start or own restart): resubmit everything not yet acknowledged, in order."""
        self.in_link = {}
        for app_id in sorted(self.outbox):
            self.in_link[link.send(self.outbox[app_id])] = app_id

    def top_up(self, link: Link) -> None:
        """Submit new messages while fewer than ``max_outstanding`` are unacknowledged."""
        while self.next_app_id < self.count and len(self.outbox) < self.max_outstanding:
            app_id = self.next_app_id
            self.next_app_id += 1
            self.outbox[app_id] = self.make(app_id)
            self.in_link[link.send(self.outbox[app_id])] = app_id

    def handle(self, link: Link, event: Event) -> None:
        if isinstance(event, Delivered):
            app_id, digest = _MSG_HEADER.unpack_from(event.payload)
            if hashlib.sha256(event.payload[_MSG_HEADER.size:]).digest() != digest:
                raise AssertionError("%s: message %d delivered corrupted" % (self.name, app_id))
            if app_id < self.received:
                self.duplicates += 1
            elif app_id == self.received:
                self.received += 1
            else:
                raise OrderViolation("%s: got message %d, expected %d" % (self.name, app_id, self.received))
        elif isinstance(event, Acked):
            app_id = self.in_link.pop(event.msg_id)
            self.outbox.pop(app_id, None)
            self.acked.add(app_id)
        elif isinstance(event, PeerRestarted):
            self.restarts_seen += 1
            for msg_id, payload in event.unacked:
                app_id = self.in_link.pop(msg_id)
                self.in_link[link.send(payload)] = app_id
