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

INTEGER, STRING, BOOLEAN, DECIMAL, DATE, DATETIME = (
    "integer", "string", "boolean", "decimal", "date", "datetime",
)
TEMPORAL = frozenset({DATE, DATETIME})

TABLES: dict[str, dict[str, str]] = {
    "customer": {
        "id": INTEGER,
        "entityid": STRING,
        "companyname": STRING,
        "email": STRING,
        "phone": STRING,
        "isperson": BOOLEAN,
        "isinactive": BOOLEAN,
        "datecreated": DATETIME,
        "lastmodifieddate": DATETIME,
        "parent": INTEGER,
        "subsidiary": INTEGER,
        "currency": INTEGER,
        "terms": INTEGER,
        "externalid": STRING,
    },
    "transaction": {
        "id": INTEGER,
        "tranid": STRING,
        "type": STRING,
        "recordtype": STRING,
        "entity": INTEGER,
        "trandate": DATE,
        "duedate": DATE,
        "createddate": DATETIME,
        "lastmodifieddate": DATETIME,
        "status": STRING,
        "foreigntotal": DECIMAL,
        "foreignamountpaid": DECIMAL,
        "foreignamountunpaid": DECIMAL,
        "currency": INTEGER,
        "exchangerate": DECIMAL,
        "memo": STRING,
        "terms": INTEGER,
        "subsidiary": INTEGER,
        "postingperiod": INTEGER,
        "externalid": STRING,
        "otherrefnum": STRING,
    },
    # Oracle's one-row table, for `SELECT SYSDATE FROM DUAL`.
    "dual": {"dummy": STRING},
}

# Columns that always hold a value: declared NOT NULL, which lets SQLite walk an index for
# Oracle's NULLS LAST ordering.
REQUIRED = {
    "customer": frozenset({"id", "entityid", "companyname", "isperson", "isinactive",
                           "datecreated", "lastmodifieddate", "subsidiary", "currency"}),
    "transaction": frozenset({"id", "tranid", "type", "recordtype", "entity", "trandate",
                              "createddate", "lastmodifieddate", "status", "foreigntotal",
                              "currency", "exchangerate", "subsidiary", "postingperiod"}),
    "dual": frozenset({"dummy"}),
}

_SQLITE_TYPES = {INTEGER: "INTEGER", STRING: "TEXT", BOOLEAN: "TEXT", DECIMAL: "REAL",
                 DATE: "INTEGER", DATETIME: "INTEGER"}


def create_table_sql(table: str) -> str:
    """The SQLite DDL for one emulated table (id is the rowid, so lookups by id are free)."""
    cols = []
    for name, kind in TABLES[table].items():
        decl = "INTEGER PRIMARY KEY" if name == "id" else _SQLITE_TYPES[kind]
        if name in REQUIRED[table] and name != "id":
            decl += " NOT NULL"
        cols.append(f'"{name}" {decl}')
    return f'CREATE TABLE "{table}" ({", ".join(cols)})'


# Display texts for BUILTIN.DF. Status codes depend on the transaction type, so they are keyed
# "Type:code", which is also BUILTIN.CF's rendering of a status.
STATUS_TEXT = {
    "CustInvc:A": "Open",
    "CustInvc:B": "Paid In Full",
    "CustPymt:B": "Not Deposited",
    "CustPymt:C": "Deposited",
    "SalesOrd:B": "Pending Fulfillment",
    "SalesOrd:F": "Pending Billing",
    "SalesOrd:G": "Billed",
}
TYPE_TEXT = {"CustInvc": "Invoice", "CustPymt": "Payment", "SalesOrd": "Sales Order"}
RECORD_TYPE = {"CustInvc": "invoice", "CustPymt": "customerpayment", "SalesOrd": "salesorder"}
CURRENCY_TEXT = {1: "US Dollar", 2: "British pound", 3: "Euro", 4: "Canadian Dollar"}
SUBSIDIARY_TEXT = {1: "Parent Company", 2: "UK Subsidiary", 3: "EU Subsidiary"}
SUBSIDIARY_CURRENCY = {1: 1, 2: 2, 3: 3}
TERMS_TEXT = {1: "Net 30", 2: "Net 60", 3: "Due on receipt", 4: "Net 15"}
TERMS_DAYS = {1: 30, 2: 60, 3: 0, 4: 15}

# Accounting periods: one per month from January 2020, ids from 100 upwards.
FIRST_PERIOD_ID, FIRST_PERIOD_YEAR = 100, 2020
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def period_id(year: int, month: int) -> int:
    return FIRST_PERIOD_ID + (year - FIRST_PERIOD_YEAR) * 12 + month - 1


def period_text(pid: int) -> str | None:
    index = pid - FIRST_PERIOD_ID
    if index < 0:
        return None
    return f"{_MONTHS[index % 12]} {FIRST_PERIOD_YEAR + index // 12}"


# Which lookup BUILTIN.DF uses for a column: a static text map, or a reference to a table whose
# `companyname` is the display text.
DISPLAY_LOOKUP: dict[tuple[str, str], str] = {
    ("transaction", "status"): "status",
    ("transaction", "type"): "type",
    ("transaction", "currency"): "currency",
    ("customer", "currency"): "currency",
    ("transaction", "subsidiary"): "subsidiary",
    ("customer", "subsidiary"): "subsidiary",
    ("transaction", "terms"): "terms",
    ("customer", "terms"): "terms",
    ("transaction", "postingperiod"): "postingperiod",
}
DISPLAY_REFERENCE: dict[tuple[str, str], str] = {
    ("transaction", "entity"): "customer",
    ("customer", "parent"): "customer",
}


def display_text(lookup: str, key: object) -> str | None:
    """BUILTIN.DF's text for a code; an unknown code shows as itself, as NetSuite shows raw ids."""
    if key is None:
        return None
    if lookup == "postingperiod":
        return period_text(int(key))
    table = {"status": STATUS_TEXT, "type": TYPE_TEXT, "currency": CURRENCY_TEXT,
             "subsidiary": SUBSIDIARY_TEXT, "terms": TERMS_TEXT}[lookup]
    return table.get(key, str(key))
