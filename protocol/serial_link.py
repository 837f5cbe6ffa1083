"""A thin asyncio binding: runs a sans-IO :class:`protocol.link.Link` over a real port with pyserial.

CPython only. The port is anything ``serial.serial_for_url`` opens: a device path (``/dev/ttyACM0``,
``/dev/ttyGS0``, ``COM3``, a pty's slave such as ``/dev/pts/7``) or ``socket://HOST:PORT`` (tests). Reading runs
in one thread with a short timeout (works the same on Windows COM ports, which have no file descriptor to poll);
writing runs in a worker thread so a slow UART never blocks the event loop. The Link itself is touched only from
the event loop.

If the port fails (a USB re-plug, ``SerialException``/``OSError``), it is closed and reopened every
``reopen_interval`` seconds; the Link keeps its state, so nothing handed to it is lost and the session resumes (or,
if the peer restarted meanwhile, a :class:`protocol.link.PeerRestarted` event says what to resubmit)::

    async with SerialLink("/dev/ttyACM0", on_event=handle) as port:
        msg_id = port.send(b"...")

``on_event(event)`` is called synchronously, in order, from the event loop; resubmit inside it on
``PeerRestarted`` to keep order. Without ``on_event``, events queue for :meth:`SerialLink.next_event`. An exception
raised by ``on_event`` is passed to the event loop's exception handler (and counted in ``callback_errors``) and the
remaining events of the same read are still delivered: the link has acknowledged them already, so skipping them
would lose them.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Callable

import serial

from protocol.link import Event, Link

__all__ = ["SerialLink"]


class SerialLink:
    def __init__(
        self,
        url: str,
        *,
        baudrate: int = 115200,
        link: Link | None = None,
        on_event: Callable[[Event], None] | None = None,
        reopen_interval: float = 0.5,
        read_timeout: float = 0.02,
        write_timeout: float = 5.0,
    ) -> None:
        self.url = url
        self.baudrate = baudrate
        self.link = link if link is not None else Link()
        self.on_event = on_event
        self.reopen_interval = reopen_interval
        self.read_timeout = read_timeout
        self.write_timeout = write_timeout
        self.port_errors = 0
        self.callback_errors = 0
        self._events: asyncio.Queue[Event] = asyncio.Queue()
        self._port: serial.SerialBase | None = None
        self._stop = threading.Event()
        self._wake = asyncio.Event()
        self._outbuf = bytearray()
        self._out_ready = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._reader: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # ------------------------------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> "SerialLink":
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._reader = threading.Thread(target=self._read_thread, name="serial-link-reader", daemon=True)
        self._reader.start()
        self._tasks = [
            asyncio.ensure_future(self._driver()),
            asyncio.ensure_future(self._writer()),
        ]

    async def close(self) -> None:
        """Stop reading and writing and close the port. The Link object stays as it is."""
        self._stop.set()
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            try:
                await t
            except asyncio.CancelledError:
                pass
        port = self._port
        if port is not None and hasattr(port, "cancel_read"):
            port.cancel_read()  # wake a read blocked in the reader thread
        if self._reader is not None:
            await asyncio.to_thread(self._reader.join, 2.0)
        self._close_port()

    # ------------------------------------------------------------------------------------------ API

    def send(self, payload: bytes) -> int:
        """Queue a message on the link; returns its ``msg_id``. Call from the event loop."""
        msg_id = self.link.send(payload)
        self._wake.set()
        return msg_id

    async def next_event(self) -> Event:
        """The next event, when no ``on_event`` callback was given."""
        return await self._events.get()

    # ------------------------------------------------------------------------------------------ internals

    def _dispatch(self, events: list[Event]) -> None:
        for ev in events:
            if self.on_event is None:
                self._events.put_nowait(ev)
                continue
            try:
                self.on_event(ev)
            except Exception as exc:  # noqa: BLE001 - reported below; the next event must still be delivered
                self.callback_errors += 1
                if self._loop is not None:
                    self._loop.call_exception_handler({
                        "message": f"SerialLink({self.url}): on_event failed for {type(ev).__name__}",
                        "exception": exc,
                    })
        out = self.link.data_to_send()
        if out:
            self._outbuf += out
            self._out_ready.set()
        self._wake.set()

    def _on_bytes(self, data: bytes) -> None:
        if self._stop.is_set():
            return
        self._dispatch(self.link.receive_bytes(data, time.monotonic()))

    async def _driver(self) -> None:
        # Sleeps until the link's next deadline or a wake-up. A call_later timer rather than asyncio.wait_for:
        # on Python 3.11, wait_for can swallow a cancellation that lands as its inner wait completes, which
        # left close() awaiting this task for ever.
        loop = asyncio.get_running_loop()
        while True:
            deadline = self.link.next_deadline()
            self._wake.clear()
            timer = None
            if deadline is not None:
                delay = deadline - time.monotonic()
                if delay <= 0:
                    self._wake.set()
                else:
                    timer = loop.call_later(delay, self._wake.set)
            try:
                await self._wake.wait()
            finally:
                if timer is not None:
                    timer.cancel()
            self._dispatch(self.link.poll(time.monotonic()))
            await asyncio.sleep(0)  # let the reader's callbacks and the writer run between polls

    async def _writer(self) -> None:
        while True:
            await self._out_ready.wait()
            self._out_ready.clear()
            data = bytes(self._outbuf)
            self._outbuf.clear()
            port = self._port
            if not data or port is None:
                continue  # no port right now: the link retransmits what mattered once it is back
            try:
                await asyncio.to_thread(port.write, data)
            except serial.SerialTimeoutException:
                pass  # nobody drains the line: drop, the link retransmits what mattered
            except (serial.SerialException, OSError, TypeError, AttributeError):
                # TypeError/AttributeError: pyserial's reaction to a port closed under a write (the reader thread
                # closed it after a read error, as on an unplug). Either way this port is gone; the reader opens
                # the next one, and the link retransmits what mattered.
                if port is self._port:
                    self.port_errors += 1
                    self._close_port()

    def _open_port(self) -> serial.SerialBase | None:
        try:
            return serial.serial_for_url(
                self.url, baudrate=self.baudrate, timeout=self.read_timeout, write_timeout=self.write_timeout
            )
        except (serial.SerialException, OSError, ValueError):
            self.port_errors += 1
            return None

    def _close_port(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except (serial.SerialException, OSError):
                pass

    def _read_thread(self) -> None:
        loop = self._loop
        assert loop is not None
        while not self._stop.is_set():
            port = self._port
            if port is None:
                port = self._open_port()
                if port is None:
                    self._stop.wait(self.reopen_interval)
                    continue
                self._port = port
                loop.call_soon_threadsafe(self._wake.set)
            try:
                data = port.read(max(1, port.in_waiting))
            except (serial.SerialException, OSError, TypeError, AttributeError):
                # TypeError/AttributeError: pyserial's reaction to a port closed under a blocked read.
                if not self._stop.is_set():
                    self.port_errors += 1
                    self._close_port()
                continue
            if data:
                loop.call_soon_threadsafe(self._on_bytes, data)
