"""A whole account at the pool's speed: 40 streams, first sync and a sync that finds nothing new. Not a test.

    .venv/bin/python bench/account.py               # pools 5 and 15, 200,000-row streams (about 15 minutes)
    .venv/bin/python bench/account.py --scale 0.02  # the same account at 2% of its rows: a check that it runs
    .venv/bin/python bench/account.py --pools 5     # one pool only
    .venv/bin/python bench/account.py --timeline    # also when each request of the nothing-new sync began

The emulated account answers each page after 250 ms + 0.25 ms per row and holds a pool slot
meanwhile. Its 40 streams: two large (invoice, 200,000 rows, and transaction, every type of
transaction: about 1.19 x that), ten of about 5,000 (customer, vendor, employee, item, the two
custom record types, entityaddress, customersubsidiaryrelationship, contact, job; entity, which
lists every entity, comes to about 17,000), and the rest small: the setup tables, deleted_record,
the custom lists, and small custom queries (`custom_queries`) up to 40 in all. The line streams
discovery also finds (transaction lines, accounting lines, their links) are left out: they are
not part of this account, and bench/lines.py measures them at size.

The ceiling of a mixed account is the sum of the modelled times of its pages (each stream, or
partition, one page per 1,000 rows and at least one: a 10-row page still costs 250 ms) divided
by the pool; rows/s at that time is the ceiling, and the ratio is that time over the measured
one. A sync that finds nothing new is compared with what its own requests need at the pool (the
sum of their modelled times / pool). Each run prints rows/s, ceiling, ratio, requests, 429s,
peak RSS and CPU per record, and CPU per record against the floor (bench/floor.py: the same
pages decoded by msgspec alone and the same lines written pre-encoded, measured in the same run),
and the tap's and the emulator's CPU in cores: together near the machine's cores, CPU is the limit.
Beside them, the tap's page work alone on the two large streams' pages (bench/floor.py's
page_work_cpu: typed decode, conversion, encoding; no request, SDK or thread), against msgspec's
plain decode of the same pages: how much of the ratio NetSuite's text values cost by themselves.
Discovery of the account prints its requests and seconds.
"""

from __future__ import annotations

import argparse
import collections
import compileall
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import throughput
from floor import floor_cpu, page_work_cpu, selected_properties, stream_pages  # a script beside this one
from throughput import measure

# Line streams: measured at size by bench/lines.py, not part of this account.
LINE_STREAMS = (
    *("transactionline", "transactionline_set", "transactionaccountingline"),
    *("nexttransactionlinelink", "previoustransactionlinelink"),
)

REPO = Path(__file__).resolve().parent.parent
BASE_MS, ROW_MS = 250.0, 0.25
PAGE = 1000
TIMELINE = "--timeline" in sys.argv  # also print when each request of the nothing-new sync reached the emulator
STREAMS = 40
LARGE_STREAMS = ("invoice", "transaction")  # most of a first sync's rows
# Small custom queries, added until the account has STREAMS streams (read whole, by their key).
SMALL_QUERIES = [
    {"name": f"q_{table}", "query": f"SELECT id, name FROM {table}", "primary_keys": ["id"]}
    for table in (
        *("term", "currency", "department", "classification"),
        *("location", "subsidiary", "vendorcategory", "fiscalcalendar"),
    )
]


class Emulator(throughput.Emulator):
    """The account of the module's docstring, at `scale`, with a pool of `pool` and the latency model."""

    def __init__(self, tmp: Path, scale: float, pool: int) -> None:
        self.config_path = tmp / f"emulator-{pool}.json"
        large, medium = max(1, round(200_000 * scale)), max(1, round(5_000 * scale))
        cmd = [
            *(sys.executable, "-m", "netsuite_emulator", "serve", "--port", "0", "--seed", "5"),
            *("--invoices", str(large), "--customers", str(medium), "--vendors", str(medium)),
            *("--employees", str(medium), "--items", str(max(6, medium)), "--custom-records", str(medium)),
            *("--concurrency", str(pool), "--latency-base-ms", str(BASE_MS), "--latency-per-row-ms", str(ROW_MS)),
            *("--metrics-queries", "100000", "--config-out", str(self.config_path)),
        ]
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while not self.config_path.exists() or not self.config_path.read_text().strip().endswith("}"):
            if self.proc.poll() is not None:
                raise SystemExit(f"the emulator exited: {' '.join(cmd)}")
            time.sleep(0.2)
        self.config = json.loads(self.config_path.read_text())


