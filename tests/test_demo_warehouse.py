"""The demo's database checks: Meltano into a real DuckDB file through target-duckdb, then the
demo's own SQL (demo_warehouse) against figures this test computes from the emulator's rows.

The expected figures come from `GET /_emulator/rows/...` with this file's own Python, never from
DuckDB, so a wrong query, a lost or doubled row, or a loader that drops records fails here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import urllib.request
from collections import Counter, defaultdict
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import duckdb
import pytest
from helpers import REPO, running_emulator

import demo_warehouse as dw
from tap_netsuite.streams import DeletedRecordStream

MELTANO = REPO / ".meltano-venv" / "bin" / "meltano"
RESTLET = {
    "TAP_NETSUITE_OPEN_INVOICES_RESTLET_SCRIPT": "customscript_tapns_open_invoices_rl",
    "TAP_NETSUITE_OPEN_INVOICES_RESTLET_DEPLOY": "customdeploy_tapns_open_invoices_rl",
}


def rows(config: dict, table: str) -> list[dict]:
    with urllib.request.urlopen(f"{config['base_url']}/_emulator/rows/{table}", timeout=60) as answer:
        return json.load(answer)


def local_today(config: dict) -> date:
    return datetime.now(ZoneInfo(config["account_timezone"])).date()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """An emulator of its own with this season's invoices added as bin/demo adds them, and the
    environment of one Meltano project writing to a DuckDB file in a temporary folder."""
    if not (MELTANO.exists() and (REPO / ".meltano" / "loaders" / "target-duckdb").exists()):
        pytest.fail("Meltano or target-duckdb is not installed: run the tests through bin/test, which installs them.")
    tmp = tmp_path_factory.mktemp("duckdb")
    with running_emulator(tmp) as config:
        yield world_of(tmp, config)


def world_of(tmp, config: dict) -> dict:
    added = dw.add_recent_invoices(config["base_url"], 60, local_today(config))
    env = {
        **os.environ,
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        "MELTANO_DATABASE_URI": f"sqlite:///{tmp}/meltano.db",
        "TARGET_DUCKDB_PATH": str(tmp / "warehouse.duckdb"),
        "TAP_NETSUITE_PAGE_SIZE": "500",  # several SuiteQL pages and RESTlet pages per stream
        **RESTLET,
        **{f"TAP_NETSUITE_{key.upper()}": str(value) for key, value in config.items()},
    }
    return {"config": config, "env": env, "tmp": tmp, "db": tmp / "warehouse.duckdb", "added": added}


def meltano_run(world) -> None:
    result = subprocess.run(
        [str(MELTANO), "run", "tap-netsuite", "target-duckdb"],
        cwd=REPO,
        env=world["env"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    with (world["tmp"] / "meltano.log").open("a") as log:
        log.write(result.stdout + result.stderr)
    assert result.returncode == 0, result.stderr[-4000:]


@pytest.fixture(scope="module")
def first_run(world):
    before = local_today(world["config"])
    meltano_run(world)
    return {**world, "days": {before, local_today(world["config"])}}


# Streams the tap derives, with no emulator table of their name to count against.
DERIVED = {"transactionline_set"}


def expected_keys(config: dict, table: str, key: list[str]) -> list[tuple]:
    """A table's primary keys as the emulator holds them, by this test's own reading: the four
    streams of today by their own rules, any other stream from the emulator table of its name."""
    if table in ("invoice", "open_invoice_aging"):
        invoices = [r for r in rows(config, "transaction") if r["type"] == "CustInvc"]
        if table == "open_invoice_aging":
            invoices = [r for r in invoices if r["status"] == "A" and Decimal(r["foreignamountunpaid"]) > 0]
        return [(r["id"],) for r in invoices]
    if table == "deleted_record":
        read = DeletedRecordStream.record_types
        return [(r["type"], r["recordid"]) for r in rows(config, "deletedrecord") if r["type"] in read]
    return [tuple(r[k] for k in key) for r in rows(config, table)]


def check_tables(world) -> None:
    with duckdb.connect(str(world["db"]), read_only=True) as con:
        landed_tables = dw.tables(con)
        assert {"customer", "invoice", "deleted_record", "open_invoice_aging"} <= set(landed_tables)
        for table in landed_tables:
            key = [k for k in dw.primary_key(con, table) if k != dw.SNAPSHOT_KEY]
            assert key, f"{table} landed without a primary key"
            if table in DERIVED:  # made by the tap, proven against the account in test_transaction_lines
                counted = dw.count_table(con, table, world["config"]["base_url"])
                assert counted.emulator is None and counted.rows == counted.keys > 0, table
                continue
            expected = Counter(expected_keys(world["config"], table, key))
            assert set(expected.values()) <= {1}, f"the emulator's {table} repeats a key"
            counted = dw.count_table(con, table, world["config"]["base_url"])
            assert (counted.rows, counted.keys, counted.emulator) == (len(expected),) * 3, table
            assert counted.ok
            where = f" WHERE {dw.SNAPSHOT_KEY} = '{counted.snapshot}'" if counted.snapshot else ""
            landed = con.execute(f"SELECT {', '.join(key)} FROM {dw.SCHEMA}.{table}{where}").fetchall()
            assert Counter(landed) == expected, f"{table}: not each emulator row exactly once"


def test_the_demo_reads_duckdb_with_the_version_that_writes_it():
    """A DuckDB file is read by the version that wrote it; 1.3 and later drop a row per batch
    under target-duckdb 0.8.0 (its header-less COPY is sniffed as having a header)."""
    meltano = (REPO / "meltano.yml").read_text()
    loader = re.search(r"pip_url: (target-duckdb==\S+ duckdb==(\S+))", meltano)
    assert loader, "meltano.yml pins target-duckdb and duckdb in one pip_url"
    assert duckdb.__version__ == loader[2]
    assert f'"duckdb=={loader[2]}"' in (REPO / "pyproject.toml").read_text()


def test_the_demo_compares_deletions_of_the_types_the_tap_reads():
    assert tuple(DeletedRecordStream.record_types) == dw.DELETED_TYPES


@pytest.mark.slow
def test_every_table_holds_each_emulator_row_once(first_run):
    check_tables(first_run)
    assert len(first_run["added"]) == 60


def bucket(days: int) -> str:
    return next(
        (name for top, name in ((0, "current"), (30, "1-30"), (60, "31-60"), (90, "61-90")) if days <= top), "90+"
    )


@pytest.mark.slow
def test_aging_report_equals_the_emulators_open_invoices(first_run):
    config = first_run["config"]
    with duckdb.connect(str(first_run["db"]), read_only=True) as con:
        as_of = dw.latest_snapshot(con)
        assert as_of is not None
        assert date.fromisoformat(as_of) in first_run["days"]  # the RESTlet ages against the account's today
        by_sql, by_restlet = dw.aging(con, as_of), dw.aging(con, as_of, restlet=True)
        sql_balances, restlet_balances = dw.balances(con, as_of), dw.balances(con, as_of, restlet=True)

    aging: dict = defaultdict(lambda: [0, Decimal(0)])
    balances: dict = defaultdict(lambda: [None, 0, Decimal(0)])
    overdue: set[int] = set()
    for row in rows(config, "transaction"):
        unpaid = Decimal(row["foreignamountunpaid"] or 0)
        if row["type"] != "CustInvc" or row["status"] != "A" or unpaid <= 0:
            continue
        days = max(0, (date.fromisoformat(as_of) - date.fromisoformat(row["duedate"])).days) if row["duedate"] else 0
        overdue.add(days)
        cell = aging[(row["subsidiary"], bucket(days))]
        cell[0] += 1
        cell[1] += unpaid
        balance = balances[row["entity"]]
        balance[0] = row["subsidiary"]
        balance[1] += 1
        balance[2] += unpaid
    expected_aging = {key: (n, amount) for key, (n, amount) in aging.items()}
    expected_balances = {cust: tuple(value) for cust, value in balances.items()}

    assert {0, 1, 30, 31, 60, 61, 90, 91} <= overdue  # the added invoices sit on both sides of each edge
    assert by_sql == expected_aging
    assert by_restlet == expected_aging
    assert sql_balances == expected_balances
    assert restlet_balances == expected_balances
    subsidiaries = sorted({sub for sub, _, _ in expected_balances.values()})
    expected_top = {
        sub: sorted((c for c, v in expected_balances.items() if v[0] == sub), key=lambda c: (-balances[c][2], c))[
            : dw.TOP
        ]
        for sub in subsidiaries
    }
    assert dw.top_customers(sql_balances) == expected_top


@pytest.mark.slow
def test_second_run_reads_back_the_edited_invoices_once(first_run):
    config = first_run["config"]
    with duckdb.connect(str(first_run["db"]), read_only=True) as con:
        ids, before = dw.change(con, config["base_url"], 7, "second run test")
    assert len(ids) == 7
    assert [row["id"] for row in before] == sorted(ids)
    assert all(row["memo"] != "second run test" and row["copies"] == 1 for row in before)
    meltano_run(first_run)
    truth = {r["id"]: r for r in rows(config, "transaction") if r["id"] in ids}
    with duckdb.connect(str(first_run["db"]), read_only=True) as con:
        after = dw.invoice_values(con, ids)
        assert dw.print_changed(con, config["base_url"], before)
    assert [row["id"] for row in after] == sorted(ids)
    for row in after:
        assert row["memo"] == truth[row["id"]]["memo"] == "second run test"
        assert row["lastmodifieddate"].replace(" ", "T") + "+00:00" == truth[row["id"]]["lastmodifieddate"]
        assert row["copies"] == 1
    check_tables(first_run)


TABLE_LINE = re.compile(r"^  (\w+) +(\d+) +(\d+)  yes")


@pytest.mark.slow
def test_bin_demo_prints_equal_counts_and_a_matching_report(tmp_path):
    """bin/demo as the README shows it, at small sizes, in folders of its own."""
    env = {
        **os.environ,
        "CUSTOMERS": "120",
        "INVOICES": "900",
        "DEMO_OUTPUT": str(tmp_path / "output"),
        "DEMO_WORK": str(tmp_path / "work"),
    }
    result = subprocess.run(
        [str(REPO / "bin" / "demo")], cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=900
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "DIFFERS" not in out
    tables = [TABLE_LINE.match(line) for line in out.splitlines()]
    counts = [(m[1], int(m[2]), int(m[3])) for m in tables if m]
    names = {name for name, _, _ in counts}
    assert {"customer", "invoice", "deleted_record", "open_invoice_aging"} <= names
    assert len(counts) == 2 * len(names)  # after each of the two runs
    assert all(rows == emulator for _, rows, emulator in counts)
    assert ("customer", 120, 120) in counts
    assert ("invoice", 1050, 1050) in counts  # 900 seeded + 150 added by the demo
    compared = [line for line in out.splitlines() if line.startswith("  ") and " | " in line and "invoices" not in line]
    assert len(compared) >= len(dw.BUCKETS) + dw.TOP
    assert all(line.endswith("  =") for line in compared)  # every aging cell and top customer agrees
    changed = [line for line in out.splitlines() if "edited by bin/demo" in line]
    assert len(changed) == 7
    assert all(line.endswith("  1") for line in changed)  # each edited invoice held once
    assert (tmp_path / "output" / "warehouse.duckdb").is_file()


def test_bin_demo_refuses_an_unknown_option_in_one_line():
    result = subprocess.run(
        [str(REPO / "bin" / "demo"), "--parquet"], cwd=REPO, capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "bin/demo: unknown option --parquet; use no option (DuckDB) or --jsonl (JSONL files)"
    ]
    assert result.stdout == ""
