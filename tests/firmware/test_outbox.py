"""The reader's durable outbox: pending results, results the host rejected, and what a damaged disk leaves."""

from __future__ import annotations

import os
from pathlib import Path

from firmware import outbox as outbox_module
from firmware.outbox import Outbox


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
