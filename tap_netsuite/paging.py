"""Reading a query's rows page by page: by offset for small queries, by keyset for tables.

A table is read in (replication key, tiebreak) order by keyset, always at offset 0, so
no table size or offset cap matters. `read_pages` reads it by several requests at once:
one small query plans windows of one page each, read concurrently and handed out in
order. Every request goes through `NetSuiteClient.query_page` (signing, retries, errors).
"""

from __future__ import annotations

import functools
import itertools
import logging
import typing as t

import msgspec

from tap_netsuite import parallel
from tap_netsuite.errors import NetSuiteError, NetSuitePagingError, NetSuiteQueryError
from tap_netsuite.suiteql import (
    KeysetSpec,
    WholeSpec,
    boundaries_query,
    keyset_query,
    whole_boundaries_query,
    whole_table_query,
)

if t.TYPE_CHECKING:
    from tap_netsuite.client import NetSuiteClient, PageDecoder

OFFSET_CAP = 100_000  # no row past this one is reachable by offset paging (docs/netsuite.md §2)

Key = tuple[str, int]  # a row's (rendered replication key, tiebreak)
Window = tuple[Key | None, Key | None]  # rows after the first key, through the second; None: no bound

_LOG = logging.getLogger("tap_netsuite.paging")


def all_rows(client: NetSuiteClient, query: str) -> t.Iterator[dict]:
    """Every row of a small query, paged by offset (capped at 100,000 rows by NetSuite).

    For tables that can grow past that cap, use `read_pages`.
    """
    offset = 0
    before: list = []
    while True:
        page = client.query_page(query, offset=offset)
        items = _items(page, query)
        answered = page.get("offset", offset)
        _moved_on(answered == offset, f"the page at offset {answered!r} when asked for offset {offset}", query)
        _moved_on(not items or items != before, "the same rows as the page before", query)
        yield from (_row(item) for item in items)
        if not _has_more(page, query):
            return
        _moved_on(bool(items), "a page with hasMore true and no items", query)
        offset += len(items)
        before = items
        _moved_on(offset < OFFSET_CAP, f"hasMore true at offset {offset}, past NetSuite's cap", query)


def read_whole(client: NetSuiteClient, spec: WholeSpec, *, decoder: PageDecoder | None = None) -> t.Iterator[list]:
    """Every row of a table a page at a time, in primary-key order, always at offset 0: no cap on
    the table's size, each row once however the table changes (a row added behind a window's
    cursor waits for the next run).

    The first page is read alone: most tables read whole fit in it. When there is more, one
    small query gives the key of every page-size-th row after it, and the windows between those
    keys, one page each, are read side by side within max_concurrency and handed out in order.
    """
    rows, more = _whole_page(client, spec, None, None, decoder)
    yield from [rows] if rows else []
    if more:
        yield from _windows_after(client, spec, spec.key(rows[-1]), decoder)


def _windows_after(
    client: NetSuiteClient, spec: WholeSpec, after: tuple, decoder: PageDecoder | None
) -> t.Iterator[list]:
    """The rows after the key `after`, planned into one-page windows read side by side, in order."""
    try:
        plan = all_rows(client, whole_boundaries_query(spec, after=after, every=client.page_size))
        cuts = [spec.key(row) for row in plan]
    except NetSuiteQueryError as exc:
        _LOG.warning(
            "Reading %s one page at a time: the query that plans windows was refused (%s).", spec.table, exc.detail
        )
        cuts = []
    edges: list[tuple | None] = [after, *cuts, None]
    sources = [
        functools.partial(_whole_window, client, spec, low, high, decoder) for low, high in itertools.pairwise(edges)
    ]
    yield from parallel.in_order(
        [functools.partial(_one_by_one, source) for source in sources], ahead=2 * client.limiter.maximum
    )


