"""A durable, ordered, local queue of writes that wait for the database: one SQLite file per camera.

Each entry is a kind (what to write), a JSON payload and a sequence number that orders it (never reused,
not even after the queue was emptied). The file uses the WAL journal with full fsync, so an appended
entry survives a crash of the process or of the machine; it stays until ``ack`` removes it, so what a
stopped worker left is delivered by the next one. An entry that can never be written is moved to a
``set_aside`` table with the reason, not dropped.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from cvmon.errors import SpoolError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS set_aside (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    reason TEXT NOT NULL,
    set_aside_at TEXT NOT NULL
);
"""
_COLUMNS = "seq, kind, payload, created_at, attempts"


@dataclass(frozen=True, slots=True)
class SpoolEntry:
    """One queued write; ``attempts`` counts the deliveries begun (their commit may be unknown)."""

    seq: int
    kind: str
    payload: dict[str, Any]
    created_at: datetime
    attempts: int


def _entry(row: tuple[int, str, str, str, int]) -> SpoolEntry:
    seq, kind, payload, created_at, attempts = row
    return SpoolEntry(seq, kind, json.loads(payload), datetime.fromisoformat(created_at), attempts)


def _dumps(payload: dict[str, Any]) -> str:
    if not isinstance(payload, dict):
        raise ValueError(f"a spool payload must be a dict, got {type(payload).__name__}")
    return json.dumps(payload, separators=(",", ":"))


class Spool:
    """The queue in the SQLite file at ``path`` (created with its folder when missing). Thread-safe.

    Raises:
        SpoolError: the file cannot be opened, read or written (every method).
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as err:
            raise SpoolError(f"cannot open the spool {self.path}: {err}") from None

    @contextmanager
    def _cursor(self, action: str, *, write: bool = False) -> Iterator[sqlite3.Cursor]:
        """A cursor under the lock; a write runs in one IMMEDIATE transaction."""
        with self._lock:
            cur = self._conn.cursor()
            try:
                if write:
                    cur.execute("BEGIN IMMEDIATE")
                yield cur
                if write:
                    cur.execute("COMMIT")
            except sqlite3.Error as err:
                if write and self._conn.in_transaction:
                    self._conn.rollback()
                raise SpoolError(f"cannot {action} the spool {self.path}: {err}") from None
            except BaseException:
                if write and self._conn.in_transaction:
                    self._conn.rollback()
                raise
            finally:
                cur.close()

    def append(self, kind: str, payload: dict[str, Any], attempts: int = 0) -> int:
        """Queue a write after every other; returns its sequence number.

        ``attempts`` is 1 for a write whose direct try failed (its commit may be unknown).
        """
        text = _dumps(payload)
        with self._cursor("append to", write=True) as cur:
            cur.execute(
                "INSERT INTO entries (kind, payload, created_at, attempts) VALUES (?, ?, ?, ?)",
                (kind, text, datetime.now(UTC).isoformat(), attempts),
            )
            return int(cur.lastrowid or 0)

    def peek_batch(self, n: int) -> list[SpoolEntry]:
        """The ``n`` oldest entries, oldest first, left in the queue."""
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        with self._cursor("read") as cur:
            rows = cur.execute(f"SELECT {_COLUMNS} FROM entries ORDER BY seq LIMIT ?", (n,)).fetchall()
        return [_entry(row) for row in rows]

    def ack(self, upto_seq: int) -> int:
        """Remove every entry up to and including ``upto_seq`` (delivered); returns how many."""
        with self._cursor("acknowledge in", write=True) as cur:
            return cur.execute("DELETE FROM entries WHERE seq <= ?", (upto_seq,)).rowcount

    def record_attempt(self, seq: int, payload: dict[str, Any] | None = None) -> None:
        """Count a delivery about to begin, saving ``payload`` (what the delivery needs to be repeatable) first."""
        with self._cursor("update", write=True) as cur:
            if payload is None:
                cur.execute("UPDATE entries SET attempts = attempts + 1 WHERE seq = ?", (seq,))
            else:
                cur.execute(
                    "UPDATE entries SET attempts = attempts + 1, payload = ? WHERE seq = ?", (_dumps(payload), seq)
                )

    def set_aside(self, seq: int, reason: str) -> None:
        """Move an entry the database will never take out of the queue, keeping it with ``reason``."""
        with self._cursor("set aside an entry in", write=True) as cur:
            cur.execute(
                f"INSERT INTO set_aside ({_COLUMNS}, reason, set_aside_at) "
                f"SELECT {_COLUMNS}, ?, ? FROM entries WHERE seq = ?",
                (reason, datetime.now(UTC).isoformat(), seq),
            )
            cur.execute("DELETE FROM entries WHERE seq = ?", (seq,))

    def set_aside_entries(self) -> list[tuple[SpoolEntry, str]]:
        """The entries set aside, oldest first, each with its reason."""
        with self._cursor("read") as cur:
            rows = cur.execute(f"SELECT {_COLUMNS}, reason FROM set_aside ORDER BY seq").fetchall()
        return [(_entry(row[:5]), row[5]) for row in rows]

    def __len__(self) -> int:
        with self._cursor("count") as cur:
            return int(cur.execute("SELECT COUNT(*) FROM entries").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
