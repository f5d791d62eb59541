"""How NetSuite writes and reads values: Oracle datetime formats, the user's date format, numbers.

Stored temporals are epoch seconds (UTC); every rendering and every literal goes through the
account time zone, because NetSuite renders datetimes in the user's zone and reads filter literals
in it too (docs/netsuite.md §3).
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_MONTH_NAMES = [
    "JANUARY",
    "FEBRUARY",
    "MARCH",
    "APRIL",
    "MAY",
    "JUNE",
    "JULY",
    "AUGUST",
    "SEPTEMBER",
    "OCTOBER",
    "NOVEMBER",
    "DECEMBER",
]

# Oracle datetime format elements we support; anything else is refused like an unknown element.
_ORACLE_TOKEN = re.compile(
    r'"[^"]*"|YYYY|YY|MONTH|MON|MM|DD|HH24|HH12|HH|MI|SS|FF[1-9]?|A\.M\.|P\.M\.|AM|PM'
    r"|[-/,.;: ]",
    re.IGNORECASE,
)


class FormatError(ValueError):
    """A format model or an input string Oracle would refuse (NetSuite: unsupported search)."""


@functools.lru_cache(maxsize=256)
def oracle_tokens(fmt: str) -> list[str]:
    """Split an Oracle format model into elements, refusing unknown ones (cached: called per row)."""
    tokens, pos = [], 0
    while pos < len(fmt):
        m = _ORACLE_TOKEN.match(fmt, pos)
        if not m:
            raise FormatError(f"unsupported format element at {fmt[pos:]!r}")
        tokens.append(m.group(0))
        pos = m.end()
    return tokens


# Elements with an exact strftime spelling; a model made only of these (and literal text) is
# rendered by one strftime call, the cost that matters when TO_CHAR runs for every row.
_STRFTIME = {"YYYY": "%Y", "MM": "%m", "DD": "%d", "HH24": "%H", "HH": "%I", "HH12": "%I", "MI": "%M", "SS": "%S"}


@functools.lru_cache(maxsize=256)
def _strftime_pattern(fmt: str) -> str | None:
    out = []
    for tok in oracle_tokens(fmt):
        if tok.upper() in _STRFTIME:
            out.append(_STRFTIME[tok.upper()])
        elif tok.startswith('"'):
            out.append(tok[1:-1].replace("%", "%%"))
        elif not tok[0].isalpha():
            out.append(tok.replace("%", "%%"))
        else:
            return None
    return "".join(out)


SECONDS_MODEL = "YYYY-MM-DD HH24:MI:SS"  # what every keyset client sends for every row
DAY_MODEL = "YYYY-MM-DD"


def to_char_datetime(epoch: float, fmt: str, tz: ZoneInfo) -> str:
    """TO_CHAR(datetime, fmt): the instant in the account zone, written per the Oracle format.

    The two models clients use are rendered from a per-zone clock (and stored with each row,
    see schema.RENDERED); any other is cached."""
    if fmt == SECONDS_MODEL:
        return clock(tz).seconds(epoch)
    if fmt == DAY_MODEL:
        return clock(tz).day(epoch)
    return _to_char_datetime(epoch, fmt, tz)


_TIMES_OF_DAY: list[str] = []  # "00:00:00" .. "23:59:59", built on first use
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


class LocalClock:
    """Epoch seconds as one zone's wall clock, without a datetime per value.

    The offset is looked up once per UTC hour and reused when the hour holds no transition
    (the same at its first and last second); an hour that does is computed per value."""

    MAX_CACHED = 200_000  # hours and days remembered; cleared past that, so memory stays flat

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self._offsets: dict[int, int | None] = {}
        self._days: dict[int, str] = {}
        if not _TIMES_OF_DAY:
            _TIMES_OF_DAY.extend(f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60))

    def _local_second(self, epoch: float) -> int:
        whole = int(epoch)  # epochs here are after 1970, so this floors
        if epoch - whole >= 0.9999995:
            whole += 1
        offset = self._offsets.get(whole // 3600, False)
        if offset is False:
            offset = self._hour_offset(whole // 3600)
        if offset is None:
            offset = int(_utcoffset(datetime.fromtimestamp(whole, self.tz)).total_seconds())
        return whole + offset

    def _hour_offset(self, hour: int) -> int | None:
        first = _utcoffset(datetime.fromtimestamp(hour * 3600, self.tz))
        last = _utcoffset(datetime.fromtimestamp(hour * 3600 + 3599, self.tz))
        if len(self._offsets) > self.MAX_CACHED:
            self._offsets.clear()
        offset = self._offsets[hour] = int(first.total_seconds()) if first == last else None
        return offset

    def _day_text(self, day: int) -> str:
        if len(self._days) > self.MAX_CACHED:
            self._days.clear()
        text = self._days[day] = date.fromordinal(_EPOCH_ORDINAL + day).isoformat()
        return text

    def seconds(self, epoch: float) -> str:
        """`YYYY-MM-DD HH24:MI:SS` in the zone."""
        day, second = divmod(self._local_second(epoch), 86400)
        return (self._days.get(day) or self._day_text(day)) + " " + _TIMES_OF_DAY[second]

    def day(self, epoch: float) -> str:
        """`YYYY-MM-DD` in the zone."""
        day = self._local_second(epoch) // 86400
        return self._days.get(day) or self._day_text(day)


def _utcoffset(moment: datetime) -> timedelta:
    """An aware datetime's offset (a ZoneInfo always gives one)."""
    return moment.utcoffset() or timedelta(0)


