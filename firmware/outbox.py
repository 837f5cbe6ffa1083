"""Signed results waiting for the host's acknowledgement, kept on disk so that a reboot loses none.

One file per result (``<cti hex>.cose``), written atomically and fsynced; removed when the host accepts it. Every
removal and move is made durable (the directory is fsynced), so a power cut cannot bring back a result the host
accepted. A temporary left by a kill or power cut in the middle of a write (``<cti hex>.cose.tmp``: never renamed,
so never reported stored nor sent, but holding a whole signed result) is removed when the outbox is opened. A result
the host rejects moves to ``rejected/`` (never sent again, kept for the technician and for audit; only the oldest
beyond :data:`MAX_REJECTED` are removed, so a host that rejects everything cannot fill the disk). An entry that
cannot be a result (a name that is no result id, larger than a ``result`` message carries, unreadable, a directory)
moves to ``quarantine/`` and is reported, so one damaged file cannot stop the reader from starting. A result holds
no PIN, image or embedding: only what the protocol defines (docs/protocol.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from firmware.state_files import sync_directory, write_private
from protocol.messages import MAX_COSE

REJECTED = "rejected"
QUARANTINE = "quarantine"
MAX_REJECTED = 1000


@dataclass(frozen=True)
class Quarantined:
    """An outbox entry that could not be read as a result, moved to ``quarantine/`` (``moved_to``; None when even
    the move failed and it was only skipped)."""

    name: str
    problem: str
    moved_to: Path | None


class Outbox:
    def __init__(self, directory: Path, on_quarantine: Callable[[Quarantined], None] | None = None) -> None:
        self.directory = directory
        self.on_quarantine = on_quarantine
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._remove_temporaries()

    def put(self, cti: bytes, cose: bytes) -> None:
        """Store a result durably; raises ``OSError`` (e.g. a full disk) having left nothing behind."""
        write_private(self._path(cti), cose)

    def remove(self, cti: bytes) -> None:
        """Forget a result the host accepted, durably."""
        try:
            self._path(cti).unlink()
        except FileNotFoundError:
            return
        sync_directory(self.directory)

    def _remove_temporaries(self) -> None:
        temporaries = list(self.directory.glob("*.tmp"))
        for path in temporaries:
            path.unlink(missing_ok=True)
        if temporaries:
            sync_directory(self.directory)

    def reject(self, cti: bytes) -> None:
        """Move a result the host refused out of the pending set into ``rejected/``, keeping at most
        :data:`MAX_REJECTED` there (the oldest go first)."""
        source = self._path(cti)
        if not source.exists():
            return  # never stored (or already moved): nothing on disk to keep
        rejected = self.directory / REJECTED
        rejected.mkdir(exist_ok=True, mode=0o700)
        source.replace(rejected / source.name)
        kept = sorted(rejected.glob("*.cose"), key=_age)
        for old in kept[: max(0, len(kept) - MAX_REJECTED)]:
            old.unlink(missing_ok=True)
        # Both ends of the move: after a power cut the result is in rejected/, not pending again.
        sync_directory(rejected)
        sync_directory(self.directory)

    def rejected(self) -> list[Path]:
        """The results the host refused that are still kept, oldest first."""
        return sorted((self.directory / REJECTED).glob("*.cose"), key=_age)

    def pending(self) -> list[tuple[bytes, bytes]]:
        """(cti, cose) of every unacknowledged result, oldest first; unusable entries are quarantined."""
        out = []
        for path in sorted(self.directory.glob("*.cose"), key=_age):
            try:
                cti = bytes.fromhex(path.stem)
                if path.is_dir():
                    raise IsADirectoryError("a directory")
                if path.stat().st_size > MAX_COSE:
                    raise ValueError(f"larger than {MAX_COSE} bytes")
                out.append((cti, path.read_bytes()))
            except (OSError, ValueError) as exc:
                self._quarantine(path, str(exc) or type(exc).__name__)
        return out

    def _quarantine(self, path: Path, problem: str) -> None:
        target = self.directory / QUARANTINE / f"{path.name}.{time.time_ns()}"  # unique: the same name may recur
        moved: Path | None = target
        try:
            target.parent.mkdir(exist_ok=True, mode=0o700)
            path.replace(target)
            sync_directory(target.parent)
            sync_directory(self.directory)
        except OSError:
            moved = None  # cannot even move it (read-only disk?): skip it this time, report it all the same
        if self.on_quarantine is not None:
            self.on_quarantine(Quarantined(path.name, problem, moved))

    def _path(self, cti: bytes) -> Path:
        return self.directory / f"{cti.hex()}.cose"


def _age(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0  # vanished or unreadable: sorts first, and pending() quarantines it
