"""Transactions generated inside SQLite: a million rows in seconds, with no Python per row.

Python prepares small lookup tables (random words, customers, local days, bulk-edit seconds,
the positions of non-invoice types); one INSERT ... SELECT then derives every column from them.
Each row's random words are the sum of two rows of a 65,536-row table of seeded random 32-bit
words, picked by the row number's low and high 16 bits: distinct for every row, deterministic
for a seed. The columns follow the same rules as `data._transactions` (used for small inserts).

Every column is a function of the row number and the lookup tables only, so ranges of row
numbers can be generated apart: from PARALLEL_FROM rows, one thread per CPU (at most 4) builds
its range in its own in-memory database (SQLite releases the GIL while it works), and the parts
are copied into the account's database. The data is the same for any number of parts.
"""

from __future__ import annotations

import itertools
import os
import random
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from . import schema
from .formats import local_midnight

PARALLEL_FROM = 100_000
LOOKUPS = ("g_rand", "g_kind", "g_cust", "g_vend", "g_rep", "g_day", "g_bulk", "g_memo")
# Made together, part by part: the transactions and their lines (see `add_lines`).
PART_TABLES = ("transaction", "transactionline", "transactionaccountingline")
SALES_TYPES = ("CustInvc", "SalesOrd", "CustCred", "ItemShip")
# The status codes each type's rows take (one letter each; `schema.STATUS_TEXT` names them).
STATUS_CODES = {
    "CustPymt": "BC",
    "SalesOrd": "BFG",
    "CustCred": "AB",
    "VendBill": "AB",
    "Journal": "B",
    "ItemShip": "ABC",
}
PREFIX = {
    "CustInvc": "INV",
    "CustPymt": "PYMT",
    "SalesOrd": "SO",
    "CustCred": "CM",
    "VendBill": "BILL",
    "Journal": "JE",
    "ItemShip": "IF",
}


@dataclass(frozen=True)
class Dimensions:
    """What transactions point at besides customers: vendors (id, terms, subsidiary, currency)
    for bills, sales reps, and how many departments, classes, locations and sales channels."""

    vendors: list[tuple]
    sales_reps: list[int]
    departments: int
    classes: int
    locations: int
    sales_channels: int


_names = itertools.count()
WORDS = 16
SIDE = 65_536
TWO32 = 4_294_967_296
DAY = 86_400


