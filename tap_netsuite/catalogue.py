"""The tables the tap reads, as data: adding a table is an entry here and its schema file.

Each entry says which SuiteQL table a stream reads, with which filter, keys and replication
column, which role permission reading it needs, and under which record type NetSuite's
`deletedrecord` lists its deletions. The stream classes (`streams.STREAM_CLASSES`), the
permission hints (`hints.permission_hint`) and the README's streams table
(`python -m tap_netsuite.catalogue`) are all made from it. The columns are the stream's JSON
Schema, `schemas/<stream>.json`.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Table:
    """One stream read from one SuiteQL table, incrementally, by keyset on (replication key, tiebreak)."""

    stream: str  # the stream's name, and its schema: schemas/<stream>.json
    table: str  # the SuiteQL table
    permission: str  # what the token's role needs to read it (Setup > Users/Roles > Manage Roles)
    where: str | None = None  # which of the table's rows are the stream's
    primary_keys: tuple[str, ...] = ("id",)
    replication_key: str = "lastmodifieddate"
    tiebreak: str = "id"  # an integer column unique within one query
    # The record type `deletedrecord` names this stream's deleted rows by; None: deletions not read.
    deleted_as: str | None = None
    # True for `deletedrecord` itself: read as one partition per `deleted_as` of the other tables.
    per_deleted_type: bool = False
    # How the stream reads: "keyset" (one table, by `replication_key`), or one of the readers of
    # transaction lines in `tap_netsuite.lines` ("line_set", "joined", "links"): see the README's
    # "Transaction lines".
    reader: str = "keyset"


TABLES: tuple[Table, ...] = (
    Table(
        stream="customer",
        table="customer",
        permission="Lists > Customers (View)",
        deleted_as="customer",
    ),
    Table(
        stream="invoice",
        table="transaction",
        where="type = 'CustInvc'",
        permission="Transactions > Invoice (View) and Find Transaction",
        deleted_as="invoice",
    ),
    Table(
        stream="transactionline",
        table="transactionline",
        permission="Transactions > Find Transaction (View), and View of each transaction type",
        primary_keys=("transaction", "id"),
        replication_key="linelastmodifieddate",
        tiebreak="uniquekey",  # unique table-wide; `id` is unique only within its transaction
    ),
    Table(
        stream="transactionline_set",
        table="transactionline",
        # and deletedrecord's permission (the deleted_record entry's) for deleted transactions
        permission="Transactions > Find Transaction (View), and View of each transaction type",
        primary_keys=("transaction",),
        reader="line_set",
    ),
    Table(
        stream="transactionaccountingline",
        table="transactionaccountingline",
        permission="Transactions > Find Transaction (View), and View of each transaction type",
        primary_keys=("transaction", "transactionline", "accountingbook"),
        replication_key="changed_at",
        reader="joined",
    ),
    Table(
        stream="nexttransactionlinelink",
        table="nexttransactionlinelink",
        permission="Transactions > Find Transaction (View), and View of each transaction type",
        primary_keys=("previousdoc", "previousline", "nextdoc", "nextline"),
        replication_key="changed_at",
        reader="links",
    ),
    Table(
        stream="previoustransactionlinelink",
        table="previoustransactionlinelink",
        permission="Transactions > Find Transaction (View), and View of each transaction type",
        primary_keys=("nextdoc", "nextline", "previousdoc", "previousline"),
        replication_key="changed_at",
        reader="links",
    ),
    Table(
        stream="deleted_record",
        table="deletedrecord",
        permission="Lists > Deleted Records (View)",
        primary_keys=("type", "recordid"),
        replication_key="deleteddate",
        tiebreak="recordid",
        per_deleted_type=True,
    ),
)

# What the readers other than "keyset" read, as the README's streams table says it.
READER_SOURCES = {
    "line_set": "`transaction` joined to `transactionline` (moved headers), and `deletedrecord` (transaction types)",
    "joined": "`transactionaccountingline` joined to `transaction`",
    "links": "the links of moved `transaction` headers",
}

# Streams read otherwise than from a table, as the README's streams table lists them.
OTHER_STREAMS = (
    (
        "open_invoice_aging",
        "the open-invoices RESTlet of `suitescripts/` (when its ids are set)",
        "`as_of`, `id`",
        "none: a full snapshot per day",
    ),
)

# Tables no stream reads but the tap's SuiteScripts do, and the permission each needs.
OTHER_PERMISSIONS = {
    "transactionline": "Transactions > Invoice (View) and Find Transaction",
}

# Columns that exist only when the account has a feature (Setup > Company > Enable Features).
FEATURES = {
    "subsidiary": "NetSuite OneWorld (subsidiaries); on other accounts deselect the column",
}


def deleted_types() -> tuple[str, ...]:
    """The record types whose deletions `deleted_record` reads: one per table that has one."""
    return tuple(table.deleted_as for table in TABLES if table.deleted_as)


def permission_for(table_name: str) -> str | None:
    """The permission a role needs to read a SuiteQL table (any case), or None when not catalogued."""
    name = table_name.lower()
    needed = dict.fromkeys(table.permission for table in TABLES if table.table == name)
    return "; ".join(needed) or OTHER_PERMISSIONS.get(name)


def readme_streams_table() -> str:
    """The README's streams table, in markdown."""
    lines = ["| stream | SuiteQL source | key | replication key |", "|---|---|---|---|"]
    for table in TABLES:
        source = READER_SOURCES.get(table.reader, f"`{table.table}`")
        if table.where:
            source += f" where `{table.where}`"
        if table.per_deleted_type:
            source += ", one partition per record type: " + ", ".join(f"`{kind}`" for kind in deleted_types())
        keys = ", ".join(f"`{key}`" for key in table.primary_keys)
        lines.append(f"| `{table.stream}` | {source} | {keys} | `{table.replication_key}` |")
    lines.extend(
        f"| `{stream}` | {source} | {keys} | {replication} |" for stream, source, keys, replication in OTHER_STREAMS
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(readme_streams_table(), end="")  # noqa: T201 - the command's output is the table
