"""Every record exactly once (after upsert by primary key), and a keyset that never loops or skips.

The tap runs as a user runs it (`python -m tap_netsuite.tap`, see `test_tap.run_tap`) against
an emulator over a socket; `/_emulator/rows` is the oracle. The one exception is the 250,000
invoice table, read through `paging.read_pages` (the very code the streams page
with) on two columns, so that the test is about paging and not about the SDK's per-record CPU.

What "equal" means, column for column (README, "What you can rely on, and its limits"):
- datetimes are compared in UTC, as NetSuite renders them: to the whole second (`HH24:MI:SS`
  hides sub-second precision), and a wall-clock second inside the hour repeated when clocks
  fall back is read as its first pass (it may be one hour early, never late);
- dates are the account-local day, amounts exact decimals, checkboxes booleans, NULL null.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers import REPO, control, emulator_client, rows, rows_of, run_tap, running_emulator

from tap_netsuite.convert import filter_literal
from tap_netsuite.paging import all_rows, read_pages
from tap_netsuite.streams import schema_dir
from tap_netsuite.suiteql import PY_DATETIME_FORMAT, KeysetSpec, rendered_second

pytestmark = pytest.mark.slow  # minutes: left out of `bin/test -m "not slow"`

UTC = dt.timezone.utc
# The three streams a run without a catalog reads, a generic incremental table and a custom
# record type: every run here reads these five through a catalog that selects them.
LEGACY = ("customer", "invoice", "deleted_record")
STREAMS = (*LEGACY, "vendor", "customrecord_contract")
# The schema files of the legacy streams (what test_randomized_sync reads from the warehouse).
PROPERTIES = {s: json.loads((schema_dir() / f"{s}.json").read_text())["properties"] for s in LEGACY}
# Every stream's properties as the runs' SCHEMA messages give them: custom fields included.
SENT_PROPERTIES: dict[str, dict] = {}
CATALOG: dict = {}  # discovered once (the account's shape is the same on every emulator here)
KEEP_QUERIES = ("--metrics-queries", "100000")


@pytest.fixture(scope="module", autouse=True)
def _catalog(emulator, tmp_path_factory):
    """`--discover` of STREAMS, all selected: the catalog every run of this module reads."""
    result = run_tap(tmp_path_factory.mktemp("catalog"), {**emulator, "tables": list(STREAMS)}, "--discover")
    assert result.returncode == 0, result.stderr[-3000:]
    catalog = json.loads(result.stdout)
    assert {entry["tap_stream_id"] for entry in catalog["streams"]} == set(STREAMS)
    for entry in catalog["streams"]:
        next(m for m in entry["metadata"] if m["breadcrumb"] == [])["metadata"]["selected"] = True
        SENT_PROPERTIES[entry["tap_stream_id"]] = entry["schema"]["properties"]
    CATALOG.update(catalog)


def catalog_args(tmp: Path) -> list[str]:
    path = tmp / "catalog.json"
    path.write_text(json.dumps(CATALOG))
    return ["--catalog", str(path)]


# -- reading the tap's output ---------------------------------------------------------------
def parse(stdout: str) -> list[dict]:
    """Singer messages in the order sent; decimals kept exact. A last line cut by a kill is
    not a message (a target discards it too)."""
    out = []
    lines = stdout.splitlines()
    for number, line in enumerate(lines, 1):
        if not line.startswith("{"):
            continue
        try:
            out.append(json.loads(line, parse_float=Decimal))
        except json.JSONDecodeError:
            assert number == len(lines), f"a broken line that is not the last: {line[:200]}"
    return out


def records(msgs: list[dict], stream: str) -> list[dict]:
    return [m["record"] for m in msgs if m["type"] == "RECORD" and m["stream"] == stream]


def states(msgs: list[dict]) -> list[dict]:
    return [m["value"] for m in msgs if m["type"] == "STATE"]


def counted(stderr: str) -> dict[str, int]:
    """Records the SDK counted as synced, per stream (its `record_count` metric log lines)."""
    out: dict[str, int] = {}
    for line in stderr.splitlines():
        if "METRIC: " in line and '"record_count"' in line:
            metric = json.loads(line.split("METRIC: ", 1)[1])
            stream = metric["tags"]["stream"]
            out[stream] = out.get(stream, 0) + metric["value"]
    return out


def sync(tmp: Path, config: dict, state: dict | None = None, **settings) -> list[dict]:
    """One whole run of the tap; its messages. Every record the tap produced must be on stdout."""
    result = run_tap(tmp, {**config, **settings}, *catalog_args(tmp), state=state)
    assert result.returncode == 0, result.stderr[-4000:]
    msgs = parse(result.stdout)
    written = {s: len(records(msgs, s)) for s in counted(result.stderr)}
    assert written == counted(result.stderr), (
        f"the tap synced {counted(result.stderr)} records but wrote {written} to stdout "
        f"(last message: {json.dumps(msgs[-1])[:200] if msgs else None})"
    )
    return msgs


def key_of(stream: str) -> tuple[str, ...]:
    return ("type", "recordid") if stream == "deleted_record" else ("id",)


def ident(stream: str, row: dict):
    return tuple(row[k] for k in key_of(stream)) if stream == "deleted_record" else row["id"]


# -- the oracle ------------------------------------------------------------------------------
def truth(config: dict) -> dict[str, dict]:
    """The emulator's live rows per stream, by primary key."""
    out = {
        "customer": {r["id"]: r for r in rows(config, "customer")},
        "vendor": {r["id"]: r for r in rows(config, "vendor")},
        "customrecord_contract": {r["id"]: r for r in rows(config, "customrecord_contract")},
        "invoice": {r["id"]: r for r in rows(config, "transaction") if r["type"] == "CustInvc"},
        "deleted_record": {
            (r["type"], r["recordid"]): r for r in rows(config, "deletedrecord") if r["type"] in ("customer", "invoice")
        },
    }
    return out


