"""What a too-high max_concurrency costs: a pool of 2 read at max_concurrency 2, then 10. Not a test.

    .venv/bin/python bench/aimd.py                # 100,000 invoices (about 2 minutes)
    .venv/bin/python bench/aimd.py --invoices N

The emulator's pool is 2 and each page answers after the governance model of
bench/throughput.py (250 ms + 0.25 ms per row, holding its slot). At max_concurrency 10
the tap meets 429s and its limiter (tap_netsuite/limiter.py) must come down to 2 and stay
near it. Prints one line per run as bench/throughput.py does (seconds are rows / rows/s),
then the ratio of the two times: 1.00 means a too-high setting costs nothing.
"""

from __future__ import annotations

import argparse
import compileall
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ is not a package

from throughput import REPO, Emulator, line, measure, tap_command

POOL = 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--invoices", type=int, default=100_000)
    args = parser.parse_args()
    compileall.compile_dir(REPO / "tap_netsuite", quiet=1)
    seconds = {}
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        emulator = Emulator(tmp, args.invoices, POOL, latency=True)
        try:
            for max_concurrency in (POOL, 10):
                emulator.metrics(reset=True)
                records, elapsed, cpu, rss = measure(tap_command(tmp, emulator.config, max_concurrency))
                seconds[max_concurrency] = elapsed
                label = f"pool={POOL} max_concurrency={max_concurrency}"
                print(line(label, records, elapsed, cpu, rss, emulator.metrics(), POOL) + f" seconds={elapsed:.1f}")
        finally:
            emulator.stop()
    print(f"time at max_concurrency 10 / time at {POOL} = {seconds[10] / seconds[POOL]:.2f}", flush=True)


if __name__ == "__main__":
    main()
