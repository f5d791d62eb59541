"""Transaction lines at size: the first sync's rows/s against the pool's ceiling, and what an
incremental run after scattered line edits costs. Not a test.

    .venv/bin/python bench/lines.py                          # 1,000,000 transactions, ~3,000,000 lines
    .venv/bin/python bench/lines.py --transactions 50000     # a quick look
    .venv/bin/python bench/lines.py --accounting             # accounting lines and links too

The emulator answers each page after 250 ms + 0.25 ms per row and holds a pool slot meanwhile
(bench/throughput.py), so the ceiling of a pool of P is P x 1000 rows / 0.5 s. The tap runs with
max_concurrency = pool on a catalog selecting `transactionline` and `transactionline_set` (with
`--accounting`, also `transactionaccountingline` and the two link tables). Then `--edits` line
edits that do not move their headers (fulfilment-like), scattered over the table, and an
incremental run from the first run's state: its SuiteQL requests and records are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from throughput import PAGE_MS, REPO, Emulator

from netsuite_emulator import generators

LINES = ("transactionline", "transactionline_set")
ACCOUNTING = ("transactionaccountingline", "nexttransactionlinelink", "previoustransactionlinelink")


def control(emulator: Emulator, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        emulator.config["base_url"] + path,
        method="POST",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=600) as answer:
        return json.load(answer)


def catalog_for(tmp: Path, config_path: Path, streams: tuple[str, ...]) -> Path:
    found = subprocess.run(
        [sys.executable, "-m", "tap_netsuite.tap", "--config", str(config_path), "--discover"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout
    catalog = json.loads(found)
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = stream["tap_stream_id"] in streams
    path = tmp / "catalog.json"
    path.write_text(json.dumps(catalog))
    return path


def run(cmd: list[str], out: Path) -> tuple[dict[str, int], float, float, dict | None, dict[str, float]]:
    """Run the tap; its records per stream, seconds, CPU seconds, last STATE and seconds per stream."""
    started = time.monotonic()
    log = out.with_suffix(".log")
    with out.open("wb") as sink, log.open("wb") as errors:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=sink, stderr=errors)
        _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - started
    if status != 0:
        raise SystemExit(f"the tap failed with status {status}")
    records: dict[str, int] = {}
    state = None
    with out.open("rb") as lines:
        for line in lines:
            if line.startswith(b'{"type":"RECORD"'):
                stream = json.loads(line)["stream"]
                records[stream] = records.get(stream, 0) + 1
            elif line.startswith(b'{"type":"STATE"'):
                state = json.loads(line)["value"]
    durations: dict[str, float] = {}  # the SDK's sync_duration metric, per stream (its partitions summed)
    for text in log.read_text().splitlines():
        if "METRIC: " in text and '"sync_duration"' in text:
            metric = json.loads(text.split("METRIC: ", 1)[1])
            stream = metric["tags"]["stream"]
            durations[stream] = durations.get(stream, 0.0) + metric["value"]
    return records, elapsed, usage.ru_utime + usage.ru_stime, state, durations


def suiteql_requests(metrics: dict) -> int:
    return sum(sum(statuses.values()) for route, statuses in metrics["requests"].items() if "suiteql" in route)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--transactions", type=int, default=1_000_000, help="about this many, all types together")
    parser.add_argument("--pool", type=int, default=5, help="the account's pool, and the tap's max_concurrency")
    parser.add_argument("--edits", type=int, default=100, help="scattered line edits before the incremental run")
    parser.add_argument("--accounting", action="store_true", help="read accounting lines and links too")
    args = parser.parse_args()
    invoices = round(args.transactions / (1 + sum(generators.OTHER_TYPES.values())))
    streams = LINES + (ACCOUNTING if args.accounting else ())
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="tap-netsuite-bench-lines-") as name:
        tmp = Path(name)
        built = time.monotonic()
        emulator = Emulator(tmp, invoices, args.pool, latency=True)
        print(
            f"emulator: {invoices} invoices, {args.transactions} transactions asked, built in "
            f"{time.monotonic() - built:.0f} s; machine load {load:.1f} on {os.cpu_count()} cores"
        )
        try:
            config_path = tmp / "tap-config.json"
            config_path.write_text(json.dumps({**emulator.config, "max_concurrency": args.pool}))
            catalog = catalog_for(tmp, config_path, streams)
            cmd = [sys.executable, "-m", "tap_netsuite.tap", "--config", str(config_path), "--catalog", str(catalog)]
            emulator.metrics(reset=True)
            records, seconds, cpu, state, durations = run(cmd, tmp / "first.jsonl")
            sent = suiteql_requests(emulator.metrics())
            base, per_row = PAGE_MS
            ceiling = args.pool * 1000 / ((base + per_row * 1000) / 1000)
            print(f"first sync: {seconds:.1f} s in all, {sent} SuiteQL requests, tap_cpu={cpu / seconds:.2f}cores")
            for stream, count in sorted(records.items()):
                rate = count / max(durations.get(stream, seconds), 1e-9)
                print(
                    f"  {stream:<28} rows={count:>8} seconds={durations.get(stream, 0.0):>6.1f} rows/s={rate:>6.0f} "
                    f"ceiling={ceiling:.0f} ratio={rate / ceiling:.2f}"
                )
            edited = control(
                emulator,
                "/_emulator/update",
                {"table": "transactionline", "count": args.edits, "set": {"isclosed": True}, "header": False},
            )["ids"]
            (tmp / "state.json").write_text(json.dumps(state))
            emulator.metrics(reset=True)
            records, seconds, cpu, _, _ = run([*cmd, "--state", str(tmp / "state.json")], tmp / "second.jsonl")
            sent = suiteql_requests(emulator.metrics())
            print(
                f"incremental run after {len(edited)} scattered line edits (headers unmoved): "
                f"requests={sent} records={records} in {seconds:.1f} s"
            )
        finally:
            emulator.stop()
    print(f"machine load after: {os.getloadavg()[0]:.1f} (figures taken under this load)")


if __name__ == "__main__":
    main()
