"""What `bin/demo` prints from the DuckDB file the account landed in, and the checks behind it.

All the demo's SQL is here, so the demo and its test run the same statements. Each step reads the
database itself and the emulator's control endpoints (`GET /_emulator/rows/{table}`), never the
tap's output. The steps, in the order bin/demo runs them (`.venv/bin/python -m demo_warehouse`):

    recent  --emulator URL --timezone ZONE      adds invoices due over the last months (before run 1)
    tables  --db output/warehouse.duckdb --emulator URL
    report  --db output/warehouse.duckdb
    change  --db output/warehouse.duckdb --emulator URL --count 7 --out before.json   (before run 2)
    changed --db output/warehouse.duckdb --emulator URL --before before.json

A step exits 1 when what it compares differs (and says which), 2 on bad input.

Amounts: target-duckdb stores JSON numbers as DOUBLE, so the SQL casts them to DECIMAL(38, 6)
before adding (exact for amounts with up to 6 decimals); dates arrive as text and are cast.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb

SCHEMA = "netsuite"
BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")
TOP = 5  # customers per subsidiary
SNAPSHOT_KEY = "as_of"  # a table keyed by it holds one snapshot per day; the latest is compared
OPEN_STATUS = "A"  # SuiteQL's code for an open invoice (the RESTlet shows it as "Open")
HTTP_TIMEOUT_S = 60
# Days overdue of the invoices the demo adds, in turn: every bucket, and both sides of each edge.
RECENT_OVERDUE = (-20, -5, 0, 1, 15, 30, 31, 45, 60, 61, 75, 90, 91, 110)

# tap_netsuite.streams.DeletedRecordStream.record_types (its test keeps them equal; importing the
# tap here would cost each step a second)
DELETED_TYPES = ("customer", "invoice")


def is_open_invoice(row: dict) -> bool:
    return (
        row.get("type") == "CustInvc"
        and row.get("status") == OPEN_STATUS
        and Decimal(row.get("foreignamountunpaid") or 0) > 0
    )


# Streams that do not read a whole emulator table of their own name: the table they read, and
# which of its rows. Every other stream is compared with the table of its own name.
SOURCES: dict[str, tuple[str, Any]] = {
    "invoice": ("transaction", lambda row: row.get("type") == "CustInvc"),
    "deleted_record": ("deletedrecord", lambda row: row.get("type") in DELETED_TYPES),
    "open_invoice_aging": ("transaction", is_open_invoice),
}

# Days past due on the snapshot's day, as the RESTlet counts them: calendar days, 0 when not due
# or without a due date. $as_of is the day of the RESTlet's latest snapshot.
_DAYS = "greatest(coalesce(date_diff('day', CAST(i.duedate AS DATE), CAST($as_of AS DATE)), 0), 0)"
_BUCKET = """CASE WHEN days = 0 THEN 'current' WHEN days <= 30 THEN '1-30' WHEN days <= 60 THEN '31-60'
                  WHEN days <= 90 THEN '61-90' ELSE '90+' END"""

# Open receivables computed from the invoice table: status open with an amount unpaid.
OPEN_INVOICES_SQL = f"""
    SELECT i.id, i.subsidiary, i.entity AS customer_id,
           CAST(i.foreignamountunpaid AS DECIMAL(38, 6)) AS amount, {_DAYS} AS days
    FROM {SCHEMA}.invoice i
    WHERE i.status = '{OPEN_STATUS}' AND i.foreignamountunpaid > 0
"""
# The same figures as the open_invoice_aging RESTlet stream aged them; the subsidiary is the
# invoice's (the RESTlet answers ids, not subsidiaries).
RESTLET_INVOICES_SQL = f"""
    SELECT a.id, i.subsidiary, a.customer_id, CAST(a.remaining AS DECIMAL(38, 6)) AS amount,
           a.days_overdue AS days
    FROM {SCHEMA}.open_invoice_aging a LEFT JOIN {SCHEMA}.invoice i ON i.id = a.id
    WHERE a.as_of = $as_of
