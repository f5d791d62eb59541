"""Stream classes made from catalogue entries (`catalogue.Table`): no class per table.

Two generic classes do all the table reading: `SuiteQLStream` reads a table with a
replication column incrementally (keyset on (replication key, tiebreak), windows planned
and read side by side, lookback, time zones); `WholeTableStream` reads a table without one
whole every run, by keyset on its primary key (no 100,000-row cap), and then sends
ACTIVATE_VERSION so that a target can drop the rows NetSuite no longer has. `stream_class`
makes the class of an entry; a stream's schema is given when it is made (from discovery or
the input catalog). `paging` does the reading.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.resources
import threading
import time
import typing as t
from pathlib import Path

from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.schema.source import SchemaDirectory, StreamSchema

from tap_netsuite.catalogue import TABLES, Table, deleted_types
from tap_netsuite.columns import kind_of
from tap_netsuite.convert import RecordConverter, as_records, filter_literal
from tap_netsuite.errors import NetSuiteConfigError, NetSuiteDataError, NetSuiteRestletError
from tap_netsuite.paging import read_pages, read_whole
from tap_netsuite.sdk_fast_path import ActivateVersionAtEnd, FastRecordPath, NetSuiteStreamBase, records_from_pages
from tap_netsuite.suiteql import KeysetSpec, WholeSpec, quote, select_list

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context


def schema_dir() -> t.Any:
    """Where the JSON Schemas are: inside the wheel, or the repo's schemas/ when editable."""
    packaged = importlib.resources.files("tap_netsuite") / "schemas"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "schemas"


SCHEMAS = SchemaDirectory(schema_dir())


class TableStream(FastRecordPath):
    """What the two table classes share: a partition's read opened by `open_read` (thread-safe,
    so the tap's scheduler can open it while the streams before it are written), and its
    records handed out page by page (`pages_of`)."""

    # Whether the tap's scheduler may begin this stream's reads ahead of its turn: a stream whose
    # get_records reads otherwise than `table_records` (tap_netsuite.lines) says no.
    reads_ahead: t.ClassVar[bool] = True

    def read_start(self, context: Context | None) -> dt.datetime | None:  # noqa: ARG002
        """Where the SDK will start this partition, known before the sync (None: from the beginning)."""
        return None

    def sdk_start(self, context: Context | None) -> dt.datetime | None:  # noqa: ARG002
        """Where the SDK starts this partition now that its turn has come."""
        return None

    def reads_everything(self, context: Context | None) -> bool:  # noqa: ARG002
        """Whether this partition's read is of all its rows (a whole table; a stream without a
        bookmark), not only of those changed since: such reads are begun first (`Scheduler`)."""
        return True

    def open_read(self, context: Context | None, start: dt.datetime | None) -> tuple[RecordConverter, t.Iterable[list]]:
        """What makes the partition's records, and its pages from `start`, read lazily."""
        raise NotImplementedError

    def selected_properties(self, *, with_keys: bool = False) -> dict[str, dict]:
        """The schema's selected columns (only those are asked for: a column the account lacks
        can be deselected instead of failing the query); `with_keys`: the primary key too, which
        a read in key order needs and a catalog cannot deselect."""
        properties = {
            name: prop for name, prop in self.schema["properties"].items() if self.mask.get(("properties", name), True)
        }
        for key in self.primary_keys if with_keys else ():
            properties.setdefault(key, self.schema["properties"][key])
        return properties

    def table_records(self, context: Context | None) -> t.Iterator[dict]:
        """The partition's records, one by one (see `record_pages`)."""
        for page in self.record_pages(context):
            yield from as_records(page)

    def record_pages(self, context: Context | None) -> t.Iterator[t.Iterable[dict]]:
        """The partition's records, a page at a time: from the read begun ahead by the tap's
        scheduler while the streams before this one were written, else (not listed, or listed
        from another start) from a read begun now."""
        tap = self.netsuite_tap
        start = self.sdk_start(context)
        to_records, pages = tap.read_ahead(self.name, context, start) or self.open_read(context, start)
        try:
            yield from pages_of(self, pages, to_records)
        except BaseException:  # this stream failed or was stopped: so are the reads ahead
            tap.stop_reading_ahead()
            raise


