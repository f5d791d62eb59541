"""Deterministic data: the same sizes and seed always give the same customers and transactions.

No wall clock is read: creation and modification times lie in fixed past ranges, ids grow with
gaps (NetSuite's internal ids are not contiguous), and some records share one
`lastmodifieddate` second, as a bulk edit or CSV import leaves them. Rows stream into SQLite so
memory stays flat at a million rows.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import date, datetime, timezone
from functools import cache
from zoneinfo import ZoneInfo

from . import schema, sqlgen
from .formats import local_date, local_midnight, number_text_or_null, to_char_datetime


def _epoch(year: int, month: int, day: int) -> int:
    return int(datetime(year, month, day, tzinfo=timezone.utc).timestamp())


CUSTOMER_CREATED = (_epoch(2021, 1, 1), _epoch(2023, 1, 1) - 1)
MODIFIED = (_epoch(2023, 1, 1), _epoch(2026, 1, 1) - 1)  # every lastmodifieddate lies here
TRANSACTION_CREATED = (MODIFIED[0], _epoch(2025, 10, 1))
DAY = 86_400

# Records of this share take a bulk-edit second instead of their own.
BULK_SHARE = 0.1
# Extra transactions of other types, per invoice, so that a type filter matters.
OTHER_TYPES = {"CustPymt": 0.06, "SalesOrd": 0.04}

_ADJECTIVES = [
    "Acme",
    "Blue",
    "Northern",
    "Golden",
    "Rapid",
    "Summit",
    "Crystal",
    "Urban",
    "Pacific",
    "Müller &",
    "Nordic",
    "Café",
    "Atlas",
    "Pioneer",
    "Silver",
    "Zenith",
]
_NOUNS = [
    "Widgets",
    "Logistics",
    "Foods",
    "Systems",
    "Textiles",
    "Analytics",
    "Motors",
    "Söhne",
    "Ventures",
    "Supplies",
    "Labs",
    "Partners",
    "Brewing",
    "Design",
]
_SUFFIXES = ["Inc.", "LLC", "Corp", "GmbH", "Ltd", "S.A.", "Co."]
_FIRST = ["Ana", "Ben", "Chloé", "Dmitri", "Eve", "Femi", "Grace", "Hiro", "Ines", "José"]
_LAST = ["Smith", "O'Brien", "García", "Nguyen", "Okafor", "Schmidt", "Tanaka", "Dubois"]
_MEMOS = [
    'Rush order "priority"',
    "Project A/B - phase 2",
    "Café Zürich – 5% Rabatt",
    "O'Brien's account \\ manual",
    "日本語のメモ",
    "Net 30, see PO",
    "Tab\tand slash /",
    "Credit review 12/2024",
]


def _between(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high]: `randint` without its per-call checks, which dominate here."""
    return low + int(rng.random() * (high - low + 1))


def _pick(rng: random.Random, options):
    return options[int(rng.random() * len(options))]


