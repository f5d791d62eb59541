"""Transaction lines: the readers of the streams the README's "Transaction lines" designs.

- `transactionline` is an ordinary keyset stream (catalogue reader "keyset") on
  `linelastmodifieddate`, tiebreak `uniquekey`: every line edit arrives, with or without the
  header moving.
- `transactionline_set` (reader "line_set"): for every transaction whose header moved, the ids of
  the lines it has then; for every deleted transaction, none. Lines removed from a transaction
  leave no trace in NetSuite but this: the warehouse view `transactionline_live` keeps a line
  only when its transaction's latest set lists it (or the line changed after that set).
- `transactionaccountingline` (reader "joined"): one keyset over the accounting lines joined
  to their transaction, on `changed_at`, the later of the two `lastmodifieddate`s: rows with a
  NULL `lastmodifieddate` (before 2023.1) are read on the first sync and whenever their
  transaction changes, and a change in any book arrives by the row's own time.
- the two link tables (reader "links"): the links of every transaction whose header moved.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import typing as t

from tap_netsuite import parallel
from tap_netsuite.catalogue import TABLES
from tap_netsuite.convert import RecordConverter, filter_literal
from tap_netsuite.paging import all_rows, read_pages, read_whole
from tap_netsuite.scheduler import key_of
from tap_netsuite.streams import Progress, SuiteQLStream, WholeTableStream, stream_class
from tap_netsuite.suiteql import DATE_FORMAT, KeysetSpec, WholeSpec, quote, rendered_second, select_list, timestamp

if t.TYPE_CHECKING:
    from singer_sdk.helpers.types import Context

# The record types `deletedrecord` names deleted transactions by (NetSuite's transaction record
# type ids); an IN list far under SuiteQL's 1,000 values.
TRANSACTION_RECORD_TYPES = (
    "assemblybuild",
    "assemblyunbuild",
    "cashrefund",
    "cashsale",
    "check",
    "creditmemo",
    "customerdeposit",
    "customerpayment",
    "customerrefund",
    "customtransaction",
    "deposit",
    "depositapplication",
    "estimate",
    "expensereport",
    "intercompanyjournalentry",
    "inventoryadjustment",
    "inventorycostrevaluation",
    "inventorytransfer",
    "invoice",
    "itemfulfillment",
    "itemreceipt",
    "journalentry",
    "opportunity",
    "purchaseorder",
    "returnauthorization",
    "salesorder",
    "statisticaljournalentry",
    "transferorder",
    "vendorbill",
    "vendorcredit",
    "vendorpayment",
    "vendorreturnauthorization",
    "workorder",
)

DATETIME: dict = {"type": ["string"], "format": "date-time"}
INTEGER: dict = {"type": ["integer"]}


@dataclasses.dataclass(frozen=True)
class JoinedKeysetSpec(KeysetSpec):
    """A keyset over an expression (a join, a CASE): the key is selected as `key_column`, and the
    tiebreak is the sum of `packing`'s columns times their scales (as the `tiebreak` SQL computes)."""

    key_column: str = "changed_at"
    packing: tuple[tuple[str, int], ...] = ()

    def key(self, row: t.Any) -> tuple[str, int]:
        return row[self.key_column], sum(int(row[column]) * scale for column, scale in self.packing)

    def tiebreak_columns(self) -> tuple[str, ...]:
        return tuple(column for column, _ in self.packing)


def _lookback(stream: SuiteQLStream) -> dt.timedelta:
    return dt.timedelta(minutes=stream.config.get("lookback_minutes", 15))


def _starting_point(stream: SuiteQLStream, context: Context | None) -> tuple[dt.datetime | None, bool]:
    """Where an incremental read starts, as `SuiteQLStream.get_records` decides it; and whether
    the partition has a bookmark."""
    start = stream.get_starting_timestamp(context)
    bookmarked = bool(stream.get_context_state(context).get("replication_key_value"))
    if start is not None and bookmarked:
        start -= _lookback(stream)
    return start, bookmarked


