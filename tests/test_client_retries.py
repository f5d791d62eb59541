"""Which answers the client retries, and how, over a real socket.

A small scripted server answers each request from a list (429, 500, 503, a
dropped connection, then a good page) and records every Authorization header,
so the tests see what the client really sent.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from helpers import rows_of

from tap_netsuite.client import NetSuiteClient
from tap_netsuite.errors import NetSuiteAuthError, NetSuiteQueryError, NetSuiteUnavailableError
from tap_netsuite.paging import all_rows, read_pages
from tap_netsuite.suiteql import KeysetSpec

SECRETS = {"consumer_key": "ck-1", "consumer_secret": "cs-secret-2", "token_id": "tk-3", "token_secret": "ts-secret-4"}
PAGE = {"links": [], "count": 1, "hasMore": False, "items": [{"links": [], "id": "1"}], "offset": 0, "totalResults": 1}


def _error(status: int, code: str, detail: str) -> dict:
    return {
        "type": "https://www.rfc-editor.org/rfc/rfc9110.html",
        "title": "Error",
        "status": status,
        "o:errorDetails": [{"detail": detail, "o:errorCode": code}],
    }


class Script:
    """A server that answers the nth request with the nth scripted answer."""

    def __init__(self, answers: list) -> None:
        self.answers = list(answers)
        self.headers: list[str] = []
        script = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                request = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                script.headers.append(self.headers.get("Authorization", ""))
                answer = script.answers.pop(0)
                if callable(answer):  # answers by what was asked, for requests sent side by side
                    script.answers.insert(0, answer)
                    answer = answer(json.loads(request)["q"])
                if answer == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                truncate = answer == "truncate"  # the full Content-Length, half the body
                status, body = (200, PAGE) if truncate else answer
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2] if truncate else data)
                if truncate:
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.client = NetSuiteClient(
            account_id="1234567_sb1",
            base_url=f"http://127.0.0.1:{self.server.server_port}",
            backoff_base=0.01,
            max_retries=4,
            **SECRETS,
        )

    def close(self) -> None:
        self.client.close()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def script():
    made = []

    def make(answers):
        made.append(Script(answers))
        return made[-1]

    yield make
    for s in made:
        s.close()


def test_429_500_503_a_dropped_connection_and_a_cut_body_are_retried_each_freshly_signed(script):
    s = script(
        [
            (429, _error(429, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded. Request blocked.")),
            (500, _error(500, "UNEXPECTED_ERROR", "An unexpected error occurred.")),
            "drop",
            (503, _error(503, "UNEXPECTED_ERROR", "An unexpected error occurred.")),
            "truncate",
            (200, PAGE),
        ]
    )
    s.client.max_retries = 5
    assert list(all_rows(s.client, "SELECT id FROM customer ORDER BY id")) == [{"id": "1"}]
    assert len(s.headers) == 6
    nonces = {re.search(r'oauth_nonce="([^"]+)"', h).group(1) for h in s.headers}
    signatures = {re.search(r'oauth_signature="([^"]+)"', h).group(1) for h in s.headers}
    assert len(nonces) == 6 and len(signatures) == 6
    assert all('realm="1234567_SB1"' in h for h in s.headers)


def test_gives_up_after_the_retries_with_a_clear_message(script):
    s = script([(503, _error(503, "UNEXPECTED_ERROR", "An unexpected error occurred."))] * 5)
    with pytest.raises(NetSuiteUnavailableError, match=r"after 5 attempts \(last: HTTP 503 UNEXPECTED_ERROR\)"):
        s.client.query_page("SELECT id FROM customer")


def test_401_is_not_retried_and_names_the_causes(script):
    detail = (
        "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
        "Setup > Users/Roles > User Management > View Login Audit Trail."
    )
    s = script([(401, _error(401, "INVALID_LOGIN", detail))])
    with pytest.raises(NetSuiteAuthError) as caught:
        s.client.query_page("SELECT id FROM customer")
    assert len(s.headers) == 1
    message = str(caught.value)
    for cause in (
        "realm '1234567_SB1'",
        "clock skew",
        "revoked",
        "REST Web Services",
        "Log in using Access Tokens",
        "Login Audit Trail",
    ):
        assert cause in message
    assert not any(secret in message for secret in SECRETS.values())


def test_400_is_not_retried_and_carries_the_detail_and_the_query(script):
    detail = (
        "Invalid search query. Detailed unprocessed description follows. Search error occurred: "
        "Unknown identifier 'balance'. Available identifiers are: {customer=customer}."
    )
    s = script([(400, _error(400, "INVALID_PARAMETER", detail))])
    with pytest.raises(NetSuiteQueryError) as caught:
        s.client.query_page("SELECT balance FROM customer")
    assert len(s.headers) == 1
    assert "Unknown identifier 'balance'" in str(caught.value)
    assert "Query: SELECT balance FROM customer" in str(caught.value)


def test_a_refused_window_plan_falls_back_to_one_page_at_a_time(script):
    detail = (
        "Invalid search query. Detailed unprocessed description follows. "
        "Search error occurred: Invalid or unsupported search."
    )
    rows = {
        "links": [],
        "count": 2,
        "hasMore": False,
        "offset": 0,
        "totalResults": 2,
        "items": [
            {"links": [], "id": "1", "lastmodifieddate": "2026-01-01 00:00:00"},
            {"links": [], "id": "2", "lastmodifieddate": "2026-01-01 00:00:01"},
        ],
    }
    s = script([lambda q: (400, _error(400, "INVALID_PARAMETER", detail)) if "ROW_NUMBER" in q else (200, rows)])
    spec = KeysetSpec(columns="id", table="customer", where=None, replication_key="lastmodifieddate", since=None)
    got = rows_of(read_pages(s.client, spec))
    assert [r["id"] for r in got] == ["1", "2"]
    assert len(s.headers) == 2
