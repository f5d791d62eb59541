"""Where the webhook receiver keeps what it accepted: a local SQLite file, written before it answers.

Tables:
- ``deliveries``: one row per accepted delivery: its signature (unique: a replay is refused),
  timestamp, receipt time, account, kind, exact body, and the id of the command run that covered
  it (NULL until one did).
- ``changes``: the delivery's records, ``(delivery_id, kind, record_id, last_modified)``. Deliveries
  are at least once, so the same change may appear more than once; deduplicate on
  ``(kind, record_id, last_modified)``.
- ``runs``: each run of the debounced command: start, end, exit code, the deliveries it covered.

Every write commits with ``synchronous=FULL`` in WAL mode before the HTTP answer goes out, so an
accepted delivery survives a crash of the receiver or the machine.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import typing as t
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY,
    signature TEXT NOT NULL UNIQUE,
    sent_at INTEGER NOT NULL,
    received_at REAL NOT NULL,
    account TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    run_id INTEGER
);
CREATE TABLE IF NOT EXISTS changes (
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
    kind TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    last_modified TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_record ON changes (kind, record_id);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at REAL NOT NULL,
    finished_at REAL,
    exit_code INTEGER,
    outcome TEXT
);
"""


class Replayed(Exception):  # noqa: N818 - a refusal, not a program error
    """A delivery whose signature was already accepted."""


class DeliveryStore:
    """The SQLite file of accepted deliveries, shared by the HTTP threads and the command runner.

    >>> store = DeliveryStore(":memory:")
    >>> store.record(signature="sha256=00", sent_at=1, account="1", kind="customer", body="{}", records=[])
    1
    """

    def __init__(self, path: str | Path) -> None:
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def record(
        self,
        *,
        signature: str,
        sent_at: int,
        account: str,
        kind: str,
        body: str,
        records: t.Iterable[tuple[int, str]],
    ) -> int:
        """Store one accepted delivery and its records in one transaction; its id, or `Replayed`."""
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                cursor = self._conn.execute(
                    "INSERT INTO deliveries (signature, sent_at, received_at, account, kind, body) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (signature, sent_at, time.time(), account, kind, body),
                )
                delivery = int(cursor.lastrowid or 0)
                self._conn.executemany(
                    "INSERT INTO changes (delivery_id, kind, record_id, last_modified) VALUES (?, ?, ?, ?)",
                    [(delivery, kind, record_id, modified) for record_id, modified in records],
                )
                self._conn.execute("COMMIT")
            except sqlite3.IntegrityError:
                self._conn.execute("ROLLBACK")
                raise Replayed(signature) from None
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return delivery

    def pending(self) -> list[int]:
        """Ids of the deliveries no command run has covered yet."""
        with self._lock:
            return [row[0] for row in self._conn.execute("SELECT id FROM deliveries WHERE run_id IS NULL ORDER BY id")]

    def start_run(self) -> tuple[int, list[int]]:
        """A new run, and the pending deliveries it covers (marked now, so later ones wait for the next run)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            run = int(self._conn.execute("INSERT INTO runs (started_at) VALUES (?)", (time.time(),)).lastrowid or 0)
            covered = [r[0] for r in self._conn.execute("SELECT id FROM deliveries WHERE run_id IS NULL ORDER BY id")]
            self._conn.execute("UPDATE deliveries SET run_id = ? WHERE run_id IS NULL", (run,))
            self._conn.execute("COMMIT")
        return run, covered

    def finish_run(self, run: int, exit_code: int | None, outcome: str) -> None:
        with self._lock:
            self._conn.execute(
                "UPDATE runs SET finished_at = ?, exit_code = ?, outcome = ? WHERE id = ?",
                (time.time(), exit_code, outcome, run),
            )

    def deliveries(self) -> list[dict]:
        """Every accepted delivery, oldest first (for inspection and tests)."""
        with self._lock:
            cursor = self._conn.execute(
                "SELECT id, signature, sent_at, account, kind, body, run_id FROM deliveries ORDER BY id"
            )
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor]

    def changes(self) -> list[tuple[int, str, int, str]]:
        """Every recorded change as (delivery id, kind, record id, last_modified), in arrival order."""
        with self._lock:
            return list(
                self._conn.execute("SELECT delivery_id, kind, record_id, last_modified FROM changes ORDER BY rowid")
            )

    def runs(self) -> list[dict]:
        """Every command run, oldest first."""
        with self._lock:
            cursor = self._conn.execute("SELECT id, started_at, finished_at, exit_code, outcome FROM runs ORDER BY id")
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor]