def rendered_utc(iso: str, zone: ZoneInfo) -> dt.datetime:
    """A stored instant as the tap can know it: the account-local second NetSuite renders,
    read as the first pass of a repeated hour, in UTC."""
    wall = dt.datetime.fromisoformat(iso).astimezone(zone).replace(tzinfo=None, microsecond=0)
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _kinds(prop: dict) -> list[str]:
    kind = prop.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def expected(value, prop: dict, zone: ZoneInfo):
    """The oracle's canonical value as the tap must send it, in one comparable form."""
    if value is None:
        return None
    if prop.get("format") == "date-time":
        return rendered_utc(value, zone)
    if prop.get("format") == "date":
        return value
    kinds = _kinds(prop)
    if "boolean" in kinds:
        return value
    if "integer" in kinds:
        return int(value)
    if "number" in kinds:
        return Decimal(str(value)).normalize()
    return str(value)


def got(value, prop: dict):
    """A value the tap sent, in the same comparable form."""
    if value is None:
        return None
    if prop.get("format") == "date-time":
        moment = dt.datetime.fromisoformat(value)
        assert moment.tzinfo is not None, f"datetime without offset: {value!r}"
        return moment.astimezone(UTC)
    if "number" in _kinds(prop) and "integer" not in _kinds(prop):
        return Decimal(str(value)).normalize()
    return value


def differences(stream: str, sent: dict, want: dict, zone: ZoneInfo, props: dict | None = None) -> list[str]:
    """What differs between a record sent and the emulator's row, column by column of `props`
    (the stream's schema file when not given)."""
    props = props if props is not None else PROPERTIES[stream]
    out = []
    if set(sent) != set(props):
        out.append(f"{stream} {ident(stream, want)}: columns {sorted(set(sent) ^ set(props))}")
    for column, prop in props.items():
        a, b = got(sent.get(column), prop), expected(want.get(column), prop, zone)
        if a != b:
            out.append(
                f"{stream} {ident(stream, want)}.{column}: sent {sent.get(column)!r}, "
                f"emulator {want.get(column)!r} (expected {b!r})"
            )
    return out


def assert_equal_rows(stream: str, sent: dict, want: dict, zone: ZoneInfo) -> None:
    """`sent` and `want` map primary key -> row: the same keys, and every column equal."""
    missing, extra = set(want) - set(sent), set(sent) - set(want)
    assert not missing, f"{stream}: {len(missing)} records never sent, e.g. {sorted(missing)[:10]}"
    assert not extra, f"{stream}: {len(extra)} records sent that the emulator lacks, e.g. {sorted(extra)[:10]}"
    props = SENT_PROPERTIES[stream]
    wrong = [d for k in sorted(want) for d in differences(stream, sent[k], want[k], zone, props)]
    assert not wrong, f"{len(wrong)} differing values, first ones:\n" + "\n".join(wrong[:15])


def replication_key(stream: str) -> str:
    return {"deleted_record": "deleteddate", "customrecord_contract": "lastmodified"}.get(stream, "lastmodifieddate")


def assert_once_in_key_order(stream: str, sent: list[dict]) -> None:
    """Each record once, and in the keyset's order (per deleted-record type, its partition)."""
    ids = [ident(stream, r) for r in sent]
    dupes = sorted({i for i in ids if ids.count(i) > 1}) if len(ids) != len(set(ids)) else []
    assert not dupes, f"{stream}: sent more than once: {dupes[:10]}"
    rk = replication_key(stream)
    groups = {}
    for r in sent:
        groups.setdefault(r.get("type") if stream == "deleted_record" else None, []).append(
            (dt.datetime.fromisoformat(r[rk]), r["recordid" if stream == "deleted_record" else "id"])
        )
    for part, keys in groups.items():
        assert keys == sorted(keys), f"{stream} {part}: not in (key, id) order"


