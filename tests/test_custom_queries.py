"""The `custom_queries` setting against the emulator over a socket.

A query the tap cannot page by keyset is refused with one line before any request; one past
100,000 rows arrives whole and once, read by keyset at offset 0; an incremental one resumes
from its bookmark; columns are typed from the declared schema or from the catalogue and the
account's custom fields.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from helpers import control, messages, rows, run_tap, running_emulator

from tap_netsuite.custom_queries import select_columns, validate
from tap_netsuite.errors import NetSuiteConfigError

LINES = {
    "name": "all_lines",
    "query": "SELECT tl.transaction, tl.id, tl.amount, tl.memo FROM transactionline tl",
    "primary_keys": ["transaction", "id"],
    "schema": {
        "transaction": {"type": ["integer"]},
        "id": {"type": ["integer"]},
        "amount": {"type": ["number", "null"]},
        "memo": {"type": ["string", "null"]},
    },
}
BILLS = {
    "name": "vendor_bills",
    "query": "SELECT id, tranid, lastmodifieddate, trandate, foreigntotal, custbody_approved, custbody_margin, "
    "BUILTIN.DF(entity) AS vendor_name FROM transaction WHERE type = 'VendBill'",
    "primary_keys": ["id"],
    "replication_key": "lastmodifieddate",
}

REFUSED = [
    ({"name": "q", "query": "WITH x AS (SELECT id FROM customer) SELECT id FROM x", "primary_keys": ["id"]}, "WITH"),
    ({"name": "q", "query": "SELECT id, companyname FROM customer"}, "no primary_keys"),
    ({"name": "q", "query": "SELECT id FROM customer", "primary_keys": []}, "no primary_keys"),
    ({"name": "q", "query": "SELECT id FROM customer ORDER BY id", "primary_keys": ["id"]}, "ORDER BY"),
    ({"name": "q", "query": "SELECT * FROM customer", "primary_keys": ["id"]}, "name each column"),
    ({"name": "q", "query": "SELECT entity FROM transaction", "primary_keys": ["id"]}, "id not among its columns"),
    (
        {
            "name": "q",
            "query": "SELECT transaction, id, linelastmodifieddate FROM transactionline",
            "primary_keys": ["transaction", "id"],
            "replication_key": "linelastmodifieddate",
        },
        "one integer primary key",
    ),
    ({"name": "customer", "query": "SELECT id FROM customer", "primary_keys": ["id"]}, "already reads"),
    ({"name": "q", "query": "SELECT id FROM customer; DELETE FROM customer", "primary_keys": ["id"]}, "statement"),
]


@pytest.mark.parametrize(("entry", "why"), REFUSED, ids=[why for _, why in REFUSED])
def test_a_query_that_cannot_be_paged_is_refused_by_the_check(entry, why):
    with pytest.raises(NetSuiteConfigError, match=why):
        validate(entry)


def test_the_select_list_is_read_with_aliases_and_functions():
    assert select_columns("SELECT t.id, t.amount AS amt, NVL(t.memo, 'a, b') memo2, BUILTIN.DF(t.x) AS x FROM t") == [
        ("id", "id"),
        ("amt", "amount"),
        ("memo2", "memo2"),
        ("x", "x"),
    ]
    assert select_columns("SELECT * FROM customer") is None
    validate(LINES)
    validate(BILLS)


def test_a_refused_query_stops_the_run_before_any_request(emulator, tmp_path):
    control(emulator, "POST", "/_emulator/metrics/reset", {})
    for entry, why in REFUSED[:3]:
        result = run_tap(tmp_path, {**emulator, "custom_queries": [BILLS, entry]})
        assert result.returncode == 1
        assert why in result.stderr and "Traceback" not in result.stderr
        [line] = [line for line in result.stderr.splitlines() if "ERROR" in line]
        assert "cannot be paged safely" in line
    assert control(emulator, "GET", "/_emulator/metrics")["requests"] == {}  # not one request


def selected_catalog(tmp_path, config: dict, *streams: str) -> dict:
    """`--discover`, then only `streams` selected."""
    result = run_tap(tmp_path, config, "--discover")
    assert result.returncode == 0, result.stderr[-3000:]
    catalog = json.loads(result.stdout)
    for entry in catalog["streams"]:
        for metadata in entry["metadata"]:
            if metadata["breadcrumb"] == []:
                metadata["metadata"]["selected"] = entry["tap_stream_id"] in streams
    return catalog


def sync(tmp_path, config: dict, catalog: dict, state: dict | None = None):
    (tmp_path / "catalog.json").write_text(json.dumps(catalog))
    result = run_tap(tmp_path, config, "--catalog", str(tmp_path / "catalog.json"), state=state)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_an_incremental_query_is_typed_from_the_catalogue_and_custom_fields_and_resumes(emulator, tmp_path):
    config = {**emulator, "tables": ["currency"], "custom_queries": [BILLS], "page_size": 20}
    catalog = selected_catalog(tmp_path, config, "vendor_bills")
    [entry] = [e for e in catalog["streams"] if e["tap_stream_id"] == "vendor_bills"]
    properties = entry["schema"]["properties"]
    assert {name: (prop["type"], prop.get("format")) for name, prop in properties.items()} == {
        "id": (["integer"], None),
        "tranid": (["string", "null"], None),
        "lastmodifieddate": (["string"], "date-time"),
        "trandate": (["string", "null"], "date"),
        "foreigntotal": (["number", "null"], None),
        "custbody_approved": (["boolean", "null"], None),  # a Check Box custom field
        "custbody_margin": (["number", "null"], None),  # a Decimal Number custom field
        "vendor_name": (["string", "null"], None),  # an expression: a string
    }
    first = sync(tmp_path, config, catalog)
    bills = {row["id"]: row for row in rows(emulator, "transaction") if row["type"] == "VendBill"}
    sent = [m["record"] for m in messages(first.stdout, "RECORD", "vendor_bills")]
    assert sorted(record["id"] for record in sent) == sorted(bills)
    assert all(record["custbody_approved"] == bills[record["id"]]["custbody_approved"] for record in sent)
    [state] = [m["value"] for m in messages(first.stdout, "STATE")][-1:]
    # A second run from the bookmark reads only the lookback window again.
    again = sync(tmp_path, config, catalog, state=state)
    assert len(messages(again.stdout, "RECORD", "vendor_bills")) < len(sent)


@pytest.mark.slow
def test_a_query_past_100000_rows_arrives_whole_and_once(tmp_path):
    with running_emulator(tmp_path, "--metrics-queries", "1000000", customers=200, invoices=32000) as live:
        lines = rows(live, "transactionline")
        assert len(lines) > 100_000
        config = {**live, "tables": ["currency"], "custom_queries": [LINES]}
        catalog = selected_catalog(tmp_path, config, "all_lines")
        control(config, "POST", "/_emulator/metrics/reset", {})
        result = sync(tmp_path, config, catalog)
        sent = [
            json.loads(line, parse_float=Decimal)["record"]
            for line in result.stdout.splitlines()
            if line.startswith('{"type":"RECORD","stream":"all_lines"')
        ]
        keys = [(record["transaction"], record["id"]) for record in sent]
        assert len(keys) == len(set(keys)) == len(lines)  # whole, and once
        assert set(keys) == {(line["transaction"], line["id"]) for line in lines}
        assert keys == sorted(keys)
        sample = {(line["transaction"], line["id"]): line for line in lines[::997]}
        for record in sent:
            line = sample.get((record["transaction"], record["id"]))
            if line is not None:
                amount = None if line["amount"] is None else Decimal(str(line["amount"]))
                assert (record["amount"], record["memo"]) == (amount, line["memo"])
        seen = control(config, "GET", "/_emulator/metrics")
        asked = [q for q in seen["queries"] if "transactionline" in q["q"]]
        assert len(asked) > 100 and all(q["offset"] == 0 for q in asked)  # by keyset, never past the cap
        assert seen["max_in_flight"] > 1  # the planned windows were read side by side
        assert [m for m in messages(result.stdout, "ACTIVATE_VERSION") if m["stream"] == "all_lines"]
