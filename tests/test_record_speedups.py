"""The page-at-a-time way to records (typed decoding, column by column) against the row-by-row way.

Every record the fast way makes must be the one `RecordConverter.__call__` makes from the
same row, key order and value types included; whatever the fast way cannot take exactly
must go the row-by-row way, so that errors name the column and row as they always did.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import typing as t
from decimal import Decimal
from zoneinfo import ZoneInfo

import msgspec
import pytest
from helpers import REPO, emulator_client, rows_of

from tap_netsuite.client import _decode
from tap_netsuite.convert import LocalToUtcText, RecordConverter, local_to_utc
from tap_netsuite.errors import NetSuitePagingError
from tap_netsuite.paging import _has_more, read_pages
from tap_netsuite.suiteql import KeysetSpec, select_list

LA = ZoneInfo("America/Los_Angeles")
PROPS = {
    "id": {"type": ["integer"]},
    "tranid": {"type": ["string", "null"]},
    "entity": {"type": ["integer", "null"]},
    "trandate": {"type": ["string", "null"], "format": "date"},
    "createddate": {"type": ["string", "null"], "format": "date-time"},
    "lastmodifieddate": {"type": ["string"], "format": "date-time"},
    "isinactive": {"type": ["boolean", "null"]},
    "foreigntotal": {"type": ["number", "null"]},
    "exchangerate": {"type": ["number", "null"]},
    "class": {"type": ["integer", "null"]},  # a Python keyword is a column name like any other
}
ROW = {
    "id": "1",
    "tranid": "INV1",
    "entity": "5",
    "trandate": "2026-03-08",
    "createddate": "2026-03-08 01:59:59",
    "lastmodifieddate": "2026-03-08 03:00:00",
    "isinactive": "F",
    "foreigntotal": "10.50",
    "exchangerate": "1",
    "class": "2",
}


def body(items: list, **page: object) -> bytes:
    """A SuiteQL page as NetSuite sends it: links first, each item with its own links."""
    return json.dumps(
        {
            "links": [],
            "count": len(items),
            "hasMore": False,
            "items": [{"links": [{"rel": "self", "href": "x"}], **item} for item in items],
            "offset": 0,
            "totalResults": len(items),
            **page,
        }
    ).encode()


def both_ways(items: list, props: dict = PROPS) -> tuple[list, list, RecordConverter]:
    """(records the fast way, records row by row) for one page; asserts the fast way was taken."""
    convert = RecordConverter(props, LA)
    page = _decode(body(items), convert.page_decoder)
    rows = page["items"]
    assert all(isinstance(row, convert.row_type) for row in rows)
    fast = convert.records(rows)
    assert isinstance(fast, list)  # made column by column, not the lazy row-by-row fallback
    slow = [RecordConverter(props, LA)(_decode(body([item]))["items"][0]) for item in items]
    return fast, slow, convert


# Values chosen for where the two ways could part: Decimal forms (exponents, signs, trailing
# zeros), integers msgspec reads itself (signs, huge), "" and null (both None), columns left
# out, datetimes in and around the hours clocks skip and repeat.
TRICKY = [
    ROW,
    {**ROW, "id": "2", "foreigntotal": "-.5", "exchangerate": ".5", "entity": "-7"},
    {**ROW, "id": "3", "foreigntotal": "1E+3", "exchangerate": "-0.0", "entity": "0", "class": "-" + "9" * 25},
    {**ROW, "id": "4", "foreigntotal": "-0.00", "exchangerate": "1e-7", "tranid": "", "isinactive": "T"},
    {"id": "5", "lastmodifieddate": "2026-11-01 01:30:00"},  # every other column left out
    {**ROW, "id": "6", "createddate": None, "trandate": None, "foreigntotal": None, "entity": None, "tranid": None},
    {**ROW, "id": "7", "createddate": "", "trandate": "", "tranid": "", "isinactive": ""},
    {**ROW, "id": "8", "createddate": "2026-03-08 02:30:00", "lastmodifieddate": "2026-11-01 01:59:59"},
    {**ROW, "id": "9", "foreigntotal": "123456789012345678901234567890.123456789", "entity": "1" * 30},
    {**ROW, "id": "10", "tranid": 'a "q" \\ é\n', "createddate": "2026-07-01 23:59:59"},
    {**ROW, "id": "11", "foreigntotal": "1.50", "exchangerate": "-1.2345E-10", "entity": "18446744073709551616"},
    {**ROW, "id": "12", "foreigntotal": "NaN", "exchangerate": "1_000.5"},  # Decimal() reads these
    {**ROW, "id": "13", "trandate": "20260308"},  # a date that is read, but not as it is written
    {**ROW, "id": "14", "isinactive": None, "trandate": None},  # null beside values in C's pass
]
# Values msgspec does not read as int() or Decimal() do: the typed decoder refuses the page,
# which is converted row by row, as before the typed decoder read integers and numbers.
REFUSED = [
    {**ROW, "id": "21", "entity": "007"},
    {**ROW, "id": "22", "entity": "+5", "class": " 6 "},
    {**ROW, "id": "23", "entity": "1_000"},
    {**ROW, "id": "24", "entity": "\u0663"},  # an Arabic-Indic 3: int() reads it
    {**ROW, "id": "25", "entity": ""},
    {**ROW, "id": "26", "foreigntotal": ""},
    {**ROW, "id": "27", "exchangerate": "-0"},  # msgspec's lax mode would read Decimal('0'), not '-0'
    {**ROW, "id": "28", "tranid": "-0"},  # "-0" is looked for in the whole body, whatever the column
]


@pytest.mark.parametrize("items", [TRICKY, TRICKY[:1], TRICKY[4:5], TRICKY[6:7], TRICKY[::-1]])
def test_the_fast_way_makes_exactly_the_records_of_the_row_by_row_way(items):
    fast, slow, _ = both_ways(items)
    assert repr(fast) == repr(slow)  # repr: key order, types and Decimal exponents all count
    assert list(fast[0]) == list(PROPS)
    assert msgspec.json.encode(fast) == msgspec.json.encode(slow)


@pytest.mark.parametrize(
    ("items", "clean"),
    [
        ([ROW, TRICKY[4]], True),  # no "" in the body: no value is empty
        ([ROW, TRICKY[6]], False),  # empty values
        ([ROW, {**ROW, "id": "2", "tranid": 'say "hi"'}], True),  # `\""` ends a value: none is empty
        ([ROW, {**ROW, "id": "2", "tranid": "a"}, {**ROW, "id": "3", "tranid": ""}], False),  # one, last
    ],
)
def test_string_columns_are_passed_over_only_for_a_body_with_an_empty_value(items, clean):
    fast, slow, convert = both_ways(items)
    rows = _decode(body(items), convert.page_decoder)["items"]
    assert (type(rows[0]) is not convert.row_type) is clean  # a body without "" gives the clean rows
    assert repr(fast) == repr(slow)
    assert [record["tranid"] for record in fast] == [item.get("tranid") or None for item in items]


def test_integers_and_numbers_are_typed_as_they_are_decoded():
    convert = RecordConverter(PROPS, LA)
    row = _decode(body(TRICKY), convert.page_decoder)["items"][10]
    assert (row.id, row.entity, row.foreigntotal, row.exchangerate) == (
        11,
        18446744073709551616,
        Decimal("1.50"),
        Decimal("-1.2345E-10"),
    )
    assert (type(row.tranid), type(row.isinactive), type(row.trandate)) == (str, str, str)  # converted later


@pytest.mark.parametrize("item", REFUSED)
def test_values_msgspec_reads_otherwise_send_the_page_row_by_row(item):
    convert = RecordConverter(PROPS, LA)
    page = _decode(body([ROW, item]), convert.page_decoder)
    assert all(type(row) is dict for row in page["items"])  # the typed decoder refused the page
    records = list(convert.records(page["items"]))
    assert repr(records) == repr([RecordConverter(PROPS, LA)(row) for row in _decode(body([ROW, item]))["items"]])


def test_tricky_values_come_out_as_the_schema_types():
    fast, _, _ = both_ways(TRICKY)
    by_id = {record["id"]: record for record in fast}
    assert by_id[2]["entity"] == -7 and repr(by_id[2]["foreigntotal"]) == "Decimal('-0.5')"
    assert repr(by_id[3]["exchangerate"]) == "Decimal('-0.0')" and by_id[3]["class"] == -int("9" * 25)
    assert by_id[4]["tranid"] is None and by_id[4]["isinactive"] is True
    assert by_id[5] == {**dict.fromkeys(PROPS), "id": 5, "lastmodifieddate": "2026-11-01T08:30:00+00:00"}
    assert all(by_id[7][name] is None for name in ("createddate", "trandate", "tranid", "isinactive"))
    assert by_id[8]["createddate"] == "2026-03-08T10:30:00+00:00"  # skipped hour: read as PST
    assert (
        repr(by_id[12]["foreigntotal"]) == "Decimal('NaN')" and repr(by_id[12]["exchangerate"]) == "Decimal('1000.5')"
    )
    refused = {
        record["id"]: record
        for item in REFUSED
        for record in RecordConverter(PROPS, LA).records(
            _decode(body([item]), RecordConverter(PROPS, LA).page_decoder)["items"]
        )
    }
    assert (refused[21]["entity"], refused[22]["entity"], refused[22]["class"], refused[24]["entity"]) == (7, 5, 6, 3)
    assert refused[25]["entity"] is None and refused[26]["foreigntotal"] is None
    assert repr(refused[27]["exchangerate"]) == "Decimal('-0')"  # msgspec alone would lose this sign


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("foreigntotal", "12,50", "column 'foreigntotal' of row id '3': expected a number, got '12,50'"),
        ("foreigntotal", "abc", "column 'foreigntotal' of row id '3': expected a number, got 'abc'"),
        ("entity", "1.5", "column 'entity' of row id '3': invalid literal for int"),
        ("entity", "1e-3", "column 'entity' of row id '3': invalid literal for int"),
        ("entity", "abc", "column 'entity' of row id '3': invalid literal for int"),
        ("isinactive", "yes", "column 'isinactive' of row id '3': expected T or F, got 'yes'"),
        ("trandate", "2026-02-30", "column 'trandate' of row id '3': day is out of range"),
        ("lastmodifieddate", "2026-03-08T03:00:00", "column 'lastmodifieddate' of row id '3': expected YYYY-MM-DD"),
    ],
)
def test_a_bad_value_sends_the_page_row_by_row_and_fails_after_the_rows_before_it(column, value, message):
    convert = RecordConverter(PROPS, LA)
    items = [{**ROW, "id": "1"}, {**ROW, "id": "2"}, {**ROW, "id": "3", column: value}, {**ROW, "id": "4"}]
    records = iter(convert.records(_decode(body(items), convert.page_decoder)["items"]))
    assert [next(records)["id"], next(records)["id"]] == [1, 2]  # written before the error, as before
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        next(records)


@pytest.mark.parametrize(
    "item",
    [
        {**ROW, "entity": 1.5},  # a JSON number msgspec cannot make an int: int(1.5) row by row
        {**ROW, "entity": True},
        {**ROW, "tranid": 12},
        {**ROW, "isinactive": True},
    ],
)
def test_json_other_than_strings_is_decoded_as_plain_json_and_converted_row_by_row(item):
    convert = RecordConverter(PROPS, LA)
    page = _decode(body([ROW, item]), convert.page_decoder)
    assert all(type(row) is dict for row in page["items"])  # the typed decoder refused the page
    assert page["count"] == 2  # the whole page, as plain JSON
    expected = outcome(lambda: [RecordConverter(PROPS, LA)(row) for row in _decode(body([ROW, item]))["items"]])
    assert outcome(lambda: list(convert.records(page["items"]))) == expected
    assert "expected T or F, got True" in expected if item["isinactive"] is True else "Decimal(" in expected


def outcome(make: t.Callable[[], list]) -> str:
    """The records' repr, or the error's."""
    try:
        return repr(make())
    except ValueError as exc:
        return f"ValueError: {exc}"


def test_a_page_of_another_shape_or_a_cut_body_is_still_what_it_was():
    convert = RecordConverter(PROPS, LA)
    assert _decode(b'{"items": "not a list"}', convert.page_decoder) == {"items": "not a list"}
    with pytest.raises(ValueError, match="not JSON"):  # retried by _send, as before
        _decode(body([ROW])[:-20], convert.page_decoder)


def test_rows_are_read_by_column_name_for_the_keyset():
    convert = RecordConverter(PROPS, LA)
    row = _decode(body([ROW]), convert.page_decoder)["items"][0]
    # Integer columns come as ints: the keyset's int() takes them as it took "1".
    assert (row["lastmodifieddate"], row["id"], row["class"]) == ("2026-03-08 03:00:00", 1, 2)
    with pytest.raises(KeyError):  # as a dict row would
        row["links"]


@pytest.mark.parametrize(
    ("column", "sent", "taken"),
    [
        ("entity", "1.0", 1),
        ("entity", "1e3", 1000),
        ("entity", "-2.50E1", -25),
        ("entity", "null", None),
        ("foreigntotal", "NULL", None),
        ("entity", 5, 5),
        ("foreigntotal", 0.1, Decimal("0.1")),  # row by row: Decimal(0.1), the float's 55 digits
    ],
)
def test_what_msgspec_takes_that_the_row_by_row_way_refuses_is_read_as_documented(column, sent, taken):
    """The fast way's documented leniency (see `_PageColumns`): integral texts, "null", JSON numbers."""
    convert = RecordConverter(PROPS, LA)
    rows = _decode(body([{**ROW, column: sent}]), convert.page_decoder)["items"]
    assert isinstance(rows[0], convert.row_type)
    (record,) = convert.records(rows)
    assert record[column] == taken and type(record[column]) is type(taken)


