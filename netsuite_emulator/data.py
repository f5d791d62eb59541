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
from functools import lru_cache
from zoneinfo import ZoneInfo

from . import schema
from .formats import local_date, local_midnight


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

_ADJECTIVES = ["Acme", "Blue", "Northern", "Golden", "Rapid", "Summit", "Crystal", "Urban",
               "Pacific", "Müller &", "Nordic", "Café", "Atlas", "Pioneer", "Silver", "Zenith"]
_NOUNS = ["Widgets", "Logistics", "Foods", "Systems", "Textiles", "Analytics", "Motors",
          "Söhne", "Ventures", "Supplies", "Labs", "Partners", "Brewing", "Design"]
_SUFFIXES = ["Inc.", "LLC", "Corp", "GmbH", "Ltd", "S.A.", "Co."]
_FIRST = ["Ana", "Ben", "Chloé", "Dmitri", "Eve", "Femi", "Grace", "Hiro", "Ines", "José"]
_LAST = ["Smith", "O'Brien", "García", "Nguyen", "Okafor", "Schmidt", "Tanaka", "Dubois"]
_MEMOS = ['Rush order "priority"', "Project A/B - phase 2", "Café Zürich – 5% Rabatt",
          "O'Brien's account \\ manual", "日本語のメモ", "Net 30, see PO", "Tab\tand slash /",
          "Credit review 12/2024"]


def _between(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high]: `randint` without its per-call checks, which dominate here."""
    return low + int(rng.random() * (high - low + 1))


def _pick(rng: random.Random, options):
    return options[int(rng.random() * len(options))]


def build_database(customers: int, invoices: int, seed: int, tz: ZoneInfo) -> sqlite3.Connection:
    """An in-memory SQLite database holding the emulated account, indexed for keyset paging."""
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    for table in schema.TABLES:
        conn.execute(schema.create_table_sql(table))
    conn.execute("INSERT INTO dual (dummy) VALUES ('X')")
    rng = random.Random(seed)
    customer_rows = list(_customers(rng, customers))
    _insert(conn, "customer", customer_rows)
    _insert(conn, "transaction", _transactions(rng, invoices, customer_rows, tz))
    for table in ("customer", "transaction"):
        conn.execute(f'CREATE INDEX "{table}_lastmodified" ON "{table}" (lastmodifieddate, id)')
    conn.execute('CREATE INDEX transaction_type_lastmodified ON "transaction" '
                 "(type, lastmodifieddate, id)")
    conn.commit()
    return conn


def _insert(conn: sqlite3.Connection, table: str, rows) -> None:
    cols = list(schema.TABLES[table])
    marks = ", ".join("?" for _ in cols)
    conn.executemany(f'INSERT INTO "{table}" VALUES ({marks})',
                     (tuple(row[c] for c in cols) for row in rows))


def _bulk_seconds(rng: random.Random, count: int, low: int, high: int) -> list[int]:
    return sorted(_between(rng, low, high) for _ in range(max(1, count // 250)))


def _modified(rng: random.Random, created: int, bulk: list[int]) -> int:
    """A modification second after `created`: own, or a bulk edit's shared second."""
    if rng.random() < BULK_SHARE:
        stamp = _pick(rng, bulk)
        if stamp >= created:
            return stamp
    return min(MODIFIED[1], max(MODIFIED[0], created + _between(rng, 0, 90 * DAY)))


def _customers(rng: random.Random, count: int):
    bulk = _bulk_seconds(rng, count, *MODIFIED)
    cid, ids = 100, []
    for n in range(1, count + 1):
        cid += _between(rng, 1, 4)
        isperson = rng.random() < 0.2
        if isperson:
            name = f"{_pick(rng, _FIRST)} {_pick(rng, _LAST)}"
        else:
            name = f"{_pick(rng, _ADJECTIVES)} {_pick(rng, _NOUNS)} {_pick(rng, _SUFFIXES)}"
        slug = f"c{n}"
        subsidiary = _pick(rng, (1, 1, 1, 2, 3))
        created = _between(rng, *CUSTOMER_CREATED)
        yield {
            "id": cid,
            "entityid": f"CUST{n:05d}",
            "companyname": name,
            "email": f"ap@{slug}.example.com" if rng.random() < 0.85 else None,
            "phone": f"+1 555-{_between(rng, 0, 9999):04d}" if rng.random() < 0.7 else None,
            "isperson": "T" if isperson else "F",
            "isinactive": "T" if rng.random() < 0.05 else "F",
            "datecreated": created,
            "lastmodifieddate": _between(rng, *MODIFIED) if rng.random() >= BULK_SHARE
            else _pick(rng, bulk),
            "parent": _pick(rng, ids) if ids and rng.random() < 0.1 else None,
            "subsidiary": subsidiary,
            "currency": schema.SUBSIDIARY_CURRENCY[subsidiary],
            "terms": _pick(rng, (1, 1, 2, 3, 4)) if rng.random() < 0.8 else None,
            "externalid": f"EXT-C-{n:05d}" if rng.random() < 0.5 else None,
        }
        ids.append(cid)