"""
AGING_SQL = f"""
    SELECT subsidiary, {_BUCKET} AS bucket, count(*) AS invoices, sum(amount) AS amount
    FROM ({{invoices}}) GROUP BY ALL ORDER BY ALL
"""
BALANCES_SQL = """
    SELECT subsidiary, customer_id, count(*) AS invoices, sum(amount) AS balance
    FROM ({invoices}) GROUP BY ALL
"""
COLUMNS_SQL = "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?"
LATEST_SNAPSHOT_SQL = f"SELECT max(as_of) FROM {SCHEMA}.open_invoice_aging"
TABLES_SQL = "SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name"
KEYS_SQL = """
    SELECT constraint_column_names FROM duckdb_constraints()
    WHERE schema_name = ? AND table_name = ? AND constraint_type = 'PRIMARY KEY'
"""
INVOICE_VALUES_SQL = f"""
    SELECT id, tranid, memo, CAST(lastmodifieddate AS VARCHAR) AS lastmodifieddate, count(*) OVER (PARTITION BY id)
    FROM {SCHEMA}.invoice WHERE id IN (SELECT unnest(CAST($ids AS BIGINT[]))) ORDER BY id
"""


class DemoError(Exception):
    """Bad input or an unreachable emulator: one line for the user."""


# -- the database ------------------------------------------------------------------------------
def connect(path: Path) -> duckdb.DuckDBPyConnection:
    if not path.is_file():
        raise DemoError(f"no DuckDB file at {path}: run the Meltano pipeline (bin/demo) first")
    return duckdb.connect(str(path), read_only=True)


def one(con: duckdb.DuckDBPyConnection, sql: str, args: list | None = None) -> tuple:
    """The one row an aggregate query answers."""
    found = con.execute(sql, args or []).fetchone()
    if found is None:
        raise DemoError(f"no row from {sql}")
    return found


def tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [name for (name,) in con.execute(TABLES_SQL, [SCHEMA]).fetchall()]


def lookup(con: duckdb.DuckDBPyConnection, table: str, column: str) -> dict:
    """id -> `column` of a table that landed; empty when it did not land or lacks the column."""
    if table not in tables(con):
        return {}
    columns = {name for (name,) in con.execute(COLUMNS_SQL, [SCHEMA, table]).fetchall()}
    if not {"id", column} <= columns:
        return {}
    return dict(con.execute(f'SELECT id, "{column}" FROM {SCHEMA}."{table}"').fetchall())


def primary_key(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    found = con.execute(KEYS_SQL, [SCHEMA, table]).fetchone()
    return list(found[0]) if found else []


def latest_snapshot(con: duckdb.DuckDBPyConnection) -> str | None:
    if "open_invoice_aging" not in tables(con):
        return None
    return one(con, LATEST_SNAPSHOT_SQL)[0]


@dataclass
class TableCount:
    table: str
    rows: int  # in the database (the latest snapshot for a snapshot table)
    keys: int  # distinct primary keys among them
    emulator: int | None  # None: the emulator has no table this stream reads
    snapshot: str | None = None

    @property
    def ok(self) -> bool:
        """Each row once, and as many as the emulator holds; a stream the tap derives (such as
        transactionline_set) has no emulator table, and is checked for duplicates alone."""
        return self.rows == self.keys and self.emulator in (None, self.rows)


def count_table(con: duckdb.DuckDBPyConnection, table: str, emulator_url: str) -> TableCount:
    key = primary_key(con, table)
    where, args, snapshot = "", [], None
    if SNAPSHOT_KEY in key:
        snapshot = one(con, f'SELECT max("{SNAPSHOT_KEY}") FROM {SCHEMA}."{table}"')[0]
        where, args = f' WHERE "{SNAPSHOT_KEY}" = ?', [snapshot]
    columns = ", ".join(f'"{k}"' for k in key)
    distinct = f"count(DISTINCT ({columns}))" if key else "count(*)"
    rows, keys = one(con, f'SELECT count(*), {distinct} FROM {SCHEMA}."{table}"{where}', args)
    return TableCount(table, rows, keys, emulator_count(emulator_url, table), snapshot)


# -- the emulator --------------------------------------------------------------------------------
class EmulatorRefusedError(DemoError):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def emulator_call(url: str, path: str, body: dict | None = None) -> Any:
    """GET /_emulator/{path}, or POST it `body`; the answer's JSON."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{url}/_emulator/{path}", data, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")
        raise EmulatorRefusedError(exc.code, f"the emulator at {url} refused {path}: {exc.code} {detail}") from None
    except (urllib.error.URLError, TimeoutError) as exc:
        raise DemoError(f"the emulator at {url} cannot be reached ({exc}); is it running?") from None