@functools.lru_cache(maxsize=64)
def clock(tz: ZoneInfo) -> LocalClock:
    return LocalClock(tz)


@functools.lru_cache(maxsize=1 << 16)
def _to_char_datetime(epoch: float, fmt: str, tz: ZoneInfo) -> str:
    local = datetime.fromtimestamp(epoch, tz)
    pattern = _strftime_pattern(fmt)
    if pattern is not None:
        return local.strftime(pattern)
    out = []
    for tok in oracle_tokens(fmt):
        up = tok.upper()
        if tok.startswith('"'):
            out.append(tok[1:-1])
        elif up == "YYYY":
            out.append(f"{local.year:04d}")
        elif up == "YY":
            out.append(f"{local.year % 100:02d}")
        elif up == "MONTH":
            out.append(_MONTH_NAMES[local.month - 1].ljust(9))
        elif up == "MON":
            out.append(_MONTHS[local.month - 1])
        elif up == "MM":
            out.append(f"{local.month:02d}")
        elif up == "DD":
            out.append(f"{local.day:02d}")
        elif up == "HH24":
            out.append(f"{local.hour:02d}")
        elif up in ("HH", "HH12"):
            out.append(f"{(local.hour % 12) or 12:02d}")
        elif up == "MI":
            out.append(f"{local.minute:02d}")
        elif up == "SS":
            out.append(f"{local.second:02d}")
        elif up.startswith("FF"):
            digits = int(up[2:] or 6)
            out.append(f"{local.microsecond:06d}"[:digits].ljust(digits, "0"))
        elif up in ("AM", "PM", "A.M.", "P.M."):
            meridian = "AM" if local.hour < 12 else "PM"
            out.append(meridian if "." not in up else f"{meridian[0]}.M.")
        else:
            out.append(tok)
    return "".join(out)


def _parse_pattern(tokens: list[str]) -> re.Pattern:
    parts = []
    for tok in tokens:
        up = tok.upper()
        if tok.startswith('"'):
            parts.append(re.escape(tok[1:-1]))
        elif up == "YYYY":
            parts.append(r"(?P<year>\d{4})")
        elif up == "YY":
            parts.append(r"(?P<yy>\d{2})")
        elif up in ("MONTH", "MON"):
            parts.append(r"(?P<monname>[A-Za-z]+)\s*")
        elif up == "MM":
            parts.append(r"(?P<month>\d{1,2})")
        elif up == "DD":
            parts.append(r"(?P<day>\d{1,2})")
        elif up == "HH24":
            parts.append(r"(?P<hour24>\d{1,2})")
        elif up in ("HH", "HH12"):
            parts.append(r"(?P<hour12>\d{1,2})")
        elif up == "MI":
            parts.append(r"(?P<minute>\d{1,2})")
        elif up == "SS":
            parts.append(r"(?P<second>\d{1,2})")
        elif up.startswith("FF"):
            parts.append(r"(?P<fraction>\d{1,9})")
        elif up in ("AM", "PM", "A.M.", "P.M."):
            parts.append(r"(?P<meridian>[AaPp]\.?[Mm]\.?)")
        else:
            parts.append(re.escape(tok))
    try:
        return re.compile("".join(parts) + r"\s*", re.IGNORECASE)
    except re.error as exc:  # the same element twice
        raise FormatError(str(exc)) from None


def parse_local(text: str, fmt: str, tz: ZoneInfo) -> float:
    """TO_TIMESTAMP / TO_DATE: read `text` as account-local time and return epoch seconds.

    Missing parts default as in Oracle (day 1, midnight). An ambiguous local time (the repeated
    hour when daylight saving ends) is taken at its first occurrence (fold=0); a local time that
    does not exist (the skipped hour) is read with the offset in force before the change.
    """
    m = _parse_pattern(oracle_tokens(fmt)).fullmatch(text.strip())
    if not m:
        raise FormatError(f"{text!r} does not match format {fmt!r}")
    g = {k: v for k, v in m.groupdict().items() if v is not None}
    year = int(g["year"]) if "year" in g else 2000 + int(g.get("yy", 0))
    month = int(g.get("month", 1))
    if "monname" in g:
        name = g["monname"].upper()
        month = next((i + 1 for i, n in enumerate(_MONTH_NAMES) if n.startswith(name[:3])), 0)
    hour = int(g.get("hour24", 0))
    if "hour12" in g:
        hour = int(g["hour12"]) % 12
        if g.get("meridian", "A").upper().startswith("P"):
            hour += 12
    micro = int(g.get("fraction", "0").ljust(6, "0")[:6])
    try:
        local = datetime(
            year,
            month,
            int(g.get("day", 1)),
            hour,
            int(g.get("minute", 0)),
            int(g.get("second", 0)),
            micro,
            tzinfo=tz,
            fold=0,
        )
    except ValueError as exc:
        raise FormatError(str(exc)) from None
    return local.timestamp()