def last_version(*runs: list[dict], stream: str) -> dict:
    """What an upsert by primary key leaves after these runs, in the order they ran."""
    out = {}
    for msgs in runs:
        for r in records(msgs, stream):
            out[ident(stream, r)] = r
    return out


# -- the emulator's request log ----------------------------------------------------------------
def queries(config: dict) -> list[dict]:
    metrics = control(config, "GET", "/_emulator/metrics")
    answered = sum(metrics["requests"].get("suiteql", {}).values())
    assert len(metrics["queries"]) == answered, "the emulator dropped queries from its log"
    return metrics["queries"]


def assert_rows_paged_by_keyset(config: dict, beside_plan: int = 0) -> list[dict]:
    """Every query that reads rows asks at offset 0, but for the pages a first sync reads
    beside the plan: the query of a range's first page (asked at offset 0 too), at most at
    its next `beside_plan` pages. (The tap takes such a page only when the plan shows it is
    exactly its window.) (The per-day histogram, `GROUP BY` with one row per day, is paged
    by offset; its offsets are bounded by the days in the range.)"""
    log = queries(config)
    row_queries = [q for q in log if "GROUP BY" not in q["q"]]
    first_pages = {q["q"] for q in row_queries if q["offset"] == 0}
    offsets = [
        q
        for q in row_queries
        if q["offset"] != 0
        and not (q["q"] in first_pages and q["offset"] % q["limit"] == 0 and q["offset"] <= beside_plan * q["limit"])
    ]
    assert not offsets, f"rows read at a non-zero offset: {offsets[:3]}"
    histogram = [q for q in log if "GROUP BY" in q["q"]]
    assert all(q["offset"] < 10_000 for q in histogram)
    return log


# -- daylight saving --------------------------------------------------------------------------
def transitions(zone: ZoneInfo, year: int = 2026) -> tuple[dt.datetime | None, dt.datetime | None]:
    """(fall back, spring forward) instants of `year` in UTC, None where the zone has none."""
    fall = spring = None
    moment = dt.datetime(year, 1, 1, tzinfo=UTC)
    while moment.year == year:
        before, after = (
            (moment - dt.timedelta(hours=1)).astimezone(zone).utcoffset(),
            moment.astimezone(zone).utcoffset(),
        )
        if after < before:
            fall = moment
        elif after > before:
            spring = moment
        moment += dt.timedelta(hours=1)
    return fall, spring


def repeated(zone: ZoneInfo, minute: int, second_pass: bool) -> str:
    """ISO UTC of wall-clock minute `minute` of the repeated hour, in its first or second pass."""
    fall, _ = transitions(zone)
    moment = fall + dt.timedelta(minutes=minute) - (dt.timedelta(0) if second_pass else dt.timedelta(hours=1))
    return moment.isoformat()


def at(config: dict, table: str, ids: list[int], moment: str, **changes) -> list[int]:
    return control(config, "POST", "/_emulator/update", {"table": table, "ids": ids, "at": moment, "set": changes})[
        "ids"
    ]


def live_ids(config: dict, table: str, n: int, skip: int = 0, kind: str | None = "CustInvc") -> list[int]:
    found = [r["id"] for r in rows(config, table) if table != "transaction" or r["type"] == kind]
    return found[skip : skip + n]


# =============================================================================================
# 1. Every position of the emulator's switches.
# =============================================================================================
ZONES = ("America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata")
FORMATS = ("M/D/YYYY", "D/M/YYYY", "D.M.YYYY", "YYYY-MM-DD")
SUB_NULLS = ((False, "left-out"), (True, "left-out"), (False, "null"), (True, "null"))
# Every pair of values of any two switches appears at least once (12 runs instead of 48):
# for zone i and date format j, (subsecond, nulls) is SUB_NULLS[(i + j) % 4].
MATRIX = [(zone, fmt, *SUB_NULLS[(i + j) % 4]) for i, zone in enumerate(ZONES) for j, fmt in enumerate(FORMATS)]