def emulator_rows(url: str, table: str) -> list[dict] | None:
    """The emulator's canonical rows of a table; None when it has no such table."""
    try:
        return emulator_call(url, f"rows/{table}")
    except EmulatorRefusedError as exc:
        if exc.code in (400, 404):
            return None
        raise


def emulator_count(url: str, stream: str) -> int | None:
    table, keep = SOURCES.get(stream, (stream, None))
    rows = emulator_rows(url, table)
    if rows is None:
        return None
    return len(rows) if keep is None else sum(1 for row in rows if keep(row))


# -- the finance report --------------------------------------------------------------------------
Aging = dict[tuple[int, str], tuple[int, Decimal]]  # (subsidiary, bucket) -> (invoices, amount)
Balances = dict[int, tuple[int, int, Decimal]]  # customer -> (subsidiary, invoices, balance)


def aging(con: duckdb.DuckDBPyConnection, as_of: str, *, restlet: bool = False) -> Aging:
    sql = AGING_SQL.format(invoices=RESTLET_INVOICES_SQL if restlet else OPEN_INVOICES_SQL)
    return {(sub, bucket): (n, amount) for sub, bucket, n, amount in con.execute(sql, {"as_of": as_of}).fetchall()}


def balances(con: duckdb.DuckDBPyConnection, as_of: str, *, restlet: bool = False) -> Balances:
    sql = BALANCES_SQL.format(invoices=RESTLET_INVOICES_SQL if restlet else OPEN_INVOICES_SQL)
    return {cust: (sub, n, bal) for sub, cust, n, bal in con.execute(sql, {"as_of": as_of}).fetchall()}


def top_customers(found: Balances, per_subsidiary: int = TOP) -> dict[int, list[int]]:
    """Customer ids by open balance, largest first (ties by id), per subsidiary."""
    ranked: dict[int, list[int]] = {}
    for cust, (sub, _, _) in sorted(found.items(), key=lambda item: (-item[1][2], item[0])):
        ranked.setdefault(sub, [])
        if len(ranked[sub]) < per_subsidiary:
            ranked[sub].append(cust)
    return dict(sorted(ranked.items(), key=lambda item: (item[0] is None, item[0] or 0)))