class SuiteQLStream(TableStream):
    """A table read incrementally on its replication key by keyset, in (key, tiebreak) order.

    Made for one catalogue entry by `stream_class`; its JSON Schema (standard columns the
    role can see, and custom fields) is given when the stream is made.
    """

    # Set from the stream's catalogue entry by `stream_class` (see catalogue.Table).
    entry: t.ClassVar[Table]
    table: t.ClassVar[str]
    where: t.ClassVar[str | None] = None
    tiebreak: t.ClassVar[str] = "id"

    # Records arrive in replication-key order, so state is resumable mid-stream.
    # The order is NetSuite's account-local clock; in the repeated hour when
    # clocks fall back it is not UTC order, so the SDK's check (which would stop
    # the sync) is off: a bookmark that steps back a few minutes only re-reads.
    is_sorted = True
    check_sorted = False
    # RecordConverter already gives every value its schema type; the SDK's second pass
    # over each record was a third of the tap's CPU per record.
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    @records_from_pages
    def get_records(self, context: Context | None) -> t.Iterable[dict]:
        return self.table_records(context)

    def sdk_start(self, context: Context | None) -> dt.datetime | None:
        return self.get_starting_timestamp(context)

    def saved_bookmark(self, context: Context | None) -> dict:
        """This partition's bookmark as the run began (read only: nothing is added to the state)."""
        state = self.tap_state.get("bookmarks", {}).get(self.name, {})
        if context:
            found = [p for p in state.get("partitions", []) if p.get("context") == dict(context)]
            return found[0] if found else {}
        return state

    def reads_everything(self, context: Context | None) -> bool:
        return not self.replication_key or not self._bookmark_value(context)

    def _bookmark_value(self, context: Context | None) -> str | None:
        """The saved bookmark's value, when it is of this stream's replication key."""
        bookmark = self.saved_bookmark(context)
        of_this_key = bookmark.get("replication_key") == self.replication_key
        return bookmark.get("replication_key_value") if of_this_key else None

    def read_start(self, context: Context | None) -> dt.datetime | None:
        """Where the SDK will start this partition (`get_starting_timestamp` once it has written
        its starting value), worked out before the sync from the saved state and start_date."""
        value = self._bookmark_value(context)
        if start_date := self.config.get("start_date"):
            value = self.compare_start_date(value, start_date) if value else start_date
        if not value:
            return None
        moment = dt.datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)

    def open_read(self, context: Context | None, start: dt.datetime | None) -> tuple[RecordConverter, t.Iterator[list]]:
        """What makes this partition's records, and its pages from `start` (read lazily, by
        `read_pages`); thread-safe, so that the scheduler can run it before the stream's turn."""
        tap = self.netsuite_tap
        zone = tap.reading_zone()
        bookmarked = bool(self.saved_bookmark(context).get("replication_key_value"))
        if start is not None and bookmarked:
            # Re-read a safety window before the bookmark: rows committed late
            # (after a sync read past their timestamp) are picked up, and upserted.
            start -= dt.timedelta(minutes=self.config.get("lookback_minutes", 15))
        properties = self.selected_properties()  # e.g. subsidiary can be deselected outside OneWorld
        if not self.replication_key:
            msg = f"The {self.name} stream is read by its replication key: keep one in the catalog for it."
            raise NetSuiteConfigError(msg)
        progress = Progress(self.logger, self.name)
        to_records = RecordConverter(properties, zone)
        spec = self.keyset_spec(context, properties, filter_literal(start, zone) if start else None)
        pages = read_pages(
            tap.client,
            spec,
            on_plan=progress.planned,
            on_page=progress.page,
            decoder=to_records.page_decoder,  # rows typed as they are parsed; records made a page at a time
            # A first sync reads everything since start_date: large for any table worth the
            # speed. Later syncs usually find little, and read only what they need.
            read_ahead_by_offset=not bookmarked,
        )
        return to_records, pages

    def where_for(self, context: Context | None) -> str | None:  # noqa: ARG002
        """The stream's own filter, for one partition."""
        return self.where

    def keyset_spec(self, context: Context | None, properties: dict, since: str | None) -> KeysetSpec:
        """What the stream reads for one partition: its selected `properties` from its table by keyset."""
        return KeysetSpec(
            columns=select_list(properties),
            table=self.table,
            where=self.where_for(context),
            replication_key=t.cast("str", self.replication_key),
            tiebreak=self.tiebreak,
            since=since,
        )


