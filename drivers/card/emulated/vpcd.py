"""vpcd's TCP protocol, card side: the emulated card connects to the reader driver as a TCP client.

Every message is a 2-byte big-endian length and a payload. A 1-byte payload from vpcd is a control code (00 power
off, 01 power on, 02 reset, 04 send the ATR); anything longer is a command APDU, answered with the response APDU.
Connected = card in the reader; closed = card removed.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable

from drivers.card.emulated.card import EmulatedCard

log = logging.getLogger(__name__)

DEFAULT_PORT = 35963  # vpcd's first slot, reader "Virtual PCD 00 00"; 35964 is "Virtual PCD 00 01"

POWER_OFF, POWER_ON, RESET, GET_ATR = 0, 1, 2, 4


class VpcdCard:
    """Puts an :class:`EmulatedCard` into a vpcd slot and serves it from a background thread.

    ``pull_when`` is a fault injector for tests: when it returns True for a command APDU, the card is pulled
    (the connection closed) instead of answering, as if the patient took it away mid-command.
    """

    def __init__(self, card: EmulatedCard, host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> None:
        self.card = card
        self.host = host
        self.port = port
        self.pull_when: Callable[[bytes], bool] | None = None
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def inserted(self) -> bool:
        return self._sock is not None

    def insert(self, timeout: float = 10.0) -> None:
        """Connect to vpcd (retrying while it is not listening yet) and start answering."""
        if self.inserted:
            raise RuntimeError("the card is already inserted")
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection((self.host, self.port), timeout=2.0)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self._sock = sock
        self.card.power_off()
        self._thread = threading.Thread(target=self._serve, args=(sock,), name=f"vpcd-card:{self.port}", daemon=True)
        self._thread.start()

    def remove(self) -> None:
        """Take the card out: close the connection. Idempotent."""
        with self._lock:
            sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        self._thread = None

    def wait_removed(self, timeout: float | None = None) -> bool:
        """Wait until the connection ends (vpcd went away, or the card was pulled). True if it did."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                message = _receive(sock)
                if message is None:
                    break
                reply = self._answer(message)
                if reply is None:
                    if len(message) > 1:  # pulled mid-command
                        break
                    continue
                sock.sendall(len(reply).to_bytes(2, "big") + reply)
        except OSError as exc:
            log.debug("vpcd connection ended: %s", exc)
        finally:
            with self._lock:
                if self._sock is sock:
                    self._sock = None
            sock.close()
            self.card.power_off()

    def _answer(self, message: bytes) -> bytes | None:
        if len(message) == 1:
            code = message[0]
            if code == GET_ATR:
                return self.card.atr
            if code == POWER_ON:
                self.card.power_on()
            elif code in (POWER_OFF, RESET):
                self.card.reset()
            return None
        if self.pull_when is not None and self.pull_when(message):
            return None
        return self.card.process(message)


def _receive(sock: socket.socket) -> bytes | None:
    header = _receive_exactly(sock, 2)
    if header is None:
        return None
    return _receive_exactly(sock, int.from_bytes(header, "big"))


def _receive_exactly(sock: socket.socket, n: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < n:
        # vpcd sends length and payload as two segments; with delayed ACK that stalls each APDU by ~40 ms.
        # TCP_QUICKACK is not sticky, so it is set again before every read.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        chunk = sock.recv(n - len(chunks))
        if not chunk:
            return None
        chunks += chunk
    return bytes(chunks)