def trunc_datetime(epoch: float, unit: str, tz: ZoneInfo) -> int:
    """TRUNC(datetime[, unit]): local midnight of the day, month or year, as epoch seconds."""
    local = datetime.fromtimestamp(epoch, tz)
    unit = unit.upper()
    if unit in ("DD", "DDD", "J"):
        day = local.date()
    elif unit in ("MM", "MON", "MONTH"):
        day = local.date().replace(day=1)
    elif unit in ("YYYY", "YEAR", "YY"):
        day = date(local.year, 1, 1)
    else:
        raise FormatError(f"unsupported TRUNC unit {unit!r}")
    return local_midnight(day, tz)


def local_midnight(day: date, tz: ZoneInfo) -> int:
    """Epoch seconds of a date's midnight in the account zone: how `date` columns are stored."""
    return int(datetime(day.year, day.month, day.day, tzinfo=tz).timestamp())


def local_date(epoch: float, tz: ZoneInfo) -> date:
    return datetime.fromtimestamp(epoch, tz).date()


def utc_iso(epoch: float) -> str:
    """Canonical datetime: ISO 8601 UTC with an explicit offset; fractions only when stored."""
    moment = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=epoch)
    return moment.isoformat(timespec="seconds" if moment.microsecond == 0 else "microseconds")


_USER_TOKEN = re.compile(r"YYYY|MON|MM|M|DD|D|[./\- ]")


def check_user_date_format(fmt: str) -> str:
    """Validate a user date-format preference such as M/D/YYYY, D.M.YYYY or YYYY-MM-DD."""
    if "".join(_USER_TOKEN.findall(fmt)) != fmt or "YYYY" not in fmt:
        raise ValueError(f"unsupported date format {fmt!r}")
    return fmt


def user_format_as_oracle(fmt: str) -> str:
    """The user's date preference as an Oracle model, for TO_DATE without a format."""
    return "".join({"M": "MM", "D": "DD"}.get(tok, tok) for tok in _USER_TOKEN.findall(fmt))


def user_date(epoch: float, fmt: str, tz: ZoneInfo) -> str:
    """A date or datetime selected without TO_CHAR: the local date in the user's format."""
    day = local_date(epoch, tz)
    values = {
        "YYYY": f"{day.year:04d}",
        "MON": _MONTHS[day.month - 1].title(),
        "MM": f"{day.month:02d}",
        "M": str(day.month),
        "DD": f"{day.day:02d}",
        "D": str(day.day),
    }
    return "".join(values.get(tok, tok) for tok in _USER_TOKEN.findall(fmt))


def number_text(value: float, *, leading_zero: bool = True) -> str:
    """A number as SuiteQL sends it: no exponent, no trailing zeros ("1250.5", "1250", "0.5").

    With `leading_zero` off, magnitudes below one lose their zero as Oracle's TO_CHAR does
    (".5", "-.5"), the [unsure] behaviour of docs/netsuite.md §2.
    """
    if isinstance(value, int):
        return str(value)
    text = repr(value)  # the shortest text that reads back as this float
    point = text.find(".")
    if point > 0 and len(text) - point <= 9 and "e" not in text:
        # At most 8 decimals and no exponent, so rounding to 8 places changes nothing: the
        # common case (amounts, rates) without round() and int().
        if text.endswith(".0"):
            text = text[:-2]
            return "0" if text == "-0" else text
        if not leading_zero and text.startswith(("0.", "-0.")):
            text = text.replace("0.", ".", 1)
        return text
    value = round(value, 8)
    if value == int(value) and abs(value) < 1e15:  # the common cases, without Decimal
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text).normalize(), "f")
    if text in ("0", "-0"):
        return "0"
    if not leading_zero:
        text = text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text
    return text


def number_text_or_null(value: float | None) -> str | None:
    """`number_text` with the leading zero, NULL for NULL: the stored rendering of a decimal
    column (schema.NUMBER_TEXT), which the engine adjusts to the account's preference."""
    return None if value is None else number_text(value)


def to_char_number(value: float, fmt: str | None, *, leading_zero: bool) -> str:
    """TO_CHAR(number[, fmt]). A format fixes the decimal places; output is unpadded (as FM)."""
    if isinstance(value, str):
        return value
    if fmt is None:
        return number_text(value, leading_zero=leading_zero)
    model = fmt.upper().removeprefix("FM")
    if not re.fullmatch(r"[09,]*(\.[09]*)?", model):
        raise FormatError(f"unsupported number format {fmt!r}")
    places = len(model.split(".", 1)[1]) if "." in model else 0
    text = f"{Decimal(repr(value)):.{places}f}"
    integer_model = model.split(".", 1)[0]
    if "0" not in integer_model and text.lstrip("-").startswith("0."):
        text = text.replace("0.", ".", 1)
    if "," in integer_model:
        whole, _, frac = text.partition(".")
        text = f"{int(whole):,}" + (f".{frac}" if frac else "")
    return text
