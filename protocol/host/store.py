"""The host's durable memory: the nonces it issued and the results it took, in one small SQLite file.

A restarted host still rejects a replayed result: the nonce it names is marked used, and its ``cti`` is on record.
Checking and consuming happen in one immediate transaction, so two verifiers on the same file cannot both accept.

A result is recorded in two steps, so that its hand-over to the integrator is exactly-once although the host may
die at any moment (docs/protocol.md, "Acknowledgement"): :meth:`HostStore.reserve` consumes the nonce and records
the result as *pending*; once the integrator has it durably, :meth:`HostStore.delivered` marks it *delivered*, and
only then is it acknowledged to the reader. A resend of a pending result is handed over again (flagged as
redelivered); a resend of a delivered one is only acknowledged again. Both are recognised by the result id and the
SHA-256 of its signed payload: another payload under a known id is a replay.

Issued nonces are kept per reader (its key's fingerprint), at most ``keep`` unused ones each: issuing more retires the
oldest, so a reader that asks again and again cannot grow the file. The connection is shared by threads (the host
SDK runs every call in a worker thread, off the asyncio event loop), one call at a time.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from enum import Enum
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS nonces (
    nonce BLOB PRIMARY KEY,
    issued_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    used_at REAL,
    reader BLOB
);
CREATE TABLE IF NOT EXISTS seen_results (
    cti BLOB PRIMARY KEY,
    seen_at REAL NOT NULL,
    digest BLOB,
    delivered_at REAL
);
CREATE INDEX IF NOT EXISTS nonces_by_reader ON nonces (reader, used_at);
"""
# Version 1 added nonces.reader and seen_results.digest / delivered_at to the unnumbered first schema.
SCHEMA_VERSION = 1
NONCE_BYTES = 16
# Records are kept this long after they stop mattering (a used nonce, a result's arrival).
KEEP_SECONDS = 400 * 86400
# An unused nonce is kept this long after it expired, so that a late result is told "expired", not "unknown".
KEEP_EXPIRED_SECONDS = 86400


class NonceProblem(Enum):
    UNKNOWN = "not issued by this host"
    EXPIRED = "expired"
    USED = "already used"


class HandOver(Enum):
    """Where a result stands in its hand-over to the integrator."""

    NEW = "new"  # recorded just now (nonce consumed): hand it over
    PENDING = "pending"  # recorded before, hand-over never confirmed (the host stopped): hand it over again
    DELIVERED = "delivered"  # handed over before: acknowledge it again, do not hand it over twice


