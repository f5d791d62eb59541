"""The generators `tables.DECLARED` names: each fills its tables, deterministically for a seed.

Small tables (the chart, setup lists, entities, items, custom records) are made in Python, each
from its own seeded generator so that adding a table does not change another's rows. The
customers and the transactions share the account's main generator (as they always have), and
transactions, their lines and accounting lines are made inside SQLite (`sqlgen`, `lines`).
Every reference points at a row made before it, or at one whose id is fixed in advance.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import TypeVar
from zoneinfo import ZoneInfo

from . import lines, schema, sqlgen, tables
from .formats import local_date, local_midnight

Picked = TypeVar("Picked")


def epoch(year: int, month: int, day: int) -> int:
    return int(datetime(year, month, day, tzinfo=timezone.utc).timestamp())


CUSTOMER_CREATED = (epoch(2021, 1, 1), epoch(2023, 1, 1) - 1)
MODIFIED = (epoch(2023, 1, 1), epoch(2026, 1, 1) - 1)  # every lastmodifieddate lies here
TRANSACTION_CREATED = (MODIFIED[0], epoch(2025, 10, 1))
SETUP_MODIFIED = epoch(2022, 6, 1)
DAY = 86_400
# Records of this share take a bulk-edit second instead of their own.
BULK_SHARE = 0.1
# Extra transactions of other types, per invoice, so that a type filter matters.
OTHER_TYPES = {
    "CustPymt": 0.06,
    "SalesOrd": 0.04,
    "CustCred": 0.02,
    "VendBill": 0.04,
    "Journal": 0.01,
    "ItemShip": 0.02,
}


@dataclass(frozen=True)
class Sizes:
    """How many rows: the serve flags, and what follows from them."""

    customers: int
    invoices: int
    lines_per_transaction: int = 2
    vendors: int | None = None
    employees: int | None = None
    items: int = 24
    custom_records: int | None = None
    # transactionaccountingline.lastmodifieddate exists since 2023.1: NULL on rows of
    # transactions created before this (docs/netsuite.md §10).
    accounting_dates_from: int = epoch(2023, 3, 1)

    def count(self, table: str) -> int:
        c = self.customers
        derived = {
            "vendor": self.vendors if self.vendors is not None else max(3, c // 10),
            "employee": self.employees if self.employees is not None else max(3, c // 50),
            "partner": max(2, c // 100),
            "contact": max(2, c // 4),
            "job": max(2, c // 20),
            "item": max(6, self.items),
            "custom_record": self.custom_records if self.custom_records is not None else max(2, c // 2),
        }
        return derived[table]


@dataclass
class Build:
    """What generators share while one account is built."""

    conn: sqlite3.Connection
    seed: int
    tz: ZoneInfo
    sizes: Sizes
    main: random.Random  # customers and transactions, in this order
    ids: dict[str, list[int]] = field(default_factory=dict)  # ids made so far, per table
    rows: dict[str, list[dict]] = field(default_factory=dict)  # rows later generators read

    def rng(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{name}")

    def insert(self, table: str, rows: Iterable[dict]) -> None:
        """Rows as {column: stored value}; columns left out are NULL."""
        columns = list(schema.TABLES[table])
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        self.conn.executemany(
            f'INSERT INTO "{table}" ({names}) VALUES ({marks})', (tuple(r.get(c) for c in columns) for r in rows)
        )

    def midnight(self, day: date) -> int:
        return local_midnight(day, self.tz)


def between(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high]: `randint` without its per-call checks, which dominate here."""
    return low + int(rng.random() * (high - low + 1))


def pick(rng: random.Random, options: Sequence[Picked]) -> Picked:
    return options[int(rng.random() * len(options))]


def tf(flag: object) -> str:
    return "T" if flag else "F"


