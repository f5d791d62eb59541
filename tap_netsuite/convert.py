"""From NetSuite's strings to the schema's types, and between UTC and account-local time.

SuiteQL sends every value as a string, checkboxes as T/F, and datetimes in the
account's time zone. One function turns a row into a record, driven by the
stream's JSON Schema rather than per-field code.

A whole page can also be decoded typed (`RecordConverter.page_decoder`): msgspec then reads
integer and number columns itself, in C. It reads them as `int()` and `Decimal()` do for
every text NetSuite sends, and refuses (the page then goes the row-by-row way, whose errors
name the column) what they refuse among those texts, but it is not `int()` for every text:
see `_PageColumns` for the few it takes that the row-by-row way refuses, and why.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import itertools
import operator
import re
import typing as t
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import msgspec

from tap_netsuite.errors import NetSuiteConfigError, NetSuiteDataError
from tap_netsuite.suiteql import PY_DATETIME_FORMAT

UTC = dt.timezone.utc


def local_to_utc(local: str, zone: dt.tzinfo) -> dt.datetime:
    """An account-local `YYYY-MM-DD HH:MM:SS` as an aware UTC datetime."""
    if len(local) != 19 or local[10] != " ":
        msg = f"expected YYYY-MM-DD HH:MM:SS, got {local!r}"
        raise ValueError(msg)
    naive = dt.datetime.fromisoformat(local)  # far cheaper than strptime, same result here
    return naive.replace(tzinfo=zone).astimezone(UTC)


_HOUR = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}")  # "YYYY-MM-DD HH", the TO_CHAR format's start
# Every valid ":MM:SS" end of that format, to tell at once whether a value can take the shortcut.
_MINUTES_AND_SECONDS = frozenset(f":{m:02}:{s:02}" for m in range(60) for s in range(60))
_UTC_ENDS = {end: end + "+00:00" for end in _MINUTES_AND_SECONDS}  # checked and completed in one lookup
_ONE_HOUR = dt.timedelta(hours=1)
_TO_LAST_SECOND = dt.timedelta(minutes=59, seconds=59)
_TO_LAST_SECOND_OF_DAY = dt.timedelta(hours=23, minutes=59, seconds=59)
_HOUR_STEPS = [dt.timedelta(hours=hour) for hour in range(24)]
_HOURS_OF_A_DAY = frozenset(f"{hour:02}" for hour in range(24))
_SPACE_HOURS = [f" {hour:02}" for hour in range(24)]  # "YYYY-MM-DD" + " HH": local hours
_T_HOURS = [f"T{hour:02}" for hour in range(24)]  # "YYYY-MM-DD" + "THH": UTC hours
_ONE_DAY = dt.timedelta(days=1)
_HOUR_OF = operator.itemgetter(slice(0, 13))  # "YYYY-MM-DD HH" of a value
_MINUTES_AND_SECONDS_OF = operator.itemgetter(slice(13, None))  # its ":MM:SS"
_NONES = itertools.repeat(None)  # to compare a column with, value by value, in C


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

    # About 13 years of distinct hours, at most about 19 MB; all forgotten at once past that. A
    # table read in key order (a whole table, by id) meets its dates in no order: hours are learnt
    # a day at a time, and a limit below the days the table spans x 24 forgot them all again and
    # again (20,000 did, on an account of three years: 6 us per value instead of 0.3).
    HOURS_KEPT = 120_000

    def __init__(self, zone: dt.tzinfo) -> None:
        self.zone = zone
        # Only zones whose utcoffset() reads nothing but a datetime's fields and fold.
        self._shortcut = type(zone) in (ZoneInfo, dt.timezone)
        self._hours: dict[str, str] = {}  # "YYYY-MM-DD HH" -> UTC "YYYY-MM-DDTHH", or "" for the exact way

    @classmethod
    def shared(cls, zone: dt.tzinfo) -> LocalToUtcText:
        """The one for `zone` in this process: what one stream's reader learnt, every other
        stream's uses (a whole account's tables meet the same days; each learnt them anew)."""
        found = _SHARED.get(zone)
        if found is None:
            found = _SHARED.setdefault(zone, cls(zone))  # two threads at once keep the same one
        return found

    def convert(self, local: str) -> str:
        minutes_and_seconds = local[13:]
        if minutes_and_seconds in _MINUTES_AND_SECONDS:  # also means len(local) == 19
            utc_hour = self._hours.get(local[:13])
            if utc_hour is None:
                utc_hour = self._learn(local[:13])
            if utc_hour:
                return utc_hour + minutes_and_seconds + "+00:00"
        return local_to_utc(local, self.zone).isoformat()

    def column(self, values: list) -> list:
        """`convert` over a page's column. When every value's hour is remembered and takes the
        shortcut, in a few passes of C (slices, lookups, joins: no Python call per value);
        else with the remembered hour looked up in line, and `convert` for the rest."""
        if None in values or "" in values:  # (a sparse column) None for those, the rest as a column
            present = list(filter(None, values))
            by_value = dict(zip(present, self.column(present), strict=True))
            return list(map(by_value.get, values))
        ends = list(map(_UTC_ENDS.get, map(_MINUTES_AND_SECONDS_OF, values)))
        if None not in ends:  # every value is YYYY-MM-DD HH:MM:SS, as far as :MM:SS
            local_hours = list(map(_HOUR_OF, values))
            utc_hours = list(map(self._hours.get, local_hours))
            if None in utc_hours:  # hours not met before (a page read by id meets new days): learnt, looked up again
                for hour in set(itertools.compress(local_hours, map(operator.is_, utc_hours, _NONES))):
                    if hour not in self._hours:
                        self._learn(hour)
                utc_hours = list(map(self._hours.get, local_hours))
            if None not in utc_hours and "" not in utc_hours:
                return list(map(operator.add, utc_hours, ends))
        convert, hours, utc_ends = self.convert, self._hours.get, _UTC_ENDS.get
        return [
            utc_hour + utc_end
            if (utc_end := utc_ends(value[13:])) and (utc_hour := hours(value[:13]))
            else convert(value)
            for value in values
        ]

    def _learn(self, hour: str) -> str:
        if len(self._hours) > self.HOURS_KEPT - 24:
            self._hours.clear()
        day = self._utc_day(hour[:10]) if hour[11:13] in _HOURS_OF_A_DAY and hour[10] == " " else None
        if day is not None:  # the whole local day at once: rows near in time come in key order
            self._hours.update(zip(day[0], day[1], strict=True))
            return self._hours[hour]
        self._hours[hour] = utc_hour = self._utc_hour(hour)
        return utc_hour

    def _utc_day(self, day: str) -> tuple[list[str], list[str]] | None:
        """Each local `YYYY-MM-DD HH` of a day and its UTC `YYYY-MM-DDTHH`, when one whole-hour
        offset holds all day; else None, and each hour is learnt on its own by `_utc_hour`.

        Learning an hour costs a few microseconds, about as much as a whole day learnt this way.
        The offset is read at every HH:00:00 and at 23:59:59: the same one for all 25 means
        each hour's shortcut test (same offset at HH:00:00 and HH:59:59) would pass, under the
        same assumption as that test (no offset changes and changes back within an hour).
        """
        if not self._shortcut or not _HOUR.fullmatch(day + " 00"):
            return None
        try:
            midnight = dt.datetime.fromisoformat(day + " 00:00:00")
            utcoffset = self.zone.utcoffset
            offset = utcoffset(midnight)
            if offset is None or offset % _ONE_HOUR or utcoffset(midnight + _TO_LAST_SECOND_OF_DAY) != offset:
                return None
            if any(utcoffset(midnight + hours) != offset for hours in _HOUR_STEPS):
                return None
            # The day's 24 UTC hours run on from its first, over one or two UTC dates: strings
            # joined from those dates, as formatting 24 datetimes cost several times more.
            first = midnight - offset
            today, tomorrow = first.date().isoformat(), (first + _ONE_DAY).date().isoformat()
            utc = [today + hour for hour in _T_HOURS[first.hour :]] + [
                tomorrow + hour for hour in _T_HOURS[: first.hour]
            ]
            return [day + hour for hour in _SPACE_HOURS], utc
        except (ValueError, OverflowError):  # the first or last day of the calendar: hour by hour
            return None

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


_SHARED: dict[dt.tzinfo, LocalToUtcText] = {}  # LocalToUtcText.shared, by zone


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


def converter(prop: dict, zone: dt.tzinfo, times: LocalToUtcText | None = None) -> t.Callable[[str], t.Any]:
    """The function that turns NetSuite's string into the type a JSON Schema property declares.

    `times`: the LocalToUtcText for `zone` that date-time columns share, else a new one.
    """
    kinds = _types(prop)
    if "boolean" in kinds:
        return _boolean
    if "integer" in kinds:
        return int
    if "number" in kinds:
        return _number
    if prop.get("format") == "date-time":
        return (times or LocalToUtcText(zone)).convert
    if prop.get("format") == "date":
        return _date
    return str


class RecordConverter:
    """SuiteQL rows to records for one schema: every column typed, columns left out null.

    The per-column functions are chosen once, not per value: this runs for
    every column of every row. A whole page is converted faster by `records`
    when it was decoded by `page_decoder`.
    """

    def __init__(self, properties: t.Mapping[str, dict], zone: dt.tzinfo, keep_text: t.Collection[str] = ()) -> None:
        """`keep_text`: columns whose rows a reader needs as NetSuite sent them (a whole-table
        read's number keys, written back into its queries): `page_decoder` leaves them text."""
        times = LocalToUtcText.shared(zone)  # one for all date-time columns of every stream: the same hours
        self._columns = [(name, converter(prop, zone, times)) for name, prop in properties.items()]
        # In the comprehension, Decimal itself: one call less per number; its InvalidOperation
        # sends the row to _column_by_column like a ValueError, and _number's message is given there.
        self._direct = [(name, Decimal if convert is _number else convert) for name, convert in self._columns]
        # Column names become a Struct's attribute names; any other name (never seen in SuiteQL)
        # leaves the page decoder out, and pages are read the ordinary way.
        names_fit = all(name.isidentifier() and not name.startswith("_") for name, _ in self._columns)
        self._page = _PageColumns(self._columns, times, keep_text) if names_fit else None
        self.row_type = self._page.row_type if self._page else None
        self.page_decoder = self._page.decoder if self._page else None

    def __call__(self, row: dict) -> dict:
        """One record from one row, in one comprehension: the loop below, less its per-value `try`."""
        get = row.get
        try:
            return {
                name: None if (value := get(name)) is None or value == "" else convert(value)
                for name, convert in self._direct
            }
        except (ValueError, ArithmeticError):  # InvalidOperation, OverflowError among them
            return self._column_by_column(row)  # fails again, now naming the column

    def records(self, rows: list) -> t.Iterable[dict]:
        """The records of a page's rows, in order: a list, made column by column, when
        `page_decoder` typed the rows; else, and whenever that way fails, made row by row
        as they are taken, so that a bad value raises its error (naming the column) after
        the records before it have been taken, as when each row was converted on its own."""
        if rows and self._page and type(rows[0]) in self._page.row_types:
            try:
                return self._page.records(rows)
            except Exception:  # noqa: BLE001 - the row-by-row way gives the same records, or the error
                return map(self, map(_as_row, rows))
        return map(self, rows)

    def rows(self, rows: list) -> t.Iterable[t.Any]:
        """A page's records, as `records` gives them, but as the typed rows themselves (each
        column converted in place) when `page_decoder` typed them: no dict per record. A row
        is read like a record (`row["name"]`, `row.get("name")`) and encodes to the same JSON
        object (`msgspec.json.encode`: its columns in the schema's order, None as null);
        `as_records` makes them dicts. Else, and whenever that way fails, what `records` gives."""
        if rows and self._page and type(rows[0]) in self._page.row_types:
            try:
                return self._page.converted(rows)
            except Exception:  # noqa: BLE001 - the row-by-row way gives the same records, or the error
                return map(self, map(_as_row, rows))
        return map(self, rows)

    def _column_by_column(self, row: dict) -> dict:
        record = {}
        for name, convert in self._columns:
            value = row.get(name)
            try:
                record[name] = None if value is None or value == "" else convert(value)
            except (ValueError, ArithmeticError) as exc:  # OverflowError: a date at the calendar's end
                msg = f"column {name!r} of row id {row.get('id')!r}: {exc}"
                raise NetSuiteDataError(msg) from None
        return record


class _Row(msgspec.Struct, gc=False):
    """A SuiteQL row, read by column name: integer and number columns as int and Decimal, every
    other column as NetSuite sent it (a string), None when left out.

    Each stream's row type (made by `_PageColumns`) has an attribute per selected column;
    unknown keys such as `links` are skipped while decoding. No cycles: no GC tracking.
    """

    def __getitem__(self, column: str) -> t.Any:
        try:
            return getattr(self, column)
        except AttributeError:
            raise KeyError(column) from None  # as a row's dict would

    def get(self, column: str, default: t.Any = None) -> t.Any:
        return getattr(self, column, default)


def as_records(page: t.Iterable[t.Any]) -> t.Iterable[dict]:
    """A page of `RecordConverter.rows` as dict records: a typed row becomes the record
    `RecordConverter.records` would have made of it."""
    if type(page) is list and page and isinstance(page[0], _Row):
        return list(map(msgspec.structs.asdict, page))
    return page


def _as_row(row: _Row) -> dict:
    """A typed row as a dict row for `RecordConverter.__call__`: int() and Decimal() give its ints
    and Decimals back unchanged; its id as text, so that an error names the row as it always did."""
    values = msgspec.structs.asdict(row)
    if type(values.get("id")) is int:
        values["id"] = str(values["id"])
    return values


_consume: t.Callable[[t.Iterable[t.Any]], None] = collections.deque(maxlen=0).extend  # runs an iterator to its end


class _PageColumns:
    """A page of rows decoded straight into a per-schema Struct, then converted a column at a time.

    msgspec decodes the items into one Struct class whose fields are the selected columns in
    schema order. Integer columns are `int | None` and number columns `Decimal | None`, read by
    msgspec itself from NetSuite's strings (lax mode, `strict=False`: a string to an int); every
    other column is `str | None`, converted afterwards. A value of another JSON type than the
    field's (a number in a string column, a list), or a string msgspec cannot read as the
    column's type ("abc", "", " 12", "+5", "007", "1.5" in an integer column; "abc", "" in a
    number column), fails validation and the page is decoded as plain JSON instead (see
    `client._decode`), its rows converted row by row: the same records, or the error naming the
    column. `msgspec.structs.asdict` then gives each record with every column in order, None
    where NetSuite left it out, as `RecordConverter.__call__` would, integers and numbers done;
    each other typed column is converted by one `map` of the same function over the page's
    values, written back without a Python loop. Values the row-by-row way would turn into None
    ("" and null) take a per-value comprehension for their column; anything that raises sends
    the whole page to the row-by-row way. A page is first decoded into the clean row type, whose
    text columns refuse "" (a length msgspec checks as it reads): its string columns then need
    no pass at all, and only a page holding a "" is decoded again, into the row type.

    What msgspec reads otherwise than `int()` and `Decimal()`, and what is done about it:
    - "-0" in a number column: lax mode reads it as Decimal('0'), losing the sign that
      `Decimal("-0")` keeps. A body holding the string "-0" is refused by `decoder` (one
      search of the body) and goes the row-by-row way: every Decimal is `Decimal(text)`.
    - Integral values written as JSON numbers in text, "1.0", "1e3", "-2.50E1", in an integer
      column: msgspec reads them as their integer (1, 1000, -25) where `int()` fails. Taken:
      the value is an integer, no digit is lost, and NetSuite writes integer columns as
      plain digits, so only a column whose schema type is wrong could send them. A
      non-integral one ("1.5", "1e-3") is refused, so the column's error is raised as before.
    - The text "null" (any case) in an integer or number column: read as null (None), where
      the row-by-row way fails. Taken: NetSuite writes no such text for a number, and a JSON
      null, which both ways read as None, must stay on this way (NetSuite may send nulls).
    - A JSON number (not a string) in an integer or number column: read by msgspec, from its
      text: 5 as 5 (as `int(5)`), 0.1 as Decimal('0.1') where the row-by-row way gives
      Decimal(0.1), the binary float's 55 digits. Taken: NetSuite sends strings only, and the
      number's own text is what it meant.
    Everything else an integer or number column can hold gives what `int()` or `Decimal()`
    gives, exponent, trailing zeros and sign included (tests/test_record_speedups.py).
    `hasMore` is decoded as any JSON value, not as a bool (lax mode would read the string
    "true" as True): `paging._has_more` refuses anything but a JSON boolean, as for plain JSON.
    """

    def __init__(
        self,
        columns: list[tuple[str, t.Callable[[str], t.Any]]],
        times: LocalToUtcText,
        keep_text: t.Collection[str] = (),
    ) -> None:
        # Read by msgspec in C: their values need no pass of their own in `records`.
        in_decoder: dict[t.Callable[[str], t.Any], t.Any] = {int: int | None, _number: Decimal | None}
        kinds = {name: in_decoder.get(convert) if name not in keep_text else None for name, convert in columns}
        fields = [(name, kinds[name] or (str | None), None) for name, _ in columns]
        self.row_type = msgspec.defstruct("Row", fields, bases=(_Row,))
        # The same row when no text column holds "" (msgspec checks each value's length as it
        # decodes): a string column's values are then the records' as they are, with no pass.
        not_empty = [(name, _NOT_EMPTY | None, None) for name, kind, _ in fields if kind == str | None]
        self.clean_row_type = msgspec.defstruct("CleanRow", not_empty, bases=(self.row_type,))
        self.row_types = (self.row_type, self.clean_row_type)
        has_numbers = any(kinds[name] == in_decoder[_number] for name, _ in columns)
        typed, clean = _typed_page(self.row_type), _typed_page(self.clean_row_type)
        self.decoder = _PageDecoder(typed, clean, has_numbers=has_numbers)
        self._columns = []  # (name, its getter, the page's column converted: None when unchanged)
        for name, convert in columns:
            get = operator.attrgetter(name)
            if kinds[name] is not None:
                continue
            if convert is str:
                self._columns.append((name, get, _strings))
            elif convert == times.convert:
                self._columns.append((name, get, times.column))
            elif convert is _date:
                self._columns.append((name, get, _dates))
            elif convert is _boolean:
                self._columns.append((name, get, _booleans))
            else:
                mapped = Decimal if convert is _number else convert
                self._columns.append((name, get, functools.partial(_typed, mapped, convert)))
        self._clean_columns = [column for column in self._columns if column[2] is not _strings]

    def records(self, rows: list) -> list[dict]:
        return list(map(msgspec.structs.asdict, self.converted(rows)))

    def converted(self, rows: list) -> list:
        """The rows themselves, each column converted in place. Every column is converted before
        any is set: a column that fails leaves the rows as decoded, for the row-by-row way."""
        # Clean rows hold no empty text (see `_PageDecoder`): their string columns stay as they are.
        to_convert = self._clean_columns if type(rows[0]) is self.clean_row_type else self._columns
        columns = [(name, column(list(map(get, rows)))) for name, get, column in to_convert]
        for name, values in columns:
            if values is not None:
                _consume(map(setattr, rows, itertools.repeat(name), values))
        return rows


def _typed_page(row_type: type) -> msgspec.json.Decoder:
    """The decoder of a page whose items are `row_type`, lax (strings read as numbers)."""
    # A TypedDict made at run time, around the row type made at run time (class syntax would
    # leave it an annotation string msgspec cannot resolve; mypy checks only literal ones).
    typed_dict: t.Any = t.TypedDict
    items: t.Any = list.__class_getitem__(row_type)  # list[row type]
    return msgspec.json.Decoder(typed_dict("Page", {"items": items, "hasMore": t.Any}, total=False), strict=False)


class _PageDecoder:
    """A typed page's decoder: its rows of the clean row type when no text value is empty (as
    NetSuite sends them: it most likely leaves a NULL value out, docs/netsuite.md §2), else, once
    a "" has failed that, of the row type. With number columns it refuses a body holding the
    string "-0" (see `_PageColumns`), as msgspec refuses a page of another shape:
    `client._decode` then decodes it as plain JSON.
    """

    __slots__ = ("_clean", "_decode", "_has_numbers")

    def __init__(self, decoder: msgspec.json.Decoder, clean: msgspec.json.Decoder, *, has_numbers: bool) -> None:
        self._decode, self._clean, self._has_numbers = decoder.decode, clean.decode, has_numbers

    def decode(self, body: bytes, /) -> t.Any:
        if self._has_numbers and b'"-0"' in body:
            msg = 'a "-0", which lax mode reads as Decimal("0")'
            raise msgspec.ValidationError(msg)
        try:
            return self._clean(body)
        except msgspec.ValidationError:  # a "" (or a page of another shape: refused again below)
            return self._decode(body)


_BOOLEANS = {"T": True, "F": False}
_BOOLEANS_OR_NULL: dict[str | None, bool | None] = {"T": True, "F": False, None: None}
_NOT_EMPTY = t.Annotated[str, msgspec.Meta(min_length=1)]


def _strings(values: list) -> list | None:
    """A string column with "" as None; None when there is no "" (the records keep it as it is)."""
    return [None if value == "" else value for value in values] if "" in values else None


def _booleans(values: list) -> list:
    """A checkbox column, null left null, in one pass of C; else (a "" or another value) by `_typed`."""
    try:
        return list(map(_BOOLEANS_OR_NULL.__getitem__, values))
    except KeyError:
        return _typed(_BOOLEANS.__getitem__, _boolean, values)


def _dates(values: list) -> list | None:
    """A date column: None (the records keep it as it is) when every value is the ISO date it
    stands for, as NetSuite's TO_CHAR writes them; else converted by `_date` like other columns.
    Checked, not set: setting a page's column replaces (and frees) each value, which costs more
    than the check."""
    present = [value for value in values if value is not None] if None in values else values
    try:
        if list(map(_date, present)) == present:
            return None
    except ValueError:  # "" among them, or a bad value: raised again, naming the column, below
        pass
    return _typed(_date, _date, values)


def _typed(mapped: t.Callable[[str], t.Any], convert: t.Callable[[str], t.Any], values: list) -> list:
    """A column converted by `mapped` (C, when it can) over every value, else value by value."""
    if None not in values:
        try:
            return list(map(mapped, values))
        except (ValueError, ArithmeticError, KeyError):  # "" among them, or a bad value
            pass
    return [None if value is None or value == "" else convert(value) for value in values]


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
