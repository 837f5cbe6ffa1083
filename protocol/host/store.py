"""The host's durable memory: the nonces it issued and the result ids it has seen, in one small SQLite file.

A restarted host still rejects a replayed result: the nonce it names is marked used, and its ``cti`` is on record.
Checking and consuming happen in one immediate transaction, so two verifiers on the same file cannot both accept.
"""

from __future__ import annotations

import os
import sqlite3
from enum import Enum
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS nonces (
    nonce BLOB PRIMARY KEY,
    issued_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    used_at REAL
);
CREATE TABLE IF NOT EXISTS seen_results (
    cti BLOB PRIMARY KEY,
    seen_at REAL NOT NULL
);
"""
NONCE_BYTES = 16
# Records are kept this long after they stop mattering (a nonce's expiry, a result's arrival).
KEEP_SECONDS = 400 * 86400


class NonceProblem(Enum):
    UNKNOWN = "not issued by this host"
    EXPIRED = "expired"
    USED = "already used"


class Rejected(Exception):
    """Raised inside :meth:`HostStore.consume` when the nonce or the result id does not pass."""

    def __init__(self, nonce_problem: NonceProblem | None = None, replayed: bool = False) -> None:
        super().__init__(nonce_problem.value if nonce_problem else "result id already seen")
        self.nonce_problem = nonce_problem
        self.replayed = replayed


class StoreError(RuntimeError):
    """The store cannot be used (a corrupt file, a full disk, …); the original ``sqlite3.Error`` is its cause. Nothing
    was recorded by the operation that raised it."""


class HostStore:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=10)
        try:
            self._db.executescript(SCHEMA)
        except sqlite3.Error as exc:  # e.g. "file is not a database"
            self._db.close()
            raise StoreError(f"{self.path}: {exc}") from exc
        os.chmod(self.path, 0o600)

    def close(self) -> None:
        self._db.close()

    def issue(self, count: int, ttl: float, now: float) -> list[bytes]:
        """``count`` fresh random nonces, recorded as issued, valid for ``ttl`` seconds from ``now``."""
        nonces = [os.urandom(NONCE_BYTES) for _ in range(count)]
        with self._transaction():
            self._db.executemany(
                "INSERT INTO nonces (nonce, issued_at, expires_at) VALUES (?, ?, ?)",
                [(n, now, now + ttl) for n in nonces],
            )
        return nonces

    def consume(self, nonce: bytes, cti: bytes, now: float) -> None:
        """Mark ``nonce`` used and ``cti`` seen, or raise :class:`Rejected` and change nothing."""
        with self._transaction():
            if self._db.execute("SELECT 1 FROM seen_results WHERE cti = ?", (cti,)).fetchone():
                raise Rejected(replayed=True)
            row = self._db.execute("SELECT expires_at, used_at FROM nonces WHERE nonce = ?", (nonce,)).fetchone()
            if row is None:
                raise Rejected(NonceProblem.UNKNOWN)
            expires_at, used_at = row
            if used_at is not None:
                raise Rejected(NonceProblem.USED)
            if now > expires_at:
                raise Rejected(NonceProblem.EXPIRED)
            self._db.execute("UPDATE nonces SET used_at = ? WHERE nonce = ?", (now, nonce))
            self._db.execute("INSERT INTO seen_results (cti, seen_at) VALUES (?, ?)", (cti, now))

    def outstanding(self, now: float) -> int:
        """Nonces issued, unused and unexpired."""
        row = self._db.execute(
            "SELECT COUNT(*) FROM nonces WHERE used_at IS NULL AND expires_at >= ?", (now,)
        ).fetchone()
        return int(row[0])

    def prune(self, now: float) -> None:
        with self._transaction():
            self._db.execute("DELETE FROM nonces WHERE expires_at < ?", (now - KEEP_SECONDS,))
            self._db.execute("DELETE FROM seen_results WHERE seen_at < ?", (now - KEEP_SECONDS,))

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot begin a transaction: {exc}") from exc

    def __exit__(self, exc_type: object, exc: BaseException | None, traceback: object) -> None:
        if exc is None:
            try:
                self.db.execute("COMMIT")
            except sqlite3.Error as error:
                self._rollback()
                raise StoreError(f"cannot commit: {error}") from error
            return
        self._rollback()
        if isinstance(exc, sqlite3.Error):
            raise StoreError(str(exc)) from exc
        # Anything else (Rejected, a bug) propagates unchanged.

    def _rollback(self) -> None:
        # On some errors (SQLITE_FULL, SQLITE_IOERR, …) SQLite has already rolled the transaction back, and a
        # ROLLBACK would fail with "no transaction is active", hiding the error that matters.
        if self.db.in_transaction:
            try:
                self.db.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # the connection is unusable; the caller gets the original error, which says why
