"""From NetSuite's strings to the schema's types, and between UTC and account-local time.

SuiteQL sends every value as a string, checkboxes as T/F, and datetimes in the
account's time zone. One function turns a row into a record, driven by the
stream's JSON Schema rather than per-field code.
"""

from __future__ import annotations

import datetime as dt
import typing as t
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from tap_netsuite.errors import NetSuiteConfigError
from tap_netsuite.suiteql import PY_DATETIME_FORMAT

UTC = dt.timezone.utc


def local_to_utc(local: str, zone: dt.tzinfo) -> dt.datetime:
    """An account-local `YYYY-MM-DD HH:MM:SS` as an aware UTC datetime."""
    if len(local) != 19 or local[10] != " ":  # noqa: PLR2004 - exactly the TO_CHAR format
        msg = f"expected YYYY-MM-DD HH:MM:SS, got {local!r}"
        raise ValueError(msg)
    naive = dt.datetime.fromisoformat(local)  # far cheaper than strptime, same result here
    return naive.replace(tzinfo=zone).astimezone(UTC)


def filter_literal(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """The account-local literal for a `>=` filter that keeps every row at or after `moment`.

    In the hour repeated when clocks fall back, one wall-clock time names two
    moments and NetSuite may read the literal as either; the literal then steps
    back by the repeat so that both readings are at or before `moment`.
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    wall = moment.astimezone(zone).replace(tzinfo=None)
    first = wall.replace(tzinfo=zone, fold=0).utcoffset()
    second = wall.replace(tzinfo=zone, fold=1).utcoffset()
    if first is not None and second is not None and first != second:
        wall -= abs(first - second)
    return wall.strftime(PY_DATETIME_FORMAT)


def _types(prop: dict) -> list[str]:
    kind = prop.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def _boolean(value: str) -> bool:
    if value in ("T", "F"):
        return value == "T"
    msg = f"expected T or F, got {value!r}"
    raise ValueError(msg)


def _number(value: str) -> Decimal:
    try:
        return Decimal(value)  # exact; also takes NetSuite's "-.5"
    except InvalidOperation as exc:
        msg = f"expected a number, got {value!r}"
        raise ValueError(msg) from exc


def converter(prop: dict, zone: dt.tzinfo) -> t.Callable[[str], t.Any]:
    """The function that turns NetSuite's string into the type a JSON Schema property declares."""
    kinds = _types(prop)
    if "boolean" in kinds:
        return _boolean
    if "integer" in kinds:
        return int
    if "number" in kinds:
        return _number
    if prop.get("format") == "date-time":
        return lambda value: local_to_utc(value, zone).isoformat()
    if prop.get("format") == "date":
        return lambda value: dt.date.fromisoformat(value).isoformat()
    return str


def convert_value(value: str | None, prop: dict, zone: dt.tzinfo) -> t.Any:  # noqa: ANN401
    """One NetSuite string as the type its JSON Schema property declares; empty is null."""
    return None if value is None or value == "" else converter(prop, zone)(value)


class RecordConverter:
    """SuiteQL rows to records for one schema: every column typed, columns left out null.

    The per-column functions are chosen once, not per value: this runs for
    every column of every row.
    """

    def __init__(self, properties: t.Mapping[str, dict], zone: dt.tzinfo) -> None:
        self._columns = [(name, converter(prop, zone)) for name, prop in properties.items()]

    def __call__(self, row: dict) -> dict:
        record = {}
        for name, convert in self._columns:
            value = row.get(name)
            try:
                record[name] = None if value is None or value == "" else convert(value)
            except ValueError as exc:
                msg = f"column {name!r} of row id {row.get('id')!r}: {exc}"
                raise ValueError(msg) from exc
        return record


def to_record(row: dict, properties: t.Mapping[str, dict], zone: dt.tzinfo) -> dict:
    """One SuiteQL row as a record (see RecordConverter, which streams use)."""
    return RecordConverter(properties, zone)(row)


def zone_from_setting(name: str) -> dt.tzinfo:
    """The IANA zone a user named in `account_timezone`, or a clear error."""
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError) as exc:
        msg = (
            f"account_timezone {name!r} is not an IANA time zone name. Use the zone shown "
            "in NetSuite at Home > Set Preferences > Time Zone, such as America/Los_Angeles."
        )
        raise NetSuiteConfigError(msg) from exc


def zone_from_clock(account_now: str, utc_now: dt.datetime) -> dt.timezone:
    """A fixed-offset zone from the account's clock, rounded to 15 minutes."""
    local = dt.datetime.strptime(account_now, PY_DATETIME_FORMAT)
    minutes = round((local - utc_now.replace(tzinfo=None)).total_seconds() / 900) * 15
    return dt.timezone(dt.timedelta(minutes=minutes))