def modelled_s(rows: int) -> float:
    """One page's modelled time."""
    return (BASE_MS + ROW_MS * rows) / 1000


def ideal_s(rows_by_read: dict, pool: int) -> float:
    """The account's pages at the pool: per stream (or partition) one page per 1,000 rows, at least one."""
    total = 0.0
    for rows in rows_by_read.values():
        pages = max(1, math.ceil(rows / PAGE))
        total += pages * BASE_MS / 1000 + rows * ROW_MS / 1000
    return total / pool


def requests_s(queries: list[dict], pool: int) -> float:
    """What the requests made need at the pool: their modelled times / pool."""
    return sum(modelled_s(q["rows"]) for q in queries) / pool


def discover(tmp: Path, emulator: Emulator, pool: int) -> tuple[Path, dict, int]:
    """Discovery, timed; the catalog with every stream but the line streams selected (the account
    of the issue: two large streams; lines are measured at size by bench/lines.py), the tap's
    config, its stream count."""
    config = {**emulator.config, "max_concurrency": pool}
    streams = [s for s in run_discovery(tmp, config, emulator) if s["tap_stream_id"] not in LINE_STREAMS]
    missing = STREAMS - len(streams)
    config["custom_queries"] = SMALL_QUERIES[: max(0, missing)]
    found = run_discovery(tmp, config, emulator, report=True)
    streams = [s for s in found if s["tap_stream_id"] not in LINE_STREAMS]
    for stream in streams:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = True
    catalog = tmp / "catalog.json"
    catalog.write_text(json.dumps({"streams": streams}))
    return catalog, config, len(streams)


def run_discovery(tmp: Path, config: dict, emulator: Emulator, *, report: bool = False) -> list[dict]:
    config_path = tmp / "tap-config.json"
    config_path.write_text(json.dumps(config))
    emulator.metrics(reset=True)
    started = time.monotonic()
    found = subprocess.run(
        [sys.executable, "-m", "tap_netsuite.tap", "--config", str(config_path), "--discover"],
        cwd=REPO,
        capture_output=True,
        check=True,
    )
    seconds = time.monotonic() - started
    streams = json.loads(found.stdout)["streams"]
    if report:
        sent = sum(sum(by.values()) for by in emulator.metrics()["requests"].values())
        print(f"discovery: {len(streams)} streams found, {sent} requests, {seconds:.1f} s", flush=True)
    return streams


def rows_by_read(output: Path) -> dict:
    """RECORD lines per stream (deleted_record: per record type, its partitions)."""
    counts: collections.Counter = collections.Counter()
    with output.open("rb") as lines:
        for line in lines:
            if line.startswith(b'{"type":"RECORD"'):
                message = json.loads(line)
                stream = message["stream"]
                counts[(stream, message["record"].get("type") if stream == "deleted_record" else None)] += 1
    return counts


def last_state(output: Path) -> dict:
    state = {}
    with output.open("rb") as lines:
        for line in lines:
            if line.startswith(b'{"type":"STATE"'):
                state = json.loads(line)["value"]
    return state


def sync_line(name: str, result: tuple, seen: dict, ideal: float, floor: tuple | None = None) -> str:
    records, seconds, cpu, rss = result
    text = (
        f"{name:<24} rows={records:>7} seconds={seconds:6.1f} rows/s={records / seconds:>7.0f} "
        f"ceiling={records / ideal:>7.0f} ratio={ideal / seconds:.2f} requests={len(seen['queries'])} "
        f"429s={seen['throttled_429']} peak_in_flight={seen['max_in_flight']} peak_rss={rss:.0f}MB "
        f"cpu_us_per_record={1e6 * cpu / max(records, 1):.1f}"
    )
    if floor is not None:
        floor_records, floor_cpu_s = floor
        per_record = floor_cpu_s / max(floor_records, 1)
        text += f" floor_us_per_record={1e6 * per_record:.2f} tap/floor={(cpu / max(records, 1)) / per_record:.1f}"
    return text


def page_work_line(catalog: Path, config: dict, queries: list[dict]) -> str:
    """The tap's own work on the pages of the two large streams (most of the rows), alone: typed
    decode, conversion, encoding (bench/floor.py's page_work_cpu), over msgspec's plain decode."""
    rows, seconds, plain = 0, 0.0, 0.0
    for stream in json.loads(catalog.read_text())["streams"]:
        if stream["tap_stream_id"] not in LARGE_STREAMS:
            continue
        properties = selected_properties(stream)
        counted = page_work_cpu(config, stream_pages(queries, properties), properties)
        rows, seconds, plain = rows + counted[0], seconds + counted[1], plain + counted[2]
    return (
        f"  page work alone ({', '.join(LARGE_STREAMS)}: {rows} rows typed, converted, encoded; no request, SDK or "
        f"thread) cpu_us_per_record={1e6 * seconds / max(rows, 1):.2f}, {seconds / max(plain, 1e-12):.1f} x "
        "msgspec's plain decode of the same pages"
    )


