"""The line to the reception PC, by URL: pyserial's own forms, which :class:`protocol.serial_link.SerialLink`
opens as they are (a device path such as ``/dev/ttyGS0``, ``socket://HOST:PORT``, ``loop://``), and ``pty:`` for
development: a pty pair for the reader, another for the reception PC's software, and a copier thread between them,
so that each side opens a device path exactly as it would open a serial port. ``pty:LINK`` also makes ``LINK`` a
symlink to the reception PC's end, so it has a fixed name to open.
"""

from __future__ import annotations

import os
import select
import threading
import tty
from dataclasses import dataclass, field
from pathlib import Path

PTY_COPY_CHUNK = 4096


class DevelopmentPty:
    """Two raw pty pairs with a lossless copier thread between their master ends.

    Both slave ends stay open here as well, so either side can close and reopen its device (a restart) without the
    pair going away. Bytes sent while nobody reads the other end wait in its pty until its buffer is full, and are
    then dropped, as on a serial line with nobody listening; the link's framing and resending cope with both.
    """

    def __init__(self, link: Path | None = None) -> None:
        self._fds: list[int] = []
        self._reader_master, self.reader_path = self._pair()
        self._host_master, self.host_path = self._pair()
        self.link = link
        if link is not None:
            link.unlink(missing_ok=True)
            link.symlink_to(self.host_path)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._copy, name="development-pty", daemon=True)
        self._thread.start()

    def _pair(self) -> tuple[int, str]:
        master, slave = os.openpty()
        self._fds += [master, slave]
        tty.setraw(slave)
        os.set_blocking(master, False)
        return master, os.ttyname(slave)

    def _copy(self) -> None:
        other = {self._reader_master: self._host_master, self._host_master: self._reader_master}
        while not self._stop.is_set():
            ready, _, _ = select.select(list(other), [], [], 0.2)
            for source in ready:
                try:
                    data = os.read(source, PTY_COPY_CHUNK)
                except BlockingIOError:
                    continue
                except OSError:  # closed under us while stopping
                    return
                try:
                    os.write(other[source], data)
                except BlockingIOError:
                    pass  # nobody reads the other end: dropped, as on a line with nobody listening
                except OSError:
                    return

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for fd in self._fds:
            os.close(fd)
        self._fds = []
        if self.link is not None and self.link.is_symlink():
            self.link.unlink()


@dataclass
class HostLine:
    """What the host link opens (``url``, for SerialLink) and, for ``pty:``, the device path the reception PC's side
    opens (``peer``)."""

    url: str
    pty: DevelopmentPty | None = field(default=None, repr=False)

    @property
    def peer(self) -> str | None:
        return None if self.pty is None else self.pty.host_path

    def close(self) -> None:
        if self.pty is not None:
            self.pty.close()


def open_serial_url(url: str) -> HostLine:
    """A device path or a pyserial URL: SerialLink opens (and reopens) it itself."""
    return HostLine(url)


def open_development_pty(url: str) -> HostLine:
    """``pty:`` or ``pty:LINK``."""
    link = url.partition(":")[2]
    pty = DevelopmentPty(Path(link) if link else None)
    return HostLine(pty.reader_path, pty)