def build_database(
    customers: int, invoices: int, seed: int, tz: ZoneInfo, lines_per_invoice: int = 2, subsecond: bool = False
) -> sqlite3.Connection:
    """An in-memory SQLite database holding the emulated account, indexed for keyset paging."""
    # A private in-memory database opened with URIs on, so generated parts can be attached.
    conn = sqlite3.connect("file:netsuite-emulator?mode=memory", uri=True, check_same_thread=False)
    # The stored renderings call TO_CHAR's function; the engine registers it again, following
    # the account zone when it is switched (see `render_again`).
    conn.create_function(
        "ns_to_char_dt", 2, lambda v, f: None if v is None else to_char_datetime(v, f, tz), deterministic=True
    )
    conn.create_function("ns_number_text", 1, number_text_or_null, deterministic=True)
    for table in schema.TABLES:
        conn.execute(schema.create_table_sql(table))
    conn.execute("INSERT INTO dual (dummy) VALUES ('X')")
    rng = random.Random(seed)
    customer_rows = [tuple(row) for row in _customers(rng, customers, tz)]
    _insert(conn, "customer", customer_rows)
    customer_refs = [(r[0], r[12], r[10], r[11]) for r in customer_rows]  # id, terms, sub, cur
    _insert_transactions(conn, rng, _types(rng, invoices), customer_refs, tz, lines_per_invoice)
    _insert(conn, "customfield", _custom_fields())
    _insert(conn, "deletedrecord", _deleted(rng, conn, max(3, invoices // 500)))
    if subsecond:
        set_fractions(conn, True)
    for table in ("customer", "transaction"):
        conn.execute(f'CREATE INDEX "{table}_lastmodified" ON "{table}" (lastmodifieddate, id)')
    conn.execute('CREATE INDEX transaction_type_lastmodified ON "transaction" (type, lastmodifieddate, id)')
    conn.execute(
        'CREATE INDEX transactionline_lastmodified ON transactionline (linelastmodifieddate, "transaction", id)'
    )
    conn.execute("CREATE INDEX deletedrecord_type ON deletedrecord (type, deleteddate, recordid)")
    # Keyset order read from an index (stored renderings, schema.RENDERED), covering the raw key
    # too: the plan query ranks every row of a range in that order.
    conn.execute(
        'CREATE INDEX transaction_type_rendered ON "transaction" (type, lastmodifieddate__second, id, lastmodifieddate)'
    )
    conn.execute("CREATE INDEX customer_rendered ON customer (lastmodifieddate__second, id, lastmodifieddate)")
    conn.execute(
        "CREATE INDEX deletedrecord_type_rendered ON deletedrecord (type, deleteddate__second, recordid, deleteddate)"
    )
    # Statistics for the planner. Without them SQLite guesses that `lastmodifieddate >= x`
    # keeps a few rows, so a full-history plan query read the range index and sorted every
    # row into keyset order (0.8 s at 200,000 invoices instead of 0.4 s from the index above).
    conn.execute("ANALYZE")
    conn.commit()
    return conn


def _insert_transactions(
    conn: sqlite3.Connection,
    rng: random.Random,
    kinds: list[str],
    customers: list[tuple],
    tz: ZoneInfo,
    lines_per_invoice: int,
) -> None:
    """Transactions (generated inside SQLite, see `sqlgen`) and their lines."""
    bulk = sorted(_bulk_seconds(rng, len(kinds), *MODIFIED) + DST_SECONDS)
    sqlgen.insert_transactions(
        conn,
        rng,
        kinds,
        customers,
        tz,
        bulk,
        TRANSACTION_CREATED,
        MODIFIED,
        _MEMOS,
        lambda c: insert_lines(c, lines_per_invoice),
    )


def _insert(conn: sqlite3.Connection, table: str, rows) -> None:
    """Rows are tuples in `schema.TABLES` column order."""
    marks = ", ".join("?" for _ in schema.TABLES[table])
    conn.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)


# Sub-second parts, a deterministic function of the key, for `--subsecond`.
_FRACTION = {
    "customer": ("lastmodifieddate", "((id * 7919 + 13) % 1000) / 1000.0"),
    "transaction": ("lastmodifieddate", "((id * 7919 + 13) % 1000) / 1000.0"),
    "transactionline": ("linelastmodifieddate", '(("transaction" * 7919 + id * 104729 + 13) % 1000) / 1000.0'),
}


def render_again(conn: sqlite3.Connection) -> None:
    """Render every stored TO_CHAR again, after the account zone changed."""
    for table, columns in schema.TABLES.items():
        temporal = [f'"{name}" = "{name}"' for name, kind in columns.items() if kind in schema.RENDERED]
        if temporal:
            conn.execute(f'UPDATE "{table}" SET {", ".join(temporal)}')


def set_fractions(conn: sqlite3.Connection, on: bool) -> None:
    """Give every modification time a sub-second part (on), or cut them to whole seconds."""
    for table, (column, fraction) in _FRACTION.items():
        value = f"CAST({column} AS INTEGER) + {fraction}" if on else f"CAST({column} AS INTEGER)"
        conn.execute(f'UPDATE "{table}" SET {column} = {value}')


def insert_lines(conn: sqlite3.Connection, lines_per_invoice: int, where: str = "1", args: tuple = ()) -> None:
    """Lines for the transactions matching `where`, computed inside SQLite (no per-row Python).

    Line 0 is the main line (the receivable: the total, positive). Item lines split the total;
    on sales transactions their quantity and amount are negative, as income lines are in a real
    account's SuiteQL (silent in netsuite-api.md; the sign convention most accounts show).
    Payments have only a main line. A line's own modification time is before its header's,
    except on about one transaction in fifty whose first item line was edited afterwards
    without moving the header (netsuite-api.md §3, "child-line edits").
    """
    n = max(0, lines_per_invoice)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS line_numbers (k INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM line_numbers")
    conn.executemany("INSERT INTO line_numbers VALUES (?)", [(k,) for k in range(n + 1)])
    # Named steps for readability; SQLite flattens them into one pass over the transactions.
    conn.execute(
        f"""
        INSERT INTO transactionline
        WITH t AS NOT MATERIALIZED (
            SELECT id, type, memo, foreigntotal, createddate, lastmodifieddate,
                   CAST(ROUND(foreigntotal * 100) AS INTEGER) / {n or 1} AS share,
                   CAST(ROUND(foreigntotal * 100) AS INTEGER)
                     - ({n or 1} - 1) * (CAST(ROUND(foreigntotal * 100) AS INTEGER) / {n or 1})
                     AS rest
            FROM "transaction" t WHERE {where}),
        l AS NOT MATERIALIZED (
            SELECT t.*, k.k, 1 + (t.id + k.k) % 4 AS qty,
                   CASE WHEN k.k < {n} THEN t.share ELSE t.rest END AS cents
            FROM t CROSS JOIN line_numbers k WHERE k.k = 0 OR t.type != 'CustPymt')
        SELECT id, k, k, CASE WHEN k = 0 THEN 'T' ELSE 'F' END,
               CASE WHEN k = 0 THEN NULL ELSE 1 + (id * 7 + k * 3) % 6 END,
               CASE WHEN k = 0 THEN NULL ELSE -qty END,
               CASE WHEN k = 0 THEN NULL ELSE ROUND(cents / 100.0 / qty, 6) END,
               CASE WHEN k = 0 THEN foreigntotal ELSE -cents / 100.0 END,
               CASE WHEN k = 0 THEN memo WHEN (id + k) % 7 = 0 THEN 'Discount 5%/line ' || k END,
               CASE WHEN k = 0 THEN lastmodifieddate
                    WHEN k = 1 AND id % 50 = 7 THEN lastmodifieddate + 3600 * (1 + id % 48)
                    ELSE MAX(createddate, lastmodifieddate - (id * 13 + k * 7) % 86400)
               END
        FROM l""",
        args,
    )


def _bulk_seconds(rng: random.Random, count: int, low: int, high: int) -> list[int]:
    return sorted(_between(rng, low, high) for _ in range(max(1, count // 250)))


# Seconds inside daylight-saving changes of America/Los_Angeles (the default zone): the repeated
# hour 01:00-02:00 on fall-back nights, once in PDT and once in PST, and just after the skipped
# hour in spring. Bulk edits land on them, so the generated history crosses every change.
DST_SECONDS = sorted(
    [
        int(datetime(y, m, d, h, 30, tzinfo=timezone.utc).timestamp())
        for (y, m, d) in ((2023, 11, 5), (2024, 11, 3), (2025, 11, 2))
        for h in (8, 9)
    ]
    + [
        int(datetime(y, 3, d, 10, 30, tzinfo=timezone.utc).timestamp())
        for (y, d) in ((2023, 12), (2024, 10), (2025, 9))
    ]
)


def _customers(
    rng: random.Random,
    count: int,
    tz: ZoneInfo,
    start_id: int = 100,
    start_n: int = 1,
    parents: list[int] | None = None,
):
    """Customer rows as lists in schema order; ids from `start_id` upwards with gaps."""
    bulk = _bulk_seconds(rng, count, *MODIFIED)
    cid, ids = start_id, list(parents or [])
    rand = rng.random
    for n in range(start_n, start_n + count):
        cid += _between(rng, 1, 4)
        isperson = rand() < 0.2
        if isperson:
            name = f"{_pick(rng, _FIRST)} {_pick(rng, _LAST)}"
        else:
            name = f"{_pick(rng, _ADJECTIVES)} {_pick(rng, _NOUNS)} {_pick(rng, _SUFFIXES)}"
        subsidiary = _pick(rng, (1, 1, 1, 2, 3))
        created = _between(rng, *CUSTOMER_CREATED)
        yield [
            cid,
            f"CUST{n:05d}",
            name,
            f"ap@c{n}.example.com" if rand() < 0.85 else None,
            f"+1 555-{_between(rng, 0, 9999):04d}" if rand() < 0.7 else None,
            "T" if isperson else "F",
            "T" if rand() < 0.05 else "F",
            created,
            _between(rng, *MODIFIED) if rand() >= BULK_SHARE else _pick(rng, bulk),
            _pick(rng, ids) if ids and rand() < 0.1 else None,
            subsidiary,
            schema.SUBSIDIARY_CURRENCY[subsidiary],
            _pick(rng, (1, 1, 2, 3, 4)) if rand() < 0.8 else None,
            f"EXT-C-{n:05d}" if rand() < 0.5 else None,
            _pick(rng, _REGIONS) if rand() < 0.7 else None,
            "T" if rand() < 0.1 else "F",
            _midnight(_day_of(created + _between(rng, 30, 900) * DAY, tz), tz) if rand() < 0.3 else None,
        ]
        ids.append(cid)


def _types(rng: random.Random, invoices: int) -> list[str]:
    """Exactly `invoices` CustInvc, plus a smaller number of other types, shuffled."""
    others = [
        kind for kind, share in OTHER_TYPES.items() for _ in range(round(invoices * share) + (1 if invoices else 0))
    ]
    kinds = ["CustInvc"] * (invoices + len(others))
    # Scatter the other types over random positions (a full shuffle of a million is slow).
    for position, kind in zip(rng.sample(range(len(kinds)), len(others)), others):
        kinds[position] = kind
    return kinds


_PREFIX = {"CustInvc": "INV", "CustPymt": "PYMT", "SalesOrd": "SO"}


def _transactions(
    rng: random.Random, kinds: list[str], customers: list[tuple], tz: ZoneInfo, start_id: int, seq: dict[str, int]
):
    """Transaction rows as tuples in schema order. `customers`: (id, terms, subsidiary,
    currency) tuples; `seq` counts tranids per type and is advanced in place.

    The hot loop of a million-row build: local names, tuples, no per-row dict."""
    if kinds and not customers:
        raise ValueError("transactions need at least one customer")
    bulk = sorted(_bulk_seconds(rng, len(kinds), *MODIFIED) + DST_SECONDS)
    rand, ncust, nbulk, nmemo = rng.random, len(customers), len(bulk), len(_MEMOS)
    c_low, c_span = TRANSACTION_CREATED[0], TRANSACTION_CREATED[1] - TRANSACTION_CREATED[0] + 1
    m_low, m_high = MODIFIED
    record_type, terms_days, period = schema.RECORD_TYPE, schema.TERMS_DAYS, schema.period_id
    day_of, midnight, memos = _day_of, _midnight, _MEMOS
    tid = start_id
    for kind in kinds:
        tid += 1 + int(rand() * 3)
        seq[kind] += 1
        cust_id, cust_terms, subsidiary, currency = customers[int(rand() * ncust)]
        created = c_low + int(rand() * c_span)
        day = day_of(created, tz)
        cents = 1 + int(rand() * 99) if rand() < 0.05 else 1000 + int(rand() * 2_499_001)
        terms = cust_terms or 1
        modified = bulk[int(rand() * nbulk)] if rand() < BULK_SHARE else 0
        if modified < created:  # an own second: some time after creation
            modified = min(m_high, max(m_low, created + int(rand() * 90 * DAY)))
        trandate = midnight(day, tz)
        if kind == "CustInvc":
            r = rand()
            paid = 0 if r < 0.25 else cents if r < 0.75 else int(rand() * (cents + 1))
            status = "B" if paid == cents else "A"
            amounts = (paid / 100, (cents - paid) / 100)
            duedate = midnight(date.fromordinal(day.toordinal() + terms_days[terms]), tz)
        else:
            status = ("B", "C")[int(rand() * 2)] if kind == "CustPymt" else ("B", "F", "G")[int(rand() * 3)]
            amounts, duedate = (None, None), None
        yield (
            tid,
            f"{_PREFIX[kind]}{seq[kind]:06d}",
            kind,
            record_type[kind],
            cust_id,
            trandate,
            duedate,
            created,
            modified,
            status,
            cents / 100,
            amounts[0],
            amounts[1],
            currency,
            1.0 if currency == 1 else (10_500 + int(rand() * 3001)) / 10_000,
            memos[int(rand() * nmemo)] if rand() < 0.4 else None,
            terms if kind != "CustPymt" else None,
            subsidiary,
            period(day.year, day.month),
            f"EXT-T-{tid}" if rand() < 0.5 else None,
            f"PO-{1000 + int(rand() * 99000)}" if kind != "CustPymt" and rand() < 0.5 else None,
            "T" if rand() < 0.6 else "F",
            f"PRJ-{tid % 997:03d}/{day.year}" if rand() < 0.3 else None,
            midnight(date.fromordinal(day.toordinal() + int(rand() * 20)), tz) if rand() < 0.2 else None,
            int(rand() * 4000) / 10_000 if kind != "CustPymt" else None,
        )


def _custom_fields():
    stamp = _epoch(2022, 6, 1)
    for n, (scriptid, (kind, value_type, label)) in enumerate(schema.CUSTOM_FIELDS.items()):
        yield (
            1001 + n,
            scriptid.upper(),
            kind,
            value_type,
            label,
            f"{label} (emulated custom field)",
            "F",
            stamp + n * DAY,
        )


def _deleted(rng: random.Random, conn: sqlite3.Connection, count: int):
    """A few records deleted in the generated past: invoices and customers whose ids fell in
    the gaps between the surviving ids, as a deletion leaves them."""
    rows = []
    for table, kind in (("transaction", "invoice"), ("customer", "customer")):
        taken = {r[0] for r in conn.execute(f'SELECT id FROM "{table}"')}
        top = max(taken, default=1000)
        for n in range(count if kind == "invoice" else max(1, count // 3)):
            rid = _between(rng, 1, top)
            while rid in taken:
                rid += 1
            taken.add(rid)
            name = f"INV-D{n + 1:05d}" if kind == "invoice" else f"CUST-D{n + 1:05d} Removed Co"
            rows.append(
                (
                    rid,
                    schema.RECORD_TYPE_ID[kind],
                    None,
                    kind,
                    name,
                    _between(rng, *MODIFIED),
                    _pick(rng, (-4, 3, 5)),
                    _pick(rng, DELETE_CONTEXTS),
                    "F",
                    "F",
                    "F",
                )
            )
    return rows


# deletedrecord.context: the execution context's display text [unsure which form SuiteQL shows].
DELETE_CONTEXTS = ("UI", "CSV Import", "Web Services", "Scheduled Script")
_REGIONS = ("West", "East", "EMEA", "APAC", "Central / North")


# Time-zone arithmetic is the slowest step per row; both answers repeat a lot. Offsets change
# only on quarter hours in every IANA zone, so a 15-minute slot has one local date.
@cache
def _slot_day(slot: int, tz: ZoneInfo) -> date:
    return local_date(slot * 900, tz)


def _day_of(epoch: int, tz: ZoneInfo) -> date:
    return _slot_day(epoch // 900, tz)


@cache
def _midnight(day: date, tz: ZoneInfo) -> int:
    return local_midnight(day, tz)


def rezone_dates(conn: sqlite3.Connection, old: ZoneInfo, new: ZoneInfo) -> None:
    """Date columns are stored as local midnight: keep each date's day in a new account zone."""
    conn.create_function(
        "ns_rezone", 1, lambda v: None if v is None else local_midnight(local_date(v, old), new), deterministic=True
    )
    for table, columns in schema.TABLES.items():
        for column, kind in columns.items():
            if kind == schema.DATE:
                conn.execute(f'UPDATE "{table}" SET "{column}" = ns_rezone("{column}")')
