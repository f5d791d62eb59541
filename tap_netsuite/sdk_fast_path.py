"""The record fast path: every touch of singer-sdk's private API, fenced in this one module.

Per record, the SDK's own path spent most of the tap's CPU in four private `Stream` methods:
copies and passes over a record that can change nothing for a SuiteQL stream (its records
are already typed, hold only selected columns, and come sorted). `FastRecordPath` overrides
those four, and `_sync_records`, whose per-record loop it runs once per page for a table
stream (`_sync_pages`, calling four more private methods as the SDK's loop does: see
CALLED_SIGNATURES); it reads two private attributes (`_stream_version`,
`state_manager.is_flushed`). Private means any SDK release may rename or reshape them, and a
wrong guess fails silently (a renamed `is_flushed`, `_is_state_flushed` in 0.53, would stop
STATE after records). So:

- the fast path is taken only on the singer-sdk series it is proven on (`PROVEN_SDK_SERIES`)
  when those methods still have the signatures it was proven against and each stream's
  two attributes exist; on any other SDK every method here hands over to the SDK's own,
  which writes the same lines, more slowly, and the tap logs once that it does;
- tests/test_sdk_contract.py fails loudly when the installed SDK differs from what was proven,
  and compares the lines of both paths byte for byte.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.metadata
import inspect
import typing as t
import uuid

from singer_sdk import Stream
from singer_sdk.mapper import SameRecordTransform
from singer_sdk.singerlib import RecordMessage
from singer_sdk.singerlib.catalog import REPLICATION_INCREMENTAL
from typing_extensions import override

from tap_netsuite.convert import as_records
from tap_netsuite.writer import BufferedMsgSpecWriter

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

    from tap_netsuite.tap import TapNetSuite

PROVEN_SDK_SERIES = "0.54"  # singer-sdk 0.54.x
# The private methods overridden, as the proven SDK declares them (parameters, no annotations).
PROVEN_SIGNATURES = {
    "_increment_stream_state": "(self, latest_record, *, context=None)",
    "_process_record": "(self, record, child_context=None, partition_context=None)",
    "_write_record_message": "(self, record)",
    "_generate_record_messages": "(self, record)",
    "_sync_records": "(self, context=None, *, write_messages=True)",
}
# The private methods the page path (`FastRecordPath._sync_pages`) calls as `_sync_records` does.
CALLED_SIGNATURES = {
    "_get_state_partition_context": "(self, context)",
    "_write_starting_replication_value": "(self, context)",
    "_finalize_state": "(self, state=None)",
    "_write_state_message": "(self)",
}
# The private method `ActivateVersionAtEnd` overrides, as the proven SDK declares it.
ACTIVATE_SIGNATURES = {"_write_activate_version_message": "(self, full_table_version)"}


def parameters(function: t.Callable) -> str:
    """A function's parameters as `inspect` shows them, without annotations: its shape to a caller."""
    signature = inspect.signature(function)
    bare = [parameter.replace(annotation=inspect.Parameter.empty) for parameter in signature.parameters.values()]
    return str(signature.replace(parameters=bare, return_annotation=inspect.Signature.empty))


def sdk_differences(stream_class: type = Stream, version: str | None = None) -> list[str]:
    """How the installed singer-sdk (or `stream_class` and `version`) differs from the proven one; [] if not."""
    version = version or importlib.metadata.version("singer-sdk")
    found = []
    if version.split(".")[:2] != PROVEN_SDK_SERIES.split("."):
        found.append(f"singer-sdk {version} is not {PROVEN_SDK_SERIES}.x")
    for name, proven in {**PROVEN_SIGNATURES, **ACTIVATE_SIGNATURES, **CALLED_SIGNATURES}.items():
        method = getattr(stream_class, name, None)
        shape = parameters(method) if callable(method) else "missing"
        if shape != proven:
            found.append(f"Stream.{name} is {shape}, was {proven}")
    return found


SDK_DIFFERENCES = sdk_differences()


def utc_now() -> dt.datetime:
    """The time a page was extracted (a function of this module, so a test can fix it)."""
    return dt.datetime.now(dt.timezone.utc)


class NetSuiteStreamBase(Stream):
    """What every stream of this tap reads of the SDK's private stream attributes."""

    @property
    def netsuite_tap(self) -> TapNetSuite:
        """The tap this stream belongs to (the SDK keeps it as `_tap`, with no public name)."""
        return t.cast("TapNetSuite", self._tap)