def _whole_window(
    client: NetSuiteClient,
    spec: WholeSpec,
    after: tuple | None,
    through: tuple | None,
    decoder: PageDecoder | None,
) -> t.Iterator[list]:
    """The rows after the key `after` through the key `through`, a page at a time."""
    while True:
        rows, more = _whole_page(client, spec, after, through, decoder)
        if rows:
            yield rows
        if not more:
            return
        last = spec.key(rows[-1])
        query = whole_table_query(spec, after=after, through=through)
        _moved_on(after is None or last > after, f"a page whose last row {last} is not past {after}", query)
        after = last


def _whole_page(
    client: NetSuiteClient,
    spec: WholeSpec,
    after: tuple | None,
    through: tuple | None,
    decoder: PageDecoder | None,
) -> tuple[list, bool]:
    """One page of rows after `after` through `through`, and whether more follow it."""
    query = whole_table_query(spec, after=after, through=through)
    page = client.query_page(query, decoder=decoder)
    items = _items(page, query)
    more = _has_more(page, query)
    _moved_on(bool(items) or not more, "a page with hasMore true and no items", query)
    return _rows(items), more


def read_pages(
    client: NetSuiteClient,
    spec: KeysetSpec,
    *,
    on_plan: t.Callable[[int, int], None] | None = None,
    on_page: t.Callable[[dict], None] | None = None,
    decoder: PageDecoder | None = None,
    read_ahead_by_offset: bool = False,
) -> t.Iterator[list]:
    """The rows of `spec` a page at a time, in key order, read by several requests at once.

    One small query gives the key of every page-size-th row; the range is
    cut there into windows of one full page each, read concurrently (each
    by keyset, so a window that grew during the sync is read to its end)
    while rows are handed out window by window: the order, and so a
    resumable state, is kept. `on_plan(rows, windows)` is told the plan. With a
    `decoder` (see `NetSuiteClient.query_page`), rows come as it decodes them (dicts when a
    page is not of its type); they are read by column name, `row[column]`, for the keyset.

    `read_ahead_by_offset`, for a range that is likely large (a stream's first sync):
    while the plan is made, the slots it leaves idle read the pages after the first, by
    offset; each is taken as its window only when it is exactly that window (see
    `KeysetReader.offset_window`), else the window is read by keyset like the others.
    """
    reader = KeysetReader(client, spec, on_page=on_page, decoder=decoder)
    page_size = client.page_size
    ahead = _idle_slots(client, reserved=2) if read_ahead_by_offset else 0  # 2: the first page, the plan
    # The first page is the start of the first window whatever the plan says: it is read
    # while the plan is made, so planning costs no time of its own.
    from_start = keyset_query(spec)
    first = parallel.started("first-page", functools.partial(client.query_page, decoder=decoder), from_start)
    offset_pages = [
        parallel.started(
            f"offset-page-{n}",
            functools.partial(client.query_page, offset=n * page_size, decoder=decoder),
            from_start,
        )
        for n in range(1, ahead + 1)
    ]
    try:
        cuts, starts = reader.plan(every=page_size, starts_through=ahead)
    except NetSuiteQueryError as exc:
        # ROW_NUMBER and TRUNC are documented SuiteQL; should an account refuse them, read
        # the range as one window, one request at a time, rather than not at all.
        _LOG.warning(
            "Reading %s one page at a time: the query that plans windows was refused (%s).", spec.table, exc.detail
        )
        cuts, starts = [], {}
    edges: list[Key | None] = [None, *cuts, None]
    windows: list[Window] = list(itertools.pairwise(edges))
    if on_plan:
        on_plan(len(cuts) * page_size, len(windows))
    sources = [functools.partial(reader.pages, low, high) for low, high in windows]
    sources[0] = functools.partial(reader.first_window, first, windows[0][1])
    # Window n (n >= 1) is the rows after plan position n x page size: the offset page n.
    # The last window has no end to check a page against; it and any beyond are read by keyset.
    for n, page in enumerate(offset_pages[: max(0, len(windows) - 2)], start=1):
        sources[n] = functools.partial(reader.offset_window, page, starts.get(n), windows[n])
    if len(sources) == 1:
        yield from sources[0]()
        return
    # in_order hands out the items of each batch: here a batch of one page.
    yield from parallel.in_order(
        [functools.partial(_one_by_one, source) for source in sources], ahead=2 * client.limiter.maximum
    )


