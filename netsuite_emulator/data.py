"""The emulated account's database: every declared table, generated deterministically.

The same sizes and seed always give the same account. No wall clock is read: creation and
modification times lie in fixed past ranges, ids grow with gaps (NetSuite's internal ids are not
contiguous), and some records share one `lastmodifieddate` second, as a bulk edit or CSV import
leaves them. Each table is filled by the generator its declaration names (`tables`,
`generators`), in declaration order.

The database is a file in a private directory (in RAM under /dev/shm when there is one) in WAL
mode, so that request threads read it side by side, each on its own connection, while the one
writer changes rows (see `engine.Engine`). The directory is removed when the process exits.
"""

from __future__ import annotations

import atexit
import random
import shutil
import sqlite3
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from . import generators, schema, tables
from .formats import local_date, local_midnight, number_text_or_null, to_char_datetime
from .generators import Sizes

__all__ = ["Sizes", "build_database", "open_database"]

# Indexes for the reads clients make: keyset order on the replication column, by type.
INDEXES = (
    'CREATE INDEX transaction_type_lastmodified ON "transaction" (type, lastmodifieddate, id)',
    'CREATE INDEX transactionline_lastmodified ON transactionline (linelastmodifieddate, "transaction", id)',
    "CREATE UNIQUE INDEX transactionline_uniquekey ON transactionline (uniquekey)",
    "CREATE INDEX transactionaccountingline_lastmodified ON transactionaccountingline (lastmodifieddate)",
    "CREATE INDEX deletedrecord_type ON deletedrecord (type, deleteddate, recordid)",
    # Keyset order read from an index (stored renderings, schema.RENDERED), covering the raw key
    # too: the plan query ranks every row of a range in that order.
    'CREATE INDEX transaction_type_rendered ON "transaction" (type, lastmodifieddate__second, id, lastmodifieddate)',
    "CREATE INDEX customer_rendered ON customer (lastmodifieddate__second, id, lastmodifieddate)",
    # The same order for a stream of every transaction type (no `type` to lead with): without it
    # each page of `transaction` sorted its whole window (a temporary B-tree per page).
    'CREATE INDEX transaction_rendered ON "transaction" (lastmodifieddate__second, id, lastmodifieddate)',
    # Lines in the order a keyset read of linelastmodifieddate pages them, uniquekey breaking ties
    # (unique table-wide): without it every page sorted the range again.
    "CREATE INDEX transactionline_rendered ON transactionline"
    " (linelastmodifieddate__second, uniquekey, linelastmodifieddate)",
    "CREATE INDEX deletedrecord_type_rendered ON deletedrecord (type, deleteddate__second, recordid, deleteddate)",
)


def open_database() -> sqlite3.Connection:
    """A new, empty database file (the writer's connection), removed at exit."""
    shm = Path("/dev/shm")  # noqa: S108 - RAM for speed; mkdtemp makes a private directory in it
    folder = Path(tempfile.mkdtemp(prefix="netsuite-emulator-", dir=shm if shm.is_dir() else None))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    conn = sqlite3.connect(folder / "account.db", check_same_thread=False)
    conn.execute("PRAGMA journal_mode = OFF")  # the build: nothing to roll back to
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")  # 256 MiB
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


def build_database(
    customers: int,
    invoices: int,
    seed: int,
    tz: ZoneInfo,
    lines_per_invoice: int = 2,
    *,
    subsecond: bool = False,
    sizes: Sizes | None = None,
) -> sqlite3.Connection:
    """The emulated account, indexed for keyset paging; `sizes` overrides the counts."""
    sizes = sizes or Sizes(customers, invoices, lines_per_invoice)
    conn = open_database()
    # The stored renderings call TO_CHAR's function; the engine registers it again, following
    # the account zone when it is switched (see `render_again`).
    conn.create_function(
        "ns_to_char_dt", 2, lambda v, f: None if v is None else to_char_datetime(v, f, tz), deterministic=True
    )
    conn.create_function("ns_number_text", 1, number_text_or_null, deterministic=True)
    for table in schema.TABLES:
        conn.execute(schema.create_table_sql(table))
    build = generators.Build(conn, seed, tz, sizes, random.Random(seed))
    done: set[str] = set()
    for declared in tables.DECLARED:
        if declared.generator not in done:
            generators.GENERATORS[declared.generator](build)
            done.add(declared.generator)
    generators.entity_triggers(conn)
    if subsecond:
        set_fractions(conn, on=True)
    for declared in tables.DECLARED:
        if declared.replication and declared.name not in (
            "transaction",
            "transactionline",
            "transactionaccountingline",
        ):
            conn.execute(f'CREATE INDEX "{declared.name}_replication" ON "{declared.name}" ({declared.replication})')
    for sql in INDEXES:
        conn.execute(sql)
    # Statistics for the planner. Without them SQLite guesses that `lastmodifieddate >= x`
    # keeps a few rows, so a full-history plan query read the range index and sorted every
    # row into keyset order (0.8 s at 200,000 invoices instead of 0.4 s from the index above).
    conn.execute("ANALYZE")
    conn.commit()
    conn.execute("PRAGMA journal_mode = WAL")  # readers side by side with the writer
    conn.execute("PRAGMA synchronous = OFF")
    return conn


# Sub-second parts for `--subsecond`: a deterministic function of the row, on every table's
# replication column that holds a datetime.
_FRACTION = "((rowid * 7919 + 13) % 1000) / 1000.0"


def render_again(conn: sqlite3.Connection) -> None:
    """Render every stored TO_CHAR again, after the account zone changed."""
    for table, columns in schema.TABLES.items():
        stored = tables.BY_NAME[table].stored_renderings
        temporal = [f'"{name}" = "{name}"' for name in stored if columns[name] in schema.RENDERED]
        if temporal:
            conn.execute(f'UPDATE "{table}" SET {", ".join(temporal)}')


def set_fractions(conn: sqlite3.Connection, *, on: bool) -> None:
    """Give every modification time a sub-second part (on), or cut them to whole seconds."""
    for table in tables.DECLARED:
        column = table.replication
        if column is None or table.all_columns[column] != schema.DATETIME or table.name == "deletedrecord":
            continue
        value = f"CAST({column} AS INTEGER) + {_FRACTION}" if on else f"CAST({column} AS INTEGER)"
        conn.execute(f'UPDATE "{table.name}" SET {column} = {value} WHERE {column} IS NOT NULL')


def rezone_dates(conn: sqlite3.Connection, old: ZoneInfo, new: ZoneInfo) -> None:
    """Date columns are stored as local midnight: keep each date's day in a new account zone."""
    conn.create_function(
        "ns_rezone", 1, lambda v: None if v is None else local_midnight(local_date(v, old), new), deterministic=True
    )
    for table, columns in schema.TABLES.items():
        for column, kind in columns.items():
            if kind == schema.DATE:
                conn.execute(f'UPDATE "{table}" SET "{column}" = ns_rezone("{column}")')