def _pages(
    stream: SuiteQLStream, spec: KeysetSpec, rows: RecordConverter, *, bookmarked: bool, what: str
) -> t.Iterator[list]:
    """The pages of a keyset read, with progress logged; a first sync's read ahead by offset."""
    progress = Progress(stream.logger, f"{stream.name} ({what})")
    return read_pages(
        stream.netsuite_tap.client,
        spec,
        on_plan=progress.planned,
        on_page=progress.page,
        decoder=rows.page_decoder,
        read_ahead_by_offset=not bookmarked,
    )


class AccountingLineStream(SuiteQLStream):
    """transactionaccountingline joined to its transaction: a first sync in key order, then by
    keyset on `changed_at`.

    `changed_at` is the later of the row's `lastmodifieddate` (NULL before 2023.1) and its
    transaction's. A keyset on it orders the whole join by an expression no index holds: each
    page would scan it, which at millions of rows is too slow for a first sync (and for the
    emulator, a full sort per page). So a partition without a bookmark is read whole, by its
    key (transaction, transactionline, accountingbook) with `changed_at` at or after start_date,
    like a whole table (`paging.read_whole`: windows of one page side by side); its bookmark
    moves only once every row is sent, to when the run began (a row changed since is read again
    next run), and a STATE before that holds none: a first sync stopped half-way starts again.
    Later runs read what changed since by keyset on `changed_at`, whose tiebreak packs the key
    into one integer: it assumes line ids under 10,000 and book ids under 1,000.
    """

    CHANGED = "CASE WHEN a.lastmodifieddate > t.lastmodifieddate THEN a.lastmodifieddate ELSE t.lastmodifieddate END"
    PACKING = (("transaction", 10**7), ("transactionline", 10**3), ("accountingbook", 1))
    TABLES = "transactionaccountingline a JOIN transaction t ON t.id = a.transaction"

    # Partitions read whole on this run (no bookmark as the run began): their records do not
    # move the bookmark (see `moves_bookmark`); `record_pages` sets it at the end.
    _read_whole: frozenset = frozenset()

    def _columns(self, properties: dict) -> str:
        columns = []
        for name, prop in properties.items():
            if name == self.replication_key:
                columns.append(f"{rendered_second(self.CHANGED)} AS {name}")
            elif prop.get("format") == "date-time":
                columns.append(f"{rendered_second('a.' + name)} AS {name}")
            elif prop.get("format") == "date":
                columns.append(f"TO_CHAR(a.{name}, {quote(DATE_FORMAT)}) AS {name}")
            else:
                columns.append(f"a.{name} AS {name}")
        return ", ".join(columns)

    def keyset_spec(self, context: Context | None, properties: dict, since: str | None) -> KeysetSpec:  # noqa: ARG002
        return JoinedKeysetSpec(
            columns=self._columns(properties),
            table=self.TABLES,
            where=None,
            replication_key=self.CHANGED,
            tiebreak=" + ".join(f"a.{column} * {scale}" for column, scale in self.PACKING),
            since=since,
            key_column=t.cast("str", self.replication_key),
            packing=self.PACKING,
        )

    def open_read(self, context: Context | None, start: dt.datetime | None) -> tuple[RecordConverter, t.Iterator[list]]:
        if self.saved_bookmark(context).get("replication_key_value"):
            return super().open_read(context, start)
        self._read_whole = self._read_whole | {key_of(self.name, context)}
        tap = self.netsuite_tap
        zone = tap.reading_zone()
        properties = self.selected_properties(with_keys=True)
        to_records = RecordConverter(properties, zone)
        since = f"{self.CHANGED} >= {timestamp(filter_literal(start, zone))}" if start else None
        spec = WholeSpec(
            columns=self._columns(properties),
            table=self.TABLES,
            where=since,
            keys=tuple((key, "integer") for key in self.primary_keys),
            qualifier="a.",
        )
        return to_records, read_whole(tap.client, spec, decoder=to_records.page_decoder)

    def record_pages(self, context: Context | None) -> t.Iterator[t.Iterable[dict]]:
        yield from super().record_pages(context)
        if key_of(self.name, context) in self._read_whole:
            # Every row is sent: from now on, what changed since this run began.
            self.set_bookmark(context, self.netsuite_tap.run_started.isoformat())

    def moves_bookmark(self, context: Context | None) -> bool:
        """Read in key order, not by `changed_at`: the bookmark is set at the end (`record_pages`)."""
        return key_of(self.name, context) not in self._read_whole


