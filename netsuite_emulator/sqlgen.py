"""Transactions generated inside SQLite: a million rows in seconds, with no Python per row.

Python prepares small lookup tables (random words, customers, local days, bulk-edit seconds,
the positions of non-invoice types); one INSERT ... SELECT then derives every column from them.
Each row's random words are the sum of two rows of a 65,536-row table of seeded random 32-bit
words, picked by the row number's low and high 16 bits: distinct for every row, deterministic
for a seed. The columns follow the same rules as `data._transactions` (used for small inserts).
"""

from __future__ import annotations

import random
import sqlite3
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from . import schema
from .formats import local_midnight

WORDS = 16
SIDE = 65_536
TWO32 = 4_294_967_296
DAY = 86_400


def insert_transactions(conn: sqlite3.Connection, rng: random.Random, kinds: list[str],
                        customers: list[tuple], tz: ZoneInfo, bulk: list[int],
                        created: tuple[int, int], modified: tuple[int, int],
                        memos: list[str]) -> None:
    """`kinds`: the type of each transaction in order; `customers`: (id, terms, subsidiary,
    currency); `bulk`: shared bulk-edit seconds; `created`/`modified`: inclusive ranges."""
    total = len(kinds)
    if not total:
        return
    if not customers:
        raise ValueError("transactions need at least one customer")
    if total > SIDE * SIDE:
        raise ValueError("at most 2**32 transactions")
    temp = ("g_rand", "g_kind", "g_cust", "g_day", "g_bulk", "g_memo")
    conn.execute(f"CREATE TEMP TABLE g_rand (i INTEGER PRIMARY KEY, "
                 f"{', '.join(f'r{j}' for j in range(WORDS))})")
    bits = rng.getrandbits
    conn.executemany(f"INSERT INTO g_rand VALUES (?{', ?' * WORDS})",
                     ((i, *(bits(32) for _ in range(WORDS))) for i in range(SIDE)))
    conn.execute("CREATE TEMP TABLE g_kind (pos INTEGER PRIMARY KEY, kind TEXT, seq INTEGER, "
                 "ord INTEGER)")
    seq: dict[str, int] = {}
    others = []
    for pos, kind in enumerate(kinds):
        if kind != "CustInvc":
            seq[kind] = seq.get(kind, 0) + 1
            others.append((pos, kind, seq[kind], len(others) + 1))
    conn.executemany("INSERT INTO g_kind VALUES (?, ?, ?, ?)", others)
    conn.execute("CREATE TEMP TABLE g_cust (k INTEGER PRIMARY KEY, id, terms, subsidiary, "
                 "currency)")
    conn.executemany("INSERT INTO g_cust VALUES (?, ?, ?, ?, ?)",
                     ((k, *c) for k, c in enumerate(customers)))
    conn.execute("CREATE TEMP TABLE g_day (dayno INTEGER PRIMARY KEY, midnight INTEGER UNIQUE, "
                 "period INTEGER, year INTEGER)")
    first = date.fromtimestamp(created[0] - 2 * DAY)
    last = date.fromtimestamp(created[1]) + timedelta(days=100)
    conn.executemany("INSERT INTO g_day VALUES (?, ?, ?, ?)",
                     ((d.toordinal(), local_midnight(d, tz), schema.period_id(d.year, d.month),
                       d.year)
                      for d in (first + timedelta(days=k)
                                for k in range((last - first).days + 1))))
    conn.execute("CREATE TEMP TABLE g_bulk (i INTEGER PRIMARY KEY, stamp INTEGER)")
    conn.executemany("INSERT INTO g_bulk VALUES (?, ?)", enumerate(bulk))
    conn.execute("CREATE TEMP TABLE g_memo (i INTEGER PRIMARY KEY, memo TEXT)")
    conn.executemany("INSERT INTO g_memo VALUES (?, ?)", enumerate(memos))

    words = ", ".join(f"(a.r{j} + b.r{j}) % {TWO32} AS r{j}" for j in range(WORDS))
    terms_days = " ".join(f"WHEN {k} THEN {v}" for k, v in schema.TERMS_DAYS.items())
    prefix = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in _PREFIX.items())
    record_type = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in schema.RECORD_TYPE.items())
    c_low, c_span = created[0], created[1] - created[0] + 1
    m_low, m_high = modified
    conn.execute(f"""
        INSERT INTO "transaction"
        WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < {total - 1}),
        w AS (
            SELECT s.n, COALESCE(o.kind, 'CustInvc') AS kind, o.seq AS seq, {words}
            FROM s JOIN g_rand a ON a.i = s.n % {SIDE} JOIN g_rand b ON b.i = s.n / {SIDE}
                   LEFT JOIN g_kind o ON o.pos = s.n),
        x AS (
            SELECT w.*, 1001 + 2 * n + r0 % 2 AS id, c.id AS entity,
                   COALESCE(c.terms, 1) AS terms, c.subsidiary, c.currency,
                   {c_low} + r1 % {c_span} AS created,
                   CASE WHEN r2 % 100 < 5 THEN 1 + r3 % 99 ELSE 1000 + r3 % 2499001 END AS cents,
                   CASE WHEN r4 % 10 = 0
                        THEN (SELECT stamp FROM g_bulk WHERE i = r5 % {len(bulk)}) END AS shared
            FROM w JOIN g_cust c ON c.k = w.r6 % {len(customers)}),
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
               CASE WHEN kind = 'CustInvc' THEN (SELECT midnight FROM g_day
                   WHERE dayno = y.dayno + CASE terms {terms_days} END) END,
               created, modified,
               CASE kind WHEN 'CustInvc' THEN CASE WHEN paid = cents THEN 'B' ELSE 'A' END
                         WHEN 'CustPymt' THEN substr('BC', 1 + r10 % 2, 1)
                         ELSE substr('BFG', 1 + r10 % 3, 1) END,
               cents / 100.0, paid / 100.0, (cents - paid) / 100.0, currency,
               CASE WHEN currency = 1 THEN 1.0 ELSE (10500 + r11 % 3001) / 10000.0 END,
               CASE WHEN r12 % 10 < 4 THEN (SELECT memo FROM g_memo
                                            WHERE i = (r12 / 10) % {len(memos)}) END,
               CASE WHEN kind != 'CustPymt' THEN terms END,
               subsidiary, period,
               CASE WHEN r13 % 2 = 0 THEN 'EXT-T-' || id END,
               CASE WHEN kind != 'CustPymt' AND (r13 / 2) % 2 = 0
                    THEN 'PO-' || (1000 + (r13 / 4) % 99000) END,
               CASE WHEN r14 % 10 < 6 THEN 'T' ELSE 'F' END,
               CASE WHEN (r14 / 10) % 10 < 3 THEN printf('PRJ-%03d/%d', id % 997, year) END,
               CASE WHEN (r14 / 100) % 10 < 2 THEN (SELECT midnight FROM g_day
                   WHERE dayno = y.dayno + (r14 / 1000) % 20) END,
               CASE WHEN kind != 'CustPymt' THEN (r15 % 4000) / 10000.0 END
        FROM y""")
    for table in temp:
        conn.execute(f"DROP TABLE temp.{table}")


_PREFIX = {"CustInvc": "INV", "CustPymt": "PYMT", "SalesOrd": "SO"}
