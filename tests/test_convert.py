"""Strings to schema types, and account-local time to UTC and back, on both sides of DST."""

from __future__ import annotations

import datetime as dt
import re
import typing as t
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from singer_sdk.singerlib import RecordMessage

from tap_netsuite.convert import (
    LocalToUtcText,
    RecordConverter,
    converter,
    filter_literal,
    local_to_utc,
    zone_from_clock,
)
from tap_netsuite.writer import BufferedMsgSpecWriter

LA = ZoneInfo("America/Los_Angeles")
BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.timezone.utc


def convert_value(value: str | None, prop: dict, zone: dt.tzinfo) -> t.Any:
    """One NetSuite string as the type its JSON Schema property declares; empty is null."""
    return None if value is None or value == "" else converter(prop, zone)(value)


def to_record(row: dict, properties: dict, zone: dt.tzinfo) -> dict:
    """One SuiteQL row as a record, as a stream's RecordConverter makes it."""
    return RecordConverter(properties, zone)(row)


@pytest.mark.parametrize(
    ("local", "zone", "utc"),
    [
        ("2026-07-01 12:00:00", LA, "2026-07-01T19:00:00+00:00"),
        ("2026-12-01 12:00:00", LA, "2026-12-01T20:00:00+00:00"),
        ("2026-03-08 01:59:59", LA, "2026-03-08T09:59:59+00:00"),  # last second before spring forward
        ("2026-03-08 03:00:00", LA, "2026-03-08T10:00:00+00:00"),
        ("2026-07-01 12:00:00", BERLIN, "2026-07-01T10:00:00+00:00"),
        ("2026-12-01 00:30:00", BERLIN, "2026-11-30T23:30:00+00:00"),
    ],
)
def test_local_to_utc_uses_the_offset_of_that_moment(local, zone, utc):
    assert local_to_utc(local, zone).isoformat() == utc


@pytest.mark.parametrize(
    ("moment", "zone", "literal"),
    [
        ("2026-11-01T07:30:00+00:00", LA, "2026-11-01 00:30:00"),  # before the repeated hour
        ("2026-11-01T08:30:00+00:00", LA, "2026-11-01 00:30:00"),  # 01:30 PDT, first pass: step back
        ("2026-11-01T09:30:00+00:00", LA, "2026-11-01 00:30:00"),  # 01:30 PST, second pass: step back
        ("2026-11-01T10:30:00+00:00", LA, "2026-11-01 02:30:00"),  # after it
        ("2026-10-25T00:30:00+00:00", BERLIN, "2026-10-25 01:30:00"),  # 02:30 CEST: repeated -> 01:30
        ("2026-10-25T01:30:00+00:00", BERLIN, "2026-10-25 01:30:00"),  # 02:30 CET: repeated -> 01:30
        ("2026-10-25T02:30:00+00:00", BERLIN, "2026-10-25 03:30:00"),
    ],
)
def test_filter_literals_keep_every_later_row_when_clocks_fall_back(moment, zone, literal):
    got = filter_literal(dt.datetime.fromisoformat(moment), zone)
    assert got == literal
    # Under either reading of the literal, the filter starts at or before the moment.
    wall = dt.datetime.strptime(got, "%Y-%m-%d %H:%M:%S")
    for fold in (0, 1):
        assert wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) <= dt.datetime.fromisoformat(moment)


@pytest.mark.parametrize(
    ("value", "prop", "expected"),
    [
        ("107", {"type": ["integer"]}, 107),
        ("-.5", {"type": ["number", "null"]}, Decimal("-0.5")),
        ("1250.50", {"type": ["number", "null"]}, Decimal("1250.50")),
        ("T", {"type": ["boolean", "null"]}, True),
        ("F", {"type": ["boolean", "null"]}, False),
        ("2026-02-03", {"type": ["string", "null"], "format": "date"}, "2026-02-03"),
        ("2026-02-03 04:05:06", {"type": ["string"], "format": "date-time"}, "2026-02-03T12:05:06+00:00"),
        ("", {"type": ["string", "null"]}, None),
        (None, {"type": ["integer", "null"]}, None),
        ("a \\/ b", {"type": ["string", "null"]}, "a \\/ b"),
    ],
)
def test_convert_value(value, prop, expected):
    assert convert_value(value, prop, LA) == expected


