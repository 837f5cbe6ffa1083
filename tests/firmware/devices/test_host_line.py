"""Host lines by URL: pyserial's own forms pass through as they are; ``pty:`` is a development line over real ptys."""

from __future__ import annotations

from pathlib import Path

import serial

from firmware.devices.backends import standard_registry
from firmware.devices.registry import HOST


def _read(port: serial.SerialBase, n: int) -> bytes:
    data = b""
    for _ in range(50):  # up to 50 × the port's timeout
        data += port.read(n - len(data))
        if len(data) == n:
            break
    return data


def test_pyserial_urls_pass_through() -> None:
    registry = standard_registry()
    for url in ("/dev/ttyGS0", "socket://127.0.0.1:7700", "loop://"):
        line = registry.open(HOST, url)
        assert (line.url, line.peer) == (url, None)
        line.close()


def test_a_development_pty_carries_bytes_both_ways_and_survives_a_reopen(tmp_path: Path) -> None:
    link = tmp_path / "reception-pc"
    line = standard_registry().open(HOST, f"pty:{link}")
    try:
        assert line.peer is not None and link.resolve() == Path(line.peer).resolve()
        host = serial.serial_for_url(str(link), timeout=0.1)
        reader = serial.serial_for_url(line.url, timeout=0.1)
        reader.write(b"\x00hello host\x00")
        assert _read(host, 12) == b"\x00hello host\x00"
        host.write(bytes(range(256)) * 8)  # binary, more than one copy chunk
        assert _read(reader, 2048) == bytes(range(256)) * 8
        reader.close()  # the reader restarts: the pair stays, and the line works again once reopened
        reader = serial.serial_for_url(line.url, timeout=0.1)
        host.write(b"again")
        assert _read(reader, 5) == b"again"
        reader.close()
        host.close()
    finally:
        line.close()
    assert not link.exists()
