"""Every pager proves it moves, and a row that cannot be read is named: against a hostile server.

A page that repeats, `"hasMore": "false"`, a page with hasMore and no items, an answer without
items and a row without its id each stop the read with an error naming the query, after a
request or two, instead of looping or ending quietly with 0 records.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
from helpers import REPO
from hostile_server import HostileServer, answering, reply

from tap_netsuite import paging
from tap_netsuite.client import NetSuiteClient
from tap_netsuite.errors import NetSuitePagingError
from tap_netsuite.suiteql import KeysetSpec
from tap_netsuite.tap import default_catalog

TBA = {"consumer_key": "ck", "consumer_secret": "cs", "token_id": "ti", "token_secret": "ts"}
SPEC = KeysetSpec(
    columns="id, lastmodifieddate",
    table="customer",
    where=None,
    replication_key="lastmodifieddate",
    tiebreak="id",
    since=None,
)
ROW = {"id": "1", "lastmodifieddate": "2024-01-01 00:00:00"}


@pytest.fixture
def client_of():
    made: list[NetSuiteClient] = []

    def make(server: HostileServer) -> NetSuiteClient:
        made.append(NetSuiteClient(account_id="1234567", base_url=server.url, max_retries=0, **TBA))
        return made[-1]

    yield make
    for client in made:
        client.close()


READERS = {
    "offset": lambda client: list(paging.all_rows(client, "SELECT id FROM customer")),
    "keyset": lambda client: list(paging.KeysetReader(client, SPEC).pages()),
}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"items": [ROW], "hasMore": True}, "do not move on"),
        ({"items": [ROW], "hasMore": "false"}, "hasMore 'false', not true or false"),
        ({"items": [], "hasMore": True}, "hasMore true and no items"),
        ({"hasMore": False, "count": 0}, "a page without its items list"),
        ({"items": [{"lastmodifieddate": "2024-01-01 00:00:00"}], "hasMore": True}, "a row without its id"),
    ],
    ids=["repeats", "hasMore-text", "no-items-but-more", "no-items-list", "no-id"],
)
@pytest.mark.parametrize("reader", READERS)
def test_a_page_that_does_not_move_on_stops_the_read_naming_the_query(client_of, reader, answer, expected):
    if reader == "offset" and expected == "a row without its id":
        expected = "the same rows as the page before"  # offset paging needs no key: it sees the repeat
    with HostileServer(answering(200, answer)) as server, pytest.raises(NetSuitePagingError, match=expected) as raised:
        READERS[reader](client_of(server))
    assert "Query: SELECT" in str(raised.value)
    assert len(server.requests) <= 2


def test_a_plan_whose_position_does_not_grow_stops(client_of):
    plan_page = {"items": [{"second": "2024-01-01 00:00:00", "tiebreak": "5", "position": "1000"}], "hasMore": True}
    with (
        HostileServer(answering(200, plan_page)) as server,
        pytest.raises(NetSuitePagingError, match="last position 1000 is not past 1000") as raised,
    ):
        paging.KeysetReader(client_of(server), SPEC).plan(every=1000)
    assert "ROW_NUMBER()" in str(raised.value)
    assert len(server.requests) == 2


def fake_suiteql(rows: list[str], restlet: dict | None = None):
    """Enough of SuiteQL for a sync: the account's clock, an empty plan, `rows` for the customer
    table's first page and nothing for the others (sent as raw JSON text, escapes and all);
    `restlet` answers every RESTlet call."""
    now = dt.datetime.now(ZoneInfo("America/Los_Angeles")).strftime("%Y-%m-%d %H:%M:%S")

    def answer(request, sock):
        if request.path.endswith("restlet.nl"):
            sock.sendall(reply(200, restlet or {}))
            return
        query = request.json()["q"]
        if "FROM DUAL" in query:
            body = {"items": [{"now": now}], "hasMore": False}
        elif "FROM customer" in query and "ROW_NUMBER" not in query:
            body = '{"items": [' + ", ".join(rows) + '], "hasMore": false}'
        else:
            body = {"items": [], "hasMore": False}
        sock.sendall(reply(200, body))

    return answer


def run_tap(tmp_path, server: HostileServer, *args: str, **settings: str) -> subprocess.CompletedProcess:
    config = {"account_id": "1234567", "base_url": server.url, **TBA, "account_timezone": "America/Los_Angeles"}
    (tmp_path / "config.json").write_text(json.dumps({**config, **settings}))
    return subprocess.run(
        [sys.executable, "-m", "tap_netsuite.tap", "--config", str(tmp_path / "config.json"), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"items": [{"id": 1}], "has_more": True, "next_cursor": "A", "as_of": "2024-01-01"}, "next_cursor ('A')"),
        ({"items": [], "has_more": True, "next_cursor": "B", "as_of": "2024-01-01"}, "items [] and has_more True"),
        ({"items": [{"id": 1}], "has_more": "no", "as_of": "2024-01-01"}, "has_more 'no'"),
    ],
    ids=["cursor-repeats", "more-without-items", "has_more-text"],
)
def test_a_restlet_cursor_that_does_not_move_on_stops_the_stream(tmp_path, answer, expected):
    with HostileServer(fake_suiteql([], restlet=answer)) as server:
        result = run_tap(tmp_path, server, open_invoices_restlet_script="1", open_invoices_restlet_deploy="1")
        calls = [r for r in server.requests if r.path.endswith("restlet.nl")]
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    [line] = [line for line in result.stderr.splitlines() if "| ERROR " in line]
    assert "The open-invoices RESTlet answered" in line and expected in line
    assert len(calls) <= 2


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ('{"id": "7", "isinactive": "Yes"}', "column 'isinactive' of row id '7': expected T or F, got 'Yes'"),
        ('{"id": "8", "lastmodifieddate": "soon"}', "column 'lastmodifieddate' of row id '8': expected YYYY-MM-DD"),
        ('{"id": "9", "companyname": "half \\ud800 a pair"}', "column 'companyname' of row id '9': the value"),
        ('{"id": "x1"}', "column 'id' of row id 'x1': invalid literal for int()"),
    ],
    ids=["checkbox", "datetime", "lone-surrogate", "id-not-a-number"],
)
def test_a_value_that_cannot_be_converted_is_one_line_naming_stream_column_row_and_value(tmp_path, row, expected):
    # With a catalog, as Meltano runs it: the row reaches the stream, not discovery's probes.
    (tmp_path / "catalog.json").write_text(json.dumps(default_catalog(["customer"])))
    with HostileServer(fake_suiteql([row])) as server:
        result = run_tap(tmp_path, server, "--catalog", str(tmp_path / "catalog.json"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    [line] = [line for line in result.stderr.splitlines() if "| ERROR " in line]
    assert "Stream 'customer', " + expected in line
    assert '"type":"RECORD"' not in result.stdout
