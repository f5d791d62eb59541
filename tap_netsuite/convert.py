"""From NetSuite's strings to the schema's types, and between UTC and account-local time.

SuiteQL sends every value as a string, checkboxes as T/F, and datetimes in the
account's time zone. One function turns a row into a record, driven by the
stream's JSON Schema rather than per-field code.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
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


_HOUR = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}")  # "YYYY-MM-DD HH", the TO_CHAR format's start
# Every valid ":MM:SS" end of that format, to tell at once whether a value can take the shortcut.
_MINUTES_AND_SECONDS = frozenset(f":{m:02}:{s:02}" for m in range(60) for s in range(60))
_ONE_HOUR = dt.timedelta(hours=1)
_TO_LAST_SECOND = dt.timedelta(minutes=59, seconds=59)


class LocalToUtcText:
    """`local_to_utc(local, zone).isoformat()`, byte for byte, remembered per local hour.

    In almost every hour of a zone's year, every wall-clock time is the same whole
    number of hours from UTC, so minutes and seconds pass through unchanged: the
    UTC text is the hour's UTC `YYYY-MM-DDTHH`, worked out once, plus the value's
    own `:MM:SS` and `+00:00`. An hour takes that shortcut only when the offset
    that `local_to_utc` reads (fold 0: the first pass of a repeated hour, the
    offset before the change in a skipped one) is the same at HH:00:00 and at
    HH:59:59 and is whole hours. That offset is a step function of the wall
    clock, so it is the same all through such an hour (unless it changed and
    changed back within the hour, which no zone in the tz database does). Hours
    with a change, and zones a half or quarter hour from UTC such as Asia/Kolkata,
    go the exact way every time.
    """

    HOURS_KEPT = 20_000  # over two years of distinct hours, about 4 MB; all forgotten at once past that

    def __init__(self, zone: dt.tzinfo) -> None:
        self.zone = zone
        # Only zones whose utcoffset() reads nothing but a datetime's fields and fold.
        self._shortcut = type(zone) in (ZoneInfo, dt.timezone)
        self._hours: dict[str, str] = {}  # "YYYY-MM-DD HH" -> UTC "YYYY-MM-DDTHH", or "" for the exact way

    def convert(self, local: str) -> str:
        minutes_and_seconds = local[13:]
        if minutes_and_seconds in _MINUTES_AND_SECONDS:  # also means len(local) == 19
            utc_hour = self._hours.get(local[:13])
            if utc_hour is None:
                utc_hour = self._learn(local[:13])
            if utc_hour:
                return utc_hour + minutes_and_seconds + "+00:00"
        return local_to_utc(local, self.zone).isoformat()

    def _learn(self, hour: str) -> str:
        if len(self._hours) >= self.HOURS_KEPT:
            self._hours.clear()
        self._hours[hour] = utc_hour = self._utc_hour(hour)
        return utc_hour

    def _utc_hour(self, hour: str) -> str:
        """The UTC `YYYY-MM-DDTHH` of a local `YYYY-MM-DD HH` that can take the shortcut, else ""."""
        if not self._shortcut or not _HOUR.fullmatch(hour):
            return ""
        try:
            start = dt.datetime.fromisoformat(hour + ":00:00")  # naive, fold 0
            offset = self.zone.utcoffset(start)
            if offset != self.zone.utcoffset(start + _TO_LAST_SECOND):
                return ""
            if offset is None or offset % _ONE_HOUR:
                return ""
            return (start - offset).isoformat()[:13]
        except (ValueError, OverflowError):  # the exact way raises its own error for such values
            return ""


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


@functools.lru_cache(maxsize=4096)
def _date(value: str) -> str:
    """A NetSuite date checked and written as ISO; remembered, as few distinct dates recur."""
    return dt.date.fromisoformat(value).isoformat()


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
        return LocalToUtcText(zone).convert
    if prop.get("format") == "date":
        return _date
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
        """One record from one row, in one comprehension: the loop below, less its per-value `try`."""
        get = row.get
        try:
            return {name: None if (value := get(name)) is None or value == "" else convert(value)
                    for name, convert in self._columns}
        except ValueError:
            return self._column_by_column(row)  # fails again, now naming the column

    def _column_by_column(self, row: dict) -> dict:
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