def test_left_out_columns_become_null_and_bad_values_name_the_column():
    props = {"id": {"type": ["integer"]}, "isinactive": {"type": ["boolean", "null"]}}
    assert to_record({"id": "3"}, props, LA) == {"id": 3, "isinactive": None}
    with pytest.raises(ValueError, match="column 'isinactive' of row id '3': expected T or F"):
        to_record({"id": "3", "isinactive": "yes"}, props, LA)


def test_zone_from_clock_rounds_to_a_quarter_hour():
    now = dt.datetime(2026, 11, 24, 20, 0, 0, tzinfo=UTC)
    assert zone_from_clock("2026-11-24 12:00:03", now).utcoffset(None) == dt.timedelta(hours=-8)
    assert zone_from_clock("2026-11-25 01:44:58", now).utcoffset(None) == dt.timedelta(hours=5, minutes=45)


def _every_minute(day: str, days: int = 1) -> list[str]:
    start = dt.datetime.fromisoformat(day)
    seconds = (0, 1, 59)
    return [
        (start + dt.timedelta(minutes=m, seconds=s)).strftime("%Y-%m-%d %H:%M:%S")
        for m in range(-60, 24 * 60 * days + 60)
        for s in seconds
    ]


@pytest.mark.parametrize(
    ("zone", "values"),
    [
        (LA, _every_minute("2026-03-08") + _every_minute("2026-11-01")),  # spring forward, fall back
        (BERLIN, _every_minute("2026-03-29") + _every_minute("2026-10-25")),
        (ZoneInfo("Australia/Lord_Howe"), _every_minute("2026-04-05") + _every_minute("2026-10-04")),  # 30 minutes
        (ZoneInfo("Asia/Kolkata"), _every_minute("2026-01-01", days=3)),  # +05:30 all year
        (dt.timezone(dt.timedelta(hours=-8)), _every_minute("2026-03-08")),
        (dt.timezone(dt.timedelta(hours=5, minutes=45)), _every_minute("2026-03-08")),
        (UTC, _every_minute("2026-12-31", days=2)),
    ],
)
def test_the_per_hour_shortcut_gives_exactly_what_the_exact_way_gives(zone, values):
    fast = LocalToUtcText(zone).convert
    for value in values * 2:  # the second time round, every hour is remembered
        assert fast(value) == local_to_utc(value, zone).isoformat(), value


def test_the_shortcut_is_taken_where_one_offset_holds_for_the_whole_hour():
    la = LocalToUtcText(LA)
    for value in _every_minute("2026-03-08") + _every_minute("2026-11-01"):
        la.convert(value)
    assert la._hours["2026-03-08 02"] == "2026-03-08T10"  # skipped: read as PST, like local_to_utc
    assert la._hours["2026-11-01 01"] == "2026-11-01T08"  # repeated: its first pass, PDT
    assert la._hours["2026-11-01 02"] == "2026-11-01T10"
    lord_howe = LocalToUtcText(ZoneInfo("Australia/Lord_Howe"))
    lord_howe.convert("2026-10-04 02:45:00")  # 02:00 +10:30 becomes 02:30 +11 within the hour
    lord_howe.convert("2026-10-04 03:45:00")
    assert lord_howe._hours == {"2026-10-04 02": "", "2026-10-04 03": "2026-10-03T16"}
    kolkata = LocalToUtcText(ZoneInfo("Asia/Kolkata"))
    kolkata.convert("2026-01-01 12:00:00")
    assert kolkata._hours == {"2026-01-01 12": ""}


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-08 02:30:00",  # does not exist in Los Angeles: the exact way's answer
        "0999-01-01 00:00:00",
        "0001-01-01 00:00:00",
        "9999-12-31 23:59:59",
        "2026-W10-7 12:00:00",
        "2026-03-08 12:00:60",
        "2026-03-08 24:00:00",
        "2026-02-30 12:00:00",
        "2026-03-08 12:0000.5",
        "2026-03-08 12:00:00.5",
        "2026-03-08T12:00:00",
        "2026-03-08 12:00",
        "2026-03-08 1:00:00",
        "",
        "x" * 19,
    ],
)
def test_the_shortcut_agrees_on_odd_values_too(value):
    fast = LocalToUtcText(LA).convert
    for _ in range(2):
        try:
            expected = local_to_utc(value, LA).isoformat()
        except (ValueError, OverflowError) as exc:
            with pytest.raises(type(exc), match=re.escape(str(exc))):
                fast(value)
        else:
            assert fast(value) == expected