class LineSetStream(SuiteQLStream):
    """Per transaction, the ids of its lines when its header last moved; none once deleted.

    Two partitions, each its own keyset and bookmark: `deleted` false (headers joined to their
    lines, on the header's `lastmodifieddate`) and true (`deletedrecord` of transaction types, on
    `deleteddate`). A first sync of this stream together with `transactionline` reads only the
    headers that move from this run on: every line read since is in the warehouse, so sets
    are needed only for what changes after. A first sync of this stream alone, after lines were
    already loaded, reads every set since `start_date`.
    """

    reads_ahead = False  # get_records reads the transactions that moved, not one keyset

    @property
    def partitions(self) -> list[dict]:
        # The SDK sets a partition's context into its records: `deleted` is the records' own column.
        return [{"deleted": False}, {"deleted": True}]

    def _start(self, context: Context | None) -> tuple[dt.datetime | None, bool]:
        state = self.get_context_state(context)
        tap = self.netsuite_tap
        if state.get("replication_key_value") or "transactionline" in tap.bookmarked_at_start:
            return _starting_point(self, context)
        start = tap.run_started - _lookback(self)
        # Kept as the bookmark, so that a run that finds no change still starts here next time.
        state["replication_key"] = self.replication_key
        state["replication_key_value"] = start.isoformat()
        return start, True

    def get_records(self, context: Context | None) -> t.Iterable[dict]:
        tap = self.netsuite_tap
        zone = tap.reading_zone()
        start, bookmarked = self._start(context)
        since = filter_literal(start, zone) if start else None
        deleted = bool(context and context.get("deleted"))
        if deleted:
            kinds = ", ".join(quote(kind) for kind in TRANSACTION_RECORD_TYPES)
            to_rows = RecordConverter({"transaction": INTEGER, "lastmodifieddate": DATETIME}, zone)
            spec = JoinedKeysetSpec(
                columns=f"recordid AS transaction, {rendered_second('deleteddate')} AS lastmodifieddate",
                table="deletedrecord",
                where=f"type IN ({kinds})",
                replication_key="deleteddate",
                tiebreak="recordid",
                since=since,
                key_column="lastmodifieddate",
                packing=(("transaction", 1),),
            )
        else:
            to_rows = RecordConverter(
                {"transaction": INTEGER, "lastmodifieddate": DATETIME, "line": INTEGER, "uniquekey": INTEGER}, zone
            )
            spec = JoinedKeysetSpec(
                columns=(
                    f"t.id AS transaction, {rendered_second('t.lastmodifieddate')} AS lastmodifieddate, "
                    "l.id AS line, l.uniquekey AS uniquekey"
                ),
                table="transaction t JOIN transactionline l ON l.transaction = t.id",
                where=None,
                replication_key="t.lastmodifieddate",
                tiebreak="l.uniquekey",
                since=since,
                key_column="lastmodifieddate",
                packing=(("uniquekey", 1),),
            )
        what = "deleted transactions" if deleted else "moved transactions"
        pages = _pages(self, spec, to_rows, bookmarked=bookmarked, what=what)
        self.start_reading()
        confirmed = False
        # A second's rows are kept until the next second begins: a transaction's lines are
        # together in it whatever their uniquekeys, and one record lists them all.
        second: str | None = None
        lines: dict[int, list[int]] = {}
        for rows in pages:
            if not confirmed:
                tap.confirm_zone()  # before any record leaves: stops if the clock disagrees
                confirmed = True
            self.page_read()
            for row in to_rows.records(rows):
                if row["lastmodifieddate"] != second:
                    yield from _sets(second, lines, deleted=deleted)
                    second, lines = row["lastmodifieddate"], {}
                found = lines.setdefault(row["transaction"], [])
                if not deleted:
                    found.append(row["line"])
        yield from _sets(second, lines, deleted=deleted)
        tap.message_writer.flush()


