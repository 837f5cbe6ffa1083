"""Signed results waiting for the host's acknowledgement, kept on disk so that a reboot loses none.

One file per result (``<cti hex>.cose``), written atomically and fsynced; removed when the host accepts it. A result
the host rejects moves to ``rejected/`` (never sent again, kept for the technician and for audit; only the oldest
beyond :data:`MAX_REJECTED` are removed, so a host that rejects everything cannot fill the disk). A result holds no
PIN, image or embedding: only what the protocol defines (docs/protocol.md).
"""

from __future__ import annotations

from pathlib import Path

from firmware.state_files import write_private

REJECTED = "rejected"
MAX_REJECTED = 1000


class Outbox:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    def put(self, cti: bytes, cose: bytes) -> None:
        write_private(self._path(cti), cose)

    def remove(self, cti: bytes) -> None:
        self._path(cti).unlink(missing_ok=True)

    def reject(self, cti: bytes) -> None:
        """Move a result the host refused out of the pending set into ``rejected/``, keeping at most
        :data:`MAX_REJECTED` there (the oldest go first)."""
        source = self._path(cti)
        if not source.exists():
            return  # never stored (or already moved): nothing on disk to keep
        rejected = self.directory / REJECTED
        rejected.mkdir(exist_ok=True, mode=0o700)
        source.replace(rejected / source.name)
        kept = sorted(rejected.glob("*.cose"), key=lambda p: p.stat().st_mtime_ns)
        for old in kept[: max(0, len(kept) - MAX_REJECTED)]:
            old.unlink(missing_ok=True)

    def rejected(self) -> list[Path]:
        """The results the host refused that are still kept, oldest first."""
        return sorted((self.directory / REJECTED).glob("*.cose"), key=lambda p: p.stat().st_mtime_ns)

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

    def _path(self, cti: bytes) -> Path:
        return self.directory / f"{cti.hex()}.cose"