def account(tmp: Path, scale: float, pool: int) -> None:
    emulator = Emulator(tmp, scale, pool)
    try:
        catalog, config, streams = discover(tmp, emulator, pool)
        config_path = tmp / "tap-config.json"
        config_path.write_text(json.dumps(config))
        cmd = [sys.executable, "-m", "tap_netsuite.tap", "--config", str(config_path), "--catalog", str(catalog)]

        emulator.metrics(reset=True)
        output = tmp / f"first-{pool}.jsonl"
        emulator_cpu = emulator.cpu_seconds()
        first = measure(cmd, save=output)
        emulator_cpu = emulator.cpu_seconds() - emulator_cpu
        seen = emulator.metrics()
        reads = rows_by_read(output)
        # The floor and the page work read the pages again at zero latency (only CPU counts); then the model returns.
        emulator.configure({"latency_base_ms": 0.0, "latency_per_row_ms": 0.0})
        floor = floor_cpu(emulator.config, [q for q in seen["queries"] if q["status"] == 200], output)
        page_work = page_work_line(catalog, emulator.config, seen["queries"])
        emulator.configure({"latency_base_ms": BASE_MS, "latency_per_row_ms": ROW_MS})
        label = f"pool={pool} first sync"
        print(sync_line(label, first, seen, ideal_s(reads, pool), floor), flush=True)
        # Both processes share this machine's cores: near 2 cores together, CPU is the limit, not the pool.
        print(
            f"  tap_cpu={first[2] / first[1]:.2f}cores emulator_cpu={emulator_cpu / first[1]:.2f}cores "
            f"on {os.cpu_count()} cores",
            flush=True,
        )
        print(page_work, flush=True)
        sizes = sorted(((rows, stream) for (stream, _), rows in reads.items()), reverse=True)
        print(f"  {streams} streams, {len(reads)} reads with rows; largest: {sizes[:3]}", flush=True)

        state_path = tmp / "state.json"
        state_path.write_text(json.dumps(last_state(output)))
        emulator.metrics(reset=True)
        launched = time.time()
        again = measure([*cmd, "--state", str(state_path)], save=tmp / f"again-{pool}.jsonl")
        seen = emulator.metrics()
        queries = [q for q in seen["queries"] if q["status"] == 200]
        # Python and the SDK start before the first request: no concurrency hides that.
        startup = min((q["at"] for q in queries), default=launched) - launched
        by_table: collections.Counter = collections.Counter()
        for query in queries:
            by_table[query["q"].split(" FROM ")[-1].split()[0]] += 1
        need = requests_s(queries, pool)
        if TIMELINE:
            for query in sorted(queries, key=lambda q: q["at"]):
                table = query["q"].split(" FROM ")[-1].split()[0]
                print(f"    {query['at'] - launched:6.2f}s {table:<32} rows={query['rows']}", flush=True)
        print(
            f"pool={pool} nothing new      rows={again[0]:>7} seconds={again[1]:6.1f} requests={len(queries)} "
            f"(most for one table: {by_table.most_common(3)}) needs={need:.1f}s at the pool, "
            f"measured/needs={again[1] / need:.2f} (first request reached the emulator {startup:.1f}s after launch; "
            f"from it, {(again[1] - startup) / need:.2f}) "
            f"429s={seen['throttled_429']} peak_rss={again[3]:.0f}MB",
            flush=True,
        )
    finally:
        emulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="rows as a share of the full account's")
    parser.add_argument("--pools", type=int, nargs="+", default=[5, 15])
    parser.add_argument("--timeline", action="store_true", help="the nothing-new sync's requests, in time order")
    args = parser.parse_args()
    compileall.compile_dir(REPO / "tap_netsuite", quiet=1)  # the tap as pip installs it
    throughput.STDERR = Path(tempfile.gettempdir(), "bench-account-tap.log").open("ab")  # noqa: SIM115
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory() as name:
        for pool in args.pools:
            account(Path(name), args.scale, pool)


if __name__ == "__main__":
    main()
