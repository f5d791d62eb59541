"""The contract between the record fast path and the installed singer-sdk.

`tap_netsuite/sdk_fast_path.py` overrides private singer-sdk methods and reads private
attributes. These tests fail loudly when the installed SDK changes any of them: the
methods' signatures, the attributes, what `is_flushed` decides, and the lines written,
which must be byte-equal to those of the SDK's own path for the same sync.
"""

from __future__ import annotations

import datetime as dt
import signal
import sys

import msgspec
import pytest
from singer_sdk import Stream
from singer_sdk.streams import core as sdk_stream_core

from tap_netsuite import sdk_fast_path
from tap_netsuite.errors import NetSuiteDataError
from tap_netsuite.sdk_fast_path import PROVEN_SIGNATURES, parameters, sdk_differences
from tap_netsuite.tap import TapNetSuite, default_catalog
from tap_netsuite.writer import BufferedMsgSpecWriter

FIXED_NOW = dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.timezone.utc)


class StdoutBytes:
    """A stand-in for sys.stdout that keeps what the writer writes to its buffer."""

    def __init__(self) -> None:
        self.buffer = self
        self.written = bytearray()

    def write(self, data: bytes) -> None:
        self.written += data

    def flush(self) -> None:
        pass


def test_the_installed_sdk_is_the_one_the_fast_path_is_proven_on():
    differences = sdk_differences()
    assert differences == [], (
        "singer-sdk differs from the one the record fast path was proven on: "
        + "; ".join(differences)
        + ". Read the SDK's new private methods, re-prove tap_netsuite/sdk_fast_path.py against "
        "them, then update PROVEN_SDK_SERIES / PROVEN_SIGNATURES and the README."
    )


def test_every_overridden_method_is_one_the_sdk_has():
    for name in PROVEN_SIGNATURES:
        assert name in vars(sdk_fast_path.FastRecordPath), f"{name} is proven but not overridden"
        assert callable(getattr(Stream, name, None)), f"singer-sdk no longer has Stream.{name}"
        assert getattr(sdk_fast_path.FastRecordPath, name).__override__ is True  # marked @override
    for name in sdk_fast_path.ACTIVATE_SIGNATURES:
        assert name in vars(sdk_fast_path.ActivateVersionAtEnd), f"{name} is proven but not overridden"
        assert callable(getattr(Stream, name, None)), f"singer-sdk no longer has Stream.{name}"


def test_another_version_or_a_changed_signature_is_told_apart():
    class Reshaped(Stream):
        def _process_record(self, record, child_context=None):  # a parameter less
            pass

        def _generate_record_messages(self, record, *, mapped=True):  # a parameter more
            yield from ()

    without_write = type(
        "Renamed",
        (),
        {
            k: getattr(Stream, k)
            for k in (*PROVEN_SIGNATURES, *sdk_fast_path.ACTIVATE_SIGNATURES, *sdk_fast_path.CALLED_SIGNATURES)
            if k != "_write_record_message"
        },
    )
    assert sdk_differences(Stream, "0.54.9") == []
    assert sdk_differences(Stream, "0.55.0") == ["singer-sdk 0.55.0 is not 0.54.x"]
    found = sdk_differences(Reshaped, "0.54.1")
    assert len(found) == 2
    assert "Stream._process_record is (self, record, child_context=None)" in found[0]
    assert "Stream._generate_record_messages" in found[1]
    assert sdk_differences(without_write, "0.54.0") == [
        f"Stream._write_record_message is missing, was {PROVEN_SIGNATURES['_write_record_message']}"
    ]
    assert parameters(lambda a, *, b=1: None) == "(a, *, b=1)"


def tap_for(config: dict) -> TapNetSuite:
    return TapNetSuite(config=config, parse_env_config=False, validate_config=True)


