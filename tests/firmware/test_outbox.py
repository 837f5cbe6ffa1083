"""The reader's durable outbox: pending results, results the host rejected, and what a damaged disk leaves."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from firmware import outbox as outbox_module
from firmware.outbox import QUARANTINE, Outbox, Quarantined
from protocol.messages import MAX_COSE

from disk_faults import no_space


def test_a_rejected_result_is_kept_aside_and_no_longer_pending(tmp_path: Path) -> None:
    box = Outbox(tmp_path / "outbox")
    box.put(b"a" * 16, b"first")
    box.put(b"b" * 16, b"second")
    box.reject(b"a" * 16)
    assert box.pending() == [(b"b" * 16, b"second")]
    assert [(p.name, p.read_bytes()) for p in box.rejected()] == [(f"{(b'a' * 16).hex()}.cose", b"first")]
    box.remove(b"b" * 16)
    assert box.pending() == [] and len(box.rejected()) == 1  # accepting others never touches the rejected


def test_the_rejected_folder_is_bounded_oldest_first(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(outbox_module, "MAX_REJECTED", 3)
    box = Outbox(tmp_path / "outbox")
    for n in range(5):
        cti = bytes([n]) * 16
        box.put(cti, b"r%d" % n)
        os.utime(box.directory / f"{cti.hex()}.cose", ns=(n * 10**9, n * 10**9))
        box.reject(cti)
    assert [p.read_bytes() for p in box.rejected()] == [b"r2", b"r3", b"r4"]


def test_quarantine_takes_what_cannot_be_a_result_and_keeps_the_rest(tmp_path: Path) -> None:
    found: list[Quarantined] = []
    box = Outbox(tmp_path / "outbox", on_quarantine=found.append)
    box.put(b"g" * 16, b"good")
    (box.directory / f"{(b'L' * 16).hex()}.cose").write_bytes(b"x" * (MAX_COSE + 1))  # too large
    (box.directory / f"{(b'D' * 16).hex()}.cose").mkdir()  # a directory with the right suffix
    (box.directory / "not-hex.cose").write_bytes(b"?")
    assert box.pending() == [(b"g" * 16, b"good")]
    assert sorted(q.name for q in found) == sorted([f"{(b'L' * 16).hex()}.cose", f"{(b'D' * 16).hex()}.cose",
                                                    "not-hex.cose"])
    assert all(q.moved_to is not None and q.moved_to.parent == box.directory / QUARANTINE for q in found)
    assert len(list((box.directory / QUARANTINE).iterdir())) == 3
    assert box.pending() == [(b"g" * 16, b"good")] and len(found) == 3  # reported once, then out of the way


def test_an_unreadable_entry_is_quarantined(tmp_path: Path, monkeypatch) -> None:
    found: list[Quarantined] = []
    box = Outbox(tmp_path / "outbox", on_quarantine=found.append)
    box.put(b"u" * 16, b"unreadable")
    real = Path.read_bytes

    def failing_read(self: Path) -> bytes:
        if self.suffix == ".cose":
            raise OSError(errno.EIO, "Input/output error")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", failing_read)
    assert box.pending() == []
    assert [q.problem for q in found] == ["[Errno 5] Input/output error"]


def test_a_full_disk_leaves_no_temporary_behind(tmp_path: Path, monkeypatch) -> None:
    no_space(monkeypatch)
    box = Outbox(tmp_path / "outbox")
    with pytest.raises(OSError) as raised:
        box.put(b"f" * 16, b"full")
    assert raised.value.errno == errno.ENOSPC
    assert list(box.directory.iterdir()) == []



def test_a_temporary_left_by_a_killed_write_is_removed_when_the_outbox_opens(tmp_path: Path) -> None:
    """Issue 15, point 8: a kill during put() left ``<cti>.cose.tmp`` files that were never cleaned nor sent, each
    holding a whole signed result."""
    directory = tmp_path / "outbox"
    box = Outbox(directory)
    box.put(b"k" * 16, b"kept")
    (directory / f"{(b't' * 16).hex()}.cose.tmp").write_bytes(b"a whole signed result, never renamed")
    reopened = Outbox(directory)
    assert sorted(p.name for p in directory.iterdir()) == [f"{(b'k' * 16).hex()}.cose"]
    assert reopened.pending() == [(b"k" * 16, b"kept")]


WRITER = """
import os, sys
from pathlib import Path
from firmware.outbox import Outbox
box = Outbox(Path(sys.argv[1]))
n = 0
while True:
    n += 1
    box.put(int(sys.argv[2]).to_bytes(8, "big") + n.to_bytes(8, "big"), bytes(3000))
    print(n, flush=True)
"""


def test_kill_loops_of_the_outbox_writer_leave_no_temporary_after_reopening(tmp_path: Path) -> None:
    import subprocess
    import sys

    directory = tmp_path / "outbox"
    for kill in range(10):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(directory), str(kill)], stdout=subprocess.PIPE)
        assert writer.stdout is not None
        for _ in range(1 + kill):  # let it write a few results, then kill it in the middle of the next
            writer.stdout.readline()
        writer.kill()
        writer.wait()
        box = Outbox(directory)
        assert list(directory.glob("*.tmp")) == []
        assert all(len(cose) == 3000 for _, cose in box.pending())  # nothing torn
    assert len(box.pending()) >= 55  # 1 + 2 + … + 10 acknowledged writes, at least


def test_removing_and_setting_aside_are_durable(tmp_path: Path, monkeypatch) -> None:
    """Issue 15, point 8: remove() and reject() did not fsync the directory, so after a power cut an accepted
    result could come back (and be sent again)."""
    box = Outbox(tmp_path / "outbox")
    box.put(b"a" * 16, b"accepted")
    box.put(b"r" * 16, b"refused")
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    box.remove(b"a" * 16)
    assert synced == [str(box.directory)]
    synced.clear()
    box.reject(b"r" * 16)
    assert sorted(synced) == sorted([str(box.directory), str(box.directory / "rejected")])