def money(value: Decimal | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def verdict(*, same: bool) -> str:
    return "=" if same else "DIFFERS"


def add_recent_invoices(emulator_url: str, count: int, today: date) -> list[int]:
    """Invoices dated over the last months, so every aging bucket has some: the seeded history
    ends in 2025, and aged against today all of it is 90+ days overdue."""
    rows = []
    for n in range(count):
        due = today - timedelta(days=RECENT_OVERDUE[n % len(RECENT_OVERDUE)])
        rows.append({"trandate": (due - timedelta(days=30)).isoformat(), "duedate": due.isoformat()})
    return emulator_call(emulator_url, "insert", {"table": "transaction", "type": "CustInvc", "rows": rows})["ids"]


# -- the steps -------------------------------------------------------------------------------------
def print_tables(con: duckdb.DuckDBPyConnection, emulator_url: str) -> bool:
    counts = [count_table(con, table, emulator_url) for table in tables(con)]
    if not counts:
        raise DemoError(f"the DuckDB file has no table in schema {SCHEMA}: did the pipeline load anything?")
    print(f"  {'table':<24} {'rows':>8} {'emulator':>9}  each row once")
    for c in counts:
        emulated = "-" if c.emulator is None else str(c.emulator)
        once = "yes" if c.rows == c.keys else f"NO: {c.rows - c.keys} duplicates"
        note = f"  (snapshot as of {c.snapshot})" if c.snapshot else ""
        verdict = "" if c.ok else "  DIFFERS" if c.emulator is not None else "  (no emulator table to compare)"
        print(f"  {c.table:<24} {c.rows:>8} {emulated:>9}  {once}{note}{verdict}")
    return all(c.ok for c in counts)


def print_report(con: duckdb.DuckDBPyConnection) -> bool:
    as_of = latest_snapshot(con)
    if as_of is None:
        raise DemoError("no open_invoice_aging snapshot in the database: configure the RESTlet and run again")
    ok = True
    by_sql, by_restlet = aging(con, as_of), aging(con, as_of, restlet=True)
    subsidiaries = sorted({s for s, _ in by_sql} | {s for s, _ in by_restlet}, key=lambda s: (s is None, s or 0))
    named = lookup(con, "subsidiary", "name")  # once a subsidiary table lands; ids until then
    labels = {sub: f"{sub} {named.get(sub) or ''}".strip() for sub in subsidiaries}
    w = max(10, *(len(label) for label in labels.values()))
    print(f"open receivables by aging bucket, as of {as_of}: SQL over invoice | open_invoice_aging RESTlet")
    print(f"  {'subsidiary':<{w}} {'bucket':<8} {'invoices':>8} {'amount':>16} | {'invoices':>8} {'amount':>16}")
    for sub in subsidiaries:
        for bucket in BUCKETS:
            left, right = by_sql.get((sub, bucket), (0, None)), by_restlet.get((sub, bucket), (0, None))
            same = left == right
            ok &= same
            print(
                f"  {labels[sub]:<{w}} {bucket:<8} {left[0]:>8} {money(left[1]):>16} | "
                f"{right[0]:>8} {money(right[1]):>16}  {verdict(same=same)}"
            )
    sql_bal, restlet_bal = balances(con, as_of), balances(con, as_of, restlet=True)
    names = lookup(con, "customer", "companyname")
    print(f"top {TOP} customers by open balance per subsidiary: SQL over invoice | open_invoice_aging RESTlet")
    print(f"  {'subsidiary':<{w}} {'customer':<34} {'invoices':>8} {'balance':>16} | {'invoices':>8} {'balance':>16}")
    for sub, customers in top_customers(sql_bal).items():
        for cust in customers:
            _, n, bal = sql_bal[cust]
            _, rn, rbal = restlet_bal.get(cust, (sub, 0, None))
            same = (n, bal) == (rn, rbal)
            ok &= same
            label = f"{cust} {names.get(cust) or ''}"[:34]
            print(
                f"  {labels.get(sub, sub)!s:<{w}} {label:<34} {n:>8} {money(bal):>16} | "
                f"{rn:>8} {money(rbal):>16}  {verdict(same=same)}"
            )
    if top_customers(sql_bal) != top_customers(restlet_bal):
        ok = False
        print("  the RESTlet ranks the top customers differently: DIFFERS")
    return ok


def invoice_values(con: duckdb.DuckDBPyConnection, ids: list[int]) -> list[dict]:
    cursor = con.execute(INVOICE_VALUES_SQL, {"ids": ids})
    return [
        dict(zip(("id", "tranid", "memo", "lastmodifieddate", "copies"), row, strict=True)) for row in cursor.fetchall()
    ]


def change(con: duckdb.DuckDBPyConnection, emulator_url: str, count: int, memo: str) -> tuple[list[int], list[dict]]:
    """Edits `count` invoices in the emulator (their memo; lastmodifieddate moves to now) and
    returns their ids with the values the database holds for them before the next run."""
    ids = emulator_call(
        emulator_url, "update", {"table": "transaction", "type": "CustInvc", "count": count, "set": {"memo": memo}}
    )["ids"]
    return ids, invoice_values(con, ids)


def print_changed(con: duckdb.DuckDBPyConnection, emulator_url: str, before: list[dict]) -> bool:
    """The touched invoices as the database holds them now, beside the emulator's values."""
    ids = [row["id"] for row in before]
    now = {row["id"]: row for row in invoice_values(con, ids)}
    truth = {row["id"]: row for row in emulator_rows(emulator_url, "transaction") or [] if row["id"] in ids}
    ok = True
    print(f"  {'invoice':<10} {'memo (now)':<24} {'lastmodifieddate: run 1 -> run 2':<44} copies")
    for old in before:
        new = now.get(old["id"], {"memo": None, "lastmodifieddate": None, "copies": 0})
        real = truth.get(old["id"], {})
        same = (
            new["memo"] == real.get("memo")
            and _utc(new["lastmodifieddate"]) == real.get("lastmodifieddate")
            and new["copies"] == 1
        )
        ok &= same
        print(
            f"  {old['tranid'] or old['id']!s:<10} {new['memo']!s:<24} "
            f"{old['lastmodifieddate']!s} -> {new['lastmodifieddate']!s:<20} {new['copies']}"
            + ("" if same else f"  DIFFERS from the emulator ({real.get('memo')}, {real.get('lastmodifieddate')})")
        )
    return ok


def _utc(stored: str | None) -> str | None:
    """A TIMESTAMP as DuckDB prints it (UTC, no offset) in the emulator's canonical form."""
    return None if stored is None else stored.replace(" ", "T") + "+00:00"


# -- command line ----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo_warehouse", description=__doc__.split("\n\n")[0])
    steps = parser.add_subparsers(dest="step", required=True)
    for name in ("recent", "tables", "report", "change", "changed"):
        step = steps.add_parser(name)
        if name != "recent":
            step.add_argument("--db", type=Path, required=True, help="the DuckDB file")
        if name != "report":
            step.add_argument("--emulator", required=True, help="the emulator's base URL")
    steps.choices["recent"].add_argument("--count", type=int, default=150)
    steps.choices["recent"].add_argument("--timezone", required=True, help="the account's IANA time zone")
    steps.choices["change"].add_argument("--count", type=int, default=7)
    steps.choices["change"].add_argument("--memo", default="edited by bin/demo")
    steps.choices["change"].add_argument("--out", type=Path, required=True, help="where the before-values go")
    steps.choices["changed"].add_argument("--before", type=Path, required=True, help="what change wrote")
    args = parser.parse_args(argv)
    try:
        if args.step == "recent":
            today = datetime.now(ZoneInfo(args.timezone)).date()
            ids = add_recent_invoices(args.emulator, args.count, today)
            print(
                f"  {len(ids)} invoices added, due from {today - timedelta(days=110)} to {today + timedelta(days=20)}"
            )
            return 0
        with connect(args.db) as con:
            if args.step == "tables":
                return 0 if print_tables(con, args.emulator) else 1
            if args.step == "report":
                return 0 if print_report(con) else 1
            if args.step == "change":
                ids, before = change(con, args.emulator, args.count, args.memo)
                args.out.write_text(json.dumps(before) + "\n")
                print("  edited invoice ids:", ids)
                return 0
            before = json.loads(args.before.read_text())
            return 0 if print_changed(con, args.emulator, before) else 1
    except (DemoError, duckdb.Error, OSError, ValueError, ZoneInfoNotFoundError) as exc:
        print(f"demo_warehouse {args.step}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