def insert_transactions(
    conn: sqlite3.Connection,
    rng: random.Random,
    kinds: list[str],
    customers: list[tuple],
    tz: ZoneInfo,
    bulk: list[int],
    created: tuple[int, int],
    modified: tuple[int, int],
    memos: list[str],
    add_lines: Callable[[sqlite3.Connection], None],
    dimensions: Dimensions,
    workers: int | None = None,
) -> None:
    """`kinds`: the type of each transaction in order; `customers`: (id, terms, subsidiary,
    currency); `bulk`: shared bulk-edit seconds; `created`/`modified`: inclusive ranges;
    `add_lines(conn)` adds the lines of every transaction in `conn`. `conn` must have been
    opened with uri=True and hold no transactions yet."""
    total = len(kinds)
    if not total:
        return
    if not customers:
        raise ValueError("transactions need at least one customer")
    if total > SIDE * SIDE:
        raise ValueError("at most 2**32 transactions")
    tag = f"netsuite-emulator-{os.getpid()}-{next(_names)}"
    lookup_uri = f"file:{tag}-lookup?mode=memory&cache=shared"
    lookup = sqlite3.connect(lookup_uri, uri=True)
    try:
        _lookup_tables(lookup, rng, kinds, customers, tz, bulk, created, memos, dimensions)
        lookup.commit()
        sql = _select_sql(len(customers), len(bulk), len(memos), created, modified, dimensions)
        parts = 1 if total < PARALLEL_FROM else max(1, min(4, workers or os.cpu_count() or 1))
        size = -(-total // parts)
        ranges = [(lo, min(total, lo + size)) for lo in range(0, total, size)]
        uris = [f"file:{tag}-{k}?mode=memory&cache=shared" for k in range(1, len(ranges))]
        # Each part's database lives while its connection is open: until copied below.
        others = [sqlite3.connect(uri, uri=True, check_same_thread=False) for uri in uris]
        try:
            errors: list[BaseException] = []

            def build(target: sqlite3.Connection, lo: int, hi: int) -> None:
                try:
                    if target is not conn:
                        for table in PART_TABLES:
                            # Plain tables: the renderings are made on the copy below.
                            target.execute(schema.create_table_sql(table, rendered=False))
                    _generate(target, lookup_uri, sql, lo, hi)
                    add_lines(target)
                    target.commit()
                except BaseException as exc:  # noqa: BLE001 - re-raised by the caller
                    errors.append(exc)

            threads = [
                threading.Thread(target=build, args=(part, *bounds), daemon=True)
                for part, bounds in zip(others, ranges[1:], strict=False)
            ]
            for thread in threads:
                thread.start()
            build(conn, *ranges[0])
            for thread in threads:
                thread.join()
            if errors:
                raise errors[0]
            for uri in uris:
                conn.execute("ATTACH DATABASE ? AS part", (uri,))
                for table in PART_TABLES:
                    names = ", ".join(f'"{c}"' for c in schema.TABLES[table])
                    order = ", ".join(f'"{c}"' for c in schema.KEYS[table])
                    conn.execute(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM part."{table}" ORDER BY {order}')
                conn.commit()
                conn.execute("DETACH DATABASE part")
        finally:
            for part in others:
                part.close()
    finally:
        lookup.close()


def _generate(target: sqlite3.Connection, lookup_uri: str, sql: str, lo: int, hi: int) -> None:
    """Rows lo..hi-1 into `target`, from private copies of the lookup tables."""
    target.execute("ATTACH DATABASE ? AS lookup", (lookup_uri,))
    for table in LOOKUPS:
        ddl = target.execute("SELECT sql FROM lookup.sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        target.execute(ddl.replace(f"CREATE TABLE {table}", f"CREATE TEMP TABLE {table}", 1))
        target.execute(f"INSERT INTO temp.{table} SELECT * FROM lookup.{table}")
    target.commit()
    target.execute("DETACH DATABASE lookup")
    target.execute(sql, {"lo": lo, "hi": hi})
    for table in LOOKUPS:
        target.execute(f"DROP TABLE temp.{table}")


def _lookup_tables(
    conn: sqlite3.Connection,
    rng: random.Random,
    kinds: list[str],
    customers: list[tuple],
    tz: ZoneInfo,
    bulk: list[int],
    created: tuple[int, int],
    memos: list[str],
    dimensions: Dimensions,
) -> None:
    conn.execute(f"CREATE TABLE g_rand (i INTEGER PRIMARY KEY, {', '.join(f'r{j}' for j in range(WORDS))})")
    bits = rng.getrandbits
    conn.executemany(
        f"INSERT INTO g_rand VALUES (?{', ?' * WORDS})", ((i, *(bits(32) for _ in range(WORDS))) for i in range(SIDE))
    )
    conn.execute("CREATE TABLE g_kind (pos INTEGER PRIMARY KEY, kind TEXT, seq INTEGER, ord INTEGER)")
    seq: dict[str, int] = {}
    others: list[tuple] = []
    for pos, kind in enumerate(kinds):
        if kind != "CustInvc":
            seq[kind] = seq.get(kind, 0) + 1
            others.append((pos, kind, seq[kind], len(others) + 1))
    conn.executemany("INSERT INTO g_kind VALUES (?, ?, ?, ?)", others)
    conn.execute("CREATE TABLE g_cust (k INTEGER PRIMARY KEY, id, terms, subsidiary, currency)")
    conn.executemany("INSERT INTO g_cust VALUES (?, ?, ?, ?, ?)", ((k, *c) for k, c in enumerate(customers)))
    conn.execute("CREATE TABLE g_vend (k INTEGER PRIMARY KEY, id, terms, subsidiary, currency)")
    vendors = dimensions.vendors or customers  # an account without vendors bills its customers
    conn.executemany("INSERT INTO g_vend VALUES (?, ?, ?, ?, ?)", ((k, *v) for k, v in enumerate(vendors)))
    conn.execute("CREATE TABLE g_rep (k INTEGER PRIMARY KEY, id)")
    conn.executemany("INSERT INTO g_rep VALUES (?, ?)", enumerate(dimensions.sales_reps))
    conn.execute(
        "CREATE TABLE g_day (dayno INTEGER PRIMARY KEY, midnight INTEGER UNIQUE, period INTEGER, year INTEGER)"
    )
    first = date.fromtimestamp(created[0] - 2 * DAY)
    last = date.fromtimestamp(created[1]) + timedelta(days=100)
    conn.executemany(
        "INSERT INTO g_day VALUES (?, ?, ?, ?)",
        (
            (d.toordinal(), local_midnight(d, tz), schema.period_id(d.year, d.month), d.year)
            for d in (first + timedelta(days=k) for k in range((last - first).days + 1))
        ),
    )
    conn.execute("CREATE TABLE g_bulk (i INTEGER PRIMARY KEY, stamp INTEGER)")
    conn.executemany("INSERT INTO g_bulk VALUES (?, ?)", enumerate(bulk))
    conn.execute("CREATE TABLE g_memo (i INTEGER PRIMARY KEY, memo TEXT)")
    conn.executemany("INSERT INTO g_memo VALUES (?, ?)", enumerate(memos))


def _select_sql(
    customers: int,
    bulk: int,
    memos: int,
    created: tuple[int, int],
    modified: tuple[int, int],
    dims: Dimensions,
) -> str:
    """The INSERT of rows :lo to :hi - 1 (of `total`), reading the g_* lookup tables."""
    words = ", ".join(f"(a.r{j} + b.r{j}) % {TWO32} AS r{j}" for j in range(WORDS))
    terms_days = " ".join(f"WHEN {k} THEN {v}" for k, v in schema.TERMS_DAYS.items())
    prefix = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in PREFIX.items())
    record_type = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in schema.RECORD_TYPE.items())
    codes = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in STATUS_CODES.items())
    sales = ", ".join(f"'{k}'" for k in SALES_TYPES)
    c_low, c_span = created[0], created[1] - created[0] + 1
    m_low, m_high = modified
    vendors, reps = max(1, len(dims.vendors)), max(1, len(dims.sales_reps))
    rep = f"(SELECT id FROM g_rep WHERE k = (r2 / 128) % {reps})" if dims.sales_reps else "NULL"
    columns = ", ".join(f'"{c}"' for c in schema.TABLES["transaction"])
    return f"""
        INSERT INTO "transaction" ({columns})
        WITH RECURSIVE s(n) AS (SELECT :lo UNION ALL SELECT n + 1 FROM s WHERE n < :hi - 1),
        w AS (
            SELECT s.n, COALESCE(o.kind, 'CustInvc') AS kind, o.seq AS seq, {words}
            FROM s JOIN g_rand a ON a.i = s.n % {SIDE} JOIN g_rand b ON b.i = s.n / {SIDE}
                   LEFT JOIN g_kind o ON o.pos = s.n),
        x AS (
            SELECT w.*, 1001 + 2 * n + r0 % 2 AS id,
                   CASE kind WHEN 'VendBill' THEN v.id WHEN 'Journal' THEN NULL ELSE c.id END AS entity,
                   COALESCE(CASE kind WHEN 'VendBill' THEN v.terms ELSE c.terms END, 1) AS terms,
                   CASE kind WHEN 'VendBill' THEN v.subsidiary ELSE c.subsidiary END AS subsidiary,
                   CASE kind WHEN 'VendBill' THEN v.currency ELSE c.currency END AS currency,
                   {c_low} + r1 % {c_span} AS created,
                   CASE WHEN r2 % 100 < 5 THEN 1 + r3 % 99 ELSE 1000 + r3 % 2499001 END AS cents,
                   CASE WHEN r4 % 10 = 0
                        THEN (SELECT stamp FROM g_bulk WHERE i = r5 % {bulk}) END AS shared
            FROM w JOIN g_cust c ON c.k = w.r6 % {customers}
                   JOIN g_vend v ON v.k = (w.r6 / 7) % {vendors}),
        xd AS (
            SELECT x.*, (SELECT dayno FROM g_day WHERE midnight <= x.created
                         ORDER BY midnight DESC LIMIT 1) AS day_of
            FROM x),
        y AS (
            SELECT x.*, d.dayno, d.midnight AS trandate, d.period, d.year,
                   CASE WHEN shared >= created THEN shared
                        ELSE MIN({m_high}, MAX({m_low}, created + r7 % {90 * DAY})) END
                     AS modified,
                   CASE WHEN kind != 'CustInvc' THEN NULL WHEN r8 % 4 = 0 THEN 0
                        WHEN r8 % 4 < 3 THEN cents ELSE r9 % (cents + 1) END AS paid
            FROM xd x JOIN g_day d ON d.dayno = x.day_of)
        SELECT id,
               CASE kind {prefix} END || printf('%06d', COALESCE(seq, n + 1 - COALESCE(
                   (SELECT ord FROM g_kind WHERE pos < y.n ORDER BY pos DESC LIMIT 1), 0))),
               kind, CASE kind {record_type} END, entity, trandate,
               CASE WHEN kind IN ('CustInvc', 'VendBill') THEN (SELECT midnight FROM g_day
                   WHERE dayno = y.dayno + CASE terms {terms_days} END) END,
               created, modified,
               CASE kind WHEN 'CustInvc' THEN CASE WHEN paid = cents THEN 'B' ELSE 'A' END
                         ELSE substr(CASE kind {codes} END, 1 + r10 % length(CASE kind {codes} END), 1) END,
               cents / 100.0, paid / 100.0, (cents - paid) / 100.0, currency,
               CASE WHEN currency = 1 THEN 1.0 ELSE (10500 + r11 % 3001) / 10000.0 END,
               CASE WHEN r12 % 10 < 4 THEN (SELECT memo FROM g_memo
                                            WHERE i = (r12 / 10) % {memos}) END,
               CASE WHEN kind NOT IN ('CustPymt', 'Journal', 'ItemShip') THEN terms END,
               subsidiary, period,
               CASE WHEN r13 % 2 = 0 THEN 'EXT-T-' || id END,
               CASE WHEN kind != 'CustPymt' AND (r13 / 2) % 2 = 0
                    THEN 'PO-' || (1000 + (r13 / 4) % 99000) END,
               CASE WHEN kind IN ('SalesOrd', 'CustInvc', 'ItemShip') AND (r15 / 40000) % 2 = 0
                    THEN (SELECT midnight FROM g_day WHERE dayno = y.dayno + (r15 / 4000) % 10) END,
               CASE WHEN kind IN ('CustInvc', 'SalesOrd', 'CustCred')
                    THEN ROUND(cents * ((r11 / 3001) % 3) * 4 / 100.0) / 100.0 END,
               CASE WHEN kind = 'SalesOrd' THEN 'F' ELSE 'T' END,
               'F',
               1 + (r0 / 2) % {dims.departments}, 1 + (r0 / 64) % {dims.classes},
               CASE WHEN kind != 'Journal' THEN 1 + (r0 / 4096) % {dims.locations} END,
               CASE WHEN kind IN ({sales}) THEN {rep} END,
               CASE WHEN r14 % 10 < 6 THEN 'T' ELSE 'F' END,
               CASE WHEN (r14 / 10) % 10 < 3 THEN printf('PRJ-%03d/%d', id % 997, year) END,
               CASE WHEN (r14 / 100) % 10 < 2 THEN (SELECT midnight FROM g_day
                   WHERE dayno = y.dayno + (r14 / 1000) % 20) END,
               CASE WHEN kind != 'CustPymt' THEN (r15 % 4000) / 10000.0 END,
               CASE WHEN r14 % 10 < 6 AND (r14 / 10000) % 2 = 0 THEN MAX(created, modified - r9 % {DAY}) END,
               CASE WHEN kind IN ({sales}) AND (r12 / 1000) % 3 != 0
                    THEN 1 + (r12 / 3000) % {dims.sales_channels} END
        FROM y"""