class KeysetReader:
    """The pieces `read_pages` reads `spec` with: keyset pages, the plan, and its two special windows."""

    def __init__(
        self,
        client: NetSuiteClient,
        spec: KeysetSpec,
        *,
        on_page: t.Callable[[dict], None] | None = None,
        decoder: PageDecoder | None = None,
    ) -> None:
        self.client = client
        self.spec = spec
        self.on_page = on_page
        self.decoder = decoder

    def pages(self, after: Key | None = None, through: Key | None = None) -> t.Iterator[list[dict]]:
        """The rows after the key `after` through the key `through`, a page at a time, by keyset."""
        while True:
            query = keyset_query(self.spec, after=after, through=through)
            page = self.client.query_page(query, decoder=self.decoder)
            if self.on_page:
                self.on_page(page)
            items = self._checked_items(page, query)
            yield _rows(items)  # first: a row that cannot be converted is named by the stream
            if not _has_more(page, query):
                return
            _moved_on(bool(items), "a page with hasMore true and no items", query)
            last = self._key(items[-1], query)
            _moved_on(after is None or last > after, f"a page whose last row {last} is not past {after}", query)
            after = last

    def plan(self, *, every: int, starts_through: int = 0) -> tuple[list[Key], dict[int, Key]]:
        """The key of every `every`-th row of the query, where its one-page windows end; and with
        `starts_through` = n, the first key of the n windows after the first, by window number
        (window 0 is the first; see `boundaries_query`)."""
        cuts: list[Key] = []
        starts: dict[int, Key] = {}
        position = 0
        while True:
            query = boundaries_query(self.spec, every=every, after_position=position, starts_through=starts_through)
            page = self.client.query_page(query)
            items = _items(page, query)
            for item in items:
                window, rest = divmod(int(item["position"]), every)
                key = (item["second"], int(item["tiebreak"]))
                if rest == 0:
                    cuts.append(key)
                else:  # the first row of a window: position window x every + 1
                    starts[window] = key
            if not _has_more(page, query):
                return cuts, starts
            _moved_on(bool(items), "a page with hasMore true and no items", query)
            last = int(items[-1]["position"])
            _moved_on(last > position, f"a page whose last position {last} is not past {position}", query)
            position = last

    def first_window(self, first: t.Callable[[], dict], through: Key | None) -> t.Iterator[list[dict]]:
        """The first window: the page read beside the plan, then by keyset from its last row.

        Rows the table gained or lost between the two queries only move where that page
        ends; its rows past the window's end are left to the next window.
        """
        page = first()
        if self.on_page:
            self.on_page(page)
        query = keyset_query(self.spec)
        rows = _rows(self._checked_items(page, query))
        if through is not None:
            rows = [row for row in rows if self._key(row, query) <= through]
        yield rows
        last = self._key(rows[-1], query) if rows else None
        more = _has_more(page, query)
        if last != through and (more or through is not None):
            _moved_on(last is not None or through is not None, "a page with hasMore true and no items", query)
            yield from self.pages(last, through)

    def _checked_items(self, page: t.Any, query: str) -> list:
        """A page's items, each with its tiebreak (an id, part of the primary key), or an error."""
        items = _items(page, query)
        for column in self.spec.tiebreak_columns():
            lacking = next((item for item in items if _lacks(item, column)), None)
            if lacking is not None:
                msg = f"NetSuite answered a row without its {column}: {_shown(lacking)}.\nQuery: {query}"
                raise NetSuitePagingError(msg)
        return items

    def _key(self, row: t.Any, query: str) -> Key:
        """A row's keyset key, or an error when NetSuite left out its key columns."""
        key: tuple[t.Any, t.Any]
        try:
            key = self.spec.key(row)
        except (KeyError, TypeError, ValueError):
            key = (None, None)
        if not isinstance(key[0], str):
            msg = (
                f"NetSuite answered a row without a usable key ({self.spec.replication_key}, an integer "
                f"{self.spec.tiebreak}): "
                f"{_shown(row)}; the rows cannot be paged past it.\nQuery: {query}"
            )
            raise NetSuitePagingError(msg)
        return key

    def offset_window(self, page: t.Callable[[], dict], start: Key | None, window: Window) -> t.Iterator[list[dict]]:
        """One window, from the page read by offset beside the plan when that page is exactly it.

        A page of one ordered query is a run of consecutive rows as they were when it was
        read: every row then present between its first and its last key is in it. The page
        is taken when it is full and begins with the window's first row and ends with its
        last, as the plan gave them (`start`, and the window's end). It then holds every
        row of the window that the plan saw and that is still there. A row that entered
        the window after the plan, before the page's first row, was committed late, and
        a keyset read misses such a row too once it has passed: the next sync's lookback
        reads it. Any other page (rows deleted or added before it moved it, a short page,
        a refused offset) is dropped, and the window is read by keyset like any other.
        """
        key = self.spec.key
        low, high = window
        try:
            answer = page()
        except NetSuiteError as exc:
            _LOG.debug("A page read by offset was not used: %s", exc)
            answer = {}
        rows = _rows(answer.get("items", []))
        if start is not None and len(rows) == self.client.page_size and key(rows[0]) == start and key(rows[-1]) == high:
            if self.on_page:
                self.on_page(answer)
            yield rows
            return
        yield from self.pages(low, high)