class ActivateVersionAtEnd(NetSuiteStreamBase):
    """A whole-table stream's ACTIVATE_VERSION sent once its records are all sent, not before.

    The SDK sends it before the records: a target that hard-deletes then empties the table
    until the new version arrives, and for good if the run fails half-way. Sent after them,
    it removes exactly the rows this read did not send again (deleted in NetSuite).
    """

    @property
    def emit_activate_version_messages(self) -> bool:
        return True  # the SDK then gives every record of the run the version it activates

    @override
    def _write_activate_version_message(self, full_table_version: int) -> None:
        """The SDK's call before the records: kept back (see `activate_version`)."""

    def activate_version(self) -> None:
        """Every record is sent: the version of this run becomes the table."""
        if self._stream_version is not None:
            super()._write_activate_version_message(self._stream_version)


class FastRecordPath(NetSuiteStreamBase):
    """The SDK's record path for sorted, typed, selected-only records, less its per-record work.

    A stream calls `start_reading()` before it reads a partition, and `page_read()` before it
    hands out each page's records; the path for the stream is decided on the first page and kept.
    """

    # (context, its bookmark dict or None) for the partition being read; see _increment_stream_state.
    _bookmark: tuple[Context | None, dict | None] | None = None
    # The writer and RECORD envelope of the page being handed out, when records skip the SDK's
    # message objects (see page_read); None when they take the SDK's own way.
    _record_out: tuple[BufferedMsgSpecWriter, tuple[bytes, bytes]] | None = None
    _extracted: dt.datetime | None = None  # time_extracted of the page being handed out

    @functools.cached_property
    def fast_path(self) -> bool:
        """Whether this stream takes the fast path: the SDK is the proven one, and this stream
        has the two private attributes as the SDK made them (checked before anything is set)."""
        missing = [
            name
            for owner, name in ((self, "_stream_version"), (self.state_manager, "is_flushed"))
            if not hasattr(owner, name)
        ]
        differences = [*SDK_DIFFERENCES, *(f"the stream has no {name}" for name in missing)]
        if differences and not _warned:
            _warned.append(True)
            self.logger.warning(
                "Records take singer-sdk's own path (the same output, slower): the fast path is proven "
                "on singer-sdk %s.x only, and here %s.",
                PROVEN_SDK_SERIES,
                "; ".join(differences),
            )
        return not differences

    def start_reading(self) -> None:
        """A partition's rows are about to be read: the bookmark dict is looked up anew."""
        self._bookmark = None

    def page_read(self) -> None:
        """A page was read: its records share one time_extracted, and when no stream map changes
        them, one RECORD envelope (see `BufferedMsgSpecWriter.envelope`)."""
        self._extracted = utc_now()
        unmapped = self._unmapped_out
        self._record_out = (
            None
            if unmapped is None
            else (unmapped[0], BufferedMsgSpecWriter.envelope(unmapped[1], self._stream_version, self._extracted))
        )

    @functools.cached_property
    def _unmapped_out(self) -> tuple[BufferedMsgSpecWriter, str] | None:
        """The tap's writer and the stream name records go out under, when the fast path writes
        records itself: no stream map changes them and the writer can take them; else None."""
        maps = self.stream_maps
        writer = self._tap.message_writer
        if (
            self.fast_path
            and len(maps) == 1
            and type(maps[0]) is SameRecordTransform
            and not maps[0].flattening_enabled
            and isinstance(writer, BufferedMsgSpecWriter)
        ):
            return writer, maps[0].stream_alias
        return None

    @override
    def _increment_stream_state(self, latest_record: dict, *, context: Context | None = None) -> None:
        """Reason: the SDK looks the bookmark's dict up per record; this does once per partition.

        For a sorted, unchecked, unpartitioned-state incremental stream, as these are, the SDK's
        increment sets the bookmark to the record's replication key value; this does the same.
        Anything else (or a null value, which the SDK warns of) is left to the SDK.
        """
        if not self.moves_bookmark(context):
            return
        bookmark = self._bookmark_of(context)
        if bookmark is not None and (value := latest_record.get(self.replication_key)) is not None:
            bookmark["replication_key"] = self.replication_key
            # The SDK makes the value JSON-compatible, which changes only datetimes (to ISO text)
            # and UUIDs; a replication key here is ISO text already.
            bookmark["replication_key_value"] = value if type(value) is str else _json_compatible(value)
            return
        super()._increment_stream_state(latest_record, context=context)

    def moves_bookmark(self, context: Context | None) -> bool:  # noqa: ARG002 - a stream may decide per partition
        """Whether this partition's records move its bookmark as they are written (the SDK's way);
        a stream that sets its bookmark itself (`set_bookmark`) says no."""
        return True

    def set_bookmark(self, context: Context | None, value: str) -> None:
        """This partition's bookmark set to `value` (ISO text), written with the next STATE."""
        state = self.get_context_state(context)
        state["replication_key"] = self.replication_key
        state["replication_key_value"] = value
        self.state_manager.is_flushed = False

    def _bookmark_of(self, context: Context | None) -> dict | None:
        """The partition's bookmark dict when its increment is plain (see `_plain_bookmark`),
        looked up once per partition."""
        if self._bookmark is None or self._bookmark[0] is not context:
            self._bookmark = (context, self._plain_bookmark(context))
        return self._bookmark[1]

    def _plain_bookmark(self, context: Context | None) -> dict | None:
        plain = (
            self.fast_path
            and self.replication_method == REPLICATION_INCREMENTAL
            and self.replication_key
            and self.is_sorted
            and not self.check_sorted
            and self.state_partitioning_keys is None
        )
        return self.get_context_state(context) if plain else None

    def record_pages(self, context: Context | None) -> t.Iterator[t.Iterable[dict]]:
        """The partition's records a page at a time (each a list, or an iterable made as it is
        taken), in the order `get_records` gives them. Here: all of them as one. A stream whose
        `get_records` is marked `records_from_pages` gives them page by page, and is synced so."""
        yield t.cast("t.Iterable[dict]", self.get_records(context))  # records, not (record, context) pairs

    def _pages_apply(self, write_messages: bool) -> bool:  # noqa: FBT001 - the SDK's flag, passed on
        """Whether `_sync_records` may write this stream page by page: the fast path writes its
        records itself, and nothing the SDK's loop does per record can apply (a record limit,
        a post_process, child streams, a stream that is not selected)."""
        return (
            write_messages
            and self._unmapped_out is not None
            and getattr(type(self).get_records, "records_from_pages", False)
            and type(self).post_process is Stream.post_process
            and self.ABORT_AT_RECORD_COUNT is None
            and not self.child_streams
            and self.selected
        )

    @override
    def _sync_records(
        self, context: Context | None = None, *, write_messages: bool = True
    ) -> t.Generator[dict, t.Any, t.Any]:
        """Reason: per record, the SDK's loop makes some ten calls (the record limit, post_process,
        _process_record, the write, the bookmark, the counter), about a fifth of the tap's CPU
        per record. For a stream whose records come a page at a time, `_sync_pages` does the
        same once per page; any other stream takes the SDK's loop."""
        if not self._pages_apply(write_messages):
            yield from super()._sync_records(context, write_messages=write_messages)
            return
        yield from self._sync_pages(context)

    def _sync_pages(self, context: Context | None) -> t.Iterator[dict]:
        """singer-sdk 0.54's `Stream._sync_records`, a page at a time; the same messages in the
        same order: each page's RECORD lines, the bookmark set to its last record's key, a STATE
        after every STATE_MSG_FREQUENCY records of the stream (a page is cut there), and the
        partition's and stream's state finalized at their end, then one STATE."""
        record_counter = self.get_record_counter()
        timer = self.get_sync_timer()
        record_index = 0  # records of the stream so far, over its partitions, as in the SDK
        with record_counter, timer:
            for context_element in ([context] if context is not None else self.partitions) or [{}]:
                record_counter.with_context(context_element)
                timer.with_context(context_element)
                current_context = context_element or None
                state_partition_context = self._get_state_partition_context(current_context)
                self._write_starting_replication_value(current_context)
                for page in self.record_pages(current_context):
                    records, failure = _taken(page)
                    if state_partition_context:  # as the SDK's _process_record (see it, above)
                        records = list(as_records(records))  # typed rows take no new key
                        for record in records:
                            for key, value in state_partition_context.items():
                                record.setdefault(key, value)
                    record_index = yield from self._sync_page(records, current_context, record_index, record_counter)
                    if failure is not None:
                        raise failure
                if current_context == state_partition_context:
                    self._finalize_state(self.get_context_state(current_context))
        if not context:
            self._finalize_state(self.stream_state)
        self._write_state_message()

    def _sync_page(
        self, records: list[dict], context: Context | None, record_index: int, record_counter: t.Any
    ) -> t.Generator[dict, None, int]:
        """A page's records written in runs that end where the SDK writes a STATE; the stream's
        record count after them."""
        frequency = self.STATE_MSG_FREQUENCY
        start = 0
        while start < len(records):
            end = min(len(records), start + frequency - record_index % frequency)
            run = records if start == 0 and end == len(records) else records[start:end]
            self._write_records(run, context)
            record_index += len(run)
            record_counter.increment(len(run))
            if record_index % frequency == 0:
                self._write_state_message()
            yield from run
            start = end
        return record_index

    def _write_records(self, records: list[dict], context: Context | None) -> None:
        """A run of a page's records written, then the bookmark moved past them, as one stretch a
        signal does not cut.

        The SDK's increment, per record, sets a plain bookmark to that record's key (see
        `_increment_stream_state`): once with the last record does the same when its key is
        not null. For any other replication method than INCREMENTAL the SDK's increment
        changes nothing, and is not called.
        """
        out = self._record_out
        assert out is not None  # noqa: S101 - set by page_read, as _pages_apply requires
        # One stretch for the writer: a signal's STATE then covers exactly the records written,
        # neither records whose bookmark has not moved yet nor a bookmark ahead of them.
        with out[0].uncut():
            out[0].write_records(records, out[1])
            self.state_manager.is_flushed = False
            if self.replication_method != REPLICATION_INCREMENTAL:
                return
            if self._bookmark_of(context) is not None and records[-1].get(self.replication_key) is not None:
                self._increment_stream_state(records[-1], context=context)
                return
            for record in records:
                self._increment_stream_state(record, context=context)

    @override
    def _process_record(
        self, record: dict, child_context: Context | None = None, partition_context: Context | None = None
    ) -> None:
        """Reason: the SDK copies every record for child streams; these streams have none."""
        if self.child_streams or not self.fast_path:
            super()._process_record(record, child_context, partition_context)
            return
        if partition_context:
            for key, value in partition_context.items():
                record.setdefault(key, value)

    @override
    def _write_record_message(self, record: dict) -> None:
        """Reason: a RECORD message object per record; the writer sets the record in its page's
        envelope instead, which is the line `RecordMessage(...).to_dict()` would give."""
        out = self._record_out
        if out is None:
            super()._write_record_message(record)
            return
        out[0].write_record(record, out[1])
        self.state_manager.is_flushed = False

    @override
    def _generate_record_messages(self, record: dict) -> t.Generator[RecordMessage, None, None]:
        """Reason: the SDK's two passes over every record (deselected properties removed, types
        conformed) can change nothing here; stream maps still apply.

        Records hold only the selected columns (the query asks for no others) with their schema
        types already (TYPE_CONFORMANCE_LEVEL is NONE).
        """
        if not self.fast_path:
            yield from super()._generate_record_messages(record)
            return
        for stream_map in self.stream_maps:
            mapped = stream_map.transform(record)
            if mapped is not None:
                yield RecordMessage(
                    stream=stream_map.stream_alias,
                    record=mapped,
                    version=self._stream_version,
                    time_extracted=self._extracted,
                )


def _json_compatible(value: t.Any) -> t.Any:
    """A value as the SDK writes it into state: datetimes as ISO text (naive ones taken as UTC), UUIDs as text."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)
        return aware.isoformat("T", timespec="microseconds")
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def records_from_pages(get_records: t.Callable) -> t.Callable:
    """Marks a stream's `get_records` as its `record_pages`' records one by one: the page path
    (`FastRecordPath._sync_pages`) may then take the pages instead. A subclass that overrides
    `get_records` without the mark is synced record by record by the SDK's loop."""
    get_records.records_from_pages = True  # type: ignore[attr-defined]
    return get_records


def _taken(page: t.Iterable[dict]) -> tuple[list[dict], Exception | None]:
    """A page's records as a list; for records made as they are taken, those made before one
    failed, and its exception (raised once they are written, as the SDK's loop would)."""
    if type(page) is list:
        return page, None
    taken: list[dict] = []
    try:
        taken.extend(page)  # keeps what was taken before a failure
    except Exception as exc:  # noqa: BLE001 - raised again by the caller, after the records before it
        return taken, exc
    return taken, None


_warned: list[bool] = []  # the fallback is logged once per process, not per stream
