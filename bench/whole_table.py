"""A table read whole, past 100,000 rows, under the latency model. Not a test.

    .venv/bin/python bench/whole_table.py

A custom query over every transaction line (about 110,000 rows, no replication key: read whole
by keyset on its primary key) against the emulator's latency model (bench/throughput.py: base
250 ms + 0.25 ms per row per page, a pool of 15). For max_concurrency 1 (one page at a time)
and 5, one line each: rows, seconds, rows/s, and the ceiling of that pool: concurrency x
1,000 rows / 0.5 s.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from throughput import REPO, Emulator, measure

QUERY = {
    "name": "all_lines",
    "query": "SELECT tl.transaction, tl.id, tl.amount, tl.memo FROM transactionline tl",
    "primary_keys": ["transaction", "id"],
    "schema": {
        "transaction": {"type": ["integer"]},
        "id": {"type": ["integer"]},
        "amount": {"type": ["number", "null"]},
        "memo": {"type": ["string", "null"]},
    },
}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        emulator = Emulator(tmp, 32_000, 15, latency=True)
        try:
            config = {**emulator.config, "tables": ["currency"], "custom_queries": [QUERY]}
            (tmp / "config.json").write_text(json.dumps(config))
            found = subprocess.run(
                [sys.executable, "-m", "tap_netsuite.tap", "--config", str(tmp / "config.json"), "--discover"],
                cwd=REPO,
                capture_output=True,
                text=True,
                check=True,
            )
            catalog = json.loads(found.stdout)
            for entry in catalog["streams"]:
                for metadata in entry["metadata"]:
                    if metadata["breadcrumb"] == []:
                        metadata["metadata"]["selected"] = entry["tap_stream_id"] == "all_lines"
            (tmp / "catalog.json").write_text(json.dumps(catalog))
            for concurrency in (1, 5):
                (tmp / "config.json").write_text(json.dumps({**config, "max_concurrency": concurrency}))
                records, seconds, _, _ = measure(
                    [
                        sys.executable,
                        "-m",
                        "tap_netsuite.tap",
                        "--config",
                        str(tmp / "config.json"),
                        "--catalog",
                        str(tmp / "catalog.json"),
                    ]
                )
                ceiling = concurrency * 1000 / 0.5
                print(
                    f"max_concurrency={concurrency} rows={records} seconds={seconds:6.1f} "
                    f"rows/s={records / seconds:7.0f} ceiling={ceiling:6.0f} ratio={records / seconds / ceiling:4.2f}"
                )
        finally:
            emulator.stop()


if __name__ == "__main__":
    main()