def test_a_text_has_more_on_a_typed_page_is_still_refused():
    convert = RecordConverter(PROPS, LA)
    page = _decode(body([ROW], hasMore="true"), convert.page_decoder)
    assert isinstance(page["items"][0], convert.row_type) and page["hasMore"] == "true"  # not read as True
    with pytest.raises(NetSuitePagingError, match="hasMore 'true', not true or false"):
        _has_more(page, "SELECT 1")
    assert _has_more(_decode(body([ROW], hasMore=True), convert.page_decoder), "SELECT 1") is True


def test_columns_kept_as_text_are_converted_as_before():
    convert = RecordConverter(PROPS, LA, keep_text=["foreigntotal"])
    row = _decode(body([{**ROW, "foreigntotal": "-.5"}]), convert.page_decoder)["items"][0]
    assert row["foreigntotal"] == "-.5" and row["exchangerate"] == Decimal(1)  # the key as NetSuite sent it
    (record,) = convert.records([row])
    assert repr(record["foreigntotal"]) == "Decimal('-0.5')"


def test_column_names_that_cannot_be_attributes_leave_the_fast_way_out():
    convert = RecordConverter({"id": {"type": ["integer"]}, "_private": {"type": ["string", "null"]}}, LA)
    assert convert.page_decoder is None
    assert list(convert.records([{"id": "1", "_private": ""}])) == [{"id": 1, "_private": None}]


