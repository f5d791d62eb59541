"""The HTTP front: which route a request is, and the order every NetSuite request goes through.

NetSuite routes (counted in metrics under the route's name):
- ``POST /services/rest/query/v1/suiteql?limit=&offset=`` (suiteql)
- ``POST /services/rest/auth/oauth2/v1/token`` (token)
- ``GET /services/rest/record/v1/metadata-catalog/{type}`` (metadata)
- ``GET /services/rest/record/v1/{type}/{id}`` (record)
- ``POST|PATCH|PUT|DELETE /services/rest/record/v1/{type}[/{id}]`` (record; see `record_writes`)
- ``GET|POST /app/site/hosting/restlet.nl?script=&deploy=`` (restlet)
- ``GET /services/rest/system/v1/governanceLimits`` (governance; see `governance_limits`)
- anything else under ``/services/rest/``: signed, then 404 (rest)
Order: fault on demand -> authentication -> concurrency slot -> handler -> latency -> answer.
``/_emulator/...`` are unsigned test controls (see `control_routes`).
"""

from __future__ import annotations

import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import SplitResult, urlsplit

from . import control_routes, governance_limits, record_writes, records, responses, restlets, suiteql
from .engine import Engine
from .faults import Faults
from .governance import Latency, Metrics, Pool
from .mutations import Mutator
from .oauth2 import TokenService
from .responses import Reply
from .signing import Verifier, base_string_uri

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"  # noqa: S105 - a route, not a secret
RESTLET_PATH = "/app/site/hosting/restlet.nl"
RECORD_PREFIX = "/services/rest/record/v1/"


@dataclass
class State:
    """Everything a request handler needs; one per server."""

    conn: sqlite3.Connection
    lock: threading.Lock
    engine: Engine
    verifier: Verifier
    pool: Pool
    latency: Latency
    metrics: Metrics
    faults: Faults
    mutator: Mutator
    oauth2: TokenService | None = None
    allocation: governance_limits.Allocation = field(default_factory=governance_limits.Allocation)


