"""What tests do to the emulated account from outside NetSuite: change records, read the truth.

`canonical_rows` is the oracle a warehouse is compared against, so its values are typed, not
NetSuite's strings (see `schema` for each column's type):
integer -> JSON int; decimal -> string of the exact stored value without trailing zeros
("1250.5", "1250", "0.5"); boolean -> JSON true/false; date -> "YYYY-MM-DD" (the account-local
date); datetime -> "YYYY-MM-DDTHH:MM:SS+00:00" (UTC; fractional seconds only when stored);
string -> string; NULL -> null.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from . import formats, schema


class ControlError(ValueError):
    """A control request that makes no sense (unknown table, bad arguments)."""


def canonical_rows(conn: sqlite3.Connection, table: str, tz: ZoneInfo) -> list[dict]:
    """Every row of a table in id order, with the typed values described in the module doc."""
    if table not in schema.TABLES or table == "dual":
        raise ControlError(f"unknown table {table!r}")
    types = schema.TABLES[table]
    order = ", ".join(f'"{k}"' for k in schema.KEYS[table])
    columns = ", ".join(f'"{c}"' for c in types)
    cursor = conn.execute(f'SELECT {columns} FROM "{table}" ORDER BY {order}')
    return [
        {name: canonical_value(types[name], value, tz) for name, value in zip(types, row, strict=False)}
        for row in cursor
    ]


def canonical_value(kind: str, value: Any, tz: ZoneInfo) -> object:
    if value is None:
        return None
    if kind == schema.BOOLEAN:
        return value == "T"
    if kind == schema.DECIMAL:
        return formats.number_text(value)
    if kind == schema.DATE:
        return formats.local_date(value, tz).isoformat()
    if kind == schema.DATETIME:
        return formats.utc_iso(value)
    return value


def from_canonical(kind: str, value: Any, tz: ZoneInfo) -> Any:
    """The stored form of a canonical value (the inverse of `canonical_value`)."""
    if value is None:
        return None
    try:
        if kind == schema.BOOLEAN:
            if not isinstance(value, bool):
                raise ValueError("a boolean is expected")
            return "T" if value else "F"
        if kind == schema.DECIMAL:
            return float(value)
        if kind == schema.INTEGER:
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError("an integer is expected")
            return value
        if kind == schema.DATE:
            return formats.local_midnight(date.fromisoformat(str(value)), tz)
        if kind == schema.DATETIME:
            moment = datetime.fromisoformat(str(value))
            if moment.tzinfo is None:
                raise ValueError("a datetime needs an offset")
            stamp = moment.timestamp()
            return int(stamp) if stamp == int(stamp) else stamp
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ControlError(f"bad {kind} value {value!r}: {exc}") from None
