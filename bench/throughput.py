"""Throughput, CPU and memory of the tap against the emulator's governance model. Not a test.

    .venv/bin/python bench/throughput.py            # everything (about 15 minutes)
    .venv/bin/python bench/throughput.py --quick    # 20,000 invoices, no 1,000,000 run
    .venv/bin/python bench/throughput.py --part cpu # only the CPU floor (also throughput, memory)
    .venv/bin/python bench/throughput.py --custom-fields   # the invoice's custom fields read too

The emulator answers each page after base 250 ms + 0.25 ms per row (500 ms for
1,000 rows) and holds a pool slot meanwhile, like a NetSuite account, so the
ceiling of a pool of P is P x 1000 rows / 0.5 s. Every run prints one line:
rows/s, that ceiling, their ratio, requests sent, 429s received, the tap's
peak RSS, its CPU microseconds per record and cores, and the emulator's own CPU
use. Both are single Python processes on the same machine: when tap_cpu nears
1 core (one interpreter) or the two together near the machine's cores, CPU, not
the pool, limits the run. A CPU floor (bench/floor.py: the same pages and RECORD
lines with no SDK) runs at zero latency beside the tap, and their ratio is printed.
Rows/s count the whole run, start-up and the window plan included.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGE_MS = (250.0, 0.25)  # base, per row
CUSTOM_FIELDS = "--custom-fields" in sys.argv  # also read the invoice's custom fields
STDERR = subprocess.DEVNULL  # where the tap's log goes (bench/account.py keeps it)


class Emulator:
    def __init__(self, tmp: Path, invoices: int, pool: int, *, latency: bool) -> None:
        self.config_path = tmp / f"emulator-{invoices}-{pool}-{latency}.json"
        base, per_row = PAGE_MS if latency else (0.0, 0.0)
        cmd = [
            sys.executable,
            "-m",
            "netsuite_emulator",
            "serve",
            "--port",
            "0",
            "--customers",
            "100",
            "--invoices",
            str(invoices),
            "--seed",
            "5",
            "--concurrency",
            str(pool),
            "--latency-base-ms",
            str(base),
            "--latency-per-row-ms",
            str(per_row),
            "--config-out",
            str(self.config_path),
            "--metrics-queries",
            "100000",  # every query of a run, for the floor (bench/floor.py) to read again
        ]
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while not self.config_path.exists():
            if self.proc.poll() is not None:
                raise SystemExit(f"the emulator exited: {' '.join(cmd)}")
            time.sleep(0.2)
        self.config = json.loads(self.config_path.read_text())

    def metrics(self, *, reset: bool = False) -> dict:
        path = "/_emulator/metrics/reset" if reset else "/_emulator/metrics"
        request = urllib.request.Request(
            self.config["base_url"] + path, method="POST" if reset else "GET", data=b"{}" if reset else None
        )
        with urllib.request.urlopen(request) as answer:
            return json.load(answer)

    def configure(self, settings: dict) -> None:
        request = urllib.request.Request(
            self.config["base_url"] + "/_emulator/config",
            method="POST",
            data=json.dumps(settings).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request):
            pass

    def cpu_seconds(self) -> float:
        """The emulator's CPU time so far: beside the tap on 2 cores, it can be the limit."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()


def measure(cmd: list[str], save: Path | None = None) -> tuple[int, float, float, float]:
    """Run `cmd`, count RECORD lines on its stdout (kept in `save` if given); return records,
    seconds, CPU seconds, peak RSS MB."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=STDERR)
    records, tail = 0, b""
    kept = save.open("wb") if save else None
    while chunk := proc.stdout.read(1 << 20):
        if kept:
            kept.write(chunk)
        data = tail + chunk  # a marker may straddle two reads
        records += data.count(b'{"type":"RECORD"') + data.count(b'{"type": "RECORD"')
        tail = data[-20:]
        records -= tail.count(b'{"type":"RECORD"') + tail.count(b'{"type": "RECORD"')
    if kept:
        kept.close()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.monotonic() - started
    if status != 0:
        raise SystemExit(f"{cmd[0]} failed with status {status}")
    return records, elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def tap_command(tmp: Path, config: dict, max_concurrency: int) -> list[str]:
    config_path = tmp / "tap-config.json"
    config_path.write_text(json.dumps({**config, "max_concurrency": max_concurrency}))
    catalog = json.loads(
        subprocess.run(
            [sys.executable, "-m", "tap_netsuite.tap", "--config", str(config_path), "--discover"],
            cwd=REPO,
            capture_output=True,
            check=True,
        ).stdout
    )
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = stream["tap_stream_id"] == "invoice"
            elif entry["breadcrumb"][-1].startswith("cust") and not CUSTOM_FIELDS:
                # The invoice's standard columns, as the figures before custom fields were read:
                # custom fields are more data per record, not a slower tap (--custom-fields).
                entry["metadata"]["selected"] = False
    catalog_path = tmp / "catalog.json"
    catalog_path.write_text(json.dumps(catalog))
    return [sys.executable, "-m", "tap_netsuite.tap", "--config", str(config_path), "--catalog", str(catalog_path)]


def line(
    name: str, records: int, seconds: float, cpu: float, rss: float, metrics: dict | None, pool: int | None
) -> str:
    rate = records / seconds
    text = f"{name:<28} rows={records:>8} rows/s={rate:>8.0f}"
    if pool:
        base, per_row = PAGE_MS
        ceiling = pool * 1000 / ((base + per_row * 1000) / 1000)
        text += f" ceiling={ceiling:>6.0f} ratio={rate / ceiling:.2f}"
    if metrics is not None:
        sent = sum(sum(statuses.values()) for route, statuses in metrics["requests"].items() if "suiteql" in route)
        text += f" requests={sent} 429s={metrics['throttled_429']} peak_in_flight={metrics['max_in_flight']}"
    return text + (
        f" peak_rss={rss:.0f}MB cpu_us_per_record={1e6 * cpu / max(records, 1):.1f} tap_cpu={cpu / seconds:.2f}cores"
    )


def pool_run(tmp: Path, emulator: Emulator, label: str, pool: int, max_concurrency: int) -> None:
    """One sync against an emulator with a pool of `pool`, printed as one line."""
    emulator.metrics(reset=True)
    cpu_before = emulator.cpu_seconds()
    result = measure(tap_command(tmp, emulator.config, max_concurrency))
    busy = (emulator.cpu_seconds() - cpu_before) / result[1]
    print(
        line(f"{label}pool={pool} max_concurrency={max_concurrency}", *result, emulator.metrics(), pool)
        + f" emulator_cpu={busy:.2f}cores",
        flush=True,
    )


def throughput(tmp: Path, invoices: int) -> None:
    """The runs at max_concurrency = pool, the targets, three times each: on a shared 2-core
    machine one run's rows/s can differ from the next by several percent."""
    for pool, runs in ((5, (1, 2, 5, 5, 5)), (15, (15, 15, 15))):
        emulator = Emulator(tmp, invoices, pool, latency=True)
        try:
            for max_concurrency in runs:
                pool_run(tmp, emulator, "", pool, max_concurrency)
        finally:
            emulator.stop()


