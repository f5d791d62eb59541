"""Changing the account while a client reads: insert, update, touch, delete on every table, and a
background writer.

Callable from Python as well as through `/_emulator/...` (`control_routes`): each method of
`Mutator` takes the request body as a dict and answers the affected ids, ascending. Values are
canonical (as `/_emulator/rows` gives them, see `canonical`): booleans, "YYYY-MM-DD" dates, ISO
datetimes with an offset, decimals as numbers or strings.

"ids" name rows by the table's handle (`tables.Table.handle`): `id` for most tables,
`uniquekey` for `transactionline`; tables keyed by several columns take "count" (or "rows" to
insert), and answer their keys as lists. Line semantics (docs/netsuite.md §10):
- updating or touching a line moves the transaction's `lastmodifieddate` too, unless
  `"header": false` (a fulfilment or billing-status change);
- deleting a line moves the header and adds no `deletedrecord` row;
- deleting a transaction deletes its lines, accounting lines and links, and adds one.
Deletions of other deletable types land in `deletedrecord` with `deleteddate` now.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections.abc import Iterable
from datetime import datetime

from . import formats, lines, schema, sqlgen, tables
from .canonical import ControlError, canonical_value, from_canonical
from .engine import Settings

CREATED_COLUMNS = ("datecreated", "createddate", "created")
# Text columns that name one record: a copied row gets its own.
_ENTITY_PREFIX = {
    "customer": "CUST",
    "vendor": "VEND",
    "employee": "EMP",
    "partner": "PART",
    "contact": "CONT",
    "job": "PRJ",
}


def _table(request: dict) -> tables.Table:
    name = request.get("table")
    if name not in tables.BY_NAME or name == "dual":
        raise ControlError(f"table must be one of the account's tables (got {name!r}); see GET /_emulator/config")
    return tables.BY_NAME[name]


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


class Mutator:
    """Holds what changes need: the writer's connection, its lock, the settings and a seeded
    generator. Every public method takes a request dict and answers the affected ids."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        lock: threading.Lock,
        settings: Settings,
        seed: int,
        line_shape: lines.LineShape,
    ) -> None:
        self.conn, self.lock, self.settings = conn, lock, settings
        self.rng = random.Random(f"mutations:{seed}")
        self.line_shape = line_shape
        self.writer: Writer | None = None

    def now(self) -> float:
        """The server clock as a stored modification time: whole seconds unless --subsecond."""
        now = time.time()
        return round(now, 3) if self.settings.subsecond else int(now)

    # -- insert ---------------------------------------------------------------------------
    def insert(self, request: dict) -> list:
        """{"table", "count": n [, "type": "CustInvc"]} or {"table", "rows": [{col: value}]}: new
        rows, each a copy of a (seeded) random existing row given its own key, created and
        modified now; given columns override. Transactions get fresh lines and accounting
        lines; a new line moves its transaction unless "header": false."""
        table = _table(request)
        overrides = request.get("rows")
        if overrides is not None:
            if not isinstance(overrides, list) or not all(isinstance(r, dict) for r in overrides):
                raise ControlError("rows must be a list of objects")
        else:
            count = request.get("count")
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                raise ControlError("give count (a non-negative integer) or rows (a list)")
            if table.handle is None:
                raise ControlError(f"{table.name} is keyed by ({', '.join(table.key)}): give rows with those columns")
            overrides = [{}] * count
        kind = request.get("type", "CustInvc" if table.name == "transaction" else None)
        if kind is not None and (table.name != "transaction" or kind not in schema.RECORD_TYPE):
            raise ControlError(f"type applies to transaction only, one of {', '.join(schema.RECORD_TYPE)}")
        columns = list(table.all_columns)
        tz = self.settings.tz
        with self.lock:
            now = self.now()
            templates = self._templates(table, kind)
            made, headers = [], set()
            try:
                for extra in overrides:
                    row = dict(self.rng.choice(templates)) if templates else self._blank(table, kind)
                    for column in extra:
                        if column not in table.all_columns:
                            raise ControlError(f"unknown column {column!r} of {table.name}")
                        if column == table.handle and table.all_columns[column] == schema.INTEGER:
                            raise ControlError(f"{column} is given by the account: leave it out")
                    self._fresh(table, row, now, {c: v for c, v in extra.items()})
                    for column, value in extra.items():
                        row[column] = from_canonical(table.all_columns[column], value, tz)
                    missing = [c for c in table.required if row.get(c) is None]
                    if missing:
                        raise ControlError(f"{table.name} has no row to copy: give {', '.join(sorted(missing))}")
                    self.conn.execute(
                        f'INSERT INTO "{table.name}" ({_quoted(columns)}) VALUES ({", ".join("?" for _ in columns)})',
                        [row.get(c) for c in columns],
                    )
                    made.append(row)
                    if table.name == "transactionline":
                        headers.add(row["transaction"])
                ids = [self._answer_id(table, row) for row in made]
                if table.name == "transaction" and made:
                    self._new_lines([row["id"] for row in made], now)
                if table.name == "transactionline" and request.get("header", True):
                    self._move_headers(sorted(headers), now)
                self.conn.commit()
            except sqlite3.IntegrityError as exc:
                self.conn.rollback()
                raise ControlError(
                    f"{table.name}: {exc} (a row with that key exists, or a required column is empty)"
                ) from None
            except BaseException:
                self.conn.rollback()
                raise
        return sorted(ids)

    def _templates(self, table: tables.Table, kind: str | None) -> list[dict]:
        """A few existing rows to copy (a seeded sample), found through the rowid so that a
        table of millions costs no scan."""
        where, args = ("AND type = ?", [kind]) if kind else ("", [])
        low, high = self.conn.execute(f'SELECT MIN(rowid), MAX(rowid) FROM "{table.name}"').fetchone()
        if low is None:
            return []
        names = list(table.all_columns)
        select = f'SELECT {_quoted(names)} FROM "{table.name}" WHERE rowid >= ? {where} ORDER BY rowid LIMIT 1'
        out = []
        for _ in range(4):
            start = low + int(self.rng.random() * (high - low + 1))
            values = (
                self.conn.execute(select, [start, *args]).fetchone()
                or self.conn.execute(select, [low, *args]).fetchone()
            )
            if values is not None:
                out.append(dict(zip(names, values, strict=True)))
        return out

    def _blank(self, table: tables.Table, kind: str | None) -> dict:
        """A row to start from when the table has none to copy: every required column a plain
        value, references the first row of what they point at."""
        plain = {schema.INTEGER: 0, schema.STRING: "", schema.BOOLEAN: "F", schema.DECIMAL: 0.0}
        row: dict = {}
        for column in table.required:
            target = table.all_references.get(column)
            if target is not None:
                key = tables.BY_NAME[target].key[0]
                found = self.conn.execute(f'SELECT "{key}" FROM "{target}" ORDER BY 1 LIMIT 1').fetchone()
                row[column] = found[0] if found else None
            else:
                row[column] = plain.get(table.all_columns[column], 0)
        if table.name == "transaction" and kind is not None:
            row.update(
                type=kind,
                recordtype=schema.RECORD_TYPE[kind],
                status="A",
                exchangerate=1.0,
                posting="F" if kind == "SalesOrd" else "T",
            )
        return row

    def _fresh(self, table: tables.Table, row: dict, now: float, given: dict) -> None:
        """A copied row's own key, names and times."""
        name = table.name
        tz = self.settings.tz
        if table.handle is not None and table.handle not in given and name != "transactionline":
            row[table.handle] = self._next_id(table)
        if name == "transactionline":
            parent = given.get("transaction", row.get("transaction"))
            if (
                not isinstance(parent, int)
                or not self.conn.execute('SELECT 1 FROM "transaction" WHERE id = ?', (parent,)).fetchone()
            ):
                raise ControlError('a new line needs the id of an existing transaction (rows: [{"transaction": id}])')
            last = self.conn.execute(
                'SELECT COALESCE(MAX(id), 0) FROM transactionline WHERE "transaction" = ?', (parent,)
            ).fetchone()[0]
            if last + 1 >= lines.LINE_SPAN:
                raise ControlError(f"transaction {parent} has the most lines the emulator keeps")
            header = self.conn.execute(
                'SELECT subsidiary, entity, department, "class", location FROM "transaction" WHERE id = ?', (parent,)
            ).fetchone()
            row.update(
                transaction=parent,
                id=last + 1,
                linesequencenumber=last + 1,
                mainline="F",
                uniquekey=parent * lines.LINE_SPAN + last + 1,
            )
            row.update(dict(zip(("subsidiary", "entity", "department", "class", "location"), header, strict=False)))
        if "entityid" in row and name in _ENTITY_PREFIX:
            row["entityid"] = f"{_ENTITY_PREFIX[name]}{row['id']}"
        if "externalid" in row:
            row["externalid"] = None
        if name == "transaction":
            row["tranid"] = f"{sqlgen.PREFIX[row['type']]}{row['id']}"
            today = formats.local_date(now, tz)
            row["trandate"] = formats.local_midnight(today, tz)
            last_period = schema.period_id(schema.FIRST_PERIOD_YEAR + schema.PERIOD_YEARS - 1, 12)
            row["postingperiod"] = min(last_period, schema.period_id(today.year, today.month))
        if name.startswith("customrecord_"):
            row["name"] = f"{row.get('name') or name} (copy {row['id']})"
        for column in CREATED_COLUMNS:
            if column in row:
                row[column] = now
        if table.replication and table.all_columns[table.replication] == schema.DATETIME and name != "deletedrecord":
            row[table.replication] = now

    def _next_id(self, table: tables.Table) -> int:
        """After every id the table (or the entity id space) ever had: NetSuite never reuses one."""
        space = "entity" if table.name in tables.ENTITY_TYPES else table.name
        handle = table.handle or "id"
        top = self.conn.execute(f'SELECT COALESCE(MAX("{handle}"), 0) FROM "{space}"').fetchone()[0]
        if not isinstance(top, int):
            raise ControlError(f"{table.name} is keyed by text: give rows with {handle}")
        kinds = _deleted_types(table)
        marks = ", ".join("?" for _ in kinds) or "NULL"
        deleted = self.conn.execute(
            f"SELECT COALESCE(MAX(recordid), 0) FROM deletedrecord WHERE type IN ({marks})", kinds
        ).fetchone()[0]
        return max(top, deleted) + 1 + int(self.rng.random() * 3)

    def _new_lines(self, ids: list[int], now: float) -> None:
        marks = ", ".join(map(str, ids))
        lines.insert_lines(self.conn, self.line_shape, f"t.id IN ({marks})")
        self.conn.execute(
            f'UPDATE transactionline SET linelastmodifieddate = ? WHERE "transaction" IN ({marks})', (now,)
        )
        self.conn.execute(
            f'UPDATE transactionaccountingline SET lastmodifieddate = ? WHERE "transaction" IN ({marks})', (now,)
        )

    def _move_headers(self, transactions: list[int], stamp: float) -> None:
        """A transaction edited through one of its lines: the header (and its main line) move."""
        self.conn.executemany(
            'UPDATE "transaction" SET lastmodifieddate = ? WHERE id = ?', [(stamp, t) for t in transactions]
        )
        self.conn.executemany(
            "UPDATE transactionline SET linelastmodifieddate = ? WHERE \"transaction\" = ? AND mainline = 'T'",
            [(stamp, t) for t in transactions],
        )

    def _answer_id(self, table: tables.Table, row: dict) -> object:
        """A row as the answer names it: its handle, or its key in canonical values."""
        if table.handle:
            return row[table.handle]
        return [canonical_value(table.all_columns[k], row[k], self.settings.tz) for k in table.key]

    # -- update ---------------------------------------------------------------------------
    def update(self, request: dict) -> list:
        """{"table", "ids"|"count", "set": {col: value}, "same_timestamp": bool, "at": iso,
        "type": "CustInvc", "header": bool}: the rows' columns set and their modification time
        moved to now (or to `at`). `same_timestamp` gives all of them one stored value, as a bulk
        edit does; otherwise each takes the clock as it is written (differs only with
        --subsecond)."""
        table = _table(request)
        tz = self.settings.tz
        changes = request.get("set") or {}
        if not isinstance(changes, dict):
            raise ControlError("set must be an object")
        fixed = {*table.key, table.handle, table.replication}
        values = {}
        for column, value in changes.items():
            if column not in table.all_columns or column in fixed:
                raise ControlError(f"unknown or fixed column {column!r} of {table.name} (use at for the time)")
            values[column] = from_canonical(table.all_columns[column], value, tz)
        stamped = table.replication is not None and table.all_columns[table.replication] == schema.DATETIME
        if not values and not stamped:
            raise ControlError(f"{table.name} has no modification time to touch; give set")
        if "header" in request and table.name != "transactionline":
            raise ControlError("header applies to transactionline only")
        at = _moment(request.get("at"))
        sets = [f'"{c}" = ?' for c in values] + ([f'"{table.replication}" = ?'] if stamped else [])
        with self.lock:
            chosen = self._choose(table, request)
            stamp = at if at is not None else self.now()
            args, stamps = [], []
            for rowid, _ in chosen:
                if at is None and not request.get("same_timestamp"):
                    stamp = self.now()
                stamps.append(stamp)
                args.append((*values.values(), *([stamp] if stamped else []), rowid))
            self.conn.executemany(f'UPDATE "{table.name}" SET {", ".join(sets)} WHERE rowid = ?', args)
            if table.name == "transaction" and stamped:  # the header edit touches its main line too
                self.conn.executemany(
                    "UPDATE transactionline SET linelastmodifieddate = ? WHERE \"transaction\" = ? AND mainline = 'T'",
                    [(s, answer) for s, (_, answer) in zip(stamps, chosen, strict=False)],
                )
            if table.name == "transactionline" and request.get("header", True):
                parents = self._line_parents([rowid for rowid, _ in chosen])
                self._move_headers(sorted(set(parents)), stamps[-1] if stamps else stamp)
            if table.handle is None:  # the key may hold the column just moved (deletedrecord)
                chosen = self._answers(table, [rowid for rowid, _ in chosen])
            self.conn.commit()
        return [answer for _, answer in chosen]

    def touch(self, request: dict) -> list:
        """An update that changes nothing but the modification time."""
        return self.update({k: request[k] for k in ("table", "ids", "count", "type", "header") if k in request})

    def _line_parents(self, rowids: list[int]) -> list[int]:
        marks = ", ".join("?" for _ in rowids) or "NULL"
        return [
            r[0]
            for r in self.conn.execute(f'SELECT "transaction" FROM transactionline WHERE rowid IN ({marks})', rowids)
        ]

    # -- delete ---------------------------------------------------------------------------
    def delete(self, request: dict) -> list:
        """{"table", "ids"|"count" [, "type"]}: rows removed; a transaction with its lines,
        accounting lines and links. Deletable types are recorded in deletedrecord; a deleted
        line is not, and moves its transaction instead."""
        table = _table(request)
        with self.lock:
            chosen = self._choose(table, request)
            rowids = [rowid for rowid, _ in chosen]
            marks = ", ".join("?" for _ in rowids) or "NULL"
            now = self.now()
            gone = self._deleted_rows(table, rowids, now) if table.deleted_type else []
            if table.name == "transaction":
                ids = [answer for _, answer in chosen]
                id_marks = ", ".join("?" for _ in ids) or "NULL"
                for child, column in (("transactionline", "transaction"), ("transactionaccountingline", "transaction")):
                    self.conn.execute(f'DELETE FROM {child} WHERE "{column}" IN ({id_marks})', ids)
                for link in ("nexttransactionlinelink", "previoustransactionlinelink"):
                    self.conn.execute(
                        f"DELETE FROM {link} WHERE previousdoc IN ({id_marks}) OR nextdoc IN ({id_marks})", ids + ids
                    )
            parents: list[int] = []
            if table.name == "transactionline":
                found = self.conn.execute(
                    f'SELECT rowid, "transaction", id, mainline FROM transactionline WHERE rowid IN ({marks})', rowids
                ).fetchall()
                if any(main == "T" for *_, main in found):
                    raise ControlError("a main line goes with its transaction: delete the transaction instead")
                for _, parent, line, _ in found:
                    parents.append(parent)
                    self.conn.execute(
                        'DELETE FROM transactionaccountingline WHERE "transaction" = ? AND transactionline = ?',
                        (parent, line),
                    )
                    for link in ("nexttransactionlinelink", "previoustransactionlinelink"):
                        self.conn.execute(
                            f"DELETE FROM {link} WHERE (previousdoc = ? AND previousline = ?) "
                            "OR (nextdoc = ? AND nextline = ?)",
                            (parent, line, parent, line),
                        )
            self.conn.execute(f'DELETE FROM "{table.name}" WHERE rowid IN ({marks})', rowids)
            if parents:
                self._move_headers(sorted(set(parents)), now)
            if gone:
                self.conn.executemany(
                    "INSERT INTO deletedrecord (recordid, recordtypeid, scriptid, type, name, deleteddate, deletedby, "
                    "context, iscustomlist, iscustomrecord, iscustomtransaction) "
                    "VALUES (?, ?, ?, ?, ?, ?, 3, 'Web Services', ?, ?, 'F')",
                    gone,
                )
            self.conn.commit()
        return [answer for _, answer in chosen]

    def _deleted_rows(self, table: tables.Table, rowids: list[int], now: float) -> list[tuple]:
        """deletedrecord rows for the rows about to go, deleted through an integration: context
        "Web Services", by the token's user (3)."""
        marks = ", ".join("?" for _ in rowids) or "NULL"
        shown = table.display or table.key[0]
        if table.name == "transaction":
            kind_sql = "recordtype"
        elif table.name == "item":
            kind_sql = "itemtype"
        else:
            kind_sql = "NULL"
        out = []
        for rid, name, own in self.conn.execute(
            f'SELECT "{table.handle}", "{shown}", {kind_sql} FROM "{table.name}" WHERE rowid IN ({marks})', rowids
        ):
            kind = (
                own
                if table.name == "transaction"
                else schema.ITEM_RECORD_TYPE.get(own, "inventoryitem")
                if table.name == "item"
                else table.deleted_type or ""
            )
            custom_record = table.name in tables.CUSTOM_RECORD_TYPES
            type_id = (
                tables.CUSTOM_RECORD_TYPES[table.name][0] if custom_record else schema.RECORD_TYPE_ID.get(kind, -30)
            )
            scriptid = kind.upper() if custom_record or kind.startswith("customlist_") else None
            out.append(
                (
                    rid,
                    type_id,
                    scriptid,
                    kind,
                    None if name is None else str(name),
                    now,
                    "T" if kind.startswith("customlist_") else "F",
                    "T" if custom_record else "F",
                )
            )
        return out

    def _choose(self, table: tables.Table, request: dict) -> list[tuple[int, object]]:
        """(rowid, answer id) of the rows a request names ("ids", by the table's handle) or a
        seeded sample of "count" (optionally of one transaction "type"), in answer order; ids
        that do not exist are skipped. Caller holds the lock."""
        kind = request.get("type")
        if kind is not None and table.name != "transaction":
            raise ControlError("type applies to transaction only")
        where, args = ("type = ?", [kind]) if kind is not None else ("1", [])
        if "ids" in request:
            if table.handle is None:
                raise ControlError(f"{table.name} is keyed by ({', '.join(table.key)}): name rows with count")
            wanted = request["ids"]
            if not isinstance(wanted, list) or not all(
                isinstance(i, (int, str)) and not isinstance(i, bool) for i in wanted
            ):
                raise ControlError(f"ids must be a list of {table.name}.{table.handle} values")
            marks = ", ".join("?" for _ in wanted) or "NULL"
            query = f'SELECT rowid FROM "{table.name}" WHERE {where} AND "{table.handle}" IN ({marks})'
            return self._answers(table, [r[0] for r in self.conn.execute(query, args + wanted)])
        count = request.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ControlError("give ids (a list) or count (a non-negative integer)")
        candidates = [r[0] for r in self.conn.execute(f'SELECT rowid FROM "{table.name}" WHERE {where}', args)]
        return self._answers(table, self.rng.sample(candidates, min(count, len(candidates))))

    def _answers(self, table: tables.Table, rowids: list[int]) -> list[tuple[int, object]]:
        """(rowid, answer id) of these rows, in answer order."""
        answer = f'"{table.handle}"' if table.handle else _quoted(table.key)
        marks = ", ".join("?" for _ in rowids) or "NULL"
        found = self.conn.execute(
            f'SELECT rowid, {answer} FROM "{table.name}" WHERE rowid IN ({marks}) ORDER BY {answer}', rowids
        ).fetchall()
        if table.handle:
            return [(r[0], r[1]) for r in found]
        tz = self.settings.tz
        return [
            (r[0], [canonical_value(table.all_columns[k], v, tz) for k, v in zip(table.key, r[1:], strict=True)])
            for r in found
        ]