@pytest.mark.parametrize(
    ("zone", "date_format", "subsecond", "nulls"),
    MATRIX,
    ids=[f"{z.split('/')[1]}-{f}-{'subsec' if s else 'sec'}-{n}" for z, f, s, n in MATRIX],
)
def test_every_switch_position_sends_every_record_once_column_for_column(tmp_path, zone, date_format, subsecond, nulls):
    args = ["--timezone", zone, "--date-format", date_format, "--nulls", nulls, *KEEP_QUERIES]
    if subsecond:
        args.append("--subsecond")
    with running_emulator(tmp_path, *args, customers=40, invoices=400, seed=11) as config:
        assert config["account_timezone"] == zone
        tz = ZoneInfo(zone)
        invoices = live_ids(config, "transaction", 200)
        customers = live_ids(config, "customer", 30)
        vendors = live_ids(config, "vendor", 4)
        contracts = live_ids(config, "customrecord_contract", 20)
        # Twelve contracts in one second: a tie on the replication key that the keyset breaks by id.
        control(
            config,
            "POST",
            "/_emulator/update",
            {"table": "customrecord_contract", "ids": contracts[:12], "same_timestamp": True, "set": {"name": "Bulk"}},
        )
        # A bulk edit: 60 invoices in one second, more than two pages of 25, with NULLs set.
        control(
            config,
            "POST",
            "/_emulator/update",
            {
                "table": "transaction",
                "ids": invoices[:60],
                "same_timestamp": True,
                "set": {"memo": None, "otherrefnum": None},
            },
        )
        # Edits at the same wall-clock minutes in both passes of this year's repeated hour,
        # and just after the skipped one (zones without daylight saving: ordinary times).
        fall, spring = transitions(tz)
        if fall is not None:
            for n, minute in enumerate((10, 30, 30, 50)):
                second = n % 2 == 1
                at(config, "transaction", invoices[60 + 3 * n : 63 + 3 * n], repeated(tz, minute, second))
                at(config, "customer", customers[2 * n : 2 * n + 2], repeated(tz, minute, not second))
                at(config, "vendor", vendors[n : n + 1], repeated(tz, minute, second))
                at(config, "customrecord_contract", contracts[12 + n : 13 + n], repeated(tz, minute, not second))
            at(config, "transaction", invoices[80:83], (spring + dt.timedelta(minutes=5)).isoformat())
        at(config, "transaction", invoices[90:95], "2026-06-30T23:59:59.250+00:00")
        control(config, "POST", "/_emulator/delete", {"table": "transaction", "ids": invoices[100:104]})
        control(config, "POST", "/_emulator/delete", {"table": "customer", "ids": customers[20:22]})
        control(config, "POST", "/_emulator/insert", {"table": "transaction", "count": 5})
        control(config, "POST", "/_emulator/insert", {"table": "customer", "count": 3})
        control(config, "POST", "/_emulator/delete", {"table": "customrecord_contract", "ids": contracts[18:20]})
        control(config, "POST", "/_emulator/insert", {"table": "customrecord_contract", "count": 3})
        control(config, "POST", "/_emulator/insert", {"table": "vendor", "count": 2})

        msgs = sync(tmp_path, config, page_size=25, max_concurrency=3)  # one page beside each plan
        oracle = truth(config)
        assert len(oracle["deleted_record"]) >= 6
        for stream in STREAMS:
            sent = records(msgs, stream)
            assert_once_in_key_order(stream, sent)
            assert_equal_rows(stream, {ident(stream, r): r for r in sent}, oracle[stream], tz)
        assert_rows_paged_by_keyset(config, beside_plan=1)


# =============================================================================================
# 2. A table of 250,000 invoices.
# =============================================================================================
def test_250000_invoices_are_read_whole_by_keyset_never_by_offset(tmp_path):
    with running_emulator(tmp_path, *KEEP_QUERIES, customers=1000, invoices=250_000, seed=5) as config:
        zone = ZoneInfo(config["account_timezone"])
        started = time.monotonic()
        with emulator_client(config, page_size=1000, max_concurrency=5) as client:
            spec = KeysetSpec(
                columns=f"id, {rendered_second('lastmodifieddate')} AS lastmodifieddate",
                table="transaction",
                where="type = 'CustInvc'",
                replication_key="lastmodifieddate",
                since=filter_literal(dt.datetime.fromisoformat(config["start_date"]), zone),
            )
            got_rows = rows_of(read_pages(client, spec))
            elapsed = time.monotonic() - started
            [count] = all_rows(
                client,
                "SELECT COUNT(*) AS n, SUM(id) AS s, MIN(id) AS lo, MAX(id) AS hi "
                "FROM transaction WHERE type = 'CustInvc'",
            )
        # Every id the pages gave is an invoice of the table (the query says so), none twice,
        # and as many as the table holds: so exactly the table's invoices. (`/_emulator/rows`
        # would cost half a minute more for 275,000 rows; sum and bounds are a cross-check.)
        ids = [int(r["id"]) for r in got_rows]
        assert len(ids) == len(set(ids)) == int(count["n"]) == 250_000
        assert sum(ids) == int(count["s"])
        assert (min(ids), max(ids)) == (int(count["lo"]), int(count["hi"]))
        keys = [(r["lastmodifieddate"], int(r["id"])) for r in got_rows]
        assert keys == sorted(keys)
        log = assert_rows_paged_by_keyset(config)
        row_queries = [q for q in log if q["q"].startswith("SELECT id,")]
        assert len(row_queries) >= 250  # really paged, 1,000 rows at a time
        assert max(q["rows"] for q in row_queries) == 1000
        print(f"250,000 invoices in {elapsed:.1f} s over {len(row_queries)} pages")