def _sets(second: str | None, lines: dict[int, list[int]], *, deleted: bool) -> t.Iterator[dict]:
    for transaction in sorted(lines):
        yield {
            "transaction": transaction,
            "lastmodifieddate": second,
            "line_ids": ",".join(map(str, sorted(lines[transaction]))),
            "deleted": deleted,
        }


class LinkStream(SuiteQLStream):
    """A link table: the links of every transaction whose header moved, read a page of headers at a time.

    Links are made and unmade by saving a transaction, which moves its header. Headers are read
    by keyset on `lastmodifieddate`; each page's links by `previousdoc`/`nextdoc IN (...)`. A
    link's `changed_at` is the later header time of its two transactions among those read.
    """

    reads_ahead = False  # get_records reads the transactions that moved, not one keyset

    def get_records(self, context: Context | None) -> t.Iterable[dict]:
        tap = self.netsuite_tap
        zone = tap.reading_zone()
        start, bookmarked = _starting_point(self, context)
        properties = {
            name: prop
            for name, prop in self.schema["properties"].items()
            if name != self.replication_key and self.mask.get(("properties", name), True)
        }
        to_records = RecordConverter(properties, zone)
        headers = RecordConverter({"id": INTEGER, "lastmodifieddate": DATETIME}, zone)
        spec = KeysetSpec(
            columns=f"id, {rendered_second('lastmodifieddate')} AS lastmodifieddate",
            table="transaction",
            where=None,
            replication_key="lastmodifieddate",
            since=filter_literal(start, zone) if start else None,
        )
        pages = _pages(self, spec, headers, bookmarked=bookmarked, what="moved transactions")
        self.start_reading()
        confirmed = False
        # Each page's links are asked for as soon as its headers are in, up to the pool's size
        # of pages ahead (the client's limiter keeps the pool), and handed out in page order.
        pending: collections.deque[tuple[dict[int, str], t.Callable[[], list[dict]]]] = collections.deque()
        for rows in pages:
            moved = {row["id"]: row["lastmodifieddate"] for row in headers.records(rows)}
            if not confirmed:
                tap.confirm_zone()  # before any record leaves: stops if the clock disagrees
                confirmed = True
            if moved:
                pending.append((moved, parallel.started("links", self._links, properties, list(moved))))
            while len(pending) > tap.client.limiter.maximum:
                yield from self._records(*pending.popleft(), to_records)
        while pending:
            yield from self._records(*pending.popleft(), to_records)
        tap.message_writer.flush()

    def _links(self, properties: dict, ids: list[int]) -> list[dict]:
        """The rows of the links of these transactions, either end."""
        listed = ", ".join(map(str, ids))
        query = (
            f"SELECT {select_list(properties)} FROM {self.table} "
            f"WHERE previousdoc IN ({listed}) OR nextdoc IN ({listed}) ORDER BY {', '.join(self.primary_keys)}"
        )
        return list(all_rows(self.netsuite_tap.client, query))

    def _records(
        self, moved: dict[int, str], links: t.Callable[[], list[dict]], to_records: RecordConverter
    ) -> list[dict]:
        """One page of headers' links as records, in (changed_at, key) order."""
        found = []
        for row in links():
            record = to_records(row)
            ends = (record["previousdoc"], record["nextdoc"])
            record[self.replication_key] = max(moved[doc] for doc in ends if doc in moved)
            found.append(record)
        found.sort(key=lambda record: (record[self.replication_key], *(record[k] for k in self.primary_keys)))
        self.page_read()
        return found


READERS: dict[str, type[SuiteQLStream]] = {
    "line_set": LineSetStream,
    "joined": AccountingLineStream,
    "links": LinkStream,
}

# The stream classes of the catalogue's line readers, by stream name, in catalogue order.
LINE_STREAM_CLASSES: dict[str, type[SuiteQLStream | WholeTableStream]] = {
    table.stream: stream_class(table, READERS[table.reader]) for table in TABLES if table.reader in READERS
}
