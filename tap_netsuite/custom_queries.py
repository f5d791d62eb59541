"""The `custom_queries` setting: streams of the user's own SuiteQL SELECTs.

Each query is read through a derived table, `SELECT <columns> FROM (<query>) WHERE <keyset>
ORDER BY <key>`, so it is paged by keyset like a table (no 100,000-row cap): whole every run
by its primary key, or incrementally on its replication key with its one integer key as the
tiebreak. A query that cannot be paged that way is refused, with the reason, before any
request: no primary key, a `WITH` clause (SuiteQL has none), an `ORDER BY` of its own (the
keyset orders), more than one statement, an incremental query without one integer key.

Columns are typed by the entry's `schema` (JSON Schema properties) when given; else each
column of the SELECT list is typed by its name: a column of a table the query reads (the
catalogue), a custom field (`customfield`), or else a string.
"""

from __future__ import annotations

import re
import typing as t

from tap_netsuite.catalogue import TABLES, Table
from tap_netsuite.columns import base_properties, json_property, kind_of
from tap_netsuite.errors import NetSuiteConfigError

if t.TYPE_CHECKING:
    from pathlib import Path

_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_TABLES_READ = re.compile(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*)", re.IGNORECASE)


def _strip_strings(query: str) -> str:
    """The query with its string literals emptied, so that keywords inside them are not read."""
    return re.sub(r"'(?:[^']|'')*'", "''", query)


def select_columns(query: str) -> list[tuple[str, str]] | None:
    """(output name, the expression's last identifier) of each item of the top-level SELECT
    list; None when the list cannot be read this way (`*`)."""
    text = _strip_strings(query)
    match = re.match(r"\s*select\s+(?:distinct\s+)?(.*?)\s+from\s", text, re.IGNORECASE | re.DOTALL)
    if not match:
        return None
    items, depth, current = [], 0, ""
    for char in match.group(1):
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            items.append(current)
            current = ""
        else:
            current += char
    items.append(current)
    out = []
    for item in (item.strip() for item in items):
        if item.endswith("*"):
            return None
        alias = re.search(r"\s+(?:as\s+)?([a-z_][a-z0-9_]*)$", item, re.IGNORECASE)
        name = (alias.group(1) if alias and not item.endswith(")") else item.rsplit(".", 1)[-1]).lower()
        first = item.split()[0].rsplit(".", 1)[-1].lower()
        out.append((name, first if _NAME.fullmatch(first) else name))
    return out


def validate(entry: dict) -> None:
    """Refuse, before any request, a custom query the tap cannot page by keyset."""
    name = str(entry.get("name") or "")
    query = _query(entry)
    why = _name_problem(name) or _text_problem(query) or _key_problem(entry, query)
    if why:
        msg = f"custom_queries entry {name!r} cannot be paged safely: {why}"
        raise NetSuiteConfigError(msg)


def _query(entry: dict) -> str:
    return str(entry.get("query") or "").strip().rstrip(";").strip()


def _name_problem(name: str) -> str | None:
    if not _NAME.fullmatch(name):
        return "its name must be lower-case letters, digits and _ (it names a stream and a table)"
    if any(table.stream == name for table in TABLES) or name.startswith(("customrecord", "customlist")):
        return "its name is a stream the tap already reads; choose another"
    return None


def _text_problem(query: str) -> str | None:
    text = _strip_strings(query)
    checks = (
        (re.match(r"\s*with\b", text, re.IGNORECASE), "a WITH clause: SuiteQL has none; use derived tables"),
        (not re.match(r"\s*select\b", text, re.IGNORECASE), "it is not a SELECT"),
        (";" in text, "more than one statement"),
        (
            re.search(r"\border\s+by\b", re.sub(r"\([^()]*\)", "", text), re.IGNORECASE),
            "an ORDER BY of its own: leave it out, the tap orders the rows by the primary keys",
        ),
    )
    return next((why for failed, why in checks if failed), None)


def _key_problem(entry: dict, query: str) -> str | None:
    keys = [str(key).lower() for key in entry.get("primary_keys") or []]
    if not keys:
        return "no primary_keys: the columns unique together in its rows, that the keyset pages by"
    schema = {str(name).lower(): prop for name, prop in (entry.get("schema") or {}).items()}
    listed = select_columns(query)
    if not schema and (not listed or any(not _NAME.fullmatch(column) for column, _ in listed)):
        return "name each column of its SELECT list (no *; AS name for expressions), or give a schema"
    columns = set(schema) if schema else {column for column, _ in listed or []}
    replication = str(entry.get("replication_key") or "").lower()
    missing = [key for key in (*keys, *([replication] if replication else [])) if key not in columns]
    if missing:
        return f"{', '.join(missing)} not among its columns ({', '.join(sorted(columns))})"
    if replication and len(keys) != 1:
        return "an incremental query needs one integer primary key, the keyset's tiebreak"
    if (
        replication
        and schema
        and (kind_of(schema[replication]) != "date-time" or kind_of(schema[keys[0]]) != "integer")
    ):
        return "its replication_key must be a date-time column and its key an integer"
    return None


def entry_table(entry: dict) -> Table:
    """The catalogue entry a custom query is read as: its query as a derived table."""
    query = _query(entry)
    keys = tuple(key.lower() for key in entry["primary_keys"])
    replication = entry.get("replication_key")
    return Table(
        stream=str(entry["name"]),
        table=f"({query})",
        permission="the permissions of the tables the query reads",
        primary_keys=keys,
        replication_key=replication.lower() if replication else None,
        tiebreak=keys[0],
        selected_by_default=True,
    )


def properties(entry: dict, fields: dict[str, str], schema_dir: Path | t.Any) -> dict[str, dict]:
    """A custom query's columns as JSON Schema properties: declared, or typed by their names."""
    table = entry_table(entry)
    never_null = {*table.primary_keys, *([table.replication_key] if table.replication_key else [])}
    if entry.get("schema"):
        return {name.lower(): dict(prop) for name, prop in entry["schema"].items()}
    read = {name.lower() for name in _TABLES_READ.findall(_strip_strings(str(entry["query"])))}
    known: dict[str, dict] = {}
    for catalogued in TABLES:
        if catalogued.table in read:
            for name, prop in base_properties(catalogued, schema_dir).items():
                known.setdefault(name, prop)
    out = {}
    for name, source in select_columns(str(entry["query"])) or []:
        if source in known:
            out[name] = {**known[source], "type": [kind for kind in known[source]["type"] if kind != "null"] + ["null"]}
        elif source in fields:
            out[name] = json_property(fields[source])
        else:
            out[name] = json_property("string")
        if name in never_null:
            out[name]["type"] = [kind for kind in out[name]["type"] if kind != "null"]
    return out