# =============================================================================================
# 3. 5,000 records changed in one second.
# =============================================================================================
@pytest.mark.parametrize(
    ("subsecond", "same_timestamp"),
    [(False, True), (True, True), (True, False)],
    ids=["whole-seconds", "subsecond-one-stamp", "subsecond-staggered"],
)
def test_a_5000_record_burst_in_one_second_arrives_once(tmp_path, subsecond, same_timestamp):
    args = [*KEEP_QUERIES, *(["--subsecond"] if subsecond else [])]
    with running_emulator(tmp_path, *args, customers=50, invoices=5300, seed=13) as config:
        zone = ZoneInfo(config["account_timezone"])
        before = truth(config)
        # A bookmark after the whole generated history, as a nightly run would hold.
        mark = max(r["lastmodifieddate"] for r in before["invoice"].values())
        state = {
            "bookmarks": {
                "invoice": {"replication_key": "lastmodifieddate", "replication_key_value": mark},
                "customer": {
                    "replication_key": "lastmodifieddate",
                    "replication_key_value": max(r["lastmodifieddate"] for r in before["customer"].values()),
                },
            }
        }
        burst = control(
            config,
            "POST",
            "/_emulator/update",
            {
                "table": "transaction",
                "type": "CustInvc",
                "count": 5000,
                "same_timestamp": same_timestamp,
                "set": {"memo": "bulk edit"},
            },
        )["ids"]
        assert len(burst) == 5000
        oracle = truth(config)
        stamps = {oracle["invoice"][i]["lastmodifieddate"] for i in burst}
        seconds = {rendered_utc(s, zone) for s in stamps}
        if same_timestamp:
            assert len(stamps) == 1
        else:
            assert len(stamps) > 1  # distinct milliseconds, hidden by the rendering
        assert len(seconds) <= 3

        msgs = sync(tmp_path, config, state=state, page_size=100, max_concurrency=3)
        sent = records(msgs, "invoice")
        assert_once_in_key_order("invoice", sent)
        by_id = {r["id"]: r for r in sent}
        assert set(burst) <= set(by_id)
        # Nothing else but the lookback window before the bookmark.
        window = dt.datetime.fromisoformat(mark) - dt.timedelta(minutes=15)
        want = {
            i: r
            for i, r in oracle["invoice"].items()
            if i in set(burst) or dt.datetime.fromisoformat(r["lastmodifieddate"]) >= window
        }
        assert_equal_rows("invoice", by_id, want, zone)
        log = assert_rows_paged_by_keyset(config, beside_plan=1)  # deleted_record's first sync
        pages = [q for q in log if "FROM transaction" in q["q"] and "GROUP BY" not in q["q"]]
        assert len(pages) >= 50  # the page boundaries really fell inside the burst


# =============================================================================================
# 4. A fall-back night: records at 01:30 twice, and a bookmark inside the repeated hour.
# =============================================================================================
def since_literal(query: str) -> str:
    """The `since` literal of a keyset query: its first TO_TIMESTAMP."""
    return re.search(r"TO_TIMESTAMP\('([^']+)'", query).group(1)