def cpu(tmp: Path, invoices: int) -> None:
    """The tap at zero latency, then the floor (bench/floor.py) on the same pages and lines."""
    emulator = Emulator(tmp, invoices, 5, latency=False)
    try:
        emulator.metrics(reset=True)
        output = tmp / "tap-output.jsonl"
        tap = measure(tap_command(tmp, emulator.config, 1), save=output)
        print(line("cpu: tap, zero latency", *tap, None, None), flush=True)
        queries = emulator.metrics()["queries"]
        print(floor_line(emulator.config, queries, output, tap), flush=True)
        print(page_work_line(tmp, emulator.config, queries), flush=True)
    finally:
        emulator.stop()


def floor_line(config: dict, queries: list[dict], output: Path, tap: tuple) -> str:
    """The floor's CPU per record on the tap's own pages and lines, and the tap's over it."""
    sys.path.insert(0, str(REPO / "bench"))
    from floor import floor_cpu  # a script beside this one

    answered = [q for q in queries if q["status"] == 200]
    records, seconds = floor_cpu(config, answered, output)
    per_record, tap_per_record = seconds / max(records, 1), tap[2] / max(tap[0], 1)
    return (
        f"cpu: floor (msgspec decode of the same {len(answered)} pages, the same {records} lines written) "
        f"cpu_us_per_record={1e6 * per_record:.2f}; tap / floor = {tap_per_record / max(per_record, 1e-12):.1f}"
    )


def page_work_line(tmp: Path, config: dict, queries: list[dict]) -> str:
    """The tap's own page work alone (bench/floor.py's page_work_cpu) on its invoice pages."""
    from floor import page_work_cpu, selected_properties, stream_pages  # beside this one (put on the path)

    catalog = json.loads((tmp / "catalog.json").read_text())
    stream = next(s for s in catalog["streams"] if s["tap_stream_id"] == "invoice")
    properties = selected_properties(stream)
    rows, seconds, plain = page_work_cpu(config, stream_pages(queries, properties), properties)
    return (
        f"cpu: the tap's page work alone (typed decode, conversion, encoding of the same {rows} rows; no "
        f"request, SDK or thread) cpu_us_per_record={1e6 * seconds / max(rows, 1):.2f}; "
        f"page work / msgspec's plain decode of those pages = {seconds / max(plain, 1e-12):.1f}"
    )


def memory(tmp: Path) -> None:
    """1,000,000 invoices at pool 5 for peak memory; then at pool 15, where the fixed costs of a
    run (start-up, the window plan, the last round of windows) weigh a fifth as much as at 200,000."""
    emulator = Emulator(tmp, 1_000_000, 5, latency=True)
    try:
        for pool in (5, 15):
            emulator.configure({"concurrency": pool})
            pool_run(tmp, emulator, "1,000,000 invoices ", pool, pool)
    finally:
        emulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 invoices and no 1,000,000 run")
    parser.add_argument("--custom-fields", action="store_true", help="read the invoice's custom fields too")
    parser.add_argument(
        "--part",
        choices=("all", "throughput", "cpu", "memory"),
        default="all",
        help="only the pool runs, only the CPU floor, or only the 1,000,000 run",
    )
    args = parser.parse_args()
    invoices = 20_000 if args.quick else 200_000
    # The tap as pip installs it, its bytecode compiled: an editable install with
    # PYTHONDONTWRITEBYTECODE set compiles every module of the tap at every start.
    compileall.compile_dir(REPO / "tap_netsuite", quiet=1)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        if args.part in ("all", "throughput"):
            throughput(tmp, invoices)
        if args.part in ("all", "cpu"):
            cpu(tmp, invoices)
        if args.part in ("all", "memory") and not args.quick:
            memory(tmp)


if __name__ == "__main__":
    main()
