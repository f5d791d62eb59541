"""Discovery against the emulator over a socket: exactly the readable tables and columns, typed.

The emulator's `customfield` rows and `/_emulator/rows/{table}` are the oracle; `--deny-table`
and `--deny-column` take tables and columns away from the role in several positions.
"""

from __future__ import annotations

import json

import pytest
from helpers import control, messages, rows, run_tap, start_emulator, stop_emulator

from tap_netsuite.catalogue import TABLES
from tap_netsuite.streams import schema_dir
from tap_netsuite.tap import default_catalog

# What each fieldvaluetype must become, written out here rather than read from the tap.
EXPECTED_TYPE = {
    "Check Box": ({"boolean", "null"}, None),
    "Integer Number": ({"integer", "null"}, None),
    "Decimal Number": ({"number", "null"}, None),
    "Currency": ({"number", "null"}, None),
    "Percent": ({"number", "null"}, None),
    "Date": ({"string", "null"}, "date"),
    "Date/Time": ({"string", "null"}, "date-time"),
    "List/Record": ({"integer", "null"}, None),
    "Multiple Select": ({"string", "null"}, None),
    "Email Address": ({"string", "null"}, None),
    "Free-Form Text": ({"string", "null"}, None),
    "Hyperlink": ({"string", "null"}, None),
    "Long Text": ({"string", "null"}, None),
    "Phone Number": ({"string", "null"}, None),
    "Text Area": ({"string", "null"}, None),
    "Time Of Day": ({"string", "null"}, None),
}
STREAM_TABLE = {table.stream: table.table for table in TABLES}
SMALL = {"customers": 40, "invoices": 60}


def discover(tmp_path, config: dict, **settings) -> tuple[dict[str, dict], str]:
    """The tap's `--discover` output, by stream, and its log."""
    result = run_tap(tmp_path, {**config, **settings}, "--discover")
    assert result.returncode == 0, result.stderr[-3000:]
    catalog = json.loads(result.stdout)
    return {entry["tap_stream_id"]: entry for entry in catalog["streams"]}, result.stderr


def table_columns(config: dict, table: str) -> set[str]:
    """The columns of a table as the emulator holds it (every row has every column)."""
    found = rows(config, table)
    assert found, f"the emulator has no {table} rows"
    return set(found[0])


def kind(prop: dict) -> tuple[set[str], str | None]:
    return set(prop["type"]), prop.get("format")


@pytest.fixture(scope="module")
def default_discovery(emulator, tmp_path_factory):
    control(emulator, "POST", "/_emulator/metrics/reset", {})
    streams, log = discover(tmp_path_factory.mktemp("discover"), emulator)
    metrics = control(emulator, "GET", "/_emulator/metrics")
    return streams, log, metrics


def test_every_table_of_the_default_account_is_a_stream_with_exactly_its_columns(emulator, default_discovery):
    streams, log, _ = default_discovery
    records = {row["scriptid"].lower() for row in rows(emulator, "customrecordtype")}
    assert records == {"customrecord_contract", "customrecord_shipment_audit"}
    assert set(streams) == set(STREAM_TABLE) | records
    for name, entry in streams.items():
        table = STREAM_TABLE.get(name, name)
        properties = set(entry["schema"]["properties"])
        held = table_columns(emulator, table)
        if name in ("customer", "invoice", "deleted_record"):
            # The streams older than the whole account keep their schema files (a subset of the
            # table's columns), plus the custom fields of their rows.
            assert properties <= held, f"{name}: {properties - held}"
            prefix = {"customer": "custentity_", "invoice": "custbody_", "deleted_record": "-"}[name]
            assert {c for c in held if c.startswith(prefix)} <= properties
            # Their columns keep the very types they had: target-postgres cannot change a type.
            before = json.loads((schema_dir() / f"{name}.json").read_text())["properties"]
            assert {c: entry["schema"]["properties"][c] for c in before} == before
        else:
            assert properties == held, f"{name}: missing {held - properties}, extra {properties - held}"
    assert "WARNING" not in log, log


def test_each_custom_field_has_the_json_type_of_its_fieldvaluetype(emulator, default_discovery):
    streams, _, _ = default_discovery
    fields = rows(emulator, "customfield")
    assert {field["fieldvaluetype"] for field in fields} == set(EXPECTED_TYPE)  # every kind is proven
    checked = 0
    for field in fields:
        for entry in streams.values():
            prop = entry["schema"]["properties"].get(field["scriptid"].lower())
            if prop is not None:
                assert kind(prop) == EXPECTED_TYPE[field["fieldvaluetype"]], (field, prop)
                checked += 1
    assert checked >= len(fields)  # every field on at least one stream


