"""The record API and metadata catalog (netsuite-api.md §9) for customer and invoice.

Property names are camelCase; values have real JSON types; datetimes are ISO 8601 UTC
(`2024-01-01T10:00:00Z`), dates `YYYY-MM-DD`; references are `{"id", "refName"}` objects and
NULL fields are left out, as the record API shows them.
"""

from __future__ import annotations

import re

from . import formats, responses, schema
from .responses import Reply

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
for _type, (_table, _, _names) in RECORDS.items():  # custom fields keep their script ids
    _names.update({c: c for c in schema.TABLES[_table] if c.startswith(("custentity_", "custbody_"))})
_REFERENCE_LOOKUP = {("transaction", "status"): "status"}
_JSON_TYPE = {
    schema.INTEGER: "integer",
    schema.STRING: "string",
    schema.BOOLEAN: "boolean",
    schema.DECIMAL: "number",
    schema.DATE: "string",
    schema.DATETIME: "string",
}
_ITEM = re.compile(r"/services/rest/record/v1/([a-z]+)/(\d+)")
_CATALOG = re.compile(r"/services/rest/record/v1/metadata-catalog/([a-z]+)")


def handle(state, path: str, origin: str) -> Reply:
    m = _CATALOG.fullmatch(path)
    if m:
        return catalog(m.group(1), origin)
    m = _ITEM.fullmatch(path)
    if m and m.group(1) in RECORDS:
        return record(state, m.group(1), int(m.group(2)), origin)
    return responses.rest_error(404, f"The requested path {path} does not exist.", "NONEXISTENT_ID")


def catalog(kind: str, origin: str) -> Reply:
    if kind not in RECORDS:
        return responses.rest_error(400, f"Record type '{kind}' does not exist.", "INVALID_PARAMETER")
    table, _, names = RECORDS[kind]
    properties = {}
    for column, camel in names.items():
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
        if column in schema.CUSTOM_FIELDS:
            prop["title"] = schema.CUSTOM_FIELDS[column][2]
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
    key = (table, column)
    return (key in schema.DISPLAY_REFERENCE or key in schema.DISPLAY_LOOKUP) and column not in ("type",)


def record(state, kind: str, rid: int, origin: str) -> Reply:
    table, where, names = RECORDS[kind]
    columns = list(names)
    tz = state.engine.settings.tz
    with state.lock:
        row = state.conn.execute(
            f'SELECT {", ".join(chr(34) + c + chr(34) for c in columns)} FROM "{table}" WHERE id = ? AND {where}',
            (rid,),
        ).fetchone()
        refs = {}
        if row is not None:
            for column, value in zip(columns, row):
                target = schema.DISPLAY_REFERENCE.get((table, column))
                if target and value is not None:
                    found = state.conn.execute(
                        f'SELECT "{schema.DISPLAY_COLUMN[target]}" FROM "{target}" WHERE id = ?', (value,)
                    ).fetchone()
                    refs[column] = found[0] if found else str(value)
            kind_code = row[columns.index("status")] if "status" in columns else None
    if row is None:
        return responses.rest_error(
            404, "The record instance does not exist. Provide a valid record instance ID.", "NONEXISTENT_ID"
        )
    body = {"links": [{"rel": "self", "href": f"{origin}/services/rest/record/v1/{kind}/{rid}"}]}
    for column, value in zip(columns, row):
        if value is None:
            continue
        ctype = schema.TABLES[table][column]
        if _is_reference(table, column):
            lookup = schema.DISPLAY_LOOKUP.get((table, column))
            if column == "status":
                text = schema.display_text("status", f"CustInvc:{kind_code}")
            elif lookup:
                text = schema.display_text(lookup, value)
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
