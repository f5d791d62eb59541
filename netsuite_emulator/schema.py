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

INTEGER, STRING, BOOLEAN, DECIMAL, DATE, DATETIME = (
    "integer",
    "string",
    "boolean",
    "decimal",
    "date",
    "datetime",
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
        # Custom entity fields, visible in SELECT * like any column the role can see.
        "custentity_region": STRING,
        "custentity_vip": BOOLEAN,
        "custentity_credit_review": DATE,
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
        # Custom body fields.
        "custbody_approved": BOOLEAN,
        "custbody_project_code": STRING,
        "custbody_delivery_date": DATE,
        "custbody_margin": DECIMAL,
    },
    # One row per line; `id` numbers the lines of one transaction (0 is the main line), so the
    # key is (transaction, id) as in NetSuite, where transactionline.id is not unique alone.
    "transactionline": {
        "transaction": INTEGER,
        "id": INTEGER,
        "linesequencenumber": INTEGER,
        "mainline": BOOLEAN,
        "item": INTEGER,
        "quantity": DECIMAL,
        "rate": DECIMAL,
        "amount": DECIMAL,
        "memo": STRING,
        "linelastmodifieddate": DATETIME,
    },
    "deletedrecord": {
        "recordid": INTEGER,
        "recordtypeid": INTEGER,
        "scriptid": STRING,
        "type": STRING,
        "name": STRING,
        "deleteddate": DATETIME,
        "deletedby": INTEGER,
        "context": STRING,
        "iscustomlist": BOOLEAN,
        "iscustomrecord": BOOLEAN,
        "iscustomtransaction": BOOLEAN,
    },
    "customfield": {
        "id": INTEGER,
        "scriptid": STRING,
        "fieldtype": STRING,
        "fieldvaluetype": STRING,
        "label": STRING,
        "description": STRING,
        "isinactive": BOOLEAN,
        "lastmodifieddate": DATETIME,
    },
    # Oracle's one-row table, for `SELECT SYSDATE FROM DUAL`.
    "dual": {"dummy": STRING},
}

# Columns that always hold a value: declared NOT NULL, which lets SQLite walk an index for
# Oracle's NULLS LAST ordering.
REQUIRED = {
    "customer": frozenset(
        {
            "id",
            "entityid",
            "companyname",
            "isperson",
            "isinactive",
            "datecreated",
            "lastmodifieddate",
            "subsidiary",
            "currency",
        }
    ),
    "transaction": frozenset(
        {
            "id",
            "tranid",
            "type",
            "recordtype",
            "entity",
            "trandate",
            "createddate",
            "lastmodifieddate",
            "status",
            "foreigntotal",
            "currency",
            "exchangerate",
            "subsidiary",
            "postingperiod",
        }
    ),
    "transactionline": frozenset({"transaction", "id", "linesequencenumber", "mainline", "linelastmodifieddate"}),
    "deletedrecord": frozenset(
        {"recordid", "recordtypeid", "type", "deleteddate", "iscustomlist", "iscustomrecord", "iscustomtransaction"}
    ),
    "customfield": frozenset(
        {"id", "scriptid", "fieldtype", "fieldvaluetype", "label", "isinactive", "lastmodifieddate"}
    ),
    "dual": frozenset({"dummy"}),
}

# The unique key of each table, which is also its canonical row order. Tables keyed by `id`
# store it as the SQLite rowid.
KEYS: dict[str, tuple[str, ...]] = {
    "customer": ("id",),
    "transaction": ("id",),
    "customfield": ("id",),
    "transactionline": ("transaction", "id"),
    "deletedrecord": ("deleteddate", "recordid"),
    "dual": ("dummy",),
}

# The custom fields of the account, as the `customfield` table describes them:
# scriptid -> (fieldtype, fieldvaluetype, label).
CUSTOM_FIELDS = {
    "custentity_region": ("ENTITY", "Free-Form Text", "Sales Region"),
    "custentity_vip": ("ENTITY", "Check Box", "VIP Customer"),
    "custentity_credit_review": ("ENTITY", "Date", "Credit Review Date"),
    "custbody_approved": ("BODY", "Check Box", "Approved"),
    "custbody_project_code": ("BODY", "Free-Form Text", "Project Code"),
    "custbody_delivery_date": ("BODY", "Date", "Delivery Date"),
    "custbody_margin": ("BODY", "Decimal Number", "Margin"),
}

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


