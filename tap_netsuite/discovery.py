"""Discovery: which tables and columns this role can read, and each column's type.

What works with the integration's own credentials (docs/netsuite.md §10) is a known list of
tables (the catalogue), the `customfield` and `customrecordtype` tables, and one-row probes.
So discovery:

1. reads `customfield`, `customrecordtype` and `customlist` side by side;
2. probes each table to read (the catalogue's, one per custom record type and custom list,
   as the `tables` setting allows) with `SELECT <its columns> FROM t WHERE ROWNUM <= 1`,
   the probes side by side within `max_concurrency`. A column named by `Unknown identifier`
   is dropped and the table probed again without it; a table NetSuite says is not there
   (`Record 'x' was not found`, `Invalid search type`) is left out with one log line naming
   the permission to grant. Any other failure is an error: a 500 is retried by the client
   and never read as a hidden column.

A custom field is a candidate column of every table its script-id prefix attaches to (the
catalogue's `custom`); where the probe says it is unknown it is simply not that table's. A
standard column, or a custom field found on no table, that the role cannot see is left out
with a warning naming it.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import re
import typing as t

from tap_netsuite.catalogue import TABLES, Table, allowed, custom_list, custom_record, entry_for, permission_for
from tap_netsuite.columns import base_properties, field_kind, json_property
from tap_netsuite.errors import NetSuiteQueryError
from tap_netsuite.paging import all_rows

if t.TYPE_CHECKING:
    import logging
    from pathlib import Path

    from tap_netsuite.client import NetSuiteClient

_UNKNOWN = re.compile(r"Unknown identifier '([^']+)'")
_NOT_THERE = ("was not found", "Invalid search type")

CUSTOMFIELD_PERMISSION = "Customization > Custom Fields (View)"
CUSTOMRECORDTYPE_PERMISSION = "Customization > Custom Record Types (View)"
CUSTOMLIST_PERMISSION = "Setup > Custom Lists (View)"


@dataclasses.dataclass(frozen=True)
class Found:
    """A stream discovery found: its catalogue entry and the JSON Schema properties of its columns."""

    entry: Table
    properties: dict[str, dict]


@dataclasses.dataclass
class Cost:
    """What discovery left out: tables the role cannot read, columns it cannot see (by table)."""

    unreadable: list[str] = dataclasses.field(default_factory=list)
    hidden: dict[str, list[str]] = dataclasses.field(default_factory=dict)


def not_there(exc: NetSuiteQueryError) -> bool:
    """Whether NetSuite said the table itself is not there for this role."""
    return any(text in exc.detail for text in _NOT_THERE)


def unknown_column(exc: NetSuiteQueryError) -> str | None:
    """The column an `Unknown identifier` error names, lower case, without a table alias."""
    match = _UNKNOWN.search(exc.detail)
    return match.group(1).rsplit(".", 1)[-1].strip('"').lower() if match else None


class Discovery:
    """One discovery of the account; `run()` gives the streams found, in catalogue order."""

    def __init__(
        self,
        client: NetSuiteClient,
        logger: logging.Logger,
        schema_dir: Path | t.Any,
        *,
        tables: list[str] | None = None,
        workers: int = 2,
    ) -> None:
        self.client = client
        self.logger = logger
        self.schema_dir = schema_dir
        self.patterns = tables
        self.workers = max(1, workers)
        self.cost = Cost()
        self.fields: dict[str, str] = {}  # every custom field's kind, by script id (after `run`)

    def run(self) -> list[Found]:
        with concurrent.futures.ThreadPoolExecutor(self.workers, thread_name_prefix="tap-netsuite-discover") as pool:
            fields, entries = self._account(pool)
            self.fields = fields
            by_table: dict[str, dict[str, dict]] = {}  # each SuiteQL table's candidate columns
            standard: dict[str, set[str]] = {}  # and which of them are standard (not custom fields)
            for entry in entries:
                columns = by_table.setdefault(entry.table, {})
                base = base_properties(entry, self.schema_dir)
                standard.setdefault(entry.table, set()).update(base)
                for name, prop in base.items():
                    columns.setdefault(name, prop)
                for name, kind in fields.items():
                    if entry.custom and name.startswith(entry.custom + "_"):
                        columns.setdefault(name, json_property(kind))
            probes = {table: pool.submit(self._probe, table, list(columns)) for table, columns in by_table.items()}
            visible = {table: probe.result() for table, probe in probes.items()}
        self._warn_hidden(visible, by_table, standard, fields, entries)
        out = []
        for entry in entries:
            seen = visible[entry.table]
            if seen is None:
                continue
            base = base_properties(entry, self.schema_dir)
            properties = {name: by_table[entry.table][name] for name in base if name in seen}
            missing = [key for key in (*entry.primary_keys, entry.replication_key) if key and key not in properties]
            if missing:
                self.logger.warning(
                    "%s: left out, the role cannot see its key column(s) %s.", entry.stream, ", ".join(missing)
                )
                continue
            custom = {
                name: prop
                for name, prop in by_table[entry.table].items()
                if name in seen and name not in base and entry.custom and name.startswith(entry.custom + "_")
            }
            out.append(Found(entry, {**properties, **custom}))
        return out

    def _account(self, pool: concurrent.futures.Executor) -> tuple[dict[str, str], list[Table]]:
        """The custom fields (script id -> kind) and the tables to probe, read side by side."""
        fields_read = pool.submit(
            self._rows,
            "SELECT scriptid, fieldvaluetype FROM customfield ORDER BY id",
            "customfield",
            CUSTOMFIELD_PERMISSION,
            "custom fields are left out",
        )
        records_read = pool.submit(
            self._rows,
            "SELECT scriptid FROM customrecordtype ORDER BY internalid",
            "customrecordtype",
            CUSTOMRECORDTYPE_PERMISSION,
            "custom record types are not read",
        )
        lists_read = pool.submit(self._custom_lists)
        fields = {str(row["scriptid"]).lower(): field_kind(row.get("fieldvaluetype")) for row in fields_read.result()}
        entries = list(TABLES)
        entries += [custom_record(str(row["scriptid"])) for row in records_read.result()]
        entries += [custom_list(name) for name in lists_read.result()]
        return fields, [entry for entry in entries if self._allowed(entry)]

    def _warn_hidden(
        self,
        visible: dict[str, set[str] | None],
        by_table: dict[str, dict[str, dict]],
        standard: dict[str, set[str]],
        fields: dict[str, str],
        entries: list[Table],
    ) -> None:
        """One warning per table naming the standard columns the role cannot see, and one naming
        the custom fields found on no table it reads."""
        for table, seen in visible.items():
            if seen is None:
                continue
            hidden = [name for name in by_table[table] if name not in seen and name in standard[table]]
            if hidden:
                self.cost.hidden[table] = hidden
                self.logger.warning(
                    "%s: the role cannot see column(s) %s (Unknown identifier); left out of the schema.",
                    table,
                    ", ".join(hidden),
                )
        found = {name for seen in visible.values() if seen is not None for name in seen}
        unseen = sorted(name for name in fields if name not in found and self._field_wanted(name, entries))
        if unseen:
            self.cost.hidden["custom fields"] = unseen
            self.logger.warning(
                "Custom field(s) %s: on no table this role reads (Unknown identifier); left out.", ", ".join(unseen)
            )

    def _allowed(self, table: Table) -> bool:
        return allowed(table.stream, self.patterns) or allowed(table.table, self.patterns)

    def _field_wanted(self, name: str, entries: list[Table]) -> bool:
        return any(entry.custom and name.startswith(entry.custom + "_") for entry in entries)

    def _rows(self, query: str, table: str, permission: str, consequence: str) -> list[dict]:
        """A small table's rows; [] with one warning when the role cannot read it."""
        try:
            rows = list(all_rows(self.client, query))
        except NetSuiteQueryError as exc:
            if not not_there(exc):
                raise
            self.logger.warning("Cannot read %s (grant %s): %s.", table, permission, consequence)
            return []
        return rows

    def _custom_lists(self) -> list[str]:
        """The custom lists to read: from `customlist`, and any `customlist_*` the `tables` setting names."""
        named = [p.lower() for p in self.patterns or () if p.lower().startswith("customlist_") and "*" not in p]
        if self.patterns and not any(p.lower().startswith("customlist") for p in self.patterns):
            return []
        try:
            rows = list(all_rows(self.client, "SELECT scriptid FROM customlist ORDER BY id"))
        except NetSuiteQueryError as exc:
            if not not_there(exc):
                raise
            self.logger.info(
                "Custom lists are not listed to this role (grant %s to read customlist); reading those "
                "the tables setting names: %s.",
                CUSTOMLIST_PERMISSION,
                ", ".join(named) or "none",
            )
            rows = []
        return list(dict.fromkeys([*(str(row["scriptid"]).lower() for row in rows), *named]))

    def _probe(self, table: str, columns: list[str]) -> set[str] | None:
        """The columns of `table` the role can see (of those asked), or None when it cannot read it.

        One query asks for them all; each column NetSuite names unknown is dropped and the rest
        asked again. That is the fewest requests one error at a time allows (1 + the columns
        missing), and within `max_concurrency` requests, not depth, are what discovery waits for.
        """
        try:
            return self._seen(table, columns)
        except _NotThere:
            permission = permission_for(table) or (entry_for(table) or custom_record(table)).permission
            self.logger.warning("%s: left out, this role cannot read it (grant %s).", table, permission)
            self.cost.unreadable.append(table)
            return None

    def _seen(self, table: str, columns: list[str]) -> set[str]:
        """The columns left once each one NetSuite says is unknown is dropped."""
        columns = list(columns)
        while columns:
            try:
                self.client.query_page(f"SELECT {', '.join(columns)} FROM {table} WHERE ROWNUM <= 1", limit=1)
            except NetSuiteQueryError as exc:
                if not_there(exc):
                    raise _NotThere from exc
                column = unknown_column(exc)
                if column is None or column not in columns:
                    raise
                columns.remove(column)
                continue
            return set(columns)
        return set()


class _NotThere(Exception):  # noqa: N818 - a signal inside discovery, not an error
    pass