def _items(page: t.Any, query: str) -> list:
    """A page's `items`, or an error when the answer has none: never taken as an empty page."""
    items = page.get("items") if isinstance(page, dict) else None
    if not isinstance(items, list):
        msg = f"NetSuite answered a page without its items list: {_shown(page)}.\nQuery: {query}"
        raise NetSuitePagingError(msg)
    return items


def _has_more(page: dict, query: str) -> bool:
    """A page's `hasMore`, which must be a JSON boolean (absent: false)."""
    more = page.get("hasMore", False)
    if not isinstance(more, bool):
        msg = f"NetSuite answered hasMore {more!r}, not true or false: the pages cannot be followed.\nQuery: {query}"
        raise NetSuitePagingError(msg)
    return more


def _moved_on(moved: bool, what: str, query: str) -> None:  # noqa: FBT001 - a condition, read as one
    """Stop, naming the query, when a page does not move past the one before it."""
    if not moved:
        msg = (
            f"NetSuite answered {what}: the pages do not move on, so the stream stops rather than "
            f"read the same rows again.\nQuery: {query}"
        )
        raise NetSuitePagingError(msg)


def _lacks(item: t.Any, column: str) -> bool:
    value = item.get(column) if isinstance(item, dict) else getattr(item, column, None)
    return value is None or value == ""


def _shown(value: t.Any) -> str:
    """A row or page in an error, briefly."""
    text = repr(msgspec.structs.asdict(value) if isinstance(value, msgspec.Struct) else value)
    return text if len(text) <= 200 else text[:197] + "..."


def _idle_slots(client: NetSuiteClient, *, reserved: int) -> int:
    """Slots of the limit that nobody holds or waits for, less `reserved`; no more pages than
    offset paging can reach (NetSuite's cap)."""
    limiter = client.limiter
    return max(0, min(limiter.limit - limiter.busy - reserved, OFFSET_CAP // client.page_size - 1))


def _rows(items: list) -> list:
    """A page's rows: a typed decoder's rows as they are, else dicts less their `links`."""
    return items if items and isinstance(items[0], msgspec.Struct) else [_row(item) for item in items]


def _one_by_one(source: t.Callable[[], t.Iterable[list]]) -> t.Iterator[list[list]]:
    """Each page of `source` as a batch of one item, so that `parallel.in_order` hands out pages."""
    for page in source():
        yield [page]


def _row(item: dict) -> dict:
    """An item without NetSuite's `links`, which is not a column (removed in place: the
    item was just parsed, and a copy per row cost more than the rest of the parsing)."""
    item.pop("links", None)
    return item