def _deleted_types(table: tables.Table) -> list[str]:
    """The deletedrecord types whose ids a new row of `table` must not take."""
    if table.name in tables.ENTITY_TYPES:
        return [t.deleted_type for t in tables.DECLARED if t.name in tables.ENTITY_TYPES and t.deleted_type]
    if table.name == "transaction":
        return list(schema.RECORD_TYPE.values())
    if table.name == "item":
        return list(schema.ITEM_RECORD_TYPE.values())
    return [table.deleted_type] if table.deleted_type else []


def _moment(at: object) -> float | None:
    if at is None:
        return None
    try:
        moment = datetime.fromisoformat(str(at))
    except ValueError:
        raise ControlError("at must be an ISO datetime with an offset") from None
    if moment.tzinfo is None:
        raise ControlError("at must carry an offset, e.g. +00:00")
    stamp = moment.timestamp()
    return int(stamp) if stamp == int(stamp) else stamp


class Writer:
    """A background thread changing invoices at `rate_per_second` for `seconds`: about 70 %
    updates, 20 % inserts, 10 % deletes, each of one record. Its ids are kept for the caller."""

    def __init__(self, mutator: Mutator, rate: float, seconds: float) -> None:
        self.mutator, self.rate, self.seconds = mutator, rate, seconds
        self.done: dict[str, list] = {"inserted": [], "updated": [], "deleted": []}
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
            if due - started >= self.seconds:
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
