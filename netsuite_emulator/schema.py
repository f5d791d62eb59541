"""The emulated SuiteQL schema: tables, column types and display texts, each stated once.

Column types, shared by the engine (how a value renders) and `/_emulator/rows` (canonical values):
- ``integer``: ids and references, stored as SQLite INTEGER.
- ``string``: text, stored as TEXT.
- ``boolean``: NetSuite checkboxes, stored as the TEXT ``'T'`` / ``'F'`` that SuiteQL returns.
- ``decimal``: amounts and rates, stored as REAL with at most 6 places (exact for the generated values).
- ``date``: stored as INTEGER epoch seconds of local midnight in the account time zone, so that
  dates and datetimes compare, sort and render through one code path.
- ``datetime``: stored as INTEGER epoch seconds (UTC).
"""

from __future__ import annotations

from .formats import DAY_MODEL, SECONDS_MODEL
from .tables import (
    BOOLEAN,
    BY_NAME,
    DATE,
    DATETIME,
    DECIMAL,
    INTEGER,
    KEYS,
    REQUIRED,
    STRING,
    TABLES,
    TEMPORAL,
)

__all__ = ["BOOLEAN", "DATE", "DATETIME", "DECIMAL", "INTEGER", "KEYS", "REQUIRED", "STRING", "TABLES", "TEMPORAL"]

_SQLITE_TYPES = {
    INTEGER: "INTEGER",
    STRING: "TEXT",
    BOOLEAN: "TEXT",
    DECIMAL: "REAL",
    DATE: "INTEGER",
    DATETIME: "INTEGER",
}


# TO_CHAR of a date or datetime in the model keyset clients send for every row is stored beside
# the column, rendered in the account zone whenever the row is written (a generated column that
# calls the same function TO_CHAR does), so a query reads it instead of calling into Python
# several times per row. Not part of the emulated schema: SELECT * and the record API never
# see these columns.
RENDERED = {DATETIME: ("__second", SECONDS_MODEL), DATE: ("__day", DAY_MODEL)}
# Likewise every decimal column's text as SuiteQL sends it (formats.number_text, leading zero
# kept; the engine drops it at read time when the account's preference says so): a page of
# 1,000 rows otherwise called into Python for every amount. Needs `ns_number_text`.
NUMBER_TEXT = "__text"


def rendered_column(table: str, name: str, kind: str, model: str) -> str | None:
    """The stored column that holds TO_CHAR(name, model), if the table keeps one."""
    if kind not in RENDERED or name not in BY_NAME[table].stored_renderings:
        return None
    suffix, stored_model = RENDERED[kind]
    return name + suffix if model == stored_model else None


def create_table_sql(table: str, *, rendered: bool = True) -> str:
    """The SQLite DDL for one emulated table (a one-column integer key is the rowid, so lookups
    are free); `rendered` adds the stored renderings of a table that keeps them (the connection
    needs `ns_to_char_dt` and `ns_number_text` for them)."""
    declared = BY_NAME[table]
    cols, key = [], declared.key
    for name, kind in TABLES[table].items():
        primary = key == (name,)
        decl = _SQLITE_TYPES[kind] + (" PRIMARY KEY" if primary else "")
        if name in REQUIRED[table] and not primary:
            decl += " NOT NULL"
        cols.append(f'"{name}" {decl}')
    if rendered:
        for name in declared.stored_renderings:
            kind = TABLES[table][name]
            if kind in RENDERED:
                suffix, model = RENDERED[kind]
                cols.append(f'"{name}{suffix}" TEXT GENERATED ALWAYS AS (ns_to_char_dt("{name}", \'{model}\')) STORED')
            elif kind == DECIMAL:
                cols.append(f'"{name}{NUMBER_TEXT}" TEXT GENERATED ALWAYS AS (ns_number_text("{name}")) STORED')
    if len(key) > 1 and declared.key_enforced:
        cols.append(f"PRIMARY KEY ({', '.join(chr(34) + k + chr(34) for k in key)})")
    return f'CREATE TABLE "{table}" ({", ".join(cols)})'


