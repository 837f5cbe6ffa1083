"""systemd's service notifications (``sd_notify``) over the plain socket protocol: one datagram per state, to the
AF_UNIX socket named in ``$NOTIFY_SOCKET`` (an abstract one when it starts with ``@``). Outside systemd the variable
is unset and every call does nothing. No package is needed for three short messages."""

from __future__ import annotations

import os
import socket


class Notifier:
    def __init__(self, address: str | None = None) -> None:
        self._address = address if address is not None else os.environ.get("NOTIFY_SOCKET")
        self._socket: socket.socket | None = None

    @property
    def enabled(self) -> bool:
        return bool(self._address)

    @staticmethod
    def watchdog_interval() -> float | None:
        """Seconds between ``WATCHDOG=1`` pings: half of systemd's ``WatchdogSec`` (``$WATCHDOG_USEC``), or None."""
        usec = os.environ.get("WATCHDOG_USEC")
        pid = os.environ.get("WATCHDOG_PID")
        if not usec or (pid and pid != str(os.getpid())):
            return None
        try:
            return max(int(usec) / 2e6, 0.5)
        except ValueError:
            return None

    def send(self, *states: str) -> None:
        """``READY=1``, ``WATCHDOG=1``, ``STOPPING=1``, ``STATUS=…``; a failure to send is not the daemon's fault."""
        if not self._address:
            return
        address = "\0" + self._address[1:] if self._address.startswith("@") else self._address
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._socket.sendto("\n".join(states).encode(), address)
        except OSError:
            pass  # systemd gone or restarting: the watchdog will tell if it matters

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
