"""Column kinds to JSON Schema: the one place a column's type is decided.

Types are chosen once, at discovery, and never change: target-postgres cannot alter a
column's type. Kinds are the catalogue's (`catalogue.KINDS` values); custom fields get
theirs from `customfield.fieldvaluetype` through `FIELD_VALUE_KINDS`.
"""

from __future__ import annotations

import json
import typing as t

from tap_netsuite.catalogue import KINDS, Table

if t.TYPE_CHECKING:
    from pathlib import Path

# customfield.fieldvaluetype -> kind. List/Record values are internal ids. Multiple Select is
# a string: the ids NetSuite sends, comma-separated, as they come (one stable type whatever
# the number of values; split it downstream). Time Of Day is a string too (no date to make a
# UTC instant of). Any value type not listed here is a string.
FIELD_VALUE_KINDS = {
    "Check Box": "boolean",
    "Integer Number": "integer",
    "Decimal Number": "number",
    "Currency": "number",
    "Percent": "number",
    "Date": "date",
    "Date/Time": "date-time",
    "List/Record": "integer",
    "Multiple Select": "string",
    "Email Address": "string",
    "Free-Form Text": "string",
    "Hyperlink": "string",
    "Long Text": "string",
    "Phone Number": "string",
    "Text Area": "string",
    "Time Of Day": "string",
    "Rich Text": "string",
    "Password": "string",
}

# Script-id prefix -> what NetSuite calls the fields that carry it (customfield.fieldtype).
CUSTOM_PREFIXES = ("custbody", "custcol", "custentity", "custitem", "custrecord", "custevent")


def field_kind(fieldvaluetype: str | None) -> str:
    """The kind of a custom field's column, from its `fieldvaluetype`."""
    return FIELD_VALUE_KINDS.get(fieldvaluetype or "", "string")


def json_property(kind: str, *, required: bool = False, description: str | None = None) -> dict:
    """A column's JSON Schema: integer, number (exact decimal), boolean, string with
    format date or date-time (UTC), or string; nullable unless `required`."""
    if kind not in KINDS.values():
        msg = f"unknown column kind {kind!r}"
        raise ValueError(msg)
    base = "string" if kind in ("date", "date-time") else kind
    prop: dict[str, t.Any] = {"type": [base] if required else [base, "null"]}
    if kind in ("date", "date-time"):
        prop["format"] = kind
    if description:
        prop["description"] = description
    return prop


def kind_of(prop: dict) -> str:
    """The kind a JSON Schema property stands for (the inverse of `json_property`)."""
    if prop.get("format") in ("date", "date-time"):
        return str(prop["format"])
    types = prop.get("type", [])
    types = [types] if isinstance(types, str) else list(types)
    for kind in ("boolean", "integer", "number"):
        if kind in types:
            return kind
    return "string"


def base_properties(table: Table, schema_dir: Path | t.Any) -> dict[str, dict]:
    """A catalogued table's standard columns as JSON Schema properties, before custom fields."""
    if not table.columns:
        return dict(json.loads((schema_dir / f"{table.stream}.json").read_text())["properties"])
    never_null = {*table.primary_keys, *([table.replication_key] if table.replication_key else [])}
    return {name: json_property(kind, required=name in never_null) for name, kind in table.column_kinds().items()}


def stream_schema(properties: dict[str, dict]) -> dict:
    """A stream's whole JSON Schema from its properties."""
    return {"type": "object", "additionalProperties": False, "properties": properties}
