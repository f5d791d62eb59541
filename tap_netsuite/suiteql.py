"""Building SuiteQL: column lists, literals and the keyset predicate.

Datetimes leave NetSuite in the user's date format and as a date only unless
they are selected through TO_CHAR, so every date and datetime column is
selected through one of the two formats below, and every datetime literal is
written back with TO_TIMESTAMP in the same format. NetSuite renders and reads
both in the account's time zone (docs/netsuite.md §3, "Dates, times and time zones").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing as t

DATETIME_FORMAT = "YYYY-MM-DD HH24:MI:SS"
DATE_FORMAT = "YYYY-MM-DD"
PY_DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # the Python spelling of DATETIME_FORMAT


def quote(value: str) -> str:
    """A SuiteQL string literal: single quotes doubled."""
    return "'" + str(value).replace("'", "''") + "'"


def timestamp(local: str) -> str:
    """A datetime literal read by NetSuite in the account's time zone."""
    dt.datetime.strptime(local, PY_DATETIME_FORMAT)  # refuse anything else early
    return f"TO_TIMESTAMP({quote(local)}, {quote(DATETIME_FORMAT)})"


def rendered_second(column: str) -> str:
    """A datetime column as its account-local second, the unit the keyset pages on."""
    return f"TO_CHAR({column}, {quote(DATETIME_FORMAT)})"


def select_list(properties: t.Mapping[str, dict]) -> str:
    """The SELECT list for a stream's JSON Schema properties, dates through TO_CHAR."""
    parts = []
    for name, prop in properties.items():
        fmt = prop.get("format")
        if fmt == "date-time":
            parts.append(f"{rendered_second(name)} AS {name}")
        elif fmt == "date":
            parts.append(f"TO_CHAR({name}, {quote(DATE_FORMAT)}) AS {name}")
        else:
            parts.append(name)
    return ", ".join(parts)


def _shift(local: str, hours: int) -> str:
    """A wall-clock time moved by whole hours, by the calendar, not the zone."""
    value = dt.datetime.strptime(local, PY_DATETIME_FORMAT) + dt.timedelta(hours=hours)
    return value.strftime(PY_DATETIME_FORMAT)


def _after(key: str, tiebreak: str, second: str, last: int) -> str:
    rendered = rendered_second(key)
    return f"({rendered} > {quote(second)} OR ({rendered} = {quote(second)} AND {tiebreak} > {int(last)}))"


def _through(key: str, tiebreak: str, second: str, last: int) -> str:
    rendered = rendered_second(key)
    return f"({rendered} < {quote(second)} OR ({rendered} = {quote(second)} AND {tiebreak} <= {int(last)}))"


def _where(conditions: list[str]) -> str:
    return " WHERE " + " AND ".join(conditions) if conditions else ""


@dataclasses.dataclass(frozen=True)
class KeysetSpec:
    """What a keyset read reads: `columns` of `table` where `where` holds, from `since` on.

    Rows are ordered by the key (`replication_key` rendered to the second in account time,
    `tiebreak`, an integer column unique within the query); each row's replication key must
    be selected in that rendered form (as `select_list` does), so that `key` can read it.
    `since` is account-local `YYYY-MM-DD HH:MM:SS`, or None for the whole table.
    """

    columns: str
    table: str
    where: str | None
    replication_key: str
    since: str | None
    tiebreak: str = "id"

    def key(self, row: t.Any) -> tuple[str, int]:
        """A row's keyset key: its rendered replication key and its tiebreak."""
        return row[self.replication_key], int(row[self.tiebreak])

    def tiebreak_columns(self) -> tuple[str, ...]:
        """The columns each row must carry for its tiebreak to be known."""
        return (self.tiebreak,)

    def conditions(self) -> list[str]:
        """The stream's filter and the lower bound `since`, as conditions to AND."""
        conditions = [f"({self.where})"] if self.where else []
        if self.since is not None:
            conditions.append(f"{self.replication_key} >= {timestamp(self.since)}")
        return conditions


def keyset_query(
    spec: KeysetSpec, *, after: tuple[str, int] | None = None, through: tuple[str, int] | None = None
) -> str:
    """One page's query: rows of `spec` after the key `after` and up to `through`, in key order.

    The key is (the replication key as NetSuite renders it to the second in
    account time, `tiebreak`), and the query orders and compares on exactly
    that key, so it is total and each row is read once:
    - whether or not NetSuite keeps sub-second precision that the rendering
      hides (rows of one rendered second are told apart by `tiebreak` alone);
    - when clocks fall back, where two real hours render alike: a literal in
      that hour can be read as either, so each range on the raw column (kept
      for NetSuite's index) is widened by an hour and the comparison on the
      rendering does the exact work.
    """
    key, tiebreak = spec.replication_key, spec.tiebreak
    conditions = spec.conditions()
    if after is not None:
        conditions.append(f"{key} >= {timestamp(_shift(after[0], -1))}")
        conditions.append(_after(key, tiebreak, *after))
    if through is not None:
        conditions.append(f"{key} < {timestamp(_shift(through[0], 2))}")
        conditions.append(_through(key, tiebreak, *through))
    return f"SELECT {spec.columns} FROM {spec.table}{_where(conditions)} ORDER BY {rendered_second(key)}, {tiebreak}"


