"""Transaction lines, accounting lines and line links, computed inside SQLite (no per-row Python).

Line 0 is the main line (the receivable or payable: the total, positive). Item lines split the
total; on sales transactions their quantity and amount are negative, as income lines are in a
real account's SuiteQL (silent in docs/netsuite.md; the sign convention most accounts show).
Payments have only a main line. A line's own modification time is before its header's, except
on about one transaction in fifty whose first item line was edited afterwards without moving the
header (docs/netsuite.md §10: system updates such as fulfilment or billing status).
`uniquekey` is unique table-wide: the transaction id times `LINE_SPAN` plus the line number.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

LINE_SPAN = 1000  # uniquekey = transaction * LINE_SPAN + line id; a transaction has fewer lines

# The account a main line posts to, per transaction type, and that of item lines where the type
# fixes it (sales types post to revenue by item: product 8 or service 9). Ids of generators.ACCOUNTS.
MAIN_ACCOUNT = {"CustInvc": 3, "CustCred": 3, "SalesOrd": 3, "CustPymt": 2, "VendBill": 5, "Journal": 1, "ItemShip": 4}
ITEM_ACCOUNT = {"VendBill": "13 + (id + k) % 3", "ItemShip": "11", "Journal": "14"}
NON_POSTING = ("SalesOrd",)
# Book 2 keeps a second accounting line for transactions of these subsidiaries.
SECONDARY_BOOK_SUBSIDIARIES = (2,)


@dataclass(frozen=True)
class LineShape:
    """`per_transaction` item lines (plus the main line); item ids 1..`items`; accounting lines
    of transactions created before `accounting_dates_from` have no lastmodifieddate."""

    per_transaction: int
    items: int
    accounting_dates_from: int


def _case(mapping: Mapping[str, object], default: str) -> str:
    return "CASE type " + " ".join(f"WHEN '{k}' THEN {v}" for k, v in mapping.items()) + f" ELSE {default} END"


def insert_lines(conn: sqlite3.Connection, shape: LineShape, where: str = "1", args: tuple = ()) -> None:
    """Lines and accounting lines of the transactions matching `where` (over `transaction t`)."""
    n = max(0, shape.per_transaction)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS line_numbers (k INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM line_numbers")
    conn.executemany("INSERT INTO line_numbers VALUES (?)", [(k,) for k in range(n + 1)])
    item_account = _case({k: v for k, v in ITEM_ACCOUNT.items()}, f"8 + (1 + (id * 7 + k * 3) % {shape.items}) % 2")
    # Named steps for readability; SQLite flattens them into one pass over the transactions.
    conn.execute(
        f"""
        INSERT INTO transactionline (
            "transaction", id, linesequencenumber, mainline, item, quantity, rate, amount, memo,
            linelastmodifieddate, uniquekey, netamount, taxline, account, department, "class",
            location, subsidiary, entity, isclosed, custcol_cost_code, custcol_discount_pct)
        WITH t AS NOT MATERIALIZED (
            SELECT id, type, memo, foreigntotal, createddate, lastmodifieddate, department, "class",
                   location, subsidiary, entity,
                   CAST(ROUND(foreigntotal * 100) AS INTEGER) / {n or 1} AS share,
                   CAST(ROUND(foreigntotal * 100) AS INTEGER)
                     - ({n or 1} - 1) * (CAST(ROUND(foreigntotal * 100) AS INTEGER) / {n or 1})
                     AS rest
            FROM "transaction" t WHERE {where}),
        l AS NOT MATERIALIZED (
            SELECT t.*, k.k, 1 + (t.id + k.k) % 4 AS qty,
                   CASE WHEN k.k < {n} THEN t.share ELSE t.rest END AS cents
            FROM t CROSS JOIN line_numbers k WHERE k.k = 0 OR t.type != 'CustPymt'),
        m AS NOT MATERIALIZED (
            SELECT l.*, CASE WHEN k = 0 THEN foreigntotal ELSE -cents / 100.0 END AS amt FROM l)
        SELECT id, k, k, CASE WHEN k = 0 THEN 'T' ELSE 'F' END,
               CASE WHEN k = 0 OR type = 'Journal' THEN NULL ELSE 1 + (id * 7 + k * 3) % {shape.items} END,
               CASE WHEN k = 0 THEN NULL ELSE -qty END,
               CASE WHEN k = 0 THEN NULL ELSE ROUND(cents / 100.0 / qty, 6) END,
               amt,
               CASE WHEN k = 0 THEN memo WHEN (id + k) % 7 = 0 THEN 'Discount 5%/line ' || k END,
               CASE WHEN k = 0 THEN lastmodifieddate
                    WHEN k = 1 AND id % 50 = 7 THEN lastmodifieddate + 3600 * (1 + id % 48)
                    ELSE MAX(createddate, lastmodifieddate - (id * 13 + k * 7) % 86400)
               END,
               id * {LINE_SPAN} + k, amt, 'F',
               CASE WHEN k = 0 THEN {_case(MAIN_ACCOUNT, "3")} ELSE {item_account} END,
               department, "class", location, subsidiary, entity, 'F',
               CASE WHEN k > 0 AND (id + k) % 3 = 0 THEN 'CC-' || (100 + (id * k) % 900) END,
               CASE WHEN k > 0 AND (id + k) % 5 = 0 THEN ((id + k) % 20) / 2.0 END
        FROM m""",
        args,
    )
    insert_accounting_lines(conn, shape, where, args)


def insert_accounting_lines(conn: sqlite3.Connection, shape: LineShape, where: str = "1", args: tuple = ()) -> None:
    """One accounting line per line of a posting transaction in the primary book, and one more in
    book 2 for the subsidiaries it covers."""
    non_posting = ", ".join(f"'{k}'" for k in NON_POSTING)
    secondary = ", ".join(map(str, SECONDARY_BOOK_SUBSIDIARIES))
    conn.execute(
        f"""
        INSERT INTO transactionaccountingline (
            "transaction", transactionline, accountingbook, account, debit, credit, amount, netamount,
            posting, lastmodifieddate)
        SELECT l."transaction", l.id, b.book, l.account,
               CASE WHEN l.amount > 0 THEN l.amount END, CASE WHEN l.amount < 0 THEN -l.amount END,
               l.amount, l.netamount, 'T',
               CASE WHEN t.createddate >= {int(shape.accounting_dates_from)} THEN l.linelastmodifieddate END
        FROM "transaction" t
        JOIN transactionline l ON l."transaction" = t.id
        JOIN (SELECT 1 AS book UNION ALL SELECT 2) b ON b.book = 1 OR t.subsidiary IN ({secondary})
        WHERE t.type NOT IN ({non_posting}) AND {where}
        ORDER BY l."transaction", l.id, b.book""",
        args,
    )


# A later document and the one it follows: payments and credits apply to the invoice before
# them, fulfilments ship the sales order before them (by id). Main lines link to main lines.
LINKS = {"CustPymt": ("CustInvc", "Payment"), "CustCred": ("CustInvc", "Payment"), "ItemShip": ("SalesOrd", "ShipRcpt")}


def insert_links(conn: sqlite3.Connection) -> None:
    """nexttransactionlinelink and previoustransactionlinelink: the same links, as NetSuite keeps
    them, seen from either end."""
    conn.execute('CREATE INDEX IF NOT EXISTS transaction_type_id ON "transaction" (type, id)')
    previous = " ".join(f"WHEN '{k}' THEN '{v[0]}'" for k, v in LINKS.items())
    link_type = " ".join(f"WHEN '{k}' THEN '{v[1]}'" for k, v in LINKS.items())
    kinds = ", ".join(f"'{k}'" for k in LINKS)
    columns = "previousdoc, previousline, nextdoc, nextline, linktype, previoustype, nexttype, foreignamount, linkdate"
    conn.execute(
        f"""
        INSERT INTO nexttransactionlinelink ({columns})
        SELECT p.id, 0, n.id, 0, CASE n.type {link_type} END, p.type, n.type, n.foreigntotal, n.trandate
        FROM "transaction" n
        JOIN "transaction" p ON p.id = (SELECT MAX(x.id) FROM "transaction" x
                                        WHERE x.type = CASE n.type {previous} END AND x.id < n.id)
        WHERE n.type IN ({kinds})
        ORDER BY p.id, n.id"""
    )
    conn.execute(
        f"INSERT INTO previoustransactionlinelink ({columns}) SELECT {columns} FROM nexttransactionlinelink "
        "ORDER BY nextdoc, nextline, previousdoc, previousline"
    )
