"""The tap as a user runs it, `tap-netsuite --config ...`, against a live emulator."""

from __future__ import annotations

import pytest
from helpers import assert_no_secret, emulator_client, messages, rows_of, run_tap

from tap_netsuite.errors import NetSuiteQueryError
from tap_netsuite.paging import KeysetReader, all_rows, read_pages
from tap_netsuite.suiteql import KeysetSpec


@pytest.fixture(scope="module")
def full_sync(emulator, tmp_path_factory):
    """One sync with a small page size, so the keyset crosses many pages."""
    config = {**emulator, "page_size": 37}
    result = run_tap(tmp_path_factory.mktemp("full"), config)
    assert result.returncode == 0, result.stderr[-3000:]
    return config, result


def test_every_invoice_once_in_key_order_across_pages(full_sync):
    config, result = full_sync
    records = [m["record"] for m in messages(result.stdout, "RECORD", "invoice")]
    with emulator_client(config) as client:
        [total] = all_rows(client, "SELECT COUNT(*) AS n FROM transaction WHERE type = 'CustInvc'")
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)) == int(total["n"]) > 37 * 10
    keys = [(r["lastmodifieddate"], r["id"]) for r in records]
    assert keys == sorted(keys)
    assert all("links" not in r for r in records)


def test_records_carry_the_schema_types(full_sync):
    _, result = full_sync
    record = messages(result.stdout, "RECORD", "invoice")[0]["record"]
    assert isinstance(record["id"], int) and isinstance(record["entity"], int)
    assert isinstance(record["foreigntotal"], (int, float))
    assert record["lastmodifieddate"].endswith("+00:00")
    assert len(record["trandate"]) == 10
    customer = messages(result.stdout, "RECORD", "customer")[0]["record"]
    assert isinstance(customer["isinactive"], bool)


def test_secrets_never_reach_output_or_logs(full_sync):
    config, result = full_sync
    assert_no_secret(config, result.stdout, result.stderr)


def test_state_resumes_from_the_bookmark(emulator, full_sync, tmp_path):
    config, result = full_sync
    invoices = [m["record"] for m in messages(result.stdout, "RECORD", "invoice")]
    middle = invoices[len(invoices) // 2]["lastmodifieddate"]
    state = {"bookmarks": {"invoice": {"replication_key": "lastmodifieddate", "replication_key_value": middle}}}
    resumed = run_tap(tmp_path, config, state=state)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    again = [m["record"] for m in messages(resumed.stdout, "RECORD", "invoice")]
    assert {r["id"] for r in again} == {r["id"] for r in invoices if r["lastmodifieddate"] >= middle}
    final = messages(resumed.stdout, "STATE")[-1]["value"]["bookmarks"]["invoice"]
    assert final["replication_key_value"] == invoices[-1]["lastmodifieddate"]


def test_wrong_token_secret_stops_with_the_causes_and_no_traceback(emulator, tmp_path):
    config = {**emulator, "token_secret": "not-the-token-secret"}
    result = run_tap(tmp_path, config)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "HTTP 401" in result.stderr and "Login Audit Trail" in result.stderr
    assert "clock" in result.stderr and "realm '1234567_SB1'" in result.stderr.replace('"', "'")
    assert messages(result.stdout, "RECORD") == []
    assert_no_secret(config, result.stdout, result.stderr)


def test_a_zone_that_disagrees_with_the_account_clock_stops_the_tap(emulator, tmp_path):
    result = run_tap(tmp_path, {**emulator, "account_timezone": "Asia/Tokyo"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "account_timezone 'Asia/Tokyo'" in result.stderr


def test_unknown_zone_names_the_fix(emulator, tmp_path):
    result = run_tap(tmp_path, {**emulator, "account_timezone": "Pacific Time"})
    assert result.returncode == 1
    assert "is not an IANA time zone name" in result.stderr


def test_a_refused_query_carries_netsuites_detail_and_the_query(emulator):
    with emulator_client(emulator) as client, pytest.raises(NetSuiteQueryError) as caught:
        client.query_page("SELECT balance FROM customer")
    assert "Unknown identifier 'balance'" in str(caught.value)
    assert "Query: SELECT balance FROM customer" in str(caught.value)


def test_sequential_and_parallel_reading_give_the_same_rows_in_the_same_order(emulator):
    """`KeysetReader.pages` (one request at a time) and `read_pages` (windows) are one ordered read."""
    spec = KeysetSpec(
        columns="id, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodifieddate",
        table="transaction",
        where="type = 'CustInvc'",
        replication_key="lastmodifieddate",
        since="2020-01-01 00:00:00",
    )
    with emulator_client(emulator, page_size=97, max_concurrency=3) as client:
        sequential = [(r["lastmodifieddate"], int(r["id"])) for r in rows_of(KeysetReader(client, spec).pages())]
        windowed = [(r["lastmodifieddate"], int(r["id"])) for r in rows_of(read_pages(client, spec))]
    assert sequential == windowed == sorted(set(sequential))
    assert len(sequential) > 97 * 5


def test_stream_maps_still_apply(emulator, tmp_path):
    config = {**emulator, "stream_maps": {"invoice": {"memo": "__NULL__", "total_cents": "int(foreigntotal * 100)"}}}
    result = run_tap(tmp_path, config)
    assert result.returncode == 0, result.stderr[-3000:]
    records = [m["record"] for m in messages(result.stdout, "RECORD", "invoice")]
    assert records and all("memo" not in r for r in records)
    assert all(r["total_cents"] == round(r["foreigntotal"] * 100) for r in records)
