"""NetSuite's answer shapes, each written once: REST collections and errors, RESTlet errors.

A handler returns a `Reply`; the server sends it (or a fault cuts it short).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import msgspec

COLLECTION = "application/vnd.oracle.resource+json; type=collection"
SINGLE = "application/vnd.oracle.resource+json; type=singular"
ERROR = "application/vnd.oracle.resource+json; type=error"
SCHEMA_JSON = "application/schema+json"
JSON = "application/json"
RFC9110 = "https://www.rfc-editor.org/rfc/rfc9110.html#section-"
STATUS = {
    400: ("15.5.1", "Bad Request"),
    401: ("15.5.2", "Unauthorized"),
    403: ("15.5.4", "Forbidden"),
    404: ("15.5.5", "Not Found"),
    415: ("15.5.16", "Unsupported Media Type"),
    429: ("15.5.29", "Too Many Requests"),
    500: ("15.6.1", "Internal Server Error"),
    503: ("15.6.4", "Service Unavailable"),
}
INVALID_LOGIN = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the "
    "NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail."
)
CONCURRENCY = "Concurrent request limit exceeded. Request blocked."


_encode = msgspec.json.Encoder().encode


@dataclass
class Reply:
    """One HTTP answer. `rows` feeds the latency model (rows returned)."""

    status: int
    content_type: str
    body: bytes
    rows: int = 0
    headers: dict[str, str] = field(default_factory=dict)


def netsuite_json(value: object) -> bytes:
    """NetSuite's serialisation: compact, UTF-8, every `/` escaped as `\\/`.

    msgspec writes the same compact JSON as `json.dumps(..., ensure_ascii=False)` several
    times faster; a page of 1,000 rows is encoded for every SuiteQL answer."""
    return _encode(value).replace(b"/", b"\\/")


def error_body(status: int, detail: str, code: str, query_param: str | None = None) -> dict:
    section, title = STATUS[status]
    entry = {"detail": detail, "o:errorCode": code}
    if query_param is not None:
        entry["o:errorQueryParam"] = query_param
    return {"type": RFC9110 + section, "title": title, "status": status, "o:errorDetails": [entry]}


def rest_error(
    status: int, detail: str, code: str, query_param: str | None = None, headers: dict | None = None
) -> Reply:
    """§4's error shape."""
    return Reply(status, ERROR, netsuite_json(error_body(status, detail, code, query_param)), headers=headers or {})


def unexpected(status: int = 500, error_id: str = "emulator") -> Reply:
    return rest_error(status, f"An unexpected error occurred. Error ID: {error_id}", "UNEXPECTED_ERROR")


def invalid_login(headers: dict | None = None) -> Reply:
    return rest_error(401, INVALID_LOGIN, "INVALID_LOGIN", headers=headers)


def concurrency_exceeded() -> Reply:
    return rest_error(429, CONCURRENCY, "CONCURRENCY_LIMIT_EXCEEDED")


def restlet_error(status: int, code: str, message: str, headers: dict | None = None) -> Reply:
    """§8's RESTlet error shape: {"error": {"code", "message"}}, as application/json."""
    return Reply(
        status,
        JSON,
        json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False).encode(),
        headers=headers or {},
    )


def plain_json(status: int, value: object) -> Reply:
    """The emulator's own control answers (not NetSuite shapes)."""
    return Reply(status, JSON, json.dumps(value).encode())


def collection_links(base: str, limit: int, offset: int, total: int, *, has_more: bool, all_links: bool) -> list[dict]:
    """`next` (when more) then `self`, as every real response shows. With `all_links`
    ([unsure] in §2), also `previous` (past the first page), `first` and `last`, in the order
    NetSuite's record-API collections list them: previous, next, first, last, self."""

    def link(rel: str, at: int) -> dict:
        return {"rel": rel, "href": f"{base}?limit={limit}&offset={at}"}

    links = []
    if all_links and offset > 0:
        links.append(link("previous", max(0, offset - limit)))
    if has_more:
        links.append(link("next", offset + limit))
    if all_links:
        last = max(0, (total - 1) // limit * limit) if total else 0
        links += [link("first", 0), link("last", last)]
    links.append(link("self", offset))
    return links