def bulk_seconds(rng: random.Random, count: int, low: int, high: int) -> list[int]:
    return sorted(between(rng, low, high) for _ in range(max(1, count // 250)))


def modified_time(rng: random.Random, bulk: list[int], created: int) -> int:
    """A modification time after creation: its own second, or a bulk edit's shared one."""
    if rng.random() < BULK_SHARE:
        shared = pick(rng, bulk)
        if shared >= created:
            return shared
    return min(MODIFIED[1], max(MODIFIED[0], created + between(rng, 0, 400 * DAY)))


# -- finance dimensions ---------------------------------------------------------------------
CURRENCIES = [(1, "USD", "$"), (2, "GBP", "£"), (3, "EUR", "€"), (4, "CAD", "C$")]
SUBSIDIARIES = [(1, None, "US", 1), (2, 1, "GB", 2), (3, 1, "DE", 3)]
DEPARTMENTS = ["Sales", "Marketing", "Engineering", "Support", "Finance", "Operations"]
CLASSES = ["Hardware", "Software", "Services", "Training", "Other"]
LOCATIONS = [
    ("San Francisco", "CA", "US", 1),
    ("Austin", "TX", "US", 1),
    ("London", None, "GB", 2),
    ("Berlin", None, "DE", 3),
]
# (id, number, name, type, parent): the chart every transaction line posts to.
ACCOUNTS = [
    (1, "1000", "Checking", "Bank", None),
    (2, "1100", "Undeposited Funds", "OthCurrAsset", None),
    (3, "1200", "Accounts Receivable", "AcctRec", None),
    (4, "1300", "Inventory Asset", "OthCurrAsset", None),
    (5, "2000", "Accounts Payable", "AcctPay", None),
    (6, "2100", "Sales Tax Payable", "OthCurrLiab", None),
    (7, "3000", "Retained Earnings", "Equity", None),
    (8, "4000", "Product Revenue", "Income", None),
    (9, "4100", "Service Revenue", "Income", None),
    (10, "4200", "Shipping Income", "Income", None),
    (11, "5000", "Cost of Goods Sold", "COGS", None),
    (12, "6000", "Operating Expenses", "Expense", None),
    (13, "6100", "Office Supplies", "Expense", 12),
    (14, "6200", "Travel", "Expense", 12),
    (15, "6300", "Professional Fees", "Expense", 12),
    (16, "7000", "Realized Gain/Loss", "OthIncome", None),
]
ACCOUNT_TYPES = [
    ("Bank", "Bank", True, True),
    ("AcctRec", "Accounts Receivable", True, True),
    ("OthCurrAsset", "Other Current Asset", True, True),
    ("FixedAsset", "Fixed Asset", True, True),
    ("AcctPay", "Accounts Payable", True, False),
    ("OthCurrLiab", "Other Current Liability", True, False),
    ("Equity", "Equity", True, False),
    ("Income", "Income", False, False),
    ("COGS", "Cost of Goods Sold", False, True),
    ("Expense", "Expense", False, True),
    ("OthIncome", "Other Income", False, False),
    ("OthExpense", "Other Expense", False, True),
]
ITEM_TYPES = ["Service", "InvtPart", "InvtPart", "Service", "OthCharge", "Service", "NonInvtPart", "Discount"]
SEGMENTS = ["Enterprise", "Mid-Market", "Small Business", "Public Sector", "Non-Profit"]
SALES_CHANNELS = ["Direct", "Partner", "Web Store", "Marketplace"]


def currencies(b: Build) -> None:
    b.insert(
        "currency",
        (
            {
                "id": cid,
                "name": schema.CURRENCY_TEXT[cid],
                "symbol": code,
                "isbasecurrency": tf(cid == 1),
                "exchangerate": (1.0, 1.27, 1.09, 0.74)[cid - 1],
                "currencyprecision": 2,
                "isinactive": "F",
            }
            for cid, code, _sign in CURRENCIES
        ),
    )


def fiscal_calendars(b: Build) -> None:
    b.insert(
        "fiscalcalendar", [{"id": 1, "name": "Standard Fiscal Calendar", "fiscalmonth": "January", "isdefault": "T"}]
    )


def subsidiaries(b: Build) -> None:
    b.insert(
        "subsidiary",
        (
            {
                "id": sid,
                "name": schema.SUBSIDIARY_TEXT[sid],
                "fullname": schema.SUBSIDIARY_TEXT[sid]
                if parent is None
                else f"Parent Company : {schema.SUBSIDIARY_TEXT[sid]}",
                "parent": parent,
                "currency": cur,
                "country": country,
                "fiscalcalendar": 1,
                "iselimination": "F",
                "isinactive": "F",
                "lastmodifieddate": SETUP_MODIFIED + sid * DAY,
            }
            for sid, parent, country, cur in SUBSIDIARIES
        ),
    )


def _period(b: Build, pid: int, name: str, first: date, last: date, parent: int | None, level: str) -> dict:
    return {
        "id": pid,
        "periodname": name,
        "startdate": b.midnight(first),
        "enddate": b.midnight(last),
        "parent": parent,
        "isyear": tf(level == "year"),
        "isquarter": tf(level == "quarter"),
        "isadjust": "F",
        "isposting": tf(level == "month"),
        "closed": tf(first.year < 2025),
    }


def _month_end(year: int, month: int) -> date:
    return date.fromordinal(date(year + (month == 12), month % 12 + 1, 1).toordinal() - 1)


def _period_rows(b: Build) -> Iterator[dict]:
    """Years (ids 10+), quarters (ids 20+) and months (ids 100+, `schema.period_id`)."""
    for y in range(schema.PERIOD_YEARS):
        year = schema.FIRST_PERIOD_YEAR + y
        yid = 10 + y
        yield _period(b, yid, f"FY {year}", date(year, 1, 1), date(year, 12, 31), None, "year")
        for q in range(4):
            qid = 20 + 4 * y + q
            yield _period(
                b, qid, f"Q{q + 1} {year}", date(year, 3 * q + 1, 1), _month_end(year, 3 * q + 3), yid, "quarter"
            )
            for month in range(3 * q + 1, 3 * q + 4):
                pid = schema.period_id(year, month)
                yield _period(
                    b, pid, schema.period_text(pid), date(year, month, 1), _month_end(year, month), qid, "month"
                )


def accounting_periods(b: Build) -> None:
    rows = list(_period_rows(b))
    b.insert("accountingperiod", rows)
    b.ids["accountingperiod"] = [r["id"] for r in rows]


def accounting_period_calendars(b: Build) -> None:
    parents = dict(b.conn.execute("SELECT id, parent FROM accountingperiod"))
    b.insert(
        "accountingperiodfiscalcalendars",
        ({"accountingperiod": p, "fiscalcalendar": 1, "parent": parents[p]} for p in b.ids["accountingperiod"]),
    )


def accounting_books(b: Build) -> None:
    b.insert(
        "accountingbook",
        [
            {"id": 1, "name": "Primary Book", "isprimary": "T", "isadjustmentonly": "F", "status": "ACTIVE"},
            {
                "id": 2,
                "name": "IFRS Book",
                "isprimary": "F",
                "isadjustmentonly": "F",
                "status": "ACTIVE",
                "effectiveperiod": schema.period_id(2023, 1),
            },
        ],
    )


# Book 2 (IFRS) covers the UK subsidiary only: its lines get a second accounting line.
SECONDARY_BOOK_SUBSIDIARIES = (2,)


def accounting_book_subsidiaries(b: Build) -> None:
    rows = [{"accountingbook": 1, "subsidiary": s, "status": "ACTIVE"} for s, *_ in SUBSIDIARIES]
    rows += [{"accountingbook": 2, "subsidiary": s, "status": "ACTIVE"} for s in SECONDARY_BOOK_SUBSIDIARIES]
    b.insert("accountingbooksubsidiaries", rows)


def exchange_rates(b: Build) -> None:
    rng, rows = b.rng("consolidatedexchangerate"), list[dict]()
    for period in b.ids["accountingperiod"]:
        if period < schema.FIRST_PERIOD_ID:
            continue
        for sid, _parent, _country, cur in SUBSIDIARIES[1:]:
            base = (1.27, 1.09)[sid - 2]
            rate = round(base * (1 + (rng.random() - 0.5) / 20), 6)
            rows.append(
                {
                    "id": len(rows) + 1,
                    "postingperiod": period,
                    "fromsubsidiary": sid,
                    "tosubsidiary": 1,
                    "fromcurrency": cur,
                    "tocurrency": 1,
                    "accountingbook": 1,
                    "averagerate": rate,
                    "currentrate": round(rate * 1.004, 6),
                    "historicalrate": round(base, 6),
                }
            )
    b.insert("consolidatedexchangerate", rows)


def account_types(b: Build) -> None:
    b.insert(
        "accounttype",
        ({"id": i, "longname": n, "balancesheet": tf(bs), "left": tf(left)} for i, n, bs, left in ACCOUNT_TYPES),
    )


def accounts(b: Build) -> None:
    b.insert(
        "account",
        (
            {
                "id": aid,
                "acctnumber": number,
                "accountsearchdisplayname": f"{number} {name}",
                "fullname": name if parent is None else f"Operating Expenses : {name}",
                "accttype": kind,
                "parent": parent,
                "subsidiary": None,
                "currency": 1 if kind == "Bank" else None,
                "description": f"{name} ({kind})",
                "issummary": tf(aid == 12),
                "isinactive": "F",
                "lastmodifieddate": SETUP_MODIFIED + aid * 3600,
            }
            for aid, number, name, kind, parent in ACCOUNTS
        ),
    )


def _named(table: str, names: list[str]) -> Callable[[Build], None]:
    def generate(b: Build) -> None:
        b.insert(
            table,
            (
                {"id": k + 1, "name": n, "fullname": n, "subsidiary": None, "isinactive": "F"}
                for k, n in enumerate(names)
            ),
        )
        b.ids[table] = list(range(1, len(names) + 1))

    generate.__name__ = table
    return generate


def location_addresses(b: Build) -> None:
    b.insert(
        "locationmainaddress",
        (
            {
                "nkey": 900 + k,
                "addressee": f"Emulated Inc. {city}",
                "addr1": f"{10 + k} Market Street",
                "city": city,
                "state": state,
                "zip": f"{94100 + k}",
                "country": country,
            }
            for k, (city, state, country, _sub) in enumerate(LOCATIONS, 1)
        ),
    )


def locations(b: Build) -> None:
    b.insert(
        "location",
        (
            {"id": k, "name": city, "fullname": city, "subsidiary": sub, "mainaddress": 900 + k, "isinactive": "F"}
            for k, (city, _state, _country, sub) in enumerate(LOCATIONS, 1)
        ),
    )
    b.ids["location"] = list(range(1, len(LOCATIONS) + 1))


def terms(b: Build) -> None:
    b.insert(
        "term",
        (
            {
                "id": tid,
                "name": name,
                "daysuntilnetdue": schema.TERMS_DAYS[tid],
                "discountpercent": 2.0 if tid == 4 else None,
                "isinactive": "F",
            }
            for tid, name in schema.TERMS_TEXT.items()
        ),
    )


def transaction_statuses(b: Build) -> None:
    b.insert(
        "transactionstatus",
        (
            {
                "id": key.split(":")[1],
                "trantype": key.split(":")[0],
                "name": text,
                "fullname": f"{schema.TYPE_TEXT[key.split(':')[0]]} : {text}",
            }
            for key, text in schema.STATUS_TEXT.items()
        ),
    )


def vendor_categories(b: Build) -> None:
    names = ["Suppliers", "Contractors", "Tax Agency", "Utilities"]
    b.insert(
        "vendorcategory",
        ({"id": k, "name": n, "istaxagency": tf(n == "Tax Agency"), "isinactive": "F"} for k, n in enumerate(names, 1)),
    )


def custom_lists(b: Build) -> None:
    for table, names in (("customlist_segment", SEGMENTS), ("customlist_sales_channel", SALES_CHANNELS)):
        b.insert(table, ({"id": k, "name": n, "isinactive": "F"} for k, n in enumerate(names, 1)))


def custom_fields(b: Build) -> None:
    b.insert(
        "customfield",
        (
            {
                "id": 1001 + n,
                "scriptid": f.scriptid.upper(),
                "fieldtype": f.fieldtype,
                "fieldvaluetype": f.fieldvaluetype,
                "label": f.label,
                "description": f"{f.label} (emulated custom field)",
                "isinactive": "F",
                "lastmodifieddate": SETUP_MODIFIED + n * DAY,
            }
            for n, f in enumerate(tables.CUSTOM_FIELDS)
        ),
    )


def custom_record_types(b: Build) -> None:
    b.insert(
        "customrecordtype",
        (
            {
                "internalid": internal,
                "scriptid": scriptid.upper(),
                "name": name,
                "description": f"{name} records (emulated custom record type)",
                "isinactive": "F",
            }
            for scriptid, (internal, name) in tables.CUSTOM_RECORD_TYPES.items()
        ),
    )


# -- entities -------------------------------------------------------------------------------
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
_REGIONS = ("West", "East", "EMEA", "APAC", "Central / North")
MEMOS = [
    'Rush order "priority"',
    "Project A/B - phase 2",
    "Café Zürich – 5% Rabatt",
    "O'Brien's account \\ manual",
    "日本語のメモ",
    "Net 30, see PO",
    "Tab\tand slash /",
    "Credit review 12/2024",
]


def company_name(rng: random.Random) -> str:
    return f"{pick(rng, _ADJECTIVES)} {pick(rng, _NOUNS)} {pick(rng, _SUFFIXES)}"


def customers(b: Build) -> None:
    """Customers from the account's main generator (their values do not depend on other tables);
    the columns added since come from a generator of their own."""
    extra = b.rng("customer-extra")
    rows = []
    for base in customer_rows(b.main, b.sizes.customers, b.tz):
        row = dict(
            zip(
                [
                    "id",
                    "entityid",
                    "companyname",
                    "email",
                    "phone",
                    "isperson",
                    "isinactive",
                    "datecreated",
                    "lastmodifieddate",
                    "parent",
                    "subsidiary",
                    "currency",
                    "terms",
                    "externalid",
                    "custentity_region",
                    "custentity_vip",
                    "custentity_credit_review",
                ],
                base,
                strict=False,
            )
        )
        row.update(address_of(row["id"]), **entity_custom_fields(extra, "customer", row["companyname"]))
        rows.append(row)
    b.insert("customer", rows)
    b.ids["customer"] = [r["id"] for r in rows]
    b.rows["customer"] = rows  # read by the transactions generator


def address_of(entity_id: int) -> dict:
    """An entity's default billing address key (entityaddress.nkey), fixed by its id."""
    return {"defaultbillingaddress": entity_id * 10 + 1}


def entity_custom_fields(rng: random.Random, table: str, name: str) -> dict:
    slug = "".join(ch for ch in name.lower() if ch.isalnum())[:12] or "entity"
    values: dict = {}
    if table in ("customer", "vendor", "employee"):
        values["custentity_website"] = f"https://{slug}.example.com/" if rng.random() < 0.6 else None
        values["custentity_billing_email"] = f"billing@{slug}.example.com" if rng.random() < 0.5 else None
    if table in ("customer", "vendor"):
        values["custentity_segment"] = 1 + int(rng.random() * len(SEGMENTS)) if rng.random() < 0.7 else None
        values["custentity_notes"] = ("Long note line. " * between(rng, 1, 40)).strip() if rng.random() < 0.3 else None
    if table == "customer":
        chosen = sorted(rng.sample(range(1, len(SEGMENTS) + 1), between(rng, 1, 3)))
        values["custentity_industries"] = ",".join(map(str, chosen)) if rng.random() < 0.5 else None
        values["custentity_credit_limit_ext"] = between(rng, 1000, 500000) / 100 if rng.random() < 0.4 else None
    if table == "vendor":
        values["custentity_rating"] = between(rng, 1, 5) if rng.random() < 0.8 else None
    if table == "employee":
        values["custentity_shift_start"] = f"{between(rng, 6, 10)}:{pick(rng, ('00', '15', '30', '45'))} am"
        values["custentity_emergency_phone"] = f"+1 555-{between(rng, 0, 9999):04d}" if rng.random() < 0.7 else None
    return values


def customer_rows(
    rng: random.Random, count: int, tz: ZoneInfo, start_id: int = 100, start_n: int = 1
) -> Iterator[list]:
    """Customer rows as lists in their original column order; ids from `start_id` up with gaps."""
    bulk = bulk_seconds(rng, count, *MODIFIED)
    cid, ids = start_id, list[int]()
    rand = rng.random
    for n in range(start_n, start_n + count):
        cid += between(rng, 1, 4)
        isperson = rand() < 0.2
        name = f"{pick(rng, _FIRST)} {pick(rng, _LAST)}" if isperson else company_name(rng)
        subsidiary = pick(rng, (1, 1, 1, 2, 3))
        created = between(rng, *CUSTOMER_CREATED)
        yield [
            cid,
            f"CUST{n:05d}",
            name,
            f"ap@c{n}.example.com" if rand() < 0.85 else None,
            f"+1 555-{between(rng, 0, 9999):04d}" if rand() < 0.7 else None,
            tf(isperson),
            tf(rand() < 0.05),
            created,
            between(rng, *MODIFIED) if rand() >= BULK_SHARE else pick(rng, bulk),
            pick(rng, ids) if ids and rand() < 0.1 else None,
            subsidiary,
            schema.SUBSIDIARY_CURRENCY[subsidiary],
            pick(rng, (1, 1, 2, 3, 4)) if rand() < 0.8 else None,
            f"EXT-C-{n:05d}" if rand() < 0.5 else None,
            pick(rng, _REGIONS) if rand() < 0.7 else None,
            tf(rand() < 0.1),
            local_midnight(local_date(created + between(rng, 30, 900) * DAY, tz), tz) if rand() < 0.3 else None,
        ]
        ids.append(cid)


def _next_entity_ids(b: Build, count: int) -> list[int]:
    """Entity ids share one space (customers first): each new kind continues after the last."""
    rng = b.rng(f"entity-ids:{len(b.ids.get('entity_all', []))}")
    top = max(b.ids.get("entity_all") or b.ids["customer"] or [100])
    out = []
    for _ in range(count):
        top += between(rng, 1, 3)
        out.append(top)
    b.ids["entity_all"] = [*b.ids.get("entity_all", b.ids["customer"]), *out]
    return out


def _entity_batch(b: Build, table: str) -> tuple[random.Random, list[int], list[tuple[int, int]]]:
    """An entity table's generator, its bulk-edit seconds, and (n, id) for each of its rows."""
    rng = b.rng(table)
    count = b.sizes.count(table)
    return rng, bulk_seconds(rng, count, *MODIFIED), list(enumerate(_next_entity_ids(b, count), 1))


def _entity_times(rng: random.Random, bulk: list[int]) -> dict:
    created = between(rng, *CUSTOMER_CREATED)
    return {
        "isinactive": tf(rng.random() < 0.05),
        "datecreated": created,
        "lastmodifieddate": modified_time(rng, bulk, created),
    }


def vendors(b: Build) -> None:
    rng, bulk, numbered = _entity_batch(b, "vendor")
    rows = []
    for n, vid in numbered:
        name = company_name(rng)
        sub = pick(rng, (1, 1, 2, 3))
        rows.append(
            {
                "id": vid,
                "entityid": f"VEND{n:05d}",
                "companyname": name,
                "email": f"ar@v{n}.example.com" if rng.random() < 0.8 else None,
                "phone": f"+1 555-{between(rng, 0, 9999):04d}" if rng.random() < 0.6 else None,
                "isperson": "F",
                **_entity_times(rng, bulk),
                "subsidiary": sub,
                "currency": schema.SUBSIDIARY_CURRENCY[sub],
                "terms": pick(rng, (1, 2, 4)),
                "category": between(rng, 1, 4),
                "is1099eligible": tf(rng.random() < 0.3),
                "externalid": f"EXT-V-{n:05d}" if rng.random() < 0.4 else None,
                **address_of(vid),
                **entity_custom_fields(rng, "vendor", name),
            }
        )
    b.insert("vendor", rows)
    b.ids["vendor"] = [r["id"] for r in rows]
    b.rows["vendor"] = rows


def employees(b: Build) -> None:
    rng, bulk, numbered = _entity_batch(b, "employee")
    rows: list[dict] = []
    for n, eid in numbered:
        first, last = pick(rng, _FIRST), pick(rng, _LAST)
        rows.append(
            {
                "id": eid,
                "entityid": f"EMP{n:04d} {first} {last}",
                "firstname": first,
                "lastname": last,
                "email": f"{first.lower()}.{n}@emulated.example.com",
                "phone": f"+1 555-{between(rng, 0, 9999):04d}" if rng.random() < 0.5 else None,
                "title": pick(rng, ("Account Executive", "Engineer", "Controller", "Support Lead", None)),
                "supervisor": rows[0]["id"] if rows else None,
                "department": between(rng, 1, len(DEPARTMENTS)),
                "location": between(rng, 1, len(LOCATIONS)),
                "subsidiary": pick(rng, (1, 1, 2, 3)),
                "hiredate": b.midnight(date.fromordinal(date(2015, 1, 1).toordinal() + between(rng, 0, 3000))),
                "issalesrep": tf(n % 3 != 0),
                **_entity_times(rng, bulk),
                **entity_custom_fields(rng, "employee", f"{first} {last}"),
            }
        )
    b.insert("employee", rows)
    b.ids["employee"] = [r["id"] for r in rows]
    b.ids["salesrep"] = [r["id"] for r in rows if r["issalesrep"] == "T"] or b.ids["employee"]


def partners(b: Build) -> None:
    rng, bulk, numbered = _entity_batch(b, "partner")
    b.insert(
        "partner",
        (
            {
                "id": pid,
                "entityid": f"PART{n:04d}",
                "companyname": company_name(rng),
                "email": f"hello@p{n}.example.com",
                "subsidiary": 1,
                **_entity_times(rng, bulk),
            }
            for n, pid in numbered
        ),
    )


def contacts(b: Build) -> None:
    rng, bulk, numbered = _entity_batch(b, "contact")
    rows = []
    for n, cid in numbered:
        first, last = pick(rng, _FIRST), pick(rng, _LAST)
        rows.append(
            {
                "id": cid,
                "entityid": f"{first} {last} ({n})",
                "firstname": first,
                "lastname": last,
                "email": f"{first.lower()}.{last.lower()}{n}@example.com" if rng.random() < 0.9 else None,
                "phone": f"+1 555-{between(rng, 0, 9999):04d}" if rng.random() < 0.5 else None,
                "company": pick(rng, b.ids["customer"]) if b.ids["customer"] and rng.random() < 0.9 else None,
                "subsidiary": 1,
                **_entity_times(rng, bulk),
            }
        )
    b.insert("contact", rows)


def jobs(b: Build) -> None:
    rng = b.rng("job")
    count = b.sizes.count("job") if b.ids["customer"] else 0
    bulk = bulk_seconds(rng, count, *MODIFIED)
    rows = []
    for n, jid in enumerate(_next_entity_ids(b, count), 1):
        start = date.fromordinal(date(2023, 1, 1).toordinal() + between(rng, 0, 900))
        rows.append(
            {
                "id": jid,
                "entityid": f"PRJ{n:05d}",
                "companyname": f"Project {n}: {pick(rng, CLASSES)}",
                "customer": pick(rng, b.ids["customer"]),
                "startdate": b.midnight(start),
                "projectedenddate": b.midnight(date.fromordinal(start.toordinal() + between(rng, 30, 365)))
                if rng.random() < 0.8
                else None,
                "subsidiary": 1,
                **_entity_times(rng, bulk),
            }
        )
    b.insert("job", rows)


# entity's columns from each entity table, as SQL over that table (also the triggers' source).
ENTITY_SELECT = {
    "customer": "id, entityid, companyname, 'CustJob', email, phone, subsidiary, isinactive, datecreated, "
    "lastmodifieddate",
    "vendor": "id, entityid, companyname, 'Vendor', email, phone, subsidiary, isinactive, datecreated, "
    "lastmodifieddate",
    "employee": "id, entityid, firstname || ' ' || lastname, 'Employee', email, phone, subsidiary, isinactive, "
    "datecreated, lastmodifieddate",
    "partner": "id, entityid, companyname, 'Partner', email, NULL, subsidiary, isinactive, datecreated, "
    "lastmodifieddate",
    "contact": "id, entityid, firstname || ' ' || lastname, 'Contact', email, phone, subsidiary, isinactive, "
    "datecreated, lastmodifieddate",
    "job": "id, entityid, companyname, 'CustJob', NULL, NULL, subsidiary, isinactive, datecreated, lastmodifieddate",
}
ENTITY_COLUMNS = "id, entityid, altname, type, email, phone, subsidiary, isinactive, datecreated, lastmodifieddate"


def entities(b: Build) -> None:
    """`entity` holds every customer, vendor, employee, partner, contact and job; triggers keep
    it in step when any of them changes (created after the bulk load, see `entity_triggers`)."""
    for source, select in ENTITY_SELECT.items():
        b.conn.execute(f'INSERT INTO entity ({ENTITY_COLUMNS}) SELECT {select} FROM "{source}"')


def entity_triggers(conn: sqlite3.Connection) -> None:
    for source, select in ENTITY_SELECT.items():
        copy = f'INSERT OR REPLACE INTO entity ({ENTITY_COLUMNS}) SELECT {select} FROM "{source}" WHERE id = NEW.id'
        for event in ("INSERT", "UPDATE"):
            conn.execute(
                f'CREATE TRIGGER "{source}_entity_{event.lower()}" AFTER {event} ON "{source}" BEGIN {copy}; END'
            )
        conn.execute(
            f'CREATE TRIGGER "{source}_entity_delete" AFTER DELETE ON "{source}" BEGIN '
            "DELETE FROM entity WHERE id = OLD.id; END"
        )


def entity_addresses(b: Build) -> None:
    rng = b.rng("entityaddress")
    rows = []
    for source in ("customer", "vendor"):
        for eid, name, sub in b.conn.execute(f'SELECT id, companyname, subsidiary FROM "{source}" ORDER BY id'):
            city, state, country, _ = LOCATIONS[(sub - 1) % len(LOCATIONS)] if sub != 1 else pick(rng, LOCATIONS[:2])
            rows.append(
                {
                    "nkey": address_of(eid)["defaultbillingaddress"],
                    "recordowner": eid,
                    "addressee": name,
                    "attention": pick(rng, ("Accounts Payable", None, "Finance")),
                    "addr1": f"{between(rng, 1, 999)} {pick(rng, ('Main St', 'High St', 'Hauptstraße'))}",
                    "addr2": "Suite 100" if rng.random() < 0.2 else None,
                    "city": city,
                    "state": state,
                    "zip": f"{between(rng, 10000, 99999)}",
                    "country": country,
                    "addrphone": f"+1 555-{between(rng, 0, 9999):04d}" if rng.random() < 0.3 else None,
                }
            )
    b.insert("entityaddress", rows)


def customer_subsidiaries(b: Build) -> None:
    """OneWorld: each customer's primary subsidiary, and a second one for about one in eight."""
    rng = b.rng("customersubsidiaryrelationship")
    rows: list[dict] = []
    for cid, sub, cur in b.conn.execute("SELECT id, subsidiary, currency FROM customer ORDER BY id"):
        rows.append({"id": len(rows) + 1, "entity": cid, "subsidiary": sub, "isprimarysub": "T", "currency": cur})
        if rng.random() < 0.125:
            other = pick(rng, [s for s, *_ in SUBSIDIARIES if s != sub])
            rows.append(
                {
                    "id": len(rows) + 1,
                    "entity": cid,
                    "subsidiary": other,
                    "isprimarysub": "F",
                    "currency": schema.SUBSIDIARY_CURRENCY[other],
                }
            )
    b.insert("customersubsidiaryrelationship", rows)


def items(b: Build) -> None:
    rng = b.rng("item")
    count = b.sizes.count("item")
    rows: list[dict] = []
    for iid in range(1, count + 1):
        kind = ITEM_TYPES[(iid - 1) % len(ITEM_TYPES)]
        name = schema.ITEM_TEXT.get(iid) or f"{pick(rng, _ADJECTIVES)} {pick(rng, _NOUNS)} {iid}"
        created = between(rng, *CUSTOMER_CREATED)
        price = between(rng, 500, 250000) / 100
        rows.append(
            {
                "id": iid,
                "itemid": name,
                "displayname": name,
                "description": f"{name} ({kind})",
                "itemtype": kind,
                "subsidiary": 1,
                "baseprice": price,
                "cost": round(price * 0.6, 2),
                "incomeaccount": 9 if kind == "Service" else 8,
                "expenseaccount": 11,
                "assetaccount": 4 if kind == "InvtPart" else None,
                "isinactive": tf(rng.random() < 0.05),
                "createddate": created,
                "lastmodifieddate": modified_time(rng, [MODIFIED[0]], created),
                "custitem_weight_kg": between(rng, 1, 50000) / 1000 if kind == "InvtPart" else None,
                "custitem_spec_sheet": f"https://docs.example.com/items/{iid}.pdf" if rng.random() < 0.5 else None,
                "custitem_care_notes": "Store dry.\nHandle with care." if rng.random() < 0.3 else None,
                "custitem_launch_date": b.midnight(
                    date.fromordinal(date(2020, 1, 1).toordinal() + between(rng, 0, 1500))
                ),
            }
        )
    b.insert("item", rows)
    b.ids["item"] = [r["id"] for r in rows]


# -- transactions ---------------------------------------------------------------------------
def transaction_types(rng: random.Random, invoices: int) -> list[str]:
    """Exactly `invoices` CustInvc, plus a smaller number of other types, shuffled."""
    others = [
        kind for kind, share in OTHER_TYPES.items() for _ in range(round(invoices * share) + (1 if invoices else 0))
    ]
    kinds = ["CustInvc"] * (invoices + len(others))
    # Scatter the other types over random positions (a full shuffle of a million is slow).
    for position, kind in zip(rng.sample(range(len(kinds)), len(others)), others, strict=False):
        kinds[position] = kind
    return kinds


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


def transactions(b: Build) -> None:
    """Transactions (inside SQLite, see `sqlgen`), each part with its lines and accounting lines."""
    if not b.sizes.invoices:
        return
    kinds = transaction_types(b.main, b.sizes.invoices)
    refs = [(r["id"], r["terms"], r["subsidiary"], r["currency"]) for r in b.rows["customer"]]
    vendor_refs = [(r["id"], r["terms"], r["subsidiary"], r["currency"]) for r in b.rows["vendor"]]
    bulk = sorted(bulk_seconds(b.main, len(kinds), *MODIFIED) + DST_SECONDS)
    shape = lines.LineShape(b.sizes.lines_per_transaction, len(b.ids["item"]), b.sizes.accounting_dates_from)
    sqlgen.insert_transactions(
        b.conn,
        b.main,
        kinds,
        refs,
        b.tz,
        bulk,
        TRANSACTION_CREATED,
        MODIFIED,
        MEMOS,
        lambda conn: lines.insert_lines(conn, shape),
        sqlgen.Dimensions(
            vendor_refs, b.ids["salesrep"], len(DEPARTMENTS), len(CLASSES), len(LOCATIONS), len(SALES_CHANNELS)
        ),
    )


def transaction_links(b: Build) -> None:
    lines.insert_links(b.conn)


def _custom_records(table: str) -> Callable[[Build], None]:
    def generate(b: Build) -> None:
        rng = b.rng(table)
        count = b.sizes.count("custom_record")
        bulk = bulk_seconds(rng, count, *MODIFIED)
        transactions_sample = [r[0] for r in b.conn.execute('SELECT id FROM "transaction" ORDER BY id LIMIT 5000')]
        rows = []
        for n in range(1, count + 1):
            created = between(rng, *TRANSACTION_CREATED)
            row = {
                "id": n,
                "isinactive": tf(rng.random() < 0.05),
                "created": created,
                "lastmodified": modified_time(rng, bulk, created),
                "owner": pick(rng, b.ids["employee"]) if b.ids["employee"] else None,
                "externalid": f"EXT-{table[13:].upper()}-{n}" if rng.random() < 0.3 else None,
            }
            if table == "customrecord_contract":
                start = local_date(created, b.tz)
                row.update(
                    name=f"Contract {n:05d}",
                    custrecord_contract_customer=pick(rng, b.ids["customer"]) if b.ids["customer"] else None,
                    custrecord_contract_value=between(rng, 10000, 10000000) / 100,
                    custrecord_contract_start=b.midnight(start),
                    custrecord_contract_signed_at=created - between(rng, 0, 5 * DAY),
                    custrecord_contract_auto_renew=tf(rng.random() < 0.5),
                    custrecord_contract_terms="Net 45\nNo penalty" if rng.random() < 0.2 else None,
                )
            else:
                tags = sorted(rng.sample(range(1, len(SALES_CHANNELS) + 1), between(rng, 1, 2)))
                row.update(
                    name=f"Audit {n:05d}",
                    custrecord_audit_transaction=pick(rng, transactions_sample) if transactions_sample else None,
                    custrecord_audit_score=between(rng, 0, 100),
                    custrecord_audit_tags=",".join(map(str, tags)) if rng.random() < 0.6 else None,
                    custrecord_audit_contact=f"auditor{n % 7}@example.com" if rng.random() < 0.5 else None,
                    custrecord_audit_time=f"{between(rng, 1, 12)}:{between(rng, 0, 59):02d} {pick(rng, ('am', 'pm'))}",
                )
            rows.append(row)
        b.insert(table, rows)

    generate.__name__ = table
    return generate


# deletedrecord.context: the execution context's display text [unsure which form SuiteQL shows].
DELETE_CONTEXTS = ("UI", "CSV Import", "Web Services", "Scheduled Script")


def deleted_records(b: Build) -> None:
    """A few records deleted in the generated past, of every type that can be deleted: ids that
    fell in the gaps between the surviving ids (or past them), as a deletion leaves them."""
    rng, rows = b.main, []
    taken: dict[str, set[int]] = {}
    invoices = max(3, b.sizes.invoices // 500)
    # Invoices and customers first, from the main generator (as before the whole chart).
    for table, kind, count in (("transaction", "invoice", invoices), ("customer", "customer", max(1, invoices // 3))):
        rows += _deleted_rows(rng, taken, b.conn, table, kind, count, 1000)
    other = b.rng("deletedrecord")
    for declared in tables.DECLARED:
        if declared.deleted_type is None or declared.name == "customer":
            continue
        if declared.name == "transaction":
            kinds = [k for k in schema.RECORD_TYPE.values() if k != "invoice"]
        elif declared.name == "item":
            kinds = list(schema.ITEM_RECORD_TYPE.values())[:2]
        else:
            kinds = [declared.deleted_type]
        for kind in kinds:
            rows += _deleted_rows(other, taken, b.conn, declared.name, kind, 1, 1)
    b.insert("deletedrecord", rows)


def _deleted_rows(
    rng: random.Random,
    taken_by_table: dict[str, set[int]],
    conn: sqlite3.Connection,
    table: str,
    kind: str,
    count: int,
    low: int,
) -> list[dict]:
    """`taken_by_table` caches each id space's ids (and the deleted ones) across calls."""
    id_table = "entity" if table in tables.ENTITY_TYPES else table
    if id_table not in taken_by_table:
        taken_by_table[id_table] = {r[0] for r in conn.execute(f'SELECT id FROM "{id_table}"')}
    taken = taken_by_table[id_table]
    top = max(taken, default=low)
    out = []
    custom_record = kind.startswith("customrecord_")
    for n in range(count):
        rid = between(rng, low, top)
        while rid in taken:
            rid += 1
        taken.add(rid)
        if kind == "invoice":
            name = f"INV-D{n + 1:05d}"
        elif kind == "customer":
            name = f"CUST-D{n + 1:05d} Removed Co"
        else:
            name = f"{kind}-D{n + 1:03d}"
        out.append(
            {
                "recordid": rid,
                "recordtypeid": tables.CUSTOM_RECORD_TYPES[kind][0] if custom_record else schema.RECORD_TYPE_ID[kind],
                "scriptid": kind.upper() if custom_record or kind.startswith("customlist_") else None,
                "type": kind,
                "name": name,
                "deleteddate": between(rng, *MODIFIED),
                "deletedby": pick(rng, (-4, 3, 5)),
                "context": pick(rng, DELETE_CONTEXTS),
                "iscustomlist": tf(kind.startswith("customlist_")),
                "iscustomrecord": tf(custom_record),
                "iscustomtransaction": "F",
            }
        )
    return out


def dual(b: Build) -> None:
    b.insert("dual", [{"dummy": "X"}])


def _made_elsewhere(b: Build) -> None:
    """Lines and accounting lines are made with their transaction, part by part."""


GENERATORS: dict[str, Callable[[Build], None]] = {
    "currencies": currencies,
    "fiscal_calendars": fiscal_calendars,
    "subsidiaries": subsidiaries,
    "accounting_periods": accounting_periods,
    "accounting_period_calendars": accounting_period_calendars,
    "accounting_books": accounting_books,
    "accounting_book_subsidiaries": accounting_book_subsidiaries,
    "exchange_rates": exchange_rates,
    "account_types": account_types,
    "accounts": accounts,
    "departments": _named("department", DEPARTMENTS),
    "classes": _named("classification", CLASSES),
    "location_addresses": location_addresses,
    "locations": locations,
    "terms": terms,
    "transaction_statuses": transaction_statuses,
    "vendor_categories": vendor_categories,
    "custom_lists": custom_lists,
    "custom_fields": custom_fields,
    "custom_record_types": custom_record_types,
    "customers": customers,
    "vendors": vendors,
    "employees": employees,
    "partners": partners,
    "contacts": contacts,
    "jobs": jobs,
    "entities (kept by triggers)": entities,
    "entity_addresses": entity_addresses,
    "customer_subsidiaries": customer_subsidiaries,
    "items": items,
    "transactions": transactions,
    "transaction_links": transaction_links,
    "contracts": _custom_records("customrecord_contract"),
    "shipment_audits": _custom_records("customrecord_shipment_audit"),
    "deleted_records": deleted_records,
    "dual": dual,
}