def test_pages_read_from_the_emulator_take_the_fast_way_and_give_the_same_records(emulator):
    properties = json.loads((REPO / "schemas" / "invoice.json").read_text())["properties"]
    spec = KeysetSpec(
        columns=select_list(properties),
        table="transaction",
        where="type = 'CustInvc'",
        replication_key="lastmodifieddate",
        since=None,
    )
    zone = ZoneInfo(emulator["account_timezone"])
    convert = RecordConverter(properties, zone)
    with emulator_client(emulator, page_size=200, max_concurrency=2) as client:
        pages = list(read_pages(client, spec, decoder=convert.page_decoder))
        plain = rows_of(read_pages(client, spec))
    assert len(pages) > 5 and all(isinstance(row, convert.row_type) for page in pages for row in page)
    fast = [record for page in pages for record in convert.records(page)]
    row_by_row = RecordConverter(properties, zone)
    assert repr(fast) == repr([row_by_row(row) for row in plain])


@pytest.mark.parametrize(
    "zone",
    [
        LA,
        ZoneInfo("Europe/Berlin"),
        ZoneInfo("Australia/Lord_Howe"),
        ZoneInfo("Asia/Kolkata"),
        ZoneInfo("Pacific/Chatham"),
        dt.timezone.utc,
    ],
)
def test_days_learnt_at_once_give_what_the_exact_way_gives_all_year(zone):
    times = LocalToUtcText(zone)
    start = dt.datetime(2026, 1, 1)
    values = [(start + dt.timedelta(minutes=37 * i)).strftime("%Y-%m-%d %H:%M:%S") for i in range(366 * 24 * 60 // 37)]
    assert times.column(values) == [local_to_utc(value, zone).isoformat() for value in values]
    assert times.column([None, "", *values[:5]]) == [None, None, *(times.convert(value) for value in values[:5])]


def test_a_column_of_days_not_met_before_is_learnt_then_converted_as_a_column(monkeypatch):
    # A page read by id (a whole table, transactions by id) meets its created dates in no order:
    # each page brings days not seen yet. They are learnt first, not converted value by value.
    times = LocalToUtcText(LA)
    rng = random.Random(7)
    values = [
        (dt.datetime(2021, 1, 1) + dt.timedelta(seconds=rng.randrange(3 * 365 * 86400))).strftime("%Y-%m-%d %H:%M:%S")
        for _ in range(1000)
    ]
    exact = [local_to_utc(value, LA).isoformat() for value in values]
    one_by_one: list[str] = []

    def convert(value: str) -> str:
        one_by_one.append(value)
        return LocalToUtcText.convert(times, value)

    monkeypatch.setattr(times, "convert", convert)
    assert times.column(values) == exact
    assert one_by_one == []
    kolkata = LocalToUtcText(ZoneInfo("Asia/Kolkata"))  # half an hour from UTC: the exact way, value by value
    assert kolkata.column(values[:5]) == [local_to_utc(value, kolkata.zone).isoformat() for value in values[:5]]
    monkeypatch.setattr(LocalToUtcText, "HOURS_KEPT", 100)  # forgotten while a column is learnt: still exact
    forgetful = LocalToUtcText(LA)
    assert forgetful.column(values) == exact


def test_a_plain_day_is_learnt_whole_and_a_day_with_a_change_hour_by_hour():
    times = LocalToUtcText(LA)
    assert times.convert("2026-07-01 12:34:56") == "2026-07-01T19:34:56+00:00"
    assert len(times._hours) == 24
    assert times._hours["2026-07-01 00"] == "2026-07-01T07" and times._hours["2026-07-01 23"] == "2026-07-02T06"
    times.convert("2026-03-08 12:00:00")  # spring forward: this hour alone
    assert len(times._hours) == 25 and times._hours["2026-03-08 12"] == "2026-03-08T19"


def test_records_encoded_together_go_out_in_the_blocks_of_records_written_one_by_one(monkeypatch):
    import sys

    from tap_netsuite import writer as writer_module

    class Out:
        def __init__(self) -> None:
            self.buffer, self.writes = self, []

        def write(self, data: bytes) -> int:
            self.writes.append(bytes(data))
            return len(data)

        def flush(self) -> None:
            pass

    out = Out()
    monkeypatch.setattr(sys, "stdout", out)
    writer = writer_module.BufferedMsgSpecWriter()
    envelope = writer.envelope("invoice", None, dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    for number in range(3000):
        writer.write_record({"id": number, "memo": "x" * (number % 97)}, envelope)
    assert len(out.writes) > 3
    for block in out.writes:  # each block ends with the line that reaches BLOCK bytes, as before
        assert block.endswith(b"\n") and len(block) >= writer_module.BLOCK
        assert len(block) - len(block[:-1].rsplit(b"\n", 1)[-1]) - 1 < writer_module.BLOCK
    writer.flush()
    lines = b"".join(out.writes).splitlines()
    assert [json.loads(line)["record"]["id"] for line in lines] == list(range(3000))
