"""The record API and metadata catalog (docs/netsuite.md §9) for the record types that have one.

Customer and invoice carry the record API's own names where they differ from SuiteQL's (total,
amountPaid, amountRemaining); the other types (entities, items, accounts and segments, the other
transaction types, custom records) name each column in camelCase (`camel_case`), custom fields
by their script ids.

The role's permissions apply as they do to SuiteQL: a record type whose table is denied
(`--deny-table`) answers 403 INSUFFICIENT_PERMISSION [unsure on the wording], and a denied
column (`--deny-column`) is left out of the record and of the catalog, as the catalog is
personalised per user (§10). Types without a record (`transactionline`) are unknown here.

Property names are camelCase; values have real JSON types; datetimes are ISO 8601 UTC
(`2024-01-01T10:00:00Z`), dates `YYYY-MM-DD`; references are `{"id", "refName"}` objects and
NULL fields are left out, as the record API shows them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import formats, responses, schema, tables
from .responses import Reply

if TYPE_CHECKING:
    from .server import State

# type -> (table, row filter, {column: camelCase name}); the record API's names where NetSuite's
# differ from the SuiteQL column (total, amountPaid, amountRemaining).
RECORDS = {
    "customer": (
        "customer",
        "1",
        {
            "id": "id",
            "entityid": "entityId",
            "companyname": "companyName",
            "email": "email",
            "phone": "phone",
            "isperson": "isPerson",
            "isinactive": "isInactive",
            "datecreated": "dateCreated",
            "lastmodifieddate": "lastModifiedDate",
            "parent": "parent",
            "subsidiary": "subsidiary",
            "currency": "currency",
            "terms": "terms",
            "externalid": "externalId",
        },
    ),
    "invoice": (
        "transaction",
        "type = 'CustInvc'",
        {
            "id": "id",
            "tranid": "tranId",
            "entity": "entity",
            "trandate": "tranDate",
            "duedate": "dueDate",
            "createddate": "createdDate",
            "lastmodifieddate": "lastModifiedDate",
            "status": "status",
            "foreigntotal": "total",
            "foreignamountpaid": "amountPaid",
            "foreignamountunpaid": "amountRemaining",
            "currency": "currency",
            "exchangerate": "exchangeRate",
            "memo": "memo",
            "terms": "terms",
            "subsidiary": "subsidiary",
            "postingperiod": "postingPeriod",
            "externalid": "externalId",
            "otherrefnum": "otherRefNum",
        },
    ),
}
# Words the camelCase names are made of: a SuiteQL column is split into them, longest first.
_WORDS = sorted(
    [
        "id",
        "entity",
        "company",
        "name",
        "email",
        "phone",
        "is",
        "person",
        "inactive",
        "date",
        "created",
        "last",
        "modified",
        "parent",
        "subsidiary",
        "currency",
        "terms",
        "external",
        "default",
        "billing",
        "address",
        "category",
        "1099",
        "eligible",
        "first",
        "title",
        "supervisor",
        "department",
        "location",
        "hire",
        "sales",
        "rep",
        "start",
        "projected",
        "end",
        "customer",
        "item",
        "display",
        "description",
        "type",
        "base",
        "price",
        "cost",
        "income",
        "expense",
        "asset",
        "account",
        "acct",
        "number",
        "search",
        "full",
        "summary",
        "tran",
        "due",
        "status",
        "foreign",
        "total",
        "amount",
        "paid",
        "unpaid",
        "exchange",
        "rate",
        "memo",
        "posting",
        "period",
        "other",
        "ref",
        "num",
        "ship",
        "tax",
        "voided",
        "class",
        "employee",
        "owner",
        "main",
        "record",
    ],
    key=len,
    reverse=True,
)
_CUSTOM = ("custentity_", "custbody_", "custitem_", "custrecord_")


def camel_case(column: str) -> str:
    """`lastmodifieddate` -> `lastModifiedDate`; a column not made of known words stays as it is."""
    words, rest = [], column
    while rest:
        word = next((w for w in _WORDS if rest.startswith(w)), None)
        if word is None:
            return column
        words.append(word)
        rest = rest[len(word) :]
    return words[0] + "".join(w.capitalize() for w in words[1:])


def _derived(table: str) -> dict[str, str]:
    return {c: c if c.startswith(_CUSTOM) else camel_case(c) for c in schema.TABLES[table]}


# The transaction type of each transaction record type (status texts are per type).
TRANSACTION_TYPE = {record_type: code for code, record_type in schema.RECORD_TYPE.items()}
RECORDS.update(
    {
        **{t: (t, "1", _derived(t)) for t in ("vendor", "employee", "partner", "contact", "job")},
        **{t: (t, "1", _derived(t)) for t in ("account", "department", "classification", "location")},
        **{t: (t, "1", _derived(t)) for t in tables.CUSTOM_RECORD_TYPES},
        **{
            record_type: ("item", f"itemtype = '{code}'", _derived("item"))
            for code, record_type in schema.ITEM_RECORD_TYPE.items()
        },
        **{
            record_type: ("transaction", f"type = '{code}'", _derived("transaction"))
            for record_type, code in TRANSACTION_TYPE.items()
            if record_type != "invoice"
        },
    }
)
for _type, (_table, _, _names) in RECORDS.items():  # custom fields keep their script ids
    _names.update({c: c for c in schema.TABLES[_table] if c.startswith(_CUSTOM)})
_JSON_TYPE = {
    schema.INTEGER: "integer",
    schema.STRING: "string",
    schema.BOOLEAN: "boolean",
    schema.DECIMAL: "number",
    schema.DATE: "string",
    schema.DATETIME: "string",
}
_ITEM = re.compile(r"/services/rest/record/v1/([a-z_]+)/(\d+)")
_CATALOG = re.compile(r"/services/rest/record/v1/metadata-catalog/([a-z_]+)")


def handle(state: State, path: str, origin: str) -> Reply:
    m = _CATALOG.fullmatch(path) or _ITEM.fullmatch(path)
    kind = m.group(1) if m else None
    if kind in RECORDS and RECORDS[kind][0] in state.engine.settings.denied:
        return responses.rest_error(
            403, f"Permission Violation: the role may not access records of type '{kind}'.", "INSUFFICIENT_PERMISSION"
        )
    hidden = state.engine.settings.denied_columns
    if m and m.re is _CATALOG:
        return catalog(m.group(1), origin, hidden)
    if m and kind in RECORDS:
        return record(state, m.group(1), int(m.group(2)), origin)
    return responses.rest_error(404, f"The requested path {path} does not exist.", "NONEXISTENT_ID")


def _visible(table: str, names: dict[str, str], hidden: frozenset[str]) -> dict[str, str]:
    return {column: camel for column, camel in names.items() if f"{table}.{column}" not in hidden}


def catalog(kind: str, origin: str, hidden: frozenset[str] = frozenset()) -> Reply:
    if kind not in RECORDS:
        return responses.rest_error(400, f"Record type '{kind}' does not exist.", "INVALID_PARAMETER")
    table, _, names = RECORDS[kind]
    properties = {}
    for column, camel in _visible(table, names, hidden).items():
        ctype = schema.TABLES[table][column]
        prop = {
            "type": "object" if _is_reference(table, column) else _JSON_TYPE[ctype],
            "title": camel,
            "nullable": column not in schema.REQUIRED[table],
        }
        if ctype == schema.DATE:
            prop["format"] = "date"
        elif ctype == schema.DATETIME:
            prop["format"] = "date-time"
        if column in tables.FIELDS_BY_SCRIPTID:
            prop["title"] = tables.FIELDS_BY_SCRIPTID[column].label
            prop["x-ns-custom-field"] = True
        properties[camel] = prop
    body = {
        "$schema": "https://json-schema.org/draft-06/hyper-schema#",
        "type": "object",
        "title": kind,
        "properties": properties,
        "links": [{"rel": "self", "href": f"{origin}/services/rest/record/v1/metadata-catalog/{kind}"}],
    }
    return Reply(200, responses.SCHEMA_JSON, responses.netsuite_json(body))


def _is_reference(table: str, column: str) -> bool:
    if (table, column) in schema.DISPLAY_LOOKUP:
        return column != "type"
    return schema.reference_of(table, column) is not None and not column.startswith(_CUSTOM)


def record(state: State, kind: str, rid: int, origin: str) -> Reply:
    table, where, names = RECORDS[kind]
    names = _visible(table, names, state.engine.settings.denied_columns)
    columns = list(names)
    tz = state.engine.settings.tz
    reader = state.engine.reader()
    reader.execute("BEGIN")  # the record and its references from one snapshot
    try:
        row = reader.execute(
            f'SELECT {", ".join(chr(34) + c + chr(34) for c in columns)} FROM "{table}" WHERE id = ? AND {where}',
            (rid,),
        ).fetchone()
        refs = {}
        if row is not None:
            for column, value in zip(columns, row, strict=False):
                target = schema.reference_of(table, column)
                if target and value is not None:
                    declared = tables.BY_NAME[target]
                    found = reader.execute(
                        f'SELECT "{declared.display}" FROM "{target}" WHERE "{declared.key[0]}" = ?', (value,)
                    ).fetchone()
                    refs[column] = found[0] if found else str(value)
    finally:
        reader.execute("COMMIT")
    if row is None:
        return responses.rest_error(
            404, "The record instance does not exist. Provide a valid record instance ID.", "NONEXISTENT_ID"
        )
    body: dict[str, object] = {"links": [{"rel": "self", "href": f"{origin}/services/rest/record/v1/{kind}/{rid}"}]}
    for column, value in zip(columns, row, strict=False):
        if value is None:
            continue
        ctype = schema.TABLES[table][column]
        if _is_reference(table, column):
            if column == "status":
                text = schema.display_text("status", f"{TRANSACTION_TYPE[kind]}:{value}")
            else:
                text = refs.get(column, str(value))
            body[names[column]] = {"id": str(value), "refName": text}
        elif ctype == schema.BOOLEAN:
            body[names[column]] = value == "T"
        elif ctype == schema.DATE:
            body[names[column]] = formats.local_date(value, tz).isoformat()
        elif ctype == schema.DATETIME:
            body[names[column]] = formats.utc_iso(value).replace("+00:00", "Z")
        elif ctype == schema.DECIMAL:
            body[names[column]] = float(value)
        else:
            body[names[column]] = value
    return Reply(200, "application/vnd.oracle.resource+json; type=singular", responses.netsuite_json(body), rows=1)
