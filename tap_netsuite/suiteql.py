"""Building SuiteQL: column lists, literals and the keyset predicate.

Datetimes leave NetSuite in the user's date format and as a date only unless
they are selected through TO_CHAR, so every date and datetime column is
selected through one of the two formats below, and every datetime literal is
written back with TO_TIMESTAMP in the same format. NetSuite renders and reads
both in the account's time zone.
"""

from __future__ import annotations

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


def keyset_query(
    *,
    columns: str,
    table: str,
    where: str | None,
    replication_key: str,
    tiebreak: str = "id",
    since: str | None,
    after: tuple[str, int] | None = None,
    through: tuple[str, int] | None = None,
) -> str:
    """One page's query: rows from `since` on, after the key `after` and up to `through`, in key order.

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
    key = replication_key
    conditions = [f"({where})"] if where else []
    if since is not None:
        conditions.append(f"{key} >= {timestamp(since)}")
    if after is not None:
        conditions.append(f"{key} >= {timestamp(_shift(after[0], -1))}")
        conditions.append(_after(key, tiebreak, *after))
    if through is not None:
        conditions.append(f"{key} < {timestamp(_shift(through[0], 2))}")
        conditions.append(_through(key, tiebreak, *through))
    return f"SELECT {columns} FROM {table}{_where(conditions)} ORDER BY {rendered_second(key)}, {tiebreak}"


def boundaries_query(
    *,
    table: str,
    where: str | None,
    replication_key: str,
    tiebreak: str = "id",
    since: str | None,
    every: int,
    after_position: int = 0,
    starts_through: int = 0,
) -> str:
    """The key of every `every`-th row from `since` on: where to cut the range into full pages.

    One small answer (a row per `every` rows) lets the range be read as
    windows of exactly one page each, all of them requested at once. Pages of
    this answer continue after a position, not at an offset, so no cap applies.
    With `starts_through` = n, the rows at positions every + 1, ..., n * every + 1
    come too: the first rows of the n windows after the first, which a page read by
    offset beside this query must begin with to be taken as its window
    (`NetSuiteClient._offset_window`).
    """
    conditions = [f"({where})"] if where else []
    if since is not None:
        conditions.append(f"{replication_key} >= {timestamp(since)}")
    # The key is rendered for ordering every row, but as a column only for the rows kept.
    ranked = (
        f"SELECT {replication_key} AS moment, {tiebreak} AS tiebreak, "
        f"ROW_NUMBER() OVER (ORDER BY {rendered_second(replication_key)}, {tiebreak}) AS position "
        f"FROM {table}{_where(conditions)}"
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