def rendered_column(name: str, kind: str, model: str) -> str | None:
    """The stored column that holds TO_CHAR(name, model), if there is one."""
    suffix, stored_model = RENDERED.get(kind, (None, None))
    return name + suffix if model == stored_model else None


def create_table_sql(table: str, rendered: bool = True) -> str:
    """The SQLite DDL for one emulated table (an `id` key is the rowid, so lookups are free);
    `rendered` adds the stored renderings (the connection needs `ns_to_char_dt` and
    `ns_number_text` for them)."""
    cols, key = [], KEYS[table]
    for name, kind in TABLES[table].items():
        rowid = key == ("id",) and name == "id"
        decl = "INTEGER PRIMARY KEY" if rowid else _SQLITE_TYPES[kind]
        if name in REQUIRED[table] and not rowid:
            decl += " NOT NULL"
        cols.append(f'"{name}" {decl}')
    for name, kind in TABLES[table].items():
        if rendered and kind in RENDERED:
            suffix, model = RENDERED[kind]
            cols.append(f'"{name}{suffix}" TEXT GENERATED ALWAYS AS (ns_to_char_dt("{name}", \'{model}\')) STORED')
        elif rendered and kind == DECIMAL:
            cols.append(f'"{name}{NUMBER_TEXT}" TEXT GENERATED ALWAYS AS (ns_number_text("{name}")) STORED')
    if table == "transactionline":
        cols.append('PRIMARY KEY ("transaction", "id")')
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
# deletedrecord.recordtypeid: NetSuite's internal ids of standard record types are negative
# (customer -2, transactions -30 in the Records Catalog as commonly cited) [unsure].
RECORD_TYPE_ID = {"customer": -2, "invoice": -30, "customerpayment": -30, "salesorder": -30}
ITEM_TEXT = {
    1: "Consulting Hour",
    2: "Widget Standard",
    3: "Widget Deluxe",
    4: "Support Plan",
    5: "Shipping",
    6: "Installation",
}
RECORD_TYPE = {"CustInvc": "invoice", "CustPymt": "customerpayment", "SalesOrd": "salesorder"}
CURRENCY_TEXT = {1: "US Dollar", 2: "British pound", 3: "Euro", 4: "Canadian Dollar"}
SUBSIDIARY_TEXT = {1: "Parent Company", 2: "UK Subsidiary", 3: "EU Subsidiary"}
SUBSIDIARY_CURRENCY = {1: 1, 2: 2, 3: 3}
TERMS_TEXT = {1: "Net 30", 2: "Net 60", 3: "Due on receipt", 4: "Net 15"}
TERMS_DAYS = {1: 30, 2: 60, 3: 0, 4: 15}

# Accounting periods: one per month from January 2020, ids from 100 upwards.
FIRST_PERIOD_ID, FIRST_PERIOD_YEAR = 100, 2020
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


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
    ("transactionline", "item"): "item",
}
DISPLAY_REFERENCE: dict[tuple[str, str], str] = {
    ("transaction", "entity"): "customer",
    ("customer", "parent"): "customer",
    ("transactionline", "transaction"): "transaction",
}
# The column a reference's display text comes from, per referenced table.
DISPLAY_COLUMN = {"customer": "companyname", "transaction": "tranid"}


def display_text(lookup: str, key: object) -> str | None:
    """BUILTIN.DF's text for a code; an unknown code shows as itself, as NetSuite shows raw ids."""
    if key is None:
        return None
    if lookup == "postingperiod":
        return period_text(int(key))
    table = {
        "status": STATUS_TEXT,
        "type": TYPE_TEXT,
        "currency": CURRENCY_TEXT,
        "subsidiary": SUBSIDIARY_TEXT,
        "terms": TERMS_TEXT,
        "item": ITEM_TEXT,
    }[lookup]
    return table.get(key, str(key))