def test_keys_replication_and_whole_tables(default_discovery):
    streams, _, _ = default_discovery
    for name in ("customrecord_contract", "customrecord_shipment_audit"):
        assert streams[name]["replication_key"] == "lastmodified"
        assert streams[name]["key_properties"] == ["id"]
    assert streams["currency"]["replication_method"] == "FULL_TABLE"
    assert streams["currency"].get("replication_key") is None
    assert streams["accountingbooksubsidiaries"]["key_properties"] == ["accountingbook", "subsidiary"]
    assert streams["vendor"]["replication_key"] == "lastmodifieddate"
    # The streams read before the whole account are the ones selected without a catalog.
    selected = {
        name
        for name, entry in streams.items()
        if next(m for m in entry["metadata"] if m["breadcrumb"] == [])["metadata"].get("selected-by-default")
    }
    assert selected == {"customer", "invoice", "deleted_record"}


def test_discovery_costs_a_bounded_number_of_requests(emulator, default_discovery):
    streams, _, metrics = default_discovery
    answered = sum(metrics["requests"]["suiteql"].values())
    # customfield, customrecordtype, customlist; a probe per table, and at most one more per
    # custom field a table might have (by script-id prefix) but has not.
    prefixes = {"custentity_": 7, "custbody_": 1, "custitem_": 1, "custrecord_": 2}  # tables per prefix
    candidates = sum(
        n
        for field in rows(emulator, "customfield")
        for p, n in prefixes.items()
        if field["scriptid"].lower().startswith(p)
    )
    tables = len(set(streams) - {"invoice"})  # invoice and transaction are one table
    assert answered <= 3 + tables + candidates
    assert all(q["limit"] == 1 for q in metrics["queries"] if "ROWNUM <= 1" in q["q"])
    assert metrics["max_in_flight"] <= 2  # max_concurrency


DENIED_TABLES = ("currency", "vendor", "customrecord_contract", "consolidatedexchangerate")
DENIED_COLUMNS = (
    "customer.email",  # a standard column in the middle
    "customer.custentity_vip",  # a custom field only customers have
    "transaction.custbody_approved_at",  # a custom field: the last column of transaction
    "item.itemid",  # the second column
    "subsidiary.lastmodifieddate",  # a replication key: the stream cannot be read incrementally
    "term.id",  # a whole table's key: it cannot be paged
    "accountingperiod.closed",  # the last column
    "customrecord_shipment_audit.custrecord_audit_tags",  # a custom record's custom field
    "employee.custentity_website",  # a field three tables have: still on the others
)


