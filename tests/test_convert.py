"""Strings to schema types, and account-local time to UTC and back, on both sides of DST."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tap_netsuite.convert import convert_value, filter_literal, local_to_utc, to_record, zone_from_clock

LA = ZoneInfo("America/Los_Angeles")
BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.timezone.utc


@pytest.mark.parametrize(("local", "zone", "utc"), [
    ("2026-07-01 12:00:00", LA, "2026-07-01T19:00:00+00:00"),
    ("2026-12-01 12:00:00", LA, "2026-12-01T20:00:00+00:00"),
    ("2026-03-08 01:59:59", LA, "2026-03-08T09:59:59+00:00"),  # last second before spring forward
    ("2026-03-08 03:00:00", LA, "2026-03-08T10:00:00+00:00"),
    ("2026-07-01 12:00:00", BERLIN, "2026-07-01T10:00:00+00:00"),
    ("2026-12-01 00:30:00", BERLIN, "2026-11-30T23:30:00+00:00"),
])
def test_local_to_utc_uses_the_offset_of_that_moment(local, zone, utc):
    assert local_to_utc(local, zone).isoformat() == utc


@pytest.mark.parametrize(("moment", "zone", "literal"), [
    ("2026-11-01T07:30:00+00:00", LA, "2026-11-01 00:30:00"),  # before the repeated hour
    ("2026-11-01T08:30:00+00:00", LA, "2026-11-01 00:30:00"),  # 01:30 PDT, first pass: step back
    ("2026-11-01T09:30:00+00:00", LA, "2026-11-01 00:30:00"),  # 01:30 PST, second pass: step back
    ("2026-11-01T10:30:00+00:00", LA, "2026-11-01 02:30:00"),  # after it
    ("2026-10-25T00:30:00+00:00", BERLIN, "2026-10-25 01:30:00"),  # 02:30 CEST: repeated -> 01:30
    ("2026-10-25T01:30:00+00:00", BERLIN, "2026-10-25 01:30:00"),  # 02:30 CET: repeated -> 01:30
    ("2026-10-25T02:30:00+00:00", BERLIN, "2026-10-25 03:30:00"),
])
def test_filter_literals_keep_every_later_row_when_clocks_fall_back(moment, zone, literal):
    got = filter_literal(dt.datetime.fromisoformat(moment), zone)
    assert got == literal
    # Under either reading of the literal, the filter starts at or before the moment.
    wall = dt.datetime.strptime(got, "%Y-%m-%d %H:%M:%S")
    for fold in (0, 1):
        assert wall.replace(tzinfo=zone, fold=fold).astimezone(UTC) <= dt.datetime.fromisoformat(moment)


@pytest.mark.parametrize(("value", "prop", "expected"), [
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
])
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