@pytest.mark.parametrize("lookback", [15, 0])
@pytest.mark.parametrize("zone_name", ["America/Los_Angeles", "Europe/Berlin"])
def test_a_bookmark_inside_the_repeated_hour_keeps_every_later_change(tmp_path, zone_name, lookback):
    with running_emulator(
        tmp_path, "--timezone", zone_name, *KEEP_QUERIES, customers=30, invoices=300, seed=17
    ) as config:
        zone = ZoneInfo(zone_name)
        inv = live_ids(config, "transaction", 40)
        cus = live_ids(config, "customer", 12)
        # Records at 01:30 (wall clock of the repeated hour, whichever hour that is in this
        # zone) in both passes; the newest rendered time is 01:50, first pass.
        placed = {}
        for ids, minute, second in (
            (inv[0:3], 30, False),
            (inv[3:6], 30, True),
            (inv[6:8], 10, True),
            (inv[8:10], 50, False),
            (cus[0:2], 30, False),
            (cus[2:4], 30, True),
            (cus[4:5], 50, False),
        ):
            table = "customer" if ids[0] in cus else "transaction"
            at(config, table, ids, repeated(zone, minute, second))
            placed.update(dict.fromkeys(ids, (minute, second)))
        first = sync(tmp_path, config, page_size=7, lookback_minutes=lookback)
        oracle = truth(config)
        for stream in ("customer", "invoice"):
            sent = records(first, stream)
            assert_once_in_key_order(stream, sent)
            assert_equal_rows(stream, {r["id"]: r for r in sent}, oracle[stream], zone)
        # Both passes of 01:30 are sent, and as the first pass (README: never late).
        a_first, a_second = oracle["invoice"][inv[0]], oracle["invoice"][inv[3]]
        assert dt.datetime.fromisoformat(a_second["lastmodifieddate"]) - dt.datetime.fromisoformat(
            a_first["lastmodifieddate"]
        ) == dt.timedelta(hours=1)
        sent_first = {r["id"]: r for r in records(first, "invoice")}
        assert sent_first[inv[0]]["lastmodifieddate"] == sent_first[inv[3]]["lastmodifieddate"]

        state = states(first)[-1]
        bookmark = dt.datetime.fromisoformat(state["bookmarks"]["invoice"]["replication_key_value"])
        assert bookmark == dt.datetime.fromisoformat(repeated(zone, 50, False))  # inside the hour
        assert bookmark.astimezone(zone).fold == 0
        assert bookmark.astimezone(zone).replace(fold=1).utcoffset() != bookmark.astimezone(zone).utcoffset()

        # Changes after the bookmark (and just before it, inside the lookback): rendered before
        # the bookmark's own wall-clock time in the second pass, and after it in either pass.
        changes = [
            (inv[10:12], repeated(zone, 5, True)),
            (inv[12:14], repeated(zone, 40, True)),
            (inv[14:16], repeated(zone, 55, True)),
            (inv[16:18], repeated(zone, 55, False)),
            (inv[18:20], (dt.datetime.fromisoformat(repeated(zone, 59, True)) + dt.timedelta(minutes=11)).isoformat()),
            (inv[20:22], repeated(zone, 45, False)),
            (inv[0:1], repeated(zone, 50, True)),
        ]
        for ids, moment in changes:
            at(config, "transaction", ids, moment, memo=f"changed at {moment}")
        at(config, "customer", cus[5:7], repeated(zone, 20, True), companyname="Changed in the second pass")
        control(config, "POST", "/_emulator/metrics/reset", {})

        second = sync(tmp_path, config, state=state, page_size=7, lookback_minutes=lookback)
        oracle = truth(config)
        window = bookmark - dt.timedelta(minutes=lookback)
        for stream in ("customer", "invoice"):
            sent = records(second, stream)
            assert_once_in_key_order(stream, sent)
            cust_mark = dt.datetime.fromisoformat(state["bookmarks"][stream]["replication_key_value"])
            since = cust_mark - dt.timedelta(minutes=lookback)
            must = {
                i: r for i, r in oracle[stream].items() if dt.datetime.fromisoformat(r["lastmodifieddate"]) >= since
            }
            assert must, stream
            by_id = {r["id"]: r for r in sent}
            assert set(must) <= set(by_id), (
                f"{stream}: changed after the bookmark, not sent: {sorted(set(must) - set(by_id))}"
            )
            assert_equal_rows(stream, {i: by_id[i] for i in must}, must, zone)
            # After both runs, an upsert holds exactly the emulator's rows.
            assert_equal_rows(stream, last_version(first, second, stream=stream), oracle[stream], zone)
        # The `since` literal is safe under either reading of a repeated wall-clock time.
        invoice_pages = [q["q"] for q in queries(config) if "FROM transaction" in q["q"] and "GROUP BY" not in q["q"]]
        literal = dt.datetime.strptime(since_literal(invoice_pages[0]), PY_DATETIME_FORMAT)
        for fold in (0, 1):
            assert literal.replace(tzinfo=zone, fold=fold) <= window, (literal, fold, window)


