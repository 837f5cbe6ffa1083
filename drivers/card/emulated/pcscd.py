"""Start, watch and stop a pcscd for the emulated card (tests, CI and the demo; never used on the device).

pcscd runs in the foreground as our child, its PID recorded in a pidfile so that another process (the test suite)
can restart it. Ready means its socket exists and vpcd listens on its TCP port (read from /proc/net/tcp: a TCP
connect would count as a card being inserted).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from drivers.card.emulated.vpcd import DEFAULT_PORT

PCSCD_SOCKET = Path("/run/pcscd/pcscd.comm")
PCSCD_OWN_PIDFILE = Path("/run/pcscd/pcscd.pid")  # written by pcscd itself


def running_pcscd() -> int | None:
    """The PID of a live pcscd, whoever started it."""
    try:
        # pcscd writes "PID\n" and a trailing NUL.
        pid = int(PCSCD_OWN_PIDFILE.read_text().split()[0])
    except (OSError, ValueError):
        return None
    return pid if pid_alive(pid) else None


class PcscdError(RuntimeError):
    """pcscd could not be started or stopped."""


def vpcd_listening(port: int = DEFAULT_PORT) -> bool:
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                return True
    return False


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0): reap it if it is ours, else read its state (someone else's zombie is dead too).
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return state != "Z"


def wait_ready(timeout: float = 10.0, port: int = DEFAULT_PORT) -> None:
    deadline = time.monotonic() + timeout
    while not (PCSCD_SOCKET.exists() and vpcd_listening(port) and running_pcscd() is not None):
        if time.monotonic() > deadline:
            raise PcscdError(f"pcscd not ready after {timeout} s (socket {PCSCD_SOCKET}, vpcd port {port})")
        time.sleep(0.01)


def start(pidfile: Path, log_path: Path, binary: str = "pcscd", extra_args: tuple[str, ...] = ()) -> int:
    """Start pcscd in the foreground as a detached child; record its PID; wait until it is ready.

    ``extra_args`` such as ``("--debug", "--apdu")`` make it log every APDU (PIN bytes included: tests only).
    """
    other = running_pcscd()
    if other is not None:
        raise PcscdError(
            f"a pcscd is already running as PID {other}; one pcscd per host, and the tests must own it "
            "(on systemd: systemctl stop pcscd.socket pcscd.service)"
        )
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [binary, "--foreground", *extra_args], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    pidfile.parent.mkdir(parents=True, exist_ok=True)
    pidfile.write_text(f"{proc.pid}\n")
    try:
        wait_ready()
        if running_pcscd() != proc.pid:
            raise PcscdError(f"pcscd exited at start; see {log_path}")
    except PcscdError:
        stop(pidfile)
        raise
    return proc.pid


def stop(pidfile: Path, timeout: float = 10.0) -> None:
    """SIGTERM the PID in the pidfile and wait until it is gone (a new pcscd refuses to start while it lives)."""
    if not pidfile.exists():
        return
    text = pidfile.read_text().strip()
    pid = int(text) if text else 0
    if pid and pid_alive(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while pid_alive(pid):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                deadline = time.monotonic() + timeout
            time.sleep(0.01)
    pidfile.unlink(missing_ok=True)


def restart(pidfile: Path, log_path: Path) -> int:
    stop(pidfile)
    return start(pidfile, log_path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m drivers.card.emulated.pcscd", description=__doc__)
    parser.add_argument("action", choices=("start", "stop"))
    parser.add_argument("--pidfile", type=Path, required=True)
    parser.add_argument("--log", type=Path, default=Path("/tmp/mynareader-pcscd.log"))
    args = parser.parse_args(argv)
    try:
        if args.action == "start":
            print(start(args.pidfile, args.log))
        else:
            stop(args.pidfile)
    except PcscdError as exc:
        print(f"pcscd: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
