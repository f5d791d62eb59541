"""The HTTP front: routes, NetSuite's response and error shapes, nothing about SQL or signatures.

Routes:
- ``POST /services/rest/query/v1/suiteql?limit=&offset=``: SuiteQL (OAuth 1.0a checked first).
- anything else under ``/services/rest/``: signed, then 404 in NetSuite's error shape.
- ``POST /_emulator/touch`` and ``GET /_emulator/rows/{table}``: unsigned test controls.
"""

from __future__ import annotations

import json
import random
import sqlite3
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import control
from .engine import Engine, SuiteQLError
from .signing import Verifier, base_string_uri

SUITEQL_PATH = "/services/rest/query/v1/suiteql"
MAX_LIMIT = 1000
# At most 100,000 rows are reachable through offset paging (netsuite-api.md §2, [doc]). We refuse
# any page that reaches past that row (offset + limit > 100,000), since the exact rule is [unsure].
# Offsets that are not multiples of the limit are accepted ([unsure]).
OFFSET_CAP = 100_000

COLLECTION = "application/vnd.oracle.resource+json; type=collection"
ERROR = "application/vnd.oracle.resource+json; type=error"
RFC9110 = "https://www.rfc-editor.org/rfc/rfc9110.html#section-"
STATUS = {400: ("15.5.1", "Bad Request"), 401: ("15.5.2", "Unauthorized"),
          404: ("15.5.5", "Not Found"), 500: ("15.6.1", "Internal Server Error")}
INVALID_LOGIN = ("Invalid login attempt. For more details, see the Login Audit Trail in the "
                 "NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.")


def netsuite_json(value) -> bytes:
    """NetSuite's serialisation: compact, UTF-8, every `/` escaped as `\\/`."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("/", "\\/").encode("utf-8")


def error_body(status: int, detail: str, code: str, query_param: str | None = None) -> dict:
    section, title = STATUS[status]
    entry = {"detail": detail, "o:errorCode": code}
    if query_param is not None:
        entry["o:errorQueryParam"] = query_param
    return {"type": RFC9110 + section, "title": title, "status": status,
            "o:errorDetails": [entry]}


@dataclass
class State:
    """Everything a request handler needs; one per server."""

    conn: sqlite3.Connection
    lock: threading.Lock
    engine: Engine
    verifier: Verifier
    touch_rng: random.Random


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as NetSuite and every client session expect
    server: EmulatorServer

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        body = self._read_body()
        try:
            if url.path.startswith("/services/rest/"):
                self._rest(method, url, body)
            elif url.path.startswith("/_emulator/"):
                self._control(method, url.path, body)
            else:
                self._not_found()
        except Exception as exc:  # noqa: BLE001 - a bug must still answer, and be logged
            self.log_error("unexpected error: %r", exc)
            self._send(500, ERROR, netsuite_json(error_body(
                500, "An unexpected error occurred. Error ID: emulator", "UNEXPECTED_ERROR")))

    # -- NetSuite routes ------------------------------------------------------------------
    def _rest(self, method: str, url, body: bytes) -> None:
        uri = base_string_uri("http", self.headers.get("Host", ""), url.path)
        form = None
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            form = body.decode("utf-8", "replace")
        reason = self.server.state.verifier.check(method, uri, url.query,
                                                  self.headers.get("Authorization"), form)
        if reason is not None:
            self.log_error("401 INVALID_LOGIN: %s", reason)
            self._send(401, ERROR, netsuite_json(error_body(401, INVALID_LOGIN, "INVALID_LOGIN")))
            return
        if method == "POST" and url.path == SUITEQL_PATH:
            self._suiteql(url, body)
        else:
            self._not_found()

    def _suiteql(self, url, body: bytes) -> None:
        query = parse_qs(url.query, keep_blank_values=True)
        limit = self._int_param(query, "limit", MAX_LIMIT)
        offset = self._int_param(query, "offset", 0)
        if limit is None or offset is None:
            return
        if not 1 <= limit <= MAX_LIMIT:
            return self._bad(f"Invalid value for query parameter 'limit': {limit}. The value "
                             f"must be between 1 and {MAX_LIMIT}.", "limit")
        if offset < 0 or offset + limit > OFFSET_CAP:
            return self._bad(f"Invalid value for query parameter 'offset': {offset}. No more than "
                             f"{OFFSET_CAP} rows can be reached through offset paging.", "offset")
        # Prefer: transient is in every documented SuiteQL request (§2); we require it.
        if "transient" not in self.headers.get("Prefer", "").lower():
            return self._bad("The request header 'Prefer: transient' is required for SuiteQL.",
                             None, code="INVALID_HEADER")
        try:
            q = json.loads(body or b"null").get("q")
        except (ValueError, AttributeError):
            q = None
        if not isinstance(q, str):
            return self._bad("Invalid content in the request body: a JSON object with the "
                             "string member 'q' is expected.", None, code="INVALID_CONTENT")
        try:
            page = self.server.state.engine.run(q, limit, offset)
        except SuiteQLError as exc:
            self.log_error("400 for query %r: %s", q, exc.detail)
            return self._bad(exc.detail, "q")
        base = f"http://{self.headers.get('Host', '')}{url.path}"
        has_more = offset + len(page.items) < page.total
        links = []
        if has_more:
            links.append({"rel": "next", "href": f"{base}?limit={limit}&offset={offset + limit}"})
        links.append({"rel": "self", "href": f"{base}?limit={limit}&offset={offset}"})
        response = {"links": links, "count": len(page.items), "hasMore": has_more,
                    "items": [{"links": [], **item} for item in page.items],
                    "offset": offset, "totalResults": page.total}
        self._send(200, COLLECTION, netsuite_json(response))

    def _int_param(self, query: dict, name: str, default: int) -> int | None:
        values = query.get(name)
        if not values:
            return default
        try:
            return int(values[-1])
        except ValueError:
            self._bad(f"Invalid value for query parameter '{name}': {values[-1]}.", name)
            return None

    def _bad(self, detail: str, query_param: str | None, code: str = "INVALID_PARAMETER"):
        self._send(400, ERROR, netsuite_json(error_body(400, detail, code, query_param)))

    def _not_found(self) -> None:
        # NetSuite's wording for an unknown REST path is not documented; this one says what it is.
        detail = f"The requested path {urlsplit(self.path).path} does not exist."
        self._send(404, ERROR, netsuite_json(error_body(404, detail, "NONEXISTENT_ID")))

    # -- test controls --------------------------------------------------------------------
    def _control(self, method: str, path: str, body: bytes) -> None:
        state = self.server.state
        try:
            if method == "POST" and path == "/_emulator/touch":
                request = json.loads(body or b"{}")
                if not isinstance(request, dict):
                    raise control.ControlError("the body must be a JSON object")
                with state.lock:
                    result = {"ids": control.touch(state.conn, state.touch_rng, request)}
            elif method == "GET" and path.startswith("/_emulator/rows/"):
                with state.lock:
                    result = control.canonical_rows(state.conn, path.rsplit("/", 1)[1],
                                                    state.engine.settings.tz)
            else:
                return self._not_found()
        except (control.ControlError, ValueError) as exc:
            return self._send(400, "application/json", json.dumps({"error": str(exc)}).encode())
        self._send(200, "application/json", json.dumps(result).encode())

    # -- plumbing -------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
        sys.stderr.write(f"{self.log_date_time_string()} {format % args}\n")


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: State):
        super().__init__(address, Handler)
        self.state = state
