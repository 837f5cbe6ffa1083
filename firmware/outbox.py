"""Signed results waiting for the host's acknowledgement, kept on disk so that a reboot loses none.

One file per result (``<cti hex>.cose``), written atomically and fsynced; removed when the host acknowledges it. A
result holds no PIN, image or embedding: only what the protocol defines (docs/protocol.md).
"""

from __future__ import annotations

from pathlib import Path

from firmware.state_files import write_private


class Outbox:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    def put(self, cti: bytes, cose: bytes) -> None:
        write_private(self.directory / f"{cti.hex()}.cose", cose)

    def remove(self, cti: bytes) -> None:
        (self.directory / f"{cti.hex()}.cose").unlink(missing_ok=True)

    def pending(self) -> list[tuple[bytes, bytes]]:
        """(cti, cose) of every unacknowledged result, oldest first."""
        files = sorted(self.directory.glob("*.cose"), key=lambda p: p.stat().st_mtime_ns)
        out = []
        for path in files:
            try:
                out.append((bytes.fromhex(path.stem), path.read_bytes()))
            except ValueError:
                path.rename(path.with_suffix(".corrupt"))  # keep it for the technician, out of the way
        return out