def boundaries_query(spec: KeysetSpec, *, every: int, after_position: int = 0, starts_through: int = 0) -> str:
    """The key of every `every`-th row of `spec`: where to cut the range into full pages.

    One small answer (a row per `every` rows) lets the range be read as
    windows of exactly one page each, all of them requested at once. Pages of
    this answer continue after a position, not at an offset, so no cap applies.
    With `starts_through` = n, the rows at positions every + 1, ..., n * every + 1
    come too: the first rows of the n windows after the first, which a page read by
    offset beside this query must begin with to be taken as its window
    (`paging.KeysetReader.offset_window`).
    """
    key, tiebreak = spec.replication_key, spec.tiebreak
    # The key is rendered for ordering every row, but as a column only for the rows kept.
    ranked = (
        f"SELECT {key} AS moment, {tiebreak} AS tiebreak, "
        f"ROW_NUMBER() OVER (ORDER BY {rendered_second(key)}, {tiebreak}) AS position "
        f"FROM {spec.table}{_where(spec.conditions())}"
    )
    every = int(every)
    kept = f"TRUNC(position / {every}) * {every} = position"
    if starts_through > 0:
        kept = (
            f"({kept} OR (TRUNC((position - 1) / {every}) * {every} = position - 1 "
            f"AND position > {every} AND position <= {int(starts_through) * every + 1}))"
        )
    return (
        f"SELECT {rendered_second('moment')} AS second, tiebreak, position FROM ({ranked}) "
        f"WHERE {kept} AND position > {int(after_position)} ORDER BY position"
    )


@dataclasses.dataclass(frozen=True)
class WholeSpec:
    """What a whole-table read reads: `columns` of `table` where `where` holds, in key order.

    `keys` is the primary key, each column with its kind ("integer" columns are compared as
    numbers, any other as strings): unique, so a page continues exactly after the last row's key.
    """

    columns: str
    table: str
    where: str | None
    keys: tuple[tuple[str, str], ...]
    # What names the key's columns in the query, before their names (`a.` for a join's table
    # `a`); rows carry them under their names alone (selected `AS` them).
    qualifier: str = ""

    def sql_keys(self) -> list[str]:
        """The key's columns as the query names them."""
        return [self.qualifier + name for name, _ in self.keys]

    def key(self, row: t.Any) -> tuple:
        """A row's primary key, as its literals compare."""
        return tuple(int(row[name]) if kind == "integer" else row[name] for name, kind in self.keys)


def _literal(value: t.Any, kind: str) -> str:
    return str(int(value)) if kind == "integer" else quote(value)


def _key_beyond(spec: WholeSpec, values: tuple, *, through: bool = False) -> str:
    """Rows whose key is after `values` (through: at or before them), in the key's order.

    For a key (a, b): after is `a > x OR (a = x AND b > y)`, through is `a < x OR (a = x AND b <= y)`:
    conditions NetSuite can answer from the key's index.
    """
    alternatives = []
    names = spec.sql_keys()
    for n, (name, kind) in enumerate(zip(names, (kind for _, kind in spec.keys), strict=True)):
        equal = [f"{k} = {_literal(v, kk)}" for k, (_, kk), v in zip(names[:n], spec.keys[:n], values[:n], strict=True)]
        last = n == len(spec.keys) - 1
        op = ("<=" if last else "<") if through else ">"
        alternatives.append("(" + " AND ".join([*equal, f"{name} {op} {_literal(values[n], kind)}"]) + ")")
    return "(" + " OR ".join(alternatives) + ")"


def _whole_conditions(spec: WholeSpec, after: tuple | None, through: tuple | None) -> list[str]:
    conditions = [f"({spec.where})"] if spec.where else []
    if after is not None:
        conditions.append(_key_beyond(spec, after))
    if through is not None:
        conditions.append(_key_beyond(spec, through, through=True))
    return conditions


def whole_table_query(spec: WholeSpec, *, after: tuple | None = None, through: tuple | None = None) -> str:
    """One page of a whole-table read: the rows after the key `after` and through `through`, in key order."""
    order = ", ".join(spec.sql_keys())
    return f"SELECT {spec.columns} FROM {spec.table}{_where(_whole_conditions(spec, after, through))} ORDER BY {order}"


def whole_boundaries_query(spec: WholeSpec, *, after: tuple, every: int) -> str:
    """The key of every `every`-th row after the key `after`: where a whole-table read is cut into
    windows of one page each (see `boundaries_query`), asked as keys, not offsets."""
    keys = ", ".join(name for name, _ in spec.keys)
    named = ", ".join(
        f"{sql} AS {name}" if sql != name else name for sql, (name, _) in zip(spec.sql_keys(), spec.keys, strict=True)
    )
    order = ", ".join(spec.sql_keys())
    every = int(every)
    ranked = (
        f"SELECT {named}, ROW_NUMBER() OVER (ORDER BY {order}) AS position "
        f"FROM {spec.table}{_where(_whole_conditions(spec, after, None))}"
    )
    kept = f"TRUNC(position / {every}) * {every} = position"
    return f"SELECT {keys}, position FROM ({ranked}) WHERE {kept} ORDER BY position"