# Display texts for BUILTIN.DF of the codes that are not references. Status codes depend on the
# transaction type, so they are keyed "Type:code", which is also BUILTIN.CF's rendering of a
# status; `transactionstatus` holds the same rows.
STATUS_TEXT = {
    "CustInvc:A": "Open",
    "CustInvc:B": "Paid In Full",
    "CustPymt:B": "Not Deposited",
    "CustPymt:C": "Deposited",
    "SalesOrd:B": "Pending Fulfillment",
    "SalesOrd:F": "Pending Billing",
    "SalesOrd:G": "Billed",
    "CustCred:A": "Open",
    "CustCred:B": "Fully Applied",
    "VendBill:A": "Open",
    "VendBill:B": "Paid In Full",
    "Journal:A": "Pending Approval",
    "Journal:B": "Approved for Posting",
    "ItemShip:A": "Picked",
    "ItemShip:B": "Packed",
    "ItemShip:C": "Shipped",
}
TYPE_TEXT = {
    "CustInvc": "Invoice",
    "CustPymt": "Payment",
    "SalesOrd": "Sales Order",
    "CustCred": "Credit Memo",
    "VendBill": "Bill",
    "Journal": "Journal",
    "ItemShip": "Item Fulfillment",
}
RECORD_TYPE = {
    "CustInvc": "invoice",
    "CustPymt": "customerpayment",
    "SalesOrd": "salesorder",
    "CustCred": "creditmemo",
    "VendBill": "vendorbill",
    "Journal": "journalentry",
    "ItemShip": "itemfulfillment",
}
# deletedrecord.recordtypeid: NetSuite's internal ids of standard record types are negative
# (customer -2, transactions -30 in the Records Catalog as commonly cited) [unsure]; custom
# records and lists use their own type's internal id.
RECORD_TYPE_ID = {
    "customer": -2,
    "vendor": -3,
    "employee": -4,
    "partner": -5,
    "contact": -6,
    "job": -7,
    "account": -112,
    "department": -102,
    "classification": -101,
    "location": -103,
    "currency": -122,
    "term": -199,
    **{record_type: -30 for record_type in RECORD_TYPE.values()},
    **{t: -10 for t in ("inventoryitem", "noninventoryitem", "serviceitem", "otherchargeitem", "discountitem")},
    "customlist_segment": 601,
    "customlist_sales_channel": 602,
}
# item.itemtype -> its record type (deletedrecord.type).
ITEM_RECORD_TYPE = {
    "InvtPart": "inventoryitem",
    "NonInvtPart": "noninventoryitem",
    "Service": "serviceitem",
    "OthCharge": "otherchargeitem",
    "Discount": "discountitem",
}
ITEM_TEXT = {
    1: "Consulting Hour",
    2: "Widget Standard",
    3: "Widget Deluxe",
    4: "Support Plan",
    5: "Shipping",
    6: "Installation",
}
CURRENCY_TEXT = {1: "US Dollar", 2: "British pound", 3: "Euro", 4: "Canadian Dollar"}
SUBSIDIARY_TEXT = {1: "Parent Company", 2: "UK Subsidiary", 3: "EU Subsidiary"}
SUBSIDIARY_CURRENCY = {1: 1, 2: 2, 3: 3}
TERMS_TEXT = {1: "Net 30", 2: "Net 60", 3: "Due on receipt", 4: "Net 15"}
TERMS_DAYS = {1: 30, 2: 60, 3: 0, 4: 15}

# Accounting periods: one per month from January 2020, ids from 100 upwards.
FIRST_PERIOD_ID, FIRST_PERIOD_YEAR = 100, 2020
PERIOD_YEARS = 8
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def period_id(year: int, month: int) -> int:
    return FIRST_PERIOD_ID + (year - FIRST_PERIOD_YEAR) * 12 + month - 1


def period_text(pid: int) -> str:
    index = pid - FIRST_PERIOD_ID
    return f"{_MONTHS[index % 12]} {FIRST_PERIOD_YEAR + index // 12}"


# Codes whose display text is a fixed list rather than a referenced row.
DISPLAY_LOOKUP: dict[tuple[str, str], str] = {("transaction", "status"): "status", ("transaction", "type"): "type"}


def reference_of(table: str | None, column: str | None) -> str | None:
    """The table a column's values point at, when BUILTIN.DF shows that table's row."""
    if table is None or column is None or table not in BY_NAME:
        return None
    target = BY_NAME[table].all_references.get(column)
    if target is None or BY_NAME[target].display is None or len(BY_NAME[target].key) != 1:
        return None
    return target


def display_text(lookup: str, key: object) -> str | None:
    """BUILTIN.DF's text for a code; an unknown code shows as itself, as NetSuite shows raw ids."""
    if key is None:
        return None
    table = {"status": STATUS_TEXT, "type": TYPE_TEXT}[lookup]
    return table.get(str(key), str(key))