class WholeTableStream(ActivateVersionAtEnd, TableStream):
    """A table without a replication column, read whole every run by keyset on its primary key.

    Pages continue after the last row's key (offset 0 every time), so any size is read; once
    every record is sent, ACTIVATE_VERSION tells the target which rows are the table now
    (target-postgres with `hard_delete` deletes the others).
    """

    entry: t.ClassVar[Table]
    table: t.ClassVar[str]
    where: t.ClassVar[str | None] = None
    replication_key = None
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def where_for(self, context: Context | None) -> str | None:  # noqa: ARG002
        """The stream's own filter (one partition: the whole table)."""
        return self.where

    @records_from_pages
    def get_records(self, context: Context | None) -> t.Iterable[dict]:
        return self.table_records(context)

    def record_pages(self, context: Context | None) -> t.Iterator[t.Iterable[dict]]:
        """The table's records a page at a time; once all are sent, its ACTIVATE_VERSION."""
        yield from super().record_pages(context)
        self.activate_version()
        self.netsuite_tap.message_writer.flush()

    def open_read(self, context: Context | None, start: dt.datetime | None) -> tuple[RecordConverter, t.Iterable[list]]:  # noqa: ARG002
        tap = self.netsuite_tap
        properties = self.selected_properties(with_keys=True)
        keys = tuple((key, kind_of(properties[key])) for key in self.primary_keys)
        # The keyset writes its keys back into the queries as it read them: a number key stays text.
        to_records = RecordConverter(
            properties, tap.reading_zone(), keep_text=[key for key, kind in keys if kind != "integer"]
        )
        spec = WholeSpec(columns=select_list(properties), table=self.table, where=self.where_for(context), keys=keys)
        return to_records, read_whole(tap.client, spec, decoder=to_records.page_decoder)


def pages_of(
    stream: FastRecordPath, pages: t.Iterable[list], to_records: RecordConverter
) -> t.Iterator[t.Iterable[dict]]:
    """A table stream's records, a page at a time, once the account's clock has confirmed the zone.

    Each page is a list of records, as typed rows when the page was decoded typed (see
    `RecordConverter.rows`; `as_records` makes them dicts), or (when its rows had to be
    converted one by one) an iterator that makes dict records as they are taken, so that a
    bad value stops the stream after the records before it.
    """
    tap = stream.netsuite_tap
    stream.start_reading()
    pages = iter(pages)
    with _naming_the_stream(stream):
        first = next(pages, None)  # the first page (and a plan), read while the clock is asked
    tap.confirm_zone()  # before any record leaves: stops if the clock disagrees
    while first is not None:
        stream.page_read()
        records = to_records.rows(first)
        yield records if type(records) is list else _one_by_one(stream, records)
        with _naming_the_stream(stream):
            first = next(pages, None)
    # Every record handed out has been written by now: send them on, even if no STATE follows.
    tap.message_writer.flush()


def _one_by_one(stream: FastRecordPath, records: t.Iterable[dict]) -> t.Iterator[dict]:
    """A page's records made as they are taken (a list when made column by column: every value converted)."""
    with _naming_the_stream(stream):
        yield from records


@contextlib.contextmanager
def _naming_the_stream(stream: FastRecordPath) -> t.Iterator[None]:
    """A value that cannot be converted or written, with the stream's name and what to do."""
    try:
        yield
    except NetSuiteDataError as exc:
        msg = (
            f"Stream {stream.name!r}, {exc}. NetSuite sent a value its column's type cannot hold: "
            "deselect the column, or report the value with the column's type in schemas/."
        )
        raise NetSuiteDataError(msg) from None


class Progress:
    """Rows done, rows expected, rate and time left, logged every few seconds on long syncs."""

    def __init__(self, logger: t.Any, stream: str, every: float = 5.0) -> None:
        self.logger, self.stream, self.every = logger, stream, every
        self.expected = 0
        self.done = 0
        self.started = self.last = time.monotonic()
        self._lock = threading.Lock()

    def planned(self, rows: int, windows: int) -> None:
        """The plan: `rows` in the full windows, a window per page; the last window holds less than a page."""
        if windows <= 1:
            self.logger.info("%s: less than a page of rows to read, in one window.", self.stream)
            return
        page = rows // (windows - 1)
        self.expected = rows + page // 2
        self.logger.info("%s: %d to %d rows to read in %d windows.", self.stream, rows, rows + page - 1, windows)

    def page(self, page: dict) -> None:
        with self._lock:
            self.done += len(page.get("items", []))
            self.expected = max(self.expected, self.done)
            now = time.monotonic()
            if now - self.last < self.every:
                return
            self.last = now
        rate = self.done / max(now - self.started, 1e-9)
        left = max(self.expected - self.done, 0) / rate if rate else 0.0
        self.logger.info(
            "%s: %d of %d rows (%.0f%%), %.0f rows/s, about %.0f s left.",
            self.stream,
            self.done,
            self.expected,
            100 * self.done / max(self.expected, 1),
            rate,
            left,
        )