def test_the_shortcut_forgets_rather_than_grows():
    fast = LocalToUtcText(UTC)
    fast.HOURS_KEPT = 100
    for value in _every_minute("2026-01-01", days=30)[::180]:
        assert fast.convert(value) == local_to_utc(value, UTC).isoformat()
    assert 0 < len(fast._hours) <= 100


def test_bad_values_name_the_column_whatever_column_fails():
    props = {
        "id": {"type": ["integer"]},
        "trandate": {"type": ["string", "null"], "format": "date"},
        "lastmodifieddate": {"type": ["string"], "format": "date-time"},
    }
    row = {"id": "3", "trandate": "2026-02-03", "lastmodifieddate": "2026-02-03 04:05:06"}
    assert to_record(row, props, LA) == {
        "id": 3,
        "trandate": "2026-02-03",
        "lastmodifieddate": "2026-02-03T12:05:06+00:00",
    }
    with pytest.raises(ValueError, match="column 'trandate' of row id '3': Invalid isoformat string"):
        to_record({**row, "trandate": "2026-02-30x"}, props, LA)
    with pytest.raises(ValueError, match="column 'lastmodifieddate' of row id '3': expected YYYY-MM-DD HH:MM:SS"):
        to_record({**row, "lastmodifieddate": "2026-02-03T04:05:06"}, props, LA)
    with pytest.raises(ValueError, match="column 'id' of row id 'x': invalid literal"):
        to_record({**row, "id": "x"}, props, LA)


@pytest.mark.parametrize("version", [None, 1700000000000])
def test_records_written_in_envelopes_are_the_lines_the_sdk_would_write(version):
    props = {
        "id": {"type": ["integer"]},
        "foreigntotal": {"type": ["number", "null"]},
        "memo": {"type": ["string", "null"]},
        "isinactive": {"type": ["boolean", "null"]},
        "lastmodifieddate": {"type": ["string"], "format": "date-time"},
    }
    records = [
        to_record(
            {
                "id": "7",
                "foreigntotal": "-.50",
                "memo": 'a "q" \\ é\nnext line',
                "isinactive": "T",
                "lastmodifieddate": "2026-03-08 01:59:59",
            },
            props,
            LA,
        ),
        to_record({"id": "8", "memo": "\n"}, props, LA),
        to_record({"id": "9", "foreigntotal": "1E+3"}, props, LA),
    ]
    first, second = dt.datetime.now(UTC), dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)
    writer = BufferedMsgSpecWriter()
    expected = b"".join(
        bytes(writer.format_message(RecordMessage(stream=stream, record=record, version=version, time_extracted=when)))
        for stream, when in (("invoice", first), ('in"voice', second))
        for record in records
    )
    for stream, when in (("invoice", first), ('in"voice', second)):
        envelope = writer.envelope(stream, version, when)
        for record in records:
            writer.write_record(record, envelope)
    assert writer._records  # kept until the next message or flush ...
    writer._encode_records()
    assert bytes(writer._pending) == expected  # ... then the very lines the SDK writes, in order
    assert expected.count(b"\n") == 6
    writer._pending.clear()