# =============================================================================================
# 4b. The lookback window: a save stamped before the bookmark that became visible after it.
# =============================================================================================
@pytest.mark.parametrize("before", [dt.timedelta(minutes=14), dt.timedelta(0)], ids=["14-min-late", "same-second"])
@pytest.mark.parametrize("table", ["transaction", "customer"])
def test_a_late_commit_inside_the_lookback_window_is_sent(tmp_path, table, before):
    """README: "by default a record that became visible up to 15 minutes after its timestamp is
    still picked up". Nothing newer than the bookmark changes, as on a quiet night."""
    with running_emulator(tmp_path, customers=20, invoices=100, seed=29) as config:
        zone = ZoneInfo(config["account_timezone"])
        stream = "customer" if table == "customer" else "invoice"
        first = sync(tmp_path, config)
        state = states(first)[-1]
        mark = state["bookmarks"][stream]["replication_key_value"]
        newest = [r["id"] for r in records(first, stream) if r["lastmodifieddate"] == mark]
        late = next(i for i in live_ids(config, table, 50) if i not in newest)
        stamp = (dt.datetime.fromisoformat(mark) - before).isoformat()
        column = "companyname" if table == "customer" else "memo"
        at(config, table, [late], stamp, **{column: "committed late"})

        second = sync(tmp_path, config, state=state)
        sent = {r["id"]: r for r in records(second, stream)}
        assert late in sent, (
            f"{stream} {late}, stamped {stamp} (bookmark {mark}) and visible only after the last "
            f"run, was not sent; the run sent {sorted(sent)}"
        )
        assert sent[late][column] == "committed late"
        oracle = truth(config)
        assert_equal_rows(stream, last_version(first, second, stream=stream), oracle[stream], zone)


# =============================================================================================
# 5. A background writer changing invoices while the tap reads.
# =============================================================================================
@pytest.mark.parametrize("subsecond", [False, True], ids=["whole-seconds", "subsecond"])
def test_changes_during_the_sync_are_all_in_the_union_of_two_syncs(tmp_path, subsecond):
    args = ["--latency-base-ms", "30", *KEEP_QUERIES, *(["--subsecond"] if subsecond else [])]
    with running_emulator(tmp_path, *args, customers=60, invoices=1500, seed=19) as config:
        try:
            zone = ZoneInfo(config["account_timezone"])
            initial = len(truth(config)["invoice"])
            control(config, "POST", "/_emulator/writer", {"rate_per_second": 40, "seconds": 120})
            time.sleep(0.5)
            # A first sync at the whole pool: pages beside each plan, read by offset while the writer moves rows.
            first = sync(tmp_path, config, page_size=40, max_concurrency=5)
            during = control(config, "GET", "/_emulator/writer")
            done = control(config, "POST", "/_emulator/writer", {"stop": True})
            assert during["running"], "the writer stopped before the sync ended"
            changed = len(done["updated"]) + len(done["inserted"]) + len(done["deleted"])
            assert changed > 40 and done["deleted"] and done["inserted"]
            # Never loops: a record is sent again only after it changed.
            assert len(records(first, "invoice")) <= initial + changed

            second = sync(tmp_path, config, state=states(first)[-1], page_size=40, max_concurrency=3)
            oracle = truth(config)
            for stream in STREAMS:
                assert_once_in_key_order(stream, records(second, stream))
            union = last_version(first, second, stream="invoice")
            deleted = {k[1] for k in last_version(first, second, stream="deleted_record") if k[0] == "invoice"}
            assert set(done["deleted"]) <= deleted, f"deletions not sent: {sorted(set(done['deleted']) - deleted)}"
            assert set(union) - set(oracle["invoice"]) <= deleted
            assert_equal_rows(
                "invoice", {i: union[i] for i in oracle["invoice"] if i in union}, oracle["invoice"], zone
            )
            for stream in ("customer", "vendor", "customrecord_contract"):
                assert_equal_rows(stream, last_version(first, second, stream=stream), oracle[stream], zone)
            assert_equal_rows(
                "deleted_record", last_version(first, second, stream="deleted_record"), oracle["deleted_record"], zone
            )
            assert set(done["inserted"]) - set(done["deleted"]) <= set(union)
        finally:
            control(config, "POST", "/_emulator/writer", {"stop": True})


# =============================================================================================
# 6. Killed mid-sync, resumed from the last state it emitted.
# =============================================================================================
def kill_after(tmp: Path, config: dict, stream: str, count: int) -> list[dict]:
    """Start the tap, SIGKILL it once `count` records of `stream` have come out; every
    message it got out before dying, in order."""
    (tmp / "config.json").write_text(json.dumps(config))
    cmd = [sys.executable, "-m", "tap_netsuite.tap", "--config", str(tmp / "config.json"), *catalog_args(tmp)]
    lines = []
    with (tmp / "killed.stderr").open("wb") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, cwd=REPO, env=os.environ.copy())
    try:
        seen = 0
        for raw in proc.stdout:
            lines.append(raw.decode())
            msg = json.loads(raw) if raw.startswith(b"{") else {}
            if msg.get("type") == "RECORD" and msg.get("stream") == stream:
                seen += 1
                if seen >= count:
                    proc.send_signal(signal.SIGKILL)
                    break
        else:
            pytest.fail(f"the tap ended before {count} {stream} records")
        lines.append(proc.stdout.read().decode())  # what was already in the pipe
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    return parse("".join(lines))


