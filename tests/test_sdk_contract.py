"""The contract between the record fast path and the installed singer-sdk.

`tap_netsuite/sdk_fast_path.py` overrides private singer-sdk methods and reads private
attributes. These tests fail loudly when the installed SDK changes any of them: the
methods' signatures, the attributes, what `is_flushed` decides, and the lines written,
which must be byte-equal to those of the SDK's own path for the same sync.
"""

from __future__ import annotations

import datetime as dt
import sys

import pytest
from singer_sdk import Stream
from singer_sdk.streams import core as sdk_stream_core

from tap_netsuite import sdk_fast_path
from tap_netsuite.sdk_fast_path import PROVEN_SIGNATURES, parameters, sdk_differences
from tap_netsuite.tap import TapNetSuite

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
            for k in (*PROVEN_SIGNATURES, *sdk_fast_path.ACTIVATE_SIGNATURES)
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


def synced_output(config: dict, monkeypatch: pytest.MonkeyPatch, *, fast: bool) -> tuple[bytes, TapNetSuite]:
    """Every line an in-process sync of all streams writes, each page extracted at FIXED_NOW."""
    monkeypatch.setattr(sdk_fast_path, "utc_now", lambda: FIXED_NOW)
    monkeypatch.setattr(sdk_stream_core, "utc_now", lambda: FIXED_NOW)  # the SDK's own path's clock
    out = StdoutBytes()
    monkeypatch.setattr(sys, "stdout", out)
    if not fast:  # as on an SDK the fast path is not proven on
        monkeypatch.setattr(sdk_fast_path, "SDK_DIFFERENCES", ["singer-sdk 9.9.9 is not 0.54.x"])
        monkeypatch.setattr(sdk_fast_path, "_warned", [])
    tap = tap_for(config)
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