class OpenInvoiceAgingStream(NetSuiteStreamBase):
    """Open invoices aged by the tap's own RESTlet (suitescripts/), one snapshot per `as_of` day.

    Enabled when `open_invoices_restlet_script` and `..._deploy` are set. The
    RESTlet pages by a continuation cursor; the stream follows it to the end.
    """

    name = "open_invoice_aging"
    primary_keys: t.ClassVar[list[str]] = ["as_of", "id"]
    replication_key = None
    schema = StreamSchema(SCHEMAS)

    def get_records(self, context: Context | None) -> t.Iterable[dict]:  # noqa: ARG002
        config = self.config
        params: dict[str, t.Any] = {"page_size": config.get("page_size", 1000)}
        seen: set[str] = set()  # every cursor followed: one given again would loop
        while True:
            answer = self.netsuite_tap.client.call_restlet(
                config["open_invoices_restlet_script"], config["open_invoices_restlet_deploy"], params
            )
            if not isinstance(answer, dict):
                _bad_restlet_page(_brief(answer))
            items, more = answer.get("items"), answer.get("has_more", False)
            if not isinstance(items, list) or not isinstance(more, bool) or (more and not items):
                _bad_restlet_page(f"items {_brief(items)} and has_more {more!r}")
            for item in items:
                yield {**item, "as_of": answer["as_of"]}
            if not more:
                self.netsuite_tap.message_writer.flush()
                return
            cursor = answer.get("next_cursor")
            if not cursor or not isinstance(cursor, str) or cursor in seen:
                _bad_restlet_page(f"has_more without a new next_cursor ({cursor!r})")
            seen.add(cursor)
            params = {"page_size": params["page_size"], "cursor": cursor}


def _bad_restlet_page(what: str) -> t.NoReturn:
    msg = (
        f"The open-invoices RESTlet answered {what}: its pages do not move on. Deploy the "
        "RESTlet from this tap's suitescripts/ so that it pages correctly."
    )
    raise NetSuiteRestletError(msg, code="TAPNS_BAD_CURSOR", detail=msg)


def _brief(value: t.Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class DeletedRecordStream(SuiteQLStream):
    """NetSuite's deletedrecord, one partition per record type the catalogue reads deletions of.

    A record id is unique only within its record type, so each type is read
    as its own keyset (deleteddate, recordid) with its own bookmark.
    """

    record_types: t.ClassVar[tuple[str, ...]] = deleted_types()

    @property
    def partitions(self) -> list[dict]:
        return [{"type": record_type} for record_type in self.record_types]

    def where_for(self, context: Context | None) -> str | None:
        return f"type = {quote(context['type'])}" if context else None


def stream_class(table: Table, reader: type[SuiteQLStream] | None = None) -> type[SuiteQLStream | WholeTableStream]:
    """The stream class that reads a catalogue entry: incremental, per deleted type, or whole;
    or on `reader`, for an entry read by a reader of its own (`tap_netsuite.lines`)."""
    base: type[SuiteQLStream | WholeTableStream]
    if reader is not None:
        base = reader
    elif table.per_deleted_type:
        base = DeletedRecordStream
    else:
        base = SuiteQLStream if table.incremental else WholeTableStream
    attributes = {
        "__doc__": f"The {table.stream} stream: SuiteQL table {table.table}"
        + (f" where {table.where}." if table.where else "."),
        "__module__": __name__,
        "entry": table,
        "name": table.stream,
        "table": table.table,
        "where": table.where,
        "primary_keys": list(table.primary_keys),
        "replication_key": table.replication_key,
        "tiebreak": table.tiebreak,
        "selected_by_default": table.selected_by_default,
    }
    class_name = "".join(part.title() for part in table.stream.split("_")) + "Stream"
    return type(class_name, (base,), attributes)


# Every catalogued table's stream class, by stream name, in catalogue order.
# (Entries of another reader are made by the module of that reader: tap_netsuite.lines.)
STREAM_CLASSES: dict[str, type[SuiteQLStream | WholeTableStream]] = {
    table.stream: stream_class(table) for table in TABLES if table.reader == "keyset"
}