def test_streams_have_the_private_attributes_and_is_flushed_decides_state(emulator, monkeypatch):
    tap = tap_for(emulator)
    stream = tap.streams["invoice"]
    assert hasattr(stream, "_stream_version")
    assert stream.state_manager.is_flushed is True  # as the SDK starts it
    assert stream.fast_path is True
    out = StdoutBytes()
    monkeypatch.setattr(sys, "stdout", out)
    stream._write_state_message()
    assert out.written == b""  # flushed: the SDK writes no STATE
    stream.state_manager.is_flushed = False  # what the fast path sets after a record
    stream._write_state_message()
    tap.message_writer.flush()
    assert out.written.startswith(b'{"type":"STATE"')
    assert stream.state_manager.is_flushed is True


def synced_output(
    config: dict, monkeypatch: pytest.MonkeyPatch, *, fast: bool, catalog: dict | None = None, state_every: int = 0
) -> tuple[bytes, TapNetSuite]:
    """Every line an in-process sync of all streams writes, each page extracted at FIXED_NOW."""
    monkeypatch.setattr(sdk_fast_path, "utc_now", lambda: FIXED_NOW)
    monkeypatch.setattr(sdk_stream_core, "utc_now", lambda: FIXED_NOW)  # the SDK's own path's clock
    # A stream of more than 10,000 records (accounting lines) writes STATE mid-stream, with the
    # SDK's signpost: the time the stream object was made.
    monkeypatch.setattr(
        sdk_stream_core.Stream,
        "get_replication_key_signpost",
        lambda stream, context=None: FIXED_NOW if stream.is_timestamp_replication_key else None,
    )
    out = StdoutBytes()
    monkeypatch.setattr(sys, "stdout", out)
    if not fast:  # as on an SDK the fast path is not proven on
        monkeypatch.setattr(sdk_fast_path, "SDK_DIFFERENCES", ["singer-sdk 9.9.9 is not 0.54.x"])
        monkeypatch.setattr(sdk_fast_path, "_warned", [])
    if state_every:  # STATE after every `state_every` records, inside pages
        monkeypatch.setattr(sdk_stream_core.Stream, "STATE_MSG_FREQUENCY", state_every)
    tap = TapNetSuite(config=config, catalog=catalog, parse_env_config=False, validate_config=True)
    for stream in tap.streams.values():  # a whole table's version is the time its stream was made
        stream._initialized_at = int(FIXED_NOW.timestamp() * 1000)
    tap.sync_all()
    tap.message_writer.flush()
    monkeypatch.undo()
    return bytes(out.written), tap


def test_the_fast_path_writes_the_very_bytes_of_the_sdks_own_path(emulator, monkeypatch, caplog):
    """On an unproven SDK the streams fall back to the SDK's own path, say so once, and write
    the same bytes."""
    config = {**emulator, "page_size": 300}
    fast, fast_tap = synced_output(config, monkeypatch, fast=True)
    sdk, sdk_tap = synced_output(config, monkeypatch, fast=False)
    synced = [name for name, stream in fast_tap.streams.items() if stream.selected]
    assert set(synced) == {"customer", "invoice", "deleted_record"}  # the streams a run without a catalog reads
    assert all(fast_tap.streams[name]._record_out is not None for name in synced)  # the fast path wrote
    assert all(sdk_tap.streams[name]._record_out is None for name in synced)  # the SDK's own path wrote
    lines = fast.splitlines()
    records = [line for line in lines if line.startswith(b'{"type":"RECORD"')]
    assert len(records) > 2500 and b'"stream":"deleted_record"' in b"".join(records)
    assert any(line.startswith(b'{"type":"STATE"') for line in lines)
    assert fast == sdk
    warnings = [r.getMessage() for r in caplog.records if "Records take singer-sdk's own path" in r.getMessage()]
    assert warnings == [
        "Records take singer-sdk's own path (the same output, slower): the fast path is proven on "
        "singer-sdk 0.54.x only, and here singer-sdk 9.9.9 is not 0.54.x."
    ]


