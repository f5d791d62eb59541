"""How long the emulator takes to build a big account. Not a test.

    .venv/bin/python bench/build.py                   # 1,000,000 transactions with their lines
    .venv/bin/python bench/build.py --transactions 200000

Prints the rows made, the wall time, the CPU time of all threads, and the machine's load before
and after: on a shared machine the wall time follows the load, the CPU time does not. The target
is 1,000,000 transactions with their lines in under two minutes (issue 15).
"""

from __future__ import annotations

import argparse
import os
import time
from zoneinfo import ZoneInfo

from netsuite_emulator import data, generators

TARGET_S = 120.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--transactions", type=int, default=1_000_000, help="about this many, all types together")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    per_invoice = 1 + sum(generators.OTHER_TYPES.values())
    invoices = round(args.transactions / per_invoice)
    customers = max(1, invoices // 10)
    load_before = os.getloadavg()
    wall, cpu = time.monotonic(), time.process_time()
    conn = data.build_database(customers, invoices, args.seed, ZoneInfo("America/Los_Angeles"))
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    counts = {
        table: conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
        for table in ("transaction", "transactionline", "transactionaccountingline", "customer")
    }
    conn.close()
    print(", ".join(f"{n:,} {table}" for table, n in counts.items()))
    print(
        f"built in {wall:.1f} s wall ({wall / TARGET_S:.2f} of the {TARGET_S:.0f} s target), "
        f"{cpu:.1f} s CPU over all threads ({cpu / TARGET_S:.2f} of the target); "
        f"load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