def route_of(path: str) -> str:
    if path == suiteql.PATH:
        return "suiteql"
    if path == TOKEN_PATH:
        return "token"
    if path == governance_limits.PATH:
        return "governance"
    if path.startswith(RECORD_PREFIX + "metadata-catalog"):
        return "metadata"
    if path.startswith(RECORD_PREFIX):
        return "record"
    if path == RESTLET_PATH:
        return "restlet"
    return "rest"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as NetSuite and every client session expect
    server: EmulatorServer

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        body = self._read_body()
        if url.path.startswith("/_emulator/"):
            return self._answer(self._safely(control_routes.handle, self.server.state, method, url.path, body))
        if not (url.path.startswith("/services/rest/") or url.path == RESTLET_PATH):
            return self._answer(
                responses.rest_error(404, f"The requested path {url.path} does not exist.", "NONEXISTENT_ID")
            )
        self._netsuite(method, url, body)

    def _netsuite(self, method: str, url: SplitResult, body: bytes) -> None:
        state, started = self.server.state, time.monotonic()
        route = route_of(url.path)
        restlet = route == "restlet"
        state.metrics.begin()
        status: int | str = "dropped"
        try:
            fault = state.faults.pick(route)
            cut = fault is not None and fault.kind == "truncate"
            if fault is not None:
                state.metrics.fault(fault.kind)
                if fault.kind == "drop":
                    self.close_connection = True
                    return
                if fault.kind == "stall":
                    time.sleep(fault.stall_s)
                elif fault.kind in ("429", "500", "503"):
                    code = int(fault.kind)
                    status = code
                    return self._answer(
                        responses.concurrency_exceeded(state.pool.retry_after_s)
                        if code == 429
                        else responses.unexpected(code, "fault")
                    )
            if route == "token":
                state.metrics.token_request()
                reply = self._safely(self._token, body)
                status = reply.status
                return self._answer(reply, truncate=cut)
            failure = self._authenticate(method, url, body, route)
            if failure is not None:
                status = failure.status
                return self._answer(failure, truncate=cut)
            if not state.pool.try_acquire():
                reply = restlets.pool_full() if restlet else responses.concurrency_exceeded(state.pool.retry_after_s)
                status = reply.status
                return self._answer(reply)
            try:
                reply = self._safely(self._handle, method, url, body, route)
                if not state.latency.wait(reply.rows, time.monotonic() - started):
                    reply = restlets.time_exceeded() if restlet else responses.unexpected(500, "request-timeout")
                status = reply.status
                self._answer(reply, truncate=cut)
            finally:
                state.pool.release()
        finally:
            state.metrics.end(route, status)

    def _handle(self, method: str, url: SplitResult, body: bytes, route: str) -> Reply:
        state = self.server.state
        host = self.headers.get("Host", "")
        if route == "suiteql" and method == "POST":
            return suiteql.handle(state, f"http://{host}{url.path}", url.query, body, self.headers.get("Prefer", ""))
        if route in ("record", "metadata") and method == "GET":
            return records.handle(state, url.path, f"http://{host}")
        if route == "record" and method in record_writes.METHODS:
            key = self.headers.get(record_writes.IDEMPOTENCY_HEADER) if method == "POST" else None
            return record_writes.handle(state, method, url.path, body, f"http://{host}", key)
        if route == "restlet":
            return restlets.handle(state, method, url.query, body, self.headers.get("Content-Type", ""))
        if route == "governance" and method == "GET":
            return governance_limits.handle(state)
        return responses.rest_error(404, f"The requested path {url.path} does not exist.", "NONEXISTENT_ID")

    def _token(self, body: bytes) -> Reply:
        service = self.server.state.oauth2
        if service is None:
            return responses.plain_json(
                400, {"error": "invalid_client", "error_description": "OAuth 2.0 is not enabled for this account."}
            )
        host = self.headers.get("Host", "")
        return service.token(body, self.headers.get("Content-Type", ""), f"http://{host}{TOKEN_PATH}")

    def _authenticate(self, method: str, url: SplitResult, body: bytes, route: str) -> Reply | None:
        """None when the request may proceed, else the 401 to answer."""
        state = self.server.state
        header = self.headers.get("Authorization") or ""
        restlet = route == "restlet"
        if header[:7].lower() == "bearer ":
            scope = "restlets" if restlet else "rest_webservices"
            reason = state.oauth2.check(header[7:].strip(), scope) if state.oauth2 else "OAuth 2.0 is not enabled"
            if reason is None:
                return None
            self.log_error("401 bearer: %s", reason)
            challenge = {"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{reason}"'}
            return restlets.invalid_login(challenge) if restlet else responses.invalid_login(challenge)
        uri = base_string_uri("http", self.headers.get("Host", ""), url.path)
        form = None
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            form = body.decode("utf-8", "replace")
        reason = state.verifier.check(method, uri, url.query, header or None, form)
        if reason is None:
            return None
        self.log_error("401 INVALID_LOGIN: %s", reason)
        return restlets.invalid_login() if restlet else responses.invalid_login()

    def _safely(self, fn: Callable[..., Reply], *args: object) -> Reply:
        try:
            return fn(*args)
        except Exception as exc:  # noqa: BLE001 - a bug must still answer, and be logged
            self.log_error("unexpected error: %r", exc)
            return responses.unexpected()

    # -- plumbing -------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _answer(self, reply: Reply, *, truncate: bool = False) -> None:
        """Send a reply; `truncate` sends the full Content-Length but half the body, then
        closes the connection (a fault)."""
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if truncate:
            self.wfile.write(reply.body[: len(reply.body) // 2])
            self.close_connection = True
        else:
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        sys.stderr.write(f"{self.log_date_time_string()} {format % args}\n")


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # many clients connect at once in the concurrency tests

    def __init__(self, address: tuple[str, int], state: State) -> None:
        super().__init__(address, Handler)
        self.state = state
