"""What discovery of the default emulated account costs: requests and seconds. Not a test.

    .venv/bin/python bench/discovery.py

The emulator answers each request after base 250 ms + 0.25 ms per row and holds a pool slot
meanwhile (the latency model of bench/throughput.py). For max_concurrency 2 (the default), 5
and 15, and for the `tables` setting naming three tables, one line each: requests answered
(of them refused: 400, a column or table probed that is not there), wall seconds of
`tap-netsuite --discover`, streams found, and the seconds against a floor of
requests / concurrency x 250 ms (the time the same requests need in a pool of that size).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from throughput import PAGE_MS, REPO, Emulator

BASE_MS = PAGE_MS[0]


def discover(tmp: Path, config: dict) -> tuple[float, int]:
    path = tmp / "config.json"
    path.write_text(json.dumps(config))
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "tap_netsuite.tap", "--config", str(path), "--discover"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    seconds = time.monotonic() - started
    if result.returncode != 0:
        sys.exit(result.stderr[-2000:])
    return seconds, len(json.loads(result.stdout)["streams"])


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        emulator = Emulator(tmp, 1000, 15, latency=True)
        config = emulator.config
        try:
            runs = [(f"max_concurrency={n}", {"max_concurrency": n}) for n in (2, 5, 15)]
            runs.append(("tables=customer,vendor,customrecord_*", {"tables": ["customer", "vendor", "customrecord_*"]}))
            for label, settings in runs:
                emulator.metrics(reset=True)
                seconds, streams = discover(tmp, {**config, **settings})
                metrics = emulator.metrics()
                answered = sum(metrics["requests"].get("suiteql", {}).values())
                refused = metrics["requests"].get("suiteql", {}).get("400", 0)
                pool = settings.get("max_concurrency", 2)
                floor = answered / pool * BASE_MS / 1000
                print(
                    f"{label:40} requests={answered:4} refused={refused:3} streams={streams:3} "
                    f"seconds={seconds:6.2f} floor={floor:6.2f} ratio={seconds / floor:4.2f}"
                )
        finally:
            emulator.stop()


if __name__ == "__main__":
    main()
