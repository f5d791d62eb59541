"""Streams read side by side: the next streams' plans and first pages in flight while one is written.

The SDK syncs streams one after another (`Tap.sync_all`), and each stream's records must
leave in key order, with its STATE after them. Writing stays so: records and STATE are still
written on the main thread, stream after stream, by the SDK. What changes is when the pages
are read. Before the sync, the tap lists the reads the SDK will ask for, in its order (one per
selected stream and partition: a `Read`); `Scheduler` begins those that read everything
(`Read.whole`: whole tables, streams without a bookmark), then those that only look for what
changed, each kind in that order, each in a thread of its own that reads its pages
(`paging.read_pages`, through the one tap-wide limiter) into a small queue, while fewer than
`1 + ahead` are reading. A read that has put all its pages in its queue (a small table) is no
longer reading, and the next read begins; when the SDK reaches a stream, `take` hands over that
read's queue. A stream of ten rows thus costs no
time of its own: its plan and its page were read while the streams before it were written,
and a long stream being written does not hold back the small ones after it. Reads of
everything go first because they are the long ones in a nightly run that finds little new:
a whole table of ten pages is a chain (first page, the plan that cuts the rest into windows,
the windows) that would otherwise begin after every small stream listed before it.

Memory: at most `1 + ahead` reads reading at once, each holding at most `buffered` pages
handed over plus its own window read-ahead (`read_pages`: 2 x max_concurrency one-page
windows); and reads done but not yet taken, each at most `buffered` pages.

A read that fails hands its exception over, and `take` (or the pages it returns) raises it
when the SDK reaches that stream: the streams before it are written whole with their STATE,
and the run stops with that stream's message. A read the SDK does not ask for as listed (its
start moved, or the SDK asked in another order) is not used: the stream reads for itself.
Every wait is bounded: a reader that ends without a word is reported, not waited for.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import queue
import threading
import time
import typing as t

from tap_netsuite.limiter import URGENT

_LOG = logging.getLogger("tap_netsuite.scheduler")
_DONE = object()
POLL_S = 0.5  # how often a waiting hand-over looks whether its reader is still alive

Key = tuple[str, tuple | None]  # (stream name, partition context as sorted items)


def key_of(stream: str, context: t.Mapping | None) -> Key:
    """How a read is known: its stream and partition (None when unpartitioned)."""
    return stream, tuple(sorted(context.items())) if context else None


@dataclasses.dataclass(frozen=True)
class Read:
    """One partition of one stream, as the SDK will ask for it.

    `open()` (run in the read's thread) returns what the stream needs to make records (its
    converter) and an iterable of pages, read lazily; `start` is the starting timestamp the
    read was opened with, checked against the SDK's when the stream is reached; `whole`: the
    read reads everything there is (not only what changed since a bookmark), begun first.
    """

    stream: str
    context: t.Mapping | None
    start: dt.datetime | None
    open: t.Callable[[], tuple[t.Any, t.Iterable[list]]]
    whole: bool = False

    @property
    def key(self) -> Key:
        return key_of(self.stream, self.context)


class _Reading:
    """A read in its thread: what it opened, then its pages, handed over through a bounded queue."""

    def __init__(self, read: Read, buffered: int, on_done: t.Callable[[], None] = lambda: None) -> None:
        self.read = read
        # `buffered` pages, and beside them what the read opened and its end (or its failure):
        # a read of at most `buffered` pages puts everything in and ends.
        self.queue: queue.Queue = queue.Queue(maxsize=buffered + 2)
        self.stop = threading.Event()
        self.reading = True  # until every page is handed over (or the read stopped or failed)
        self._on_done = on_done
        self.thread = threading.Thread(target=self._run, daemon=True, name=f"tap-netsuite-read-{read.stream}")
        self.thread.start()

    def _put(self, item: object) -> bool:
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=POLL_S)
            except queue.Full:
                continue
            return True
        return False

    def _run(self) -> None:
        pages: t.Any = None
        if self.read.whole:
            URGENT.set(True)  # this thread's (and its windows') requests go first: see limiter
        try:
            opened, pages = self.read.open()
            pages = iter(pages)
            if not self._put(opened):
                return
            for page in pages:
                if not self._put(page):
                    return
            self._put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread, which raises it
            self._put(exc)
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()  # a read stopped early stops its own window threads
            self.reading = False
            self._on_done()

    def get(self) -> object:
        """The next item handed over; raises what the read raised."""
        while True:
            try:
                item = self.queue.get(timeout=POLL_S)
            except queue.Empty:
                if self.thread.is_alive() or not self.queue.empty():
                    continue
                msg = f"The reader of stream {self.read.stream!r} ended without handing over its pages."
                raise RuntimeError(msg) from None
            if isinstance(item, BaseException):
                raise item
            return item

    def pages(self) -> t.Iterator[list]:
        try:
            while (item := self.get()) is not _DONE:
                yield t.cast("list", item)
        finally:
            self.stop.set()


class Scheduler:
    """Reads listed in the SDK's order, begun whole ones first, at most `1 + ahead` reading at once."""

    def __init__(self, reads: t.Sequence[Read], *, ahead: int, buffered: int = 2) -> None:
        self.reads = list(reads)
        self.ahead = max(0, ahead)
        self.buffered = max(1, buffered)
        self._index = {read.key: n for n, read in enumerate(self.reads)}
        self._started: dict[int, _Reading] = {}  # begun, not yet handed over
        # The order reads are begun in: whole reads first, each kind in the SDK's order.
        self._order = sorted(range(len(self.reads)), key=lambda n: not self.reads[n].whole)
        self._begun: set[int] = set()
        self._passed = 0  # reads listed before this one are never begun: the SDK has gone past them
        self._handed: list[_Reading] = []  # handed over: stopped by close() too, should writing fail
        self._lock = threading.Lock()
        self._closed = False
        self.taken = 0  # reads handed over, for tests and logs
        self.refused = 0  # reads listed but not used

    @property
    def finished(self) -> bool:
        """Every read begun and handed over (or passed over): a new sync needs a new list."""
        with self._lock:
            return not self._started and next(self._not_begun(), None) is None

    def start(self) -> None:
        """Begin the first reads, before the SDK writes anything."""
        self._fill()

    def _fill(self) -> None:
        """Begin the next reads while fewer than `1 + ahead` are reading. A read that has handed
        all its pages to its queue (a small table: at most `buffered` pages) no longer counts:
        the next one begins at once, so that a run's small streams are all read while a long
        one is written, not only the `ahead` after it. (Called by a read's thread as it ends.)"""
        with self._lock:
            waiting = self._not_begun()
            while not self._closed and self._reading() <= self.ahead and (n := next(waiting, None)) is not None:
                self._begin(n)

    def _not_begun(self) -> t.Iterator[int]:
        """The reads still to begin, in the order they are begun (under the lock)."""
        return (n for n in self._order if n not in self._begun and n >= self._passed)

    def _reading(self) -> int:
        return sum(r.reading for r in (*self._started.values(), *self._handed))

    def _begin(self, n: int) -> None:
        """Begin read `n`; under the lock."""
        self._started[n] = _Reading(self.reads[n], self.buffered, self._fill)
        self._begun.add(n)

    def take(
        self, stream: str, context: t.Mapping | None, start: dt.datetime | None
    ) -> tuple[t.Any, t.Iterator[list]] | None:
        """The read of `stream`'s partition `context`, already in flight: (what it opened, its
        pages); None when it was not listed or was opened from another start (read it yourself).
        Begins it if not yet begun, and the reads after it while fewer than `1 + ahead` are reading."""
        n = self._index.get(key_of(stream, context))
        if n is None:
            return None
        with self._lock:
            if n not in self._begun and not self._closed:
                self._begin(n)  # not begun yet: begun now
            # A scheduler made after a stream stopped early lists the streams already done too:
            # those before this one are never begun.
            self._passed = max(self._passed, n + 1)
            reading = self._started.pop(n, None)
            # Reads listed before this one that the SDK passed over are not waited for.
            for skipped in [m for m in self._started if m < n]:
                self._started.pop(skipped).stop.set()
            if reading is not None:  # counted as reading (see _fill) until its thread ends
                self._handed = [*(r for r in self._handed if r.thread.is_alive()), reading]
        self._fill()
        if reading is None:
            return None
        if reading.read.start != start:
            _LOG.debug("Stream %s starts at %s, not %s as read ahead: read anew.", stream, start, reading.read.start)
            reading.stop.set()
            self.refused += 1
            return None
        try:
            opened = reading.get()
        except BaseException:
            reading.stop.set()
            raise
        self.taken += 1
        return opened, reading.pages()

    def close(self) -> None:
        """Stop every read still in flight (a failed or finished run); each ends at its next page."""
        with self._lock:
            self._closed = True
            readings = [*self._started.values(), *self._handed]
            self._started.clear()
            self._handed.clear()
        for reading in readings:
            reading.stop.set()
        deadline = time.monotonic() + 2 * POLL_S  # one bounded wait for them all, not one each
        for reading in readings:
            reading.thread.join(timeout=max(0.0, deadline - time.monotonic()))