def bookmarks(state: dict) -> dict[tuple[str, str | None], str]:
    """(stream, deleted-record type or None) -> bookmark value."""
    out = {}
    for stream, entry in state.get("bookmarks", {}).items():
        for part in entry.get("partitions", [entry]):
            if "replication_key_value" in part:
                out[(stream, part.get("context", {}).get("type"))] = part["replication_key_value"]
    return out


@pytest.mark.parametrize("kill_at", [5, 10_020, 11_500])
def test_killed_and_resumed_from_its_last_state_loses_nothing(tmp_path, kill_at):
    with running_emulator(tmp_path, customers=80, invoices=12_000, seed=23) as config:
        zone = ZoneInfo(config["account_timezone"])
        settings = {**config, "page_size": 500, "max_concurrency": 2}
        killed = kill_after(tmp_path, settings, "invoice", kill_at)
        oracle = truth(config)
        assert len(records(killed, "invoice")) >= kill_at
        assert len(records(killed, "invoice")) < len(oracle["invoice"])

        # State only ever covers records already sent: for every STATE line, every record
        # keyed before its bookmark (the bookmark's own second is read again, `>=`) was
        # sent before that line.
        sent_so_far: dict[tuple[str, str | None], set] = {}
        for msg in killed:
            if msg["type"] == "RECORD":
                part = (msg["stream"], msg["record"].get("type") if msg["stream"] == "deleted_record" else None)
                sent_so_far.setdefault(part, set()).add(ident(msg["stream"], msg["record"]))
            elif msg["type"] == "STATE":
                for (stream, kind), value in bookmarks(msg["value"]).items():
                    mark = dt.datetime.fromisoformat(value)
                    covered = {
                        k
                        for k, r in oracle[stream].items()
                        if (kind is None or r["type"] == kind) and rendered_utc(r[replication_key(stream)], zone) < mark
                    }
                    unsent = covered - sent_so_far.get((stream, kind), set())
                    assert not unsent, f"state {value} of {stream} {kind} covers unsent {sorted(unsent)[:10]}"

        last = states(killed)[-1]
        resumed = sync(tmp_path, config, state=last, page_size=500, max_concurrency=2)
        for stream in STREAMS:
            assert_once_in_key_order(stream, records(resumed, stream))
            assert_equal_rows(stream, last_version(killed, resumed, stream=stream), oracle[stream], zone)
        invoice_mark = bookmarks(last).get(("invoice", None))
        # The SDK writes a STATE every 10,000 records of a stream and at its end.
        assert (invoice_mark is not None) == (kill_at > 10_000)
        if invoice_mark is not None:
            # Resumed from the bookmark (less its lookback), not from the start.
            window = dt.datetime.fromisoformat(invoice_mark) - dt.timedelta(minutes=15)
            again = {r["id"] for r in records(resumed, "invoice")}
            assert again == {
                i for i, r in oracle["invoice"].items() if dt.datetime.fromisoformat(r["lastmodifieddate"]) >= window
            }
            assert len(again) < len(oracle["invoice"])


def test_killed_inside_a_custom_record_stream_and_resumed_loses_nothing(tmp_path):
    # 1,000 contracts, 50 ms a page of 100: the kill lands while their pages still come (the
    # writer sends about 64 KB at a time).
    with running_emulator(tmp_path, "--latency-base-ms", "50", customers=2000, invoices=300, seed=29) as config:
        zone = ZoneInfo(config["account_timezone"])
        settings = {**config, "page_size": 100, "max_concurrency": 2}
        killed = kill_after(tmp_path, settings, "customrecord_contract", 150)
        oracle = truth(config)
        assert 150 <= len(records(killed, "customrecord_contract")) < len(oracle["customrecord_contract"])
        resumed = sync(tmp_path, config, state=states(killed)[-1], page_size=100, max_concurrency=2)
        for stream in STREAMS:
            assert_once_in_key_order(stream, records(resumed, stream))
            assert_equal_rows(stream, last_version(killed, resumed, stream=stream), oracle[stream], zone)
        # customer, read to its end before the kill (streams go in name order), is read again
        # from its bookmark less the lookback; the streams after the custom record, from the start.
        mark = bookmarks(states(killed)[-1]).get(("customer", None))
        assert mark is not None
        window = dt.datetime.fromisoformat(mark) - dt.timedelta(minutes=15)
        again = {r["id"] for r in records(resumed, "customer")}
        assert again == {
            i for i, r in oracle["customer"].items() if dt.datetime.fromisoformat(r["lastmodifieddate"]) >= window
        }
        assert len(again) < len(oracle["customer"])
        assert not records(killed, "vendor")
