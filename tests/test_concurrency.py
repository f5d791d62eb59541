"""max_concurrency against the emulator's pool: the limit holds, nothing is provoked, order is kept."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import urllib.request
from zoneinfo import ZoneInfo

import pytest
from helpers import emulator_client, messages, metrics, rows_of, run_tap, running_emulator

from tap_netsuite.paging import KeysetReader
from tap_netsuite.suiteql import KeysetSpec, keyset_query
from tap_netsuite.tap import default_catalog


@pytest.fixture(scope="module")
def pooled(tmp_path_factory):
    """A pool of 5 and 20 ms + 0.02 ms per row per page, so requests overlap as on NetSuite."""
    with running_emulator(
        tmp_path_factory.mktemp("pool"),
        "--concurrency",
        "5",
        "--latency-base-ms",
        "20",
        "--latency-per-row-ms",
        "0.02",
        customers=50,
        invoices=3000,
    ) as config:
        yield config


@pytest.mark.parametrize("max_concurrency", [1, 3, 5])
def test_never_more_in_flight_than_max_concurrency_and_no_429(pooled, tmp_path, max_concurrency):
    metrics(pooled, reset=True)
    result = run_tap(tmp_path, {**pooled, "page_size": 100, "max_concurrency": max_concurrency})
    assert result.returncode == 0, result.stderr[-3000:]
    seen = metrics(pooled)
    assert seen["max_in_flight"] <= max_concurrency
    if max_concurrency > 1:
        assert seen["max_in_flight"] > 1  # the windows really were read side by side
    assert seen["throttled_429"] == 0

    records = [m["record"] for m in messages(result.stdout, "RECORD", "invoice")]
    keys = [(r["lastmodifieddate"], r["id"]) for r in records]
    assert len(keys) == len(set(keys)) == 3000
    assert keys == sorted(keys)
    # A first sync reads pages beside each plan, by offset, in the slots the plan leaves free.
    offset_pages = [q for q in seen["queries"] if q["offset"]]
    assert all(q["offset"] <= (max_concurrency - 2) * q["limit"] for q in offset_pages)
    if max_concurrency == 5:
        assert offset_pages


def test_a_sync_that_finds_nothing_new_costs_two_small_requests_per_stream(pooled, tmp_path):
    first = run_tap(tmp_path, {**pooled, "max_concurrency": 5})
    state = messages(first.stdout, "STATE")[-1]["value"]
    metrics(pooled, reset=True)
    # As Meltano runs it, with a catalog: discovery's probes are not a sync's (bench/discovery.py).
    (tmp_path / "catalog.json").write_text(json.dumps(default_catalog()))
    again = run_tap(
        tmp_path,
        {**pooled, "max_concurrency": 5, "lookback_minutes": 0},
        "--catalog",
        str(tmp_path / "catalog.json"),
        state=state,
    )
    assert again.returncode == 0, again.stderr[-3000:]
    sent = sum(
        sum(by_status.values()) for route, by_status in metrics(pooled)["requests"].items() if "suiteql" in route
    )
    streams_read = 4  # customer, invoice, and deleted_record's two record types
    assert sent <= 1 + 2 * streams_read  # the account-clock probe, then a count and one page each
    assert not [q for q in metrics(pooled)["queries"] if q["offset"]]  # no pages beside the plan


def _control(config: dict, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        config["base_url"] + "/_emulator/" + path,
        method="POST",
        data=json.dumps(body).encode(),
    )
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


# Every invoice, only its key columns: what the window tests read.
INVOICE_KEYS = KeysetSpec(
    columns="id, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodifieddate",
    table="transaction",
    where="type = 'CustInvc'",
    replication_key="lastmodifieddate",
    since=None,
)


@pytest.mark.parametrize("page_first", [True, False])
def test_the_first_page_read_beside_the_plan_joins_the_first_window_exactly(tmp_path, page_first):
    """The first page and the plan are two queries; rows deleted between them only move where
    the page ends. Page before the plan: the window is finished by keyset. Plan before the
    page: the page's rows past the window are left to the next window. Either way every row
    of the first two windows is read once, in order."""
    with (
        running_emulator(tmp_path, customers=20, invoices=400) as config,
        emulator_client(config, page_size=50) as client,
    ):
        reader = KeysetReader(client, INVOICE_KEYS)
        before = [(r["lastmodifieddate"], int(r["id"])) for r in rows_of(reader.pages())]
        gone = [before[i][1] for i in (3, 17, 30)]  # inside the first page
        if page_first:
            page = client.query_page(keyset_query(INVOICE_KEYS))
            _control(config, "delete", {"table": "transaction", "ids": gone})
            cuts, _ = reader.plan(every=50)
        else:
            cuts, _ = reader.plan(every=50)
            _control(config, "delete", {"table": "transaction", "ids": gone})
            page = client.query_page(keyset_query(INVOICE_KEYS))
        first = list(reader.first_window(lambda: page, cuts[0]))
        second = list(reader.pages(cuts[0], cuts[1]))
        after = [(r["lastmodifieddate"], int(r["id"])) for r in rows_of(reader.pages())]
    read = [(r["lastmodifieddate"], int(r["id"])) for rows in first + second for r in rows]
    assert read == sorted(set(read))  # in key order, each row once
    assert len(first) == (2 if page_first else 1)  # finished by keyset / trimmed, one request
    assert all(key <= cuts[0] for rows in first for key in [(r["lastmodifieddate"], int(r["id"])) for r in rows])
    now_in_range = [key for key in after if key <= cuts[1]]
    assert set(now_in_range) <= set(read)  # nothing present is missed
    assert set(read) - set(now_in_range) == ({key for key in before if key[1] in gone} if page_first else set())


def test_a_page_read_by_offset_beside_the_plan_is_taken_only_when_it_is_exactly_its_window(tmp_path):
    """A page read by offset is a run of consecutive rows; the plan gives each window's first
    and last row. Unchanged, the page is its window and costs no request more. A row that left
    the range before a window and came back inside it, after its first row, makes the page
    begin one row late yet still end at the window's end with a full page: taken, it would
    lose that first row. The first-row check refuses it, and the window is read by keyset."""
    with (
        running_emulator(tmp_path, customers=20, invoices=400) as config,
        emulator_client(config, page_size=50) as client,
    ):
        reader = KeysetReader(client, INVOICE_KEYS)

        def keys(pages: list) -> list[tuple[str, int]]:
            return [(r["lastmodifieddate"], int(r["id"])) for rows in pages for r in rows]

        def by_offset(n: int) -> dict:
            return client.query_page(keyset_query(INVOICE_KEYS), offset=50 * n)

        def answered() -> int:
            return sum(metrics(config)["requests"]["suiteql"].values())

        cuts, starts = reader.plan(every=50, starts_through=3)
        windows = list(itertools.pairwise([None, *cuts, None]))
        assert sorted(starts) == [1, 2, 3]

        page = by_offset(1)
        before = answered()
        taken = list(reader.offset_window(lambda: page, starts[1], windows[1]))
        assert answered() == before  # the page itself, no request more
        assert keys(taken) == keys(reader.pages(*windows[1]))

        # Move the sixth row of the range into window 2, at the moment of that window's middle row.
        zone = ZoneInfo(config["account_timezone"])
        moved = keys([by_offset(0)["items"]])[5]
        middle = keys([by_offset(2)["items"]])[25]
        assert starts[2][0] < middle[0] < windows[2][1][0]  # strictly inside, whatever the ids
        moment = dt.datetime.fromisoformat(middle[0]).replace(tzinfo=zone).astimezone(dt.timezone.utc)
        _control(config, "update", {"table": "transaction", "ids": [moved[1]], "at": moment.isoformat(), "set": {}})
        page = by_offset(2)
        shifted = keys([page["items"]])
        assert len(shifted) == 50 and shifted[-1] == windows[2][1]  # full, and ends where the window ends,
        assert starts[2] not in shifted  # but without the window's first row
        before = answered()
        got = keys(reader.offset_window(lambda: page, starts[2], windows[2]))
        assert answered() > before  # read again, by keyset
        now = [key for key in keys(reader.pages()) if windows[2][0] < key <= windows[2][1]]
        assert got == now and starts[2] in got and len(got) == 51
