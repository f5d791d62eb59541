"""Streams read side by side (tap_netsuite/scheduler.py): order, STATE placement, the cap, failures.

The integration tests run the tap against an emulator whose pool and latency make requests
overlap as on NetSuite; what they check is the output and the emulator's own record of
requests, never a duration.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time

import pytest
from helpers import control, messages, metrics, run_tap, start_emulator, stop_emulator

from tap_netsuite.scheduler import Read, Scheduler
from tap_netsuite.tap import TapNetSuite

STREAM_KEYS = {
    "customer": ("lastmodifieddate", "id"),
    "invoice": ("lastmodifieddate", "id"),
    "deleted_record": ("deleteddate", "recordid"),
}


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    """Pool 4, 30 ms + 0.05 ms per row: enough pages per stream that streams overlap."""
    proc, config = start_emulator(
        tmp_path_factory.mktemp("side-by-side"),
        "--concurrency",
        "4",
        "--latency-base-ms",
        "30",
        "--latency-per-row-ms",
        "0.05",
        "--metrics-queries",
        "2000",
        customers=300,
        invoices=600,
    )
    yield config
    stop_emulator(proc)


def _sync(tmp_path, config: dict, state: dict | None = None, **settings) -> tuple:
    metrics(config, reset=True)
    result = run_tap(tmp_path, {**config, "page_size": 40, "max_concurrency": 4, **settings}, state=state)
    assert result.returncode == 0, result.stderr[-3000:]
    return result, metrics(config)


def _assert_valid_singer(stdout: str, earlier: dict | None = None) -> list[dict]:
    """Each stream's records together and in key order; each STATE only after the records it
    covers: no bookmark names a record not yet written (or is the `earlier` state's own)."""
    before = json.dumps(earlier or {})
    written: dict[tuple, list] = {}
    order: list[str] = []
    everything = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
    for message in everything:
        if message["type"] == "RECORD":
            stream = message["stream"]
            if not order or order[-1] != stream:
                assert stream not in order, f"{stream} records came in two runs: {order}"
                order.append(stream)
            key_column, tiebreak = STREAM_KEYS[stream]
            record = message["record"]
            partition = (stream, record.get("type")) if stream == "deleted_record" else (stream, None)
            written.setdefault(partition, []).append((record[key_column], record[tiebreak]))
        elif message["type"] == "STATE":
            for stream, bookmark in message["value"].get("bookmarks", {}).items():
                parts = bookmark.get("partitions") or [bookmark]
                for part in parts:
                    value = part.get("replication_key_value")
                    if value is None or json.dumps(value) in before:
                        continue
                    kind = part.get("context", {}).get("type")
                    seen = written.get((stream, kind), [])
                    # The bookmark is the key of a record already written (or of an earlier run).
                    assert any(_same_moment(value, key[0]) for key in seen), (stream, kind, value)
    for partition, keys in written.items():
        assert keys == sorted(keys), f"{partition} out of key order"
        assert len(keys) == len(set(keys)), f"{partition} has a record twice"
    assert written and messages(stdout, "STATE")
    return everything


def _same_moment(bookmark: str, rendered: str) -> bool:
    return dt.datetime.fromisoformat(bookmark) == dt.datetime.fromisoformat(rendered)


def test_streams_read_side_by_side_keep_singer_order_and_the_cap(account, tmp_path):
    result, seen = _sync(tmp_path, account)
    _assert_valid_singer(result.stdout)
    # Every stream's records, each once.
    for stream, count in (("customer", 300), ("invoice", 600)):
        assert len(messages(result.stdout, "RECORD", stream)) == count
    assert seen["max_in_flight"] <= 4
    assert seen["throttled_429"] == 0
    # Side by side: the later streams' first requests were answered before the first
    # stream's last one; read one after another, each would come after it.
    queries = seen["queries"]
    customer = [q["at"] for q in queries if " FROM customer" in q["q"]]
    invoice = [q["at"] for q in queries if " FROM transaction" in q["q"]]
    deleted = [q["at"] for q in queries if " FROM deletedrecord" in q["q"]]
    assert customer and invoice and deleted
    assert min(invoice) < max(customer)
    assert min(deleted) < max(invoice)


def test_one_clock_check_per_run(account, tmp_path):
    _, seen = _sync(tmp_path, account)
    assert sum("FROM DUAL" in q["q"] for q in seen["queries"]) == 1


def test_a_resumed_sync_reads_from_its_bookmarks_and_stays_valid(account, tmp_path):
    """Reads made before their stream's turn start where the SDK starts it: from the bookmark."""
    first, _ = _sync(tmp_path, account)
    state = messages(first.stdout, "STATE")[-1]["value"]
    again, seen = _sync(tmp_path, account, state=state, lookback_minutes=0)
    _assert_valid_singer(again.stdout, earlier=state)
    # Only the bookmarked rows themselves are read again (the keyset starts at the bookmark).
    assert len(messages(again.stdout, "RECORD")) < 10
    assert not [q for q in seen["queries"] if q["offset"]]  # no offset read-ahead on a later sync


def test_a_failing_stream_stops_the_run_with_its_message_after_the_streams_before_it(tmp_path):
    """deleted_record (the SDK's second stream) is refused while customer is still being
    written (the role loses the table after discovery): customer is written whole with its
    STATE, the run ends with deleted_record's message, invoice (read ahead too) is not
    written, and nothing hangs (run_tap's timeout)."""
    proc, config = start_emulator(tmp_path, "--concurrency", "4", "--latency-base-ms", "20", customers=200, invoices=50)
    try:
        settings = {**config, "page_size": 20, "max_concurrency": 4}
        discovered = run_tap(tmp_path, settings, "--discover")
        assert discovered.returncode == 0, discovered.stderr[-3000:]
        catalog = json.loads(discovered.stdout)
        for stream in catalog["streams"]:
            for entry in stream["metadata"]:
                if entry["breadcrumb"] == []:
                    entry["metadata"]["selected"] = stream["tap_stream_id"] in STREAM_KEYS
        (tmp_path / "catalog.json").write_text(json.dumps(catalog))
        control(config, "POST", "/_emulator/config", {"deny_tables": ["deletedrecord"]})
        result = run_tap(tmp_path, settings, "--catalog", str(tmp_path / "catalog.json"))
    finally:
        stop_emulator(proc)
    assert result.returncode != 0
    assert "deletedrecord" in result.stderr.lower()
    assert "Traceback" not in result.stderr
    assert len(messages(result.stdout, "RECORD", "customer")) == 200
    assert not messages(result.stdout, "RECORD", "invoice")
    states = messages(result.stdout, "STATE")
    assert states and "customer" in states[-1]["value"]["bookmarks"]


# -- the scheduler itself, on plain reads (no NetSuite needed to check its bookkeeping) ----------


class _Pages:
    """A read of `pages` pages that records how many reads are open at once."""

    open_now = 0
    most_open = 0
    lock = threading.Lock()

    def __init__(self, name: str, pages: int, fail: bool = False) -> None:
        self.name, self.pages, self.fail = name, pages, fail

    def __call__(self) -> tuple[str, object]:
        return self.name, self._pages()

    def _pages(self):
        cls = type(self)
        with cls.lock:
            cls.open_now += 1
            cls.most_open = max(cls.most_open, cls.open_now)
        try:
            for n in range(self.pages):
                time.sleep(0.001)
                yield [f"{self.name}-{n}"]
            if self.fail:
                msg = f"{self.name} failed"
                raise RuntimeError(msg)
        finally:
            with cls.lock:
                cls.open_now -= 1


def test_scheduler_hands_reads_over_in_order_with_at_most_ahead_beyond_the_current():
    _Pages.open_now = _Pages.most_open = 0
    reads = [Read(f"s{n}", None, None, _Pages(f"s{n}", pages=5)) for n in range(8)]
    scheduler = Scheduler(reads, ahead=2, buffered=1)
    scheduler.start()
    got = []
    try:
        for n in range(8):
            opened, pages = scheduler.take(f"s{n}", None, None)
            assert opened == f"s{n}"
            got.extend(row for page in pages for row in page)
    finally:
        scheduler.close()
    assert got == [f"s{n}-{p}" for n in range(8) for p in range(5)]
    assert _Pages.most_open <= 3  # the one being written and two ahead
    assert scheduler.taken == 8


def test_scheduler_refuses_a_read_from_another_start_or_not_listed_and_raises_a_failure():
    moment = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    reads = [
        Read("a", None, moment, _Pages("a", 2)),
        Read("b", {"type": "x"}, None, _Pages("b", 2, fail=True)),
    ]
    scheduler = Scheduler(reads, ahead=1)
    scheduler.start()
    try:
        assert scheduler.take("a", None, None) is None  # the SDK starts elsewhere: read anew
        assert scheduler.take("c", None, None) is None  # never listed
        _, pages = scheduler.take("b", {"type": "x"}, None)
        with pytest.raises(RuntimeError, match="b failed"):
            list(pages)
    finally:
        scheduler.close()
    assert scheduler.refused == 1


def test_a_scheduler_made_mid_run_begins_no_read_before_the_stream_that_asks():
    """After a stream stops early the tap makes a new scheduler; the streams already written are
    listed again but never read again."""
    opened: list[str] = []

    def read(name: str) -> Read:
        def open_it() -> tuple[str, list]:
            opened.append(name)
            return name, [[name]]

        return Read(name, None, None, open_it)

    scheduler = Scheduler([read(f"s{n}") for n in range(6)], ahead=1)
    try:
        _, pages = scheduler.take("s3", None, None)
        assert list(pages) == [["s3"]]
        scheduler.close()
    finally:
        scheduler.close()
    assert not set(opened) & {"s0", "s1", "s2"}
    assert "s3" in opened


def test_reads_that_have_handed_over_all_their_pages_let_the_next_ones_begin():
    """While a long stream is written, the small streams after it are all read, however many:
    a read whose pages all fit in its queue no longer counts among the `1 + ahead` reading."""
    _Pages.open_now = _Pages.most_open = 0
    long = Read("long", None, None, _Pages("long", pages=50))
    small = [Read(f"s{n}", None, None, _Pages(f"s{n}", pages=1)) for n in range(6)]
    scheduler = Scheduler([long, *small], ahead=1, buffered=2)
    scheduler.start()
    try:
        _, pages = scheduler.take("long", None, None)
        first = next(pages)  # the long stream is being written; its reader is blocked on its queue
        deadline = time.monotonic() + 10
        while not all(not reading.reading for reading in scheduler._started.values()) or len(scheduler._started) < len(
            small
        ):
            assert time.monotonic() < deadline, "the small reads did not all begin and end"
            time.sleep(0.01)
        assert _Pages.most_open <= 2  # the long one and one small one at a time
        got = [first, *pages]
        for n in range(6):
            _, small_pages = scheduler.take(f"s{n}", None, None)
            got.extend(small_pages)
    finally:
        scheduler.close()
    assert [page[0] for page in got] == [f"long-{p}" for p in range(50)] + [f"s{n}-0" for n in range(6)]


def test_reads_of_everything_are_begun_before_reads_of_what_changed_and_handed_over_in_order():
    """A nightly run's long reads are its whole tables: they begin first, one at a time here
    (ahead=0), while the SDK still takes every read in its own order."""
    begun: list[str] = []

    def read(name: str, whole: bool) -> Read:
        def open_it() -> tuple[str, list]:
            begun.append(name)
            return name, [[f"{name}-0"], [f"{name}-1"]]

        return Read(name, None, None, open_it, whole=whole)

    listed = [("changed0", False), ("changed1", False), ("whole2", True), ("changed3", False), ("whole4", True)]
    scheduler = Scheduler([read(name, whole) for name, whole in listed], ahead=0, buffered=2)
    scheduler.start()
    try:
        deadline = time.monotonic() + 10
        while len(begun) < len(listed):
            assert time.monotonic() < deadline, f"only {begun} began"
            time.sleep(0.01)
        got = []
        for name, _ in listed:
            opened, pages = scheduler.take(name, None, None)
            assert opened == name
            got.extend(page[0] for page in pages)
        assert scheduler.finished
    finally:
        scheduler.close()
    assert begun == ["whole2", "whole4", "changed0", "changed1", "changed3"]
    assert got == [f"{name}-{n}" for name, _ in listed for n in (0, 1)]


def test_whole_tables_and_streams_without_a_bookmark_are_listed_as_reads_of_everything(account):
    catalog = TapNetSuite(config=account, parse_env_config=False).catalog_dict
    for stream in catalog["streams"]:
        if stream["tap_stream_id"] == "currency":
            next(m for m in stream["metadata"] if m["breadcrumb"] == [])["metadata"]["selected"] = True
    bookmark = {"replication_key": "lastmodifieddate", "replication_key_value": "2024-01-01T00:00:00+00:00"}
    state = {"bookmarks": {"invoice": bookmark}}
    tap = TapNetSuite(config=account, catalog=catalog, state=state, parse_env_config=False)
    whole = {read.stream: read.whole for read in tap.planned_reads() if read.context is None}
    assert whole["invoice"] is False  # bookmarked: looks only for what changed
    assert whole["customer"] is True  # no bookmark yet: reads everything from start_date
    assert whole["currency"] is True  # a whole table