def test_the_page_path_writes_the_very_bytes_of_the_sdks_own_loop(emulator, monkeypatch):
    """Streams whose records come a page at a time are written a page at a time (`_sync_pages`):
    incremental, partitioned (deleted_record) and whole tables (ACTIVATE_VERSION at the end),
    with STATE every 777 records, which falls inside pages of 300, as the SDK's loop writes them."""
    config = {**emulator, "page_size": 300}
    catalog = default_catalog(["customer", "invoice", "deleted_record", "currency", "entityaddress", "transactionline"])
    paged: list[str] = []
    sync_pages = sdk_fast_path.FastRecordPath._sync_pages

    def counted(stream, context):
        paged.append(stream.name)
        return sync_pages(stream, context)

    monkeypatch.setattr(sdk_fast_path.FastRecordPath, "_sync_pages", counted)
    fast, _ = synced_output(config, monkeypatch, fast=True, catalog=catalog, state_every=777)
    assert sorted(set(paged)) == sorted(entry["tap_stream_id"] for entry in catalog["streams"])
    sdk, _ = synced_output(config, monkeypatch, fast=False, catalog=catalog, state_every=777)
    lines = fast.splitlines()
    states = [n for n, line in enumerate(lines) if line.startswith(b'{"type":"STATE"')]
    records = [line for line in lines if line.startswith(b'{"type":"RECORD"')]
    assert len(records) > 5000 and len(states) > len(records) // 777
    assert any(line.startswith(b'{"type":"ACTIVATE_VERSION","stream":"entityaddress"') for line in lines)
    assert fast == sdk


def test_a_value_that_cannot_be_converted_stops_the_page_after_the_records_before_it(emulator, monkeypatch):
    """A page made row by row (its typed decoding failed) writes the records before a bad value,
    then stops the stream with the value named, as the SDK's loop does."""
    monkeypatch.setattr(sdk_fast_path, "utc_now", lambda: FIXED_NOW)
    out = StdoutBytes()
    monkeypatch.setattr(sys, "stdout", out)
    config = {**emulator, "page_size": 300}
    tap = TapNetSuite(config=config, catalog=default_catalog(["currency"]), parse_env_config=False)
    stream = tap.streams["currency"]
    good = [{"id": 1, "name": "US Dollar"}, {"id": 2, "name": "Euro"}]

    def made_one_by_one():
        yield from good
        msg = "column 'exchangerate' of row id '3': expected a number, got 'x'"
        raise NetSuiteDataError(msg)

    monkeypatch.setattr(type(stream), "record_pages", lambda self, context: iter([made_one_by_one()]))
    stream.page_read()
    with pytest.raises(NetSuiteDataError, match="expected a number"):
        stream.sync()
    tap.message_writer.flush()
    written = [line for line in bytes(out.written).splitlines() if line.startswith(b'{"type":"RECORD"')]
    assert [msgspec.json.decode(line)["record"]["id"] for line in written] == [1, 2]


def test_a_signal_while_a_page_is_written_gets_a_state_covering_exactly_that_page(emulator, monkeypatch):
    """A page's records written and the bookmark moved past them are one stretch: a SIGTERM that
    arrives inside it is acted on at its end, with a STATE whose bookmark is the last record written."""
    out = StdoutBytes()
    monkeypatch.setattr(sys, "stdout", out)
    tap = TapNetSuite(
        config={**emulator, "page_size": 300}, catalog=default_catalog(["invoice"]), parse_env_config=False
    )
    write_records = BufferedMsgSpecWriter.write_records
    pages: list[int] = []

    def signalled(writer, records, envelope):
        write_records(writer, records, envelope)
        pages.append(len(records))
        if len(pages) == 2:  # the second page is written; its bookmark has not moved yet
            tap._handle_termination(signal.SIGTERM, None)

    monkeypatch.setattr(BufferedMsgSpecWriter, "write_records", signalled)
    with pytest.raises(SystemExit) as stopped:
        tap.sync_all()
    assert stopped.value.code == 143
    lines = [msgspec.json.decode(line) for line in bytes(out.written).splitlines()]
    records = [m["record"] for m in lines if m["type"] == "RECORD"]
    assert len(records) == sum(pages) == 600
    assert lines[-1]["type"] == "STATE"
    bookmark = lines[-1]["value"]["bookmarks"]["invoice"]["replication_key_value"]
    assert bookmark == records[-1]["lastmodifieddate"]
