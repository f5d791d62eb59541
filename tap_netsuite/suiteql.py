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


def keyset_query(
    *,
    columns: str,
    table: str,
    where: str | None,
    replication_key: str,
    tiebreak: str = "id",
    since: str | None,
    window: tuple[str | None, str | None] = (None, None),
    after: tuple[str, int] | None = None,
) -> str:
    """One page's query: rows from `since` on, inside `window`, after the keyset `after`, in key order.

    The key is (the replication key as NetSuite renders it to the second in
    account time, `tiebreak`); `window` bounds that rendering as [low, high).
    The query orders and compares on exactly that key, so it is total and each
    row is read once:
    - whether or not NetSuite keeps sub-second precision that the rendering
      hides (rows of one rendered second are told apart by `tiebreak` alone);
    - when clocks fall back, where two real hours render alike: a literal in
      that hour can be read as either, so each range on the raw column (kept
      for NetSuite's index) is widened by an hour and the comparison on the
      rendering does the exact work.
    """
    key = replication_key
    rendered = rendered_second(key)
    conditions = [f"({where})"] if where else []
    if since is not None:
        conditions.append(f"{key} >= {timestamp(since)}")
    low, high = window
    if after is not None:
        low = None  # the keyset bound is tighter
        second, last = after
        conditions.append(f"{key} >= {timestamp(_shift(second, -1))}")
        conditions.append(
            f"({rendered} > {quote(second)} OR ({rendered} = {quote(second)} AND {tiebreak} > {int(last)}))"
        )
    if low is not None:
        conditions.append(f"{key} >= {timestamp(_shift(low, -1))} AND {rendered} >= {quote(low)}")
    if high is not None:
        conditions.append(f"{key} < {timestamp(_shift(high, 1))} AND {rendered} < {quote(high)}")
    sql = f"SELECT {columns} FROM {table}"
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    return sql + f" ORDER BY {rendered}, {tiebreak}"


def histogram_query(*, table: str, where: str | None, replication_key: str, since: str | None) -> str:
    """Rows per account-local day from `since` on: one cheap query that shows how rows spread."""
    day = f"TO_CHAR({replication_key}, {quote(DATE_FORMAT)})"
    conditions = [f"({where})"] if where else []
    if since is not None:
        conditions.append(f"{replication_key} >= {timestamp(since)}")
    sql = f"SELECT {day} AS day, COUNT(*) AS n FROM {table}"
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    return sql + f" GROUP BY {day} ORDER BY day"


def plan_windows(days: list[tuple[str, int]], rows_per_window: int) -> list[tuple[str | None, str | None]]:
    """Split per-day counts into consecutive [low, high) windows of about `rows_per_window` rows.

    Bounds are local midnights as the keyset renders them; the first window is
    open below and the last open above, so rows that change during the sync
    still land in the last one.
    """
    bounds: list[str] = []
    filled = 0
    for day, count in days:
        if filled >= rows_per_window:
            bounds.append(f"{day} 00:00:00")
            filled = 0
        filled += count
    edges: list[str | None] = [None, *bounds, None]
    return list(zip(edges[:-1], edges[1:]))