def _types(rng: random.Random, invoices: int) -> list[str]:
    """Exactly `invoices` CustInvc, plus a smaller number of other types, shuffled."""
    kinds = ["CustInvc"] * invoices
    for kind, share in OTHER_TYPES.items():
        kinds += [kind] * (round(invoices * share) + (1 if invoices else 0))
    rng.shuffle(kinds)
    return kinds


def _transactions(rng: random.Random, invoices: int, customers: list[dict], tz: ZoneInfo):
    if invoices and not customers:
        raise ValueError("transactions need at least one customer")
    kinds = _types(rng, invoices)
    bulk = _bulk_seconds(rng, len(kinds), *MODIFIED)
    seq = dict.fromkeys(schema.RECORD_TYPE, 0)
    prefix = {"CustInvc": "INV", "CustPymt": "PYMT", "SalesOrd": "SO"}
    tid = 1000
    for kind in kinds:
        tid += _between(rng, 1, 3)
        seq[kind] += 1
        customer = _pick(rng, customers)
        created = _between(rng, *TRANSACTION_CREATED)
        day = _day_of(created, tz)
        cents = _between(rng, 1, 99) if rng.random() < 0.05 else _between(rng, 1000, 2_500_000)
        terms = customer["terms"] or 1
        row = {
            "id": tid,
            "tranid": f"{prefix[kind]}{seq[kind]:06d}",
            "type": kind,
            "recordtype": schema.RECORD_TYPE[kind],
            "entity": customer["id"],
            "trandate": _midnight(day, tz),
            "duedate": None,
            "createddate": created,
            "lastmodifieddate": _modified(rng, created, bulk),
            "foreigntotal": cents / 100,
            "foreignamountpaid": None,
            "foreignamountunpaid": None,
            "currency": customer["currency"],
            "exchangerate": 1.0 if customer["currency"] == 1
            else _between(rng, 10_500, 13_500) / 10_000,
            "memo": _pick(rng, _MEMOS) if rng.random() < 0.4 else None,
            "terms": terms if kind != "CustPymt" else None,
            "subsidiary": customer["subsidiary"],
            "postingperiod": schema.period_id(day.year, day.month),
            "externalid": f"EXT-T-{tid}" if rng.random() < 0.5 else None,
            "otherrefnum": f"PO-{_between(rng, 1000, 99999)}"
            if kind != "CustPymt" and rng.random() < 0.5 else None,
        }
        if kind == "CustInvc":
            paid = _pick(rng, (0, cents, cents, _between(rng, 0, cents)))
            row["status"] = "B" if paid == cents else "A"
            row["foreignamountpaid"] = paid / 100
            row["foreignamountunpaid"] = (cents - paid) / 100
            row["duedate"] = _midnight(date.fromordinal(
                day.toordinal() + schema.TERMS_DAYS[terms]), tz)
        elif kind == "CustPymt":
            row["status"] = _pick(rng, ("B", "C"))
        else:
            row["status"] = _pick(rng, ("B", "F", "G"))
        yield row


# Time-zone arithmetic is the slowest step per row; both answers repeat a lot. Offsets change
# only on quarter hours in every IANA zone, so a 15-minute slot has one local date.
@lru_cache(maxsize=None)
def _slot_day(slot: int, tz: ZoneInfo) -> date:
    return local_date(slot * 900, tz)


def _day_of(epoch: int, tz: ZoneInfo) -> date:
    return _slot_day(epoch // 900, tz)


@lru_cache(maxsize=None)
def _midnight(day: date, tz: ZoneInfo) -> int:
    return local_midnight(day, tz)
