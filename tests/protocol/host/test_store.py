"""The host store's file: owner-only from its creation, its first schema upgraded in place, its records bounded."""

from __future__ import annotations

import os
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest

from protocol.host import store as store_module
from protocol.host.store import HandOver, HostStore, Rejected

NOW = 1_795_000_000.0


def test_the_database_and_its_directory_are_owner_only_from_the_start(tmp_path: Path, monkeypatch) -> None:
    """Issue 15, point 8: the database was created with the default umask and chmod-ed afterwards (readable by
    others in between), its directory with default permissions."""
    previous = os.umask(0o022)
    modes: list[int | None] = []
    real_connect = sqlite3.connect

    def connect(path: Path, *args: object, **kwargs: object) -> sqlite3.Connection:
        modes.append(stat.S_IMODE(path.stat().st_mode) if path.exists() else None)  # as SQLite finds it
        return real_connect(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sqlite3, "connect", connect)
    try:
        store = HostStore(tmp_path / "state" / "host.sqlite")
        store.issue(3, 600, NOW)
        store.close()
    finally:
        os.umask(previous)
    assert modes == [0o600]  # before SQLite opened it (not created by SQLite with the umask's 0644)
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "state" / "host.sqlite").stat().st_mode) == 0o600


FIRST_SCHEMA = """
CREATE TABLE nonces (nonce BLOB PRIMARY KEY, issued_at REAL NOT NULL, expires_at REAL NOT NULL, used_at REAL);
CREATE TABLE seen_results (cti BLOB PRIMARY KEY, seen_at REAL NOT NULL);
"""


def test_a_store_of_the_first_schema_is_upgraded_and_keeps_its_records(tmp_path: Path) -> None:
    path = tmp_path / "host.sqlite"
    with closing(sqlite3.connect(path)) as db:
        db.executescript(FIRST_SCHEMA)
        db.execute("INSERT INTO nonces VALUES (?, ?, ?, ?)", (b"n" * 16, NOW, NOW + 600, None))
        db.execute("INSERT INTO seen_results VALUES (?, ?)", (b"c" * 16, NOW))
        db.commit()
    store = HostStore(path)
    try:
        with pytest.raises(Rejected) as replayed:  # a result taken before the upgrade: its payload is unknown
            store.lookup(b"c" * 16, b"d" * 32)
        assert replayed.value.replayed
        assert store.reserve(b"n" * 16, b"x" * 16, b"d" * 32, NOW) is HandOver.NEW
        assert store.lookup(b"x" * 16, b"d" * 32) is HandOver.PENDING
        store.delivered(b"x" * 16, NOW)
        assert store.reserve(b"n" * 16, b"x" * 16, b"d" * 32, NOW) is HandOver.DELIVERED
    finally:
        store.close()
    HostStore(path).close()  # opening an upgraded store again changes nothing


def test_unused_nonces_are_capped_per_reader_oldest_first(tmp_path: Path) -> None:
    store = HostStore(tmp_path / "host.sqlite")
    try:
        first = store.issue(8, 600, NOW, reader=b"A", keep=16)
        store.issue(8, 600, NOW + 1, reader=b"A", keep=16)
        store.issue(8, 600, NOW + 2, reader=b"B", keep=16)
        newest = store.issue(8, 600, NOW + 3, reader=b"A", keep=16)
        assert (store.unused(b"A"), store.unused(b"B")) == (16, 8)
        with pytest.raises(Rejected) as retired:
            store.reserve(first[0], b"r" * 16, b"d" * 32, NOW + 4)
        assert retired.value.nonce_problem is store_module.NonceProblem.UNKNOWN
        assert store.reserve(newest[0], b"r" * 16, b"d" * 32, NOW + 4) is HandOver.NEW
    finally:
        store.close()


def test_prune_forgets_expired_unused_nonces_after_a_day_and_the_rest_after_the_keep_time(tmp_path: Path) -> None:
    store = HostStore(tmp_path / "host.sqlite")
    try:
        expired = store.issue(2, 600, NOW)
        used = store.issue(1, 600, NOW)[0]
        store.reserve(used, b"u" * 16, b"d" * 32, NOW + 1)
        store.prune(NOW + 600 + store_module.KEEP_EXPIRED_SECONDS + 1)
        with pytest.raises(Rejected) as gone:
            store.reserve(expired[0], b"e" * 16, b"d" * 32, NOW + 2)
        assert gone.value.nonce_problem is store_module.NonceProblem.UNKNOWN
        assert store.lookup(b"u" * 16, b"d" * 32) is HandOver.PENDING  # results are kept much longer
        store.prune(NOW + store_module.KEEP_SECONDS + 2)
        assert store.lookup(b"u" * 16, b"d" * 32) is None
    finally:
        store.close()