@pytest.fixture(scope="module")
def denied(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("denied")
    extra = [arg for table in DENIED_TABLES for arg in ("--deny-table", table)]
    extra += [arg for column in DENIED_COLUMNS for arg in ("--deny-column", column)]
    proc, config = start_emulator(tmp, *extra, **SMALL)
    yield config, tmp
    stop_emulator(proc)


def test_denied_tables_and_columns_are_left_out_with_one_line_each(denied, default_discovery):
    config, tmp = denied
    streams, log = discover(tmp, config)
    everything, _, _ = default_discovery
    gone = {"currency", "vendor", "customrecord_contract", "consolidatedexchangerate", "subsidiary", "term"}
    assert set(streams) == set(everything) - gone
    for table in ("currency", "vendor", "consolidatedexchangerate"):
        permission = next(t.permission for t in TABLES if t.table == table)
        lines = [line for line in log.splitlines() if f"{table}: left out" in line]
        assert len(lines) == 1 and permission in lines[0], log
    assert "customrecord_contract: left out" in log
    assert "subsidiary: left out, the role cannot see its key column(s) lastmodifieddate" in log
    assert "term: left out, the role cannot see its key column(s) id" in log
    for column in DENIED_COLUMNS:
        table, name = column.split(".")
        for stream, entry in streams.items():
            if STREAM_TABLE.get(stream, stream) == table:
                assert name not in entry["schema"]["properties"], column
    # Each standard column is named in a warning, once.
    for column in ("customer.email", "item.itemid", "accountingperiod.closed"):
        table, name = column.split(".")
        [line] = [line for line in log.splitlines() if f"{table}: the role cannot see column(s)" in line]
        assert name in line
    # A custom field on no table the role reads is named; one still on other tables is kept there.
    assert "custentity_vip" in log and "custrecord_audit_tags" in log
    assert "custentity_website" in streams["customer"]["schema"]["properties"]
    assert "custentity_website" not in streams["employee"]["schema"]["properties"]
    # Everything else is exactly as on the full account.
    for stream in set(streams) - {"customer", "invoice", "transaction", "item", "accountingperiod", "employee"}:
        if stream == "customrecord_shipment_audit":
            continue
        assert streams[stream]["schema"] == everything[stream]["schema"], stream


def test_the_tables_setting_discovers_only_what_it_names(emulator, tmp_path):
    config = emulator
    control(config, "POST", "/_emulator/metrics/reset", {})
    streams, _ = discover(tmp_path, config, tables=["customer", "customrecord_*", "account*", "customlist_segment"])
    assert set(streams) == {
        "customlist_segment",  # named: the emulated account has no customlist table to list it
        "customer",
        "customrecord_contract",
        "customrecord_shipment_audit",
        "account",
        "accounttype",
        "accountingperiod",
        "accountingperiodfiscalcalendars",
        "accountingbook",
        "accountingbooksubsidiaries",
    }
    probed = {q["q"].split(" FROM ")[1].split()[0] for q in control(config, "GET", "/_emulator/metrics")["queries"]}
    assert "vendor" not in probed and "transaction" not in probed


def test_a_transient_500_is_retried_never_read_as_a_hidden_column(emulator, default_discovery, tmp_path):
    everything, _, _ = default_discovery
    control(emulator, "POST", "/_emulator/faults", {"kind": "500", "every": 3, "route": "suiteql"})
    control(emulator, "POST", "/_emulator/metrics/reset", {})
    try:
        streams, log = discover(tmp_path, emulator)
        injected = control(emulator, "GET", "/_emulator/metrics")["faults"]
    finally:
        control(emulator, "POST", "/_emulator/faults", {"clear": True})
    assert sum(injected.values()) >= 10, injected  # a third of discovery's requests failed once
    assert streams == everything
    assert "cannot see" not in log and "left out" not in log


def test_a_custom_list_named_in_tables_is_read_whole(emulator, tmp_path):
    streams, _ = discover(tmp_path, emulator, tables=["customlist_sales_channel"])
    entry = streams["customlist_sales_channel"]
    assert entry["replication_method"] == "FULL_TABLE"
    next(m for m in entry["metadata"] if m["breadcrumb"] == [])["metadata"]["selected"] = True
    (tmp_path / "catalog.json").write_text(json.dumps({"streams": [entry]}))
    result = run_tap(tmp_path, emulator, "--catalog", str(tmp_path / "catalog.json"))
    assert result.returncode == 0, result.stderr[-3000:]
    sent = [m["record"] for m in messages(result.stdout, "RECORD", "customlist_sales_channel")]
    assert sent == [
        {"id": row["id"], "name": row["name"], "isinactive": row["isinactive"]}
        for row in rows(emulator, "customlist_sales_channel")
    ]
    assert [m["stream"] for m in messages(result.stdout, "ACTIVATE_VERSION")] == ["customlist_sales_channel"]


def test_a_whole_table_keyed_by_two_text_columns_pages_by_keyset(emulator, tmp_path):
    (tmp_path / "catalog.json").write_text(json.dumps(default_catalog(["transactionstatus"])))
    control(emulator, "POST", "/_emulator/metrics/reset", {})
    result = run_tap(tmp_path, {**emulator, "page_size": 3}, "--catalog", str(tmp_path / "catalog.json"))
    assert result.returncode == 0, result.stderr[-3000:]
    sent = [(m["record"]["trantype"], m["record"]["id"]) for m in messages(result.stdout, "RECORD")]
    held = [(row["trantype"], row["id"]) for row in rows(emulator, "transactionstatus")]
    assert len(sent) == len(set(sent)) and set(sent) == set(held)
    asked = [q for q in control(emulator, "GET", "/_emulator/metrics")["queries"] if "transactionstatus" in q["q"]]
    pages = [q for q in asked if "ROW_NUMBER" not in q["q"]]  # the plan, a key per page, is a small query
    assert len(pages) > len(held) // 3 and all(q["offset"] == 0 for q in pages)  # by keyset, a page at a time
    assert any("ROW_NUMBER" in q["q"] for q in asked)  # windows planned, and read side by side