class Rejected(Exception):
    """Raised by :meth:`HostStore.reserve` and :meth:`HostStore.consume` when the nonce or the result id does not
    pass."""

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
        # Owner-only from the start: created 0700 / 0600 rather than chmod-ed after the fact, so that no other user
        # can open the file in between. SQLite gives its journal the database file's permissions.
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
        os.chmod(self.path, 0o600)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=10, check_same_thread=False)
        try:
            self._migrate()
        except sqlite3.Error as exc:  # e.g. "file is not a database"
            self._db.close()
            raise StoreError(f"{self.path}: {exc}") from exc

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version >= SCHEMA_VERSION:
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            tables = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            # A store of the first schema: add the columns it lacks.
            if "nonces" in tables:
                self._add_columns("nonces", {"reader": "BLOB"})
            if "seen_results" in tables:
                self._add_columns("seen_results", {"digest": "BLOB", "delivered_at": "REAL"})
                # Its results were handed out the moment they were recorded.
                self._db.execute("UPDATE seen_results SET delivered_at = seen_at WHERE delivered_at IS NULL")
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def _add_columns(self, table: str, columns: dict[str, str]) -> None:
        have = {row[1] for row in self._db.execute(f"PRAGMA table_info({table})")}
        for name, kind in columns.items():
            if name not in have:
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- nonces -------------------------------------------------------------------------------------------------

    def issue(self, count: int, ttl: float, now: float, reader: bytes = b"", keep: int | None = None) -> list[bytes]:
        """``count`` fresh random nonces for ``reader`` (its key's fingerprint), recorded as issued, valid for
        ``ttl`` seconds from ``now``. With ``keep``, that reader's oldest unused nonces beyond the newest ``keep`` are
        retired (deleted: a result naming one is then an unknown nonce)."""
        nonces = [os.urandom(NONCE_BYTES) for _ in range(count)]
        with self._transaction():
            self._db.executemany(
                "INSERT INTO nonces (nonce, issued_at, expires_at, reader) VALUES (?, ?, ?, ?)",
                [(n, now, now + ttl, reader) for n in nonces],
            )
            if keep is not None:
                self._db.execute(
                    "DELETE FROM nonces WHERE rowid IN (SELECT rowid FROM nonces WHERE reader = ? AND used_at IS NULL"
                    " ORDER BY issued_at DESC, rowid DESC LIMIT -1 OFFSET ?)",
                    (reader, keep),
                )
        return nonces

    def outstanding(self, now: float, reader: bytes | None = None) -> int:
        """Nonces issued (to ``reader``, or to any), unused and unexpired."""
        query = "SELECT COUNT(*) FROM nonces WHERE used_at IS NULL AND expires_at >= ?"
        params: tuple[object, ...] = (now,)
        if reader is not None:
            query += " AND reader = ?"
            params += (reader,)
        with self._lock:
            row = self._db.execute(query, params).fetchone()
        return int(row[0])

    def unused(self, reader: bytes) -> int:
        """Rows of unused nonces (expired or not) kept for ``reader``: what ``keep`` bounds."""
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM nonces WHERE reader = ? AND used_at IS NULL",
                                   (reader,)).fetchone()
        return int(row[0])

    # -- results ------------------------------------------------------------------------------------------------

    def lookup(self, cti: bytes, digest: bytes) -> HandOver | None:
        """Where the result ``cti`` with payload hash ``digest`` stands: None if never recorded. Another payload
        under a recorded id raises :class:`Rejected` (replayed)."""
        with self._lock:
            return self._known(cti, digest)

    def reserve(self, nonce: bytes, cti: bytes, digest: bytes, now: float) -> HandOver:
        """Record a verified result as pending: consume its nonce and record its id and payload hash, atomically.
        A result recorded before answers where it stands (nothing changes); otherwise a nonce that is unknown,
        used or expired raises :class:`Rejected` and nothing is recorded."""
        with self._transaction():
            known = self._known(cti, digest)
            if known is not None:
                return known
            self._consume_nonce(nonce, now)
            self._db.execute("INSERT INTO seen_results (cti, seen_at, digest) VALUES (?, ?, ?)", (cti, now, digest))
            return HandOver.NEW

    def delivered(self, cti: bytes, now: float) -> None:
        """The integrator has the result ``cti`` durably: it is acknowledged from now on, never handed over again."""
        with self._transaction():
            self._db.execute("UPDATE seen_results SET delivered_at = ? WHERE cti = ? AND delivered_at IS NULL",
                             (now, cti))

    def consume(self, nonce: bytes, cti: bytes, now: float, digest: bytes | None = None) -> None:
        """Record a result as handed out at once (no separate hand-over): mark ``nonce`` used and ``cti`` delivered,
        or raise :class:`Rejected` and change nothing — also for a result id recorded before."""
        with self._transaction():
            if self._db.execute("SELECT 1 FROM seen_results WHERE cti = ?", (cti,)).fetchone():
                raise Rejected(replayed=True)
            self._consume_nonce(nonce, now)
            self._db.execute("INSERT INTO seen_results (cti, seen_at, digest, delivered_at) VALUES (?, ?, ?, ?)",
                             (cti, now, digest, now))

    def prune(self, now: float) -> None:
        """Forget what no longer matters: used nonces and results after :data:`KEEP_SECONDS`, unused nonces
        :data:`KEEP_EXPIRED_SECONDS` after they expired."""
        with self._transaction():
            self._db.execute("DELETE FROM nonces WHERE (used_at IS NOT NULL AND used_at < ?)"
                             " OR (used_at IS NULL AND expires_at < ?)",
                             (now - KEEP_SECONDS, now - KEEP_EXPIRED_SECONDS))
            self._db.execute("DELETE FROM seen_results WHERE seen_at < ?", (now - KEEP_SECONDS,))

    # -- inside a transaction or the lock -------------------------------------------------------------------------

    def _known(self, cti: bytes, digest: bytes) -> HandOver | None:
        row = self._db.execute("SELECT digest, delivered_at FROM seen_results WHERE cti = ?", (cti,)).fetchone()
        if row is None:
            return None
        recorded, delivered_at = row
        if recorded != digest:  # another payload under this id (or one recorded before payloads were hashed)
            raise Rejected(replayed=True)
        return HandOver.PENDING if delivered_at is None else HandOver.DELIVERED

    def _consume_nonce(self, nonce: bytes, now: float) -> None:
        row = self._db.execute("SELECT expires_at, used_at FROM nonces WHERE nonce = ?", (nonce,)).fetchone()
        if row is None:
            raise Rejected(NonceProblem.UNKNOWN)
        expires_at, used_at = row
        if used_at is not None:
            raise Rejected(NonceProblem.USED)
        if now > expires_at:
            raise Rejected(NonceProblem.EXPIRED)
        self._db.execute("UPDATE nonces SET used_at = ? WHERE nonce = ?", (now, nonce))

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db, self._lock)


class _Transaction:
    """One immediate transaction under the store's lock; every sqlite3.Error leaves as a StoreError."""

    def __init__(self, db: sqlite3.Connection, lock: threading.Lock) -> None:
        self.db = db
        self.lock = lock

    def __enter__(self) -> None:
        self.lock.acquire()
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            self.lock.release()
            raise StoreError(f"cannot begin a transaction: {exc}") from exc

    def __exit__(self, exc_type: object, exc: BaseException | None, traceback: object) -> None:
        try:
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
        finally:
            self.lock.release()

    def _rollback(self) -> None:
        # On some errors (SQLITE_FULL, SQLITE_IOERR, …) SQLite has already rolled the transaction back, and a
        # ROLLBACK would fail with "no transaction is active", hiding the error that matters.
        if self.db.in_transaction:
            try:
                self.db.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # the connection is unusable; the caller gets the original error, which says why
