"""Changing the account while a client reads: insert, update, delete, and a background writer.

Values in requests are canonical (as `/_emulator/rows` gives them, see `control`): booleans,
"YYYY-MM-DD" dates, ISO datetimes with an offset, decimals as numbers or strings. Every call
answers the affected ids, ascending. Deletions land in `deletedrecord` with the record's `type`
("invoice", "customer", ...) and `deleteddate` now.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from datetime import datetime

from . import data, formats, schema
from .control import ControlError, from_canonical

CHANGEABLE = ("customer", "transaction")


def _table(request: dict) -> str:
    table = request.get("table")
    if table not in CHANGEABLE:
        raise ControlError(f"table must be one of {', '.join(CHANGEABLE)}")
    return table


class Mutator:
    """Holds what changes need: the connection, its lock, the settings and a seeded generator."""

    def __init__(self, conn: sqlite3.Connection, lock: threading.Lock, settings, seed: int, lines_per_invoice: int):
        self.conn, self.lock, self.settings = conn, lock, settings
        self.rng = random.Random(f"mutations:{seed}")
        self.lines_per_invoice = lines_per_invoice
        self.writer: Writer | None = None

    def now(self) -> float:
        """The server clock as a stored modification time: whole seconds unless --subsecond."""
        now = time.time()
        return round(now, 3) if self.settings.subsecond else int(now)

    # -- insert ---------------------------------------------------------------------------
    def insert(self, request: dict) -> list[int]:
        """{"table", "count": n [, "type": "CustInvc"]} or {"table", "rows": [{col: value}]}:
        new records created and modified now; given columns override generated values."""
        table = _table(request)
        overrides = request.get("rows")
        if overrides is not None:
            if not isinstance(overrides, list) or not all(isinstance(r, dict) for r in overrides):
                raise ControlError("rows must be a list of objects")
            count = len(overrides)
        else:
            count = request.get("count")
            if not isinstance(count, int) or count < 0:
                raise ControlError("give count (a non-negative integer) or rows (a list)")
            overrides = [{}] * count
        kind = request.get("type", "CustInvc")
        if table == "transaction" and kind not in schema.RECORD_TYPE:
            raise ControlError(f"type must be one of {', '.join(schema.RECORD_TYPE)}")
        tz, columns = self.settings.tz, list(schema.TABLES[table])
        with self.lock:
            now = self.now()
            top = self.conn.execute(f'SELECT COALESCE(MAX(id), 1000) FROM "{table}"').fetchone()[0]
            deleted = self.conn.execute(
                "SELECT COALESCE(MAX(recordid), 0) FROM deletedrecord WHERE type = ?",
                ("customer" if table == "customer" else schema.RECORD_TYPE[kind],),
            )
            top = max(top, deleted.fetchone()[0])  # NetSuite never reuses an internal id
            if table == "customer":
                n = self.conn.execute("SELECT COUNT(*) FROM customer").fetchone()[0] + 1
                generated = data._customers(self.rng, count, tz, top, n + 10_000)
            else:
                customers = self.conn.execute("SELECT id, terms, subsidiary, currency FROM customer").fetchall()
                if not customers:
                    raise ControlError("transactions need at least one customer")
                seq = {k: 0 for k in schema.RECORD_TYPE}
                for k, used in self.conn.execute('SELECT type, COUNT(*) FROM "transaction" GROUP BY type'):
                    seq[k] = used + 10_000  # tranids of inserted records never collide
                generated = data._transactions(self.rng, [kind] * count, customers, tz, top, seq)
            rows = []
            for base, extra in zip(generated, overrides):
                row = dict(zip(columns, base))
                row.update({"datecreated" if table == "customer" else "createddate": now, "lastmodifieddate": now})
                if table == "transaction":
                    row["trandate"] = formats.local_midnight(formats.local_date(now, tz), tz)
                for column, value in extra.items():
                    if column not in row or column == "id":
                        raise ControlError(f"unknown or fixed column {column!r}")
                    row[column] = from_canonical(schema.TABLES[table][column], value, tz)
                rows.append(tuple(row[c] for c in columns))
            data._insert(self.conn, table, rows)
            ids = [r[0] for r in rows]
            if table == "transaction" and ids:
                data.insert_lines(self.conn, self.lines_per_invoice, f"t.id IN ({', '.join(map(str, ids))})")
                self.conn.execute(
                    'UPDATE transactionline SET linelastmodifieddate = ? WHERE "transaction" '
                    f"IN ({', '.join(map(str, ids))})",
                    (now,),
                )
            self.conn.commit()
        return ids

    # -- update ---------------------------------------------------------------------------
    def update(self, request: dict) -> list[int]:
        """{"table", "ids"|"count", "set": {col: value}, "same_timestamp": bool, "at": iso,
        "type": "CustInvc"}: the records' columns set and lastmodifieddate moved to now (or
        to `at`). `same_timestamp` gives all of them one stored value, as a bulk edit does;
        otherwise each takes the clock as it is written (differs only with --subsecond)."""
        table = _table(request)
        tz = self.settings.tz
        changes = request.get("set") or {}
        if not isinstance(changes, dict):
            raise ControlError("set must be an object")
        values = {}
        for column, value in changes.items():
            if column not in schema.TABLES[table] or column in ("id", "lastmodifieddate"):
                raise ControlError(f"unknown or fixed column {column!r} (use at for the time)")
            values[column] = from_canonical(schema.TABLES[table][column], value, tz)
        at = request.get("at")
        if at is not None:
            try:
                moment = datetime.fromisoformat(str(at))
            except ValueError:
                raise ControlError("at must be an ISO datetime with an offset") from None
            if moment.tzinfo is None:
                raise ControlError("at must carry an offset, e.g. +00:00")
            at = moment.timestamp()
            at = int(at) if at == int(at) else at
        sets = ", ".join([f'"{c}" = ?' for c in values] + ["lastmodifieddate = ?"])
        with self.lock:
            ids = self._choose(table, request)
            stamp = at if at is not None else self.now()
            args = []
            for record in ids:
                if at is None and not request.get("same_timestamp"):
                    stamp = self.now()
                args.append((*values.values(), stamp, record))
            self.conn.executemany(f'UPDATE "{table}" SET {sets} WHERE id = ?', args)
            if table == "transaction":  # the header edit touches its main line too
                self.conn.executemany(
                    "UPDATE transactionline SET linelastmodifieddate = ? WHERE \"transaction\" = ? AND mainline = 'T'",
                    [(a[-2], a[-1]) for a in args],
                )
            self.conn.commit()
        return ids

    # -- delete ---------------------------------------------------------------------------
    def delete(self, request: dict) -> list[int]:
        """{"table", "ids"|"count" [, "type"]}: rows removed (transactions with their lines)
        and recorded in deletedrecord."""
        table = _table(request)
        with self.lock:
            ids = self._choose(table, request)
            marks = ", ".join("?" for _ in ids) or "NULL"
            if table == "customer":
                gone = self.conn.execute(
                    f"SELECT id, 'customer', entityid || ' ' || companyname FROM customer WHERE id IN ({marks})", ids
                ).fetchall()
            else:
                gone = self.conn.execute(
                    f'SELECT id, recordtype, tranid FROM "transaction" WHERE id IN ({marks})', ids
                ).fetchall()
                self.conn.execute(f'DELETE FROM transactionline WHERE "transaction" IN ({marks})', ids)
            self.conn.execute(f'DELETE FROM "{table}" WHERE id IN ({marks})', ids)
            now = self.now()
            # Deleted through an integration: context "Web Services", by the token's user (3).
            self.conn.executemany(
                "INSERT INTO deletedrecord VALUES (?, ?, NULL, ?, ?, ?, 3, 'Web Services', 'F', 'F', 'F')",
                [(rid, schema.RECORD_TYPE_ID.get(kind, -30), kind, name, now) for rid, kind, name in gone],
            )
            self.conn.commit()
        return ids

    def _choose(self, table: str, request: dict) -> list[int]:
        """The ids a request names ("ids") or a seeded sample of "count" (optionally of one
        transaction "type"); ids that do not exist are skipped. Caller holds the lock."""
        kind = request.get("type")
        where, args = ("WHERE type = ?", [kind]) if kind is not None else ("", [])
        if kind is not None and table != "transaction":
            raise ControlError("type applies to transaction only")
        if "ids" in request:
            wanted = request["ids"]
            if not isinstance(wanted, list) or not all(isinstance(i, int) for i in wanted):
                raise ControlError("ids must be a list of integers")
            marks = ", ".join("?" for _ in wanted) or "NULL"
            clause = f"{where} {'AND' if where else 'WHERE'} id IN ({marks})"
            return [r[0] for r in self.conn.execute(f'SELECT id FROM "{table}" {clause} ORDER BY id', args + wanted)]
        count = request.get("count")
        if not isinstance(count, int) or count < 0:
            raise ControlError("give ids (a list) or count (a non-negative integer)")
        candidates = [r[0] for r in self.conn.execute(f'SELECT id FROM "{table}" {where} ORDER BY id', args)]
        return sorted(self.rng.sample(candidates, min(count, len(candidates))))


class Writer:
    """A background thread changing invoices at `rate_per_second` for `seconds`: about 70 %
    updates, 20 % inserts, 10 % deletes, each of one record. Its ids are kept for the caller."""

    def __init__(self, mutator: Mutator, rate: float, seconds: float):
        self.mutator, self.rate, self.seconds = mutator, rate, seconds
        self.done = {"inserted": [], "updated": [], "deleted": []}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="writer", daemon=True)
        self._rng = random.Random(f"writer:{mutator.rng.random()}")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> dict:
        self._stop.set()
        self._thread.join()
        return self.status()

    def status(self) -> dict:
        return {
            "running": self._thread.is_alive(),
            "rate_per_second": self.rate,
            "seconds": self.seconds,
            **{k: sorted(v) for k, v in self.done.items()},
        }

    def _run(self) -> None:
        started, n = time.monotonic(), 0
        while not self._stop.is_set():
            due = started + n / self.rate
            # Bounded by count (the schedule) and by time: changes slower than the rate end the
            # writer at `seconds` all the same, instead of running on until the count is done.
            if due - started >= self.seconds or time.monotonic() - started >= self.seconds:
                return
            if self._stop.wait(max(0.0, due - time.monotonic())):
                return
            r, n = self._rng.random(), n + 1
            base = {"table": "transaction", "type": "CustInvc", "count": 1}
            if r < 0.7:
                self.done["updated"] += self.mutator.update({**base, "set": {}})
            elif r < 0.9:
                self.done["inserted"] += self.mutator.insert(base)
            else:
                self.done["deleted"] += self.mutator.delete(base)
