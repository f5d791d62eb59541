"""`POST /services/rest/query/v1/suiteql`: parameters, NetSuite's collection shape and errors."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import msgspec

from . import responses
from .engine import SuiteQLError
from .responses import Reply

if TYPE_CHECKING:
    from .server import State

PATH = "/services/rest/query/v1/suiteql"
MAX_LIMIT = 1000
# At most 100,000 rows are reachable through offset paging (docs/netsuite.md §2, [doc]). We refuse
# any page that reaches past that row (offset + limit > 100,000), since the exact rule is [unsure].
# Offsets that are not multiples of the limit are accepted ([unsure]).
OFFSET_CAP = 100_000


def _bad(detail: str, query_param: str | None, code: str = "INVALID_PARAMETER") -> Reply:
    return responses.rest_error(400, detail, code, query_param)


def _int_param(query: dict, name: str, default: int) -> int | Reply:
    values = query.get(name)
    if not values:
        return default
    try:
        return int(values[-1])
    except ValueError:
        return _bad(f"Invalid value for query parameter '{name}': {values[-1]}.", name)


def handle(state: State, base: str, query_string: str, body: bytes, prefer: str) -> Reply:
    query = parse_qs(query_string, keep_blank_values=True)
    limit = _int_param(query, "limit", MAX_LIMIT)
    offset = _int_param(query, "offset", 0)
    if isinstance(limit, Reply):
        return limit
    if isinstance(offset, Reply):
        return offset
    if not 1 <= limit <= MAX_LIMIT:
        return _bad(
            f"Invalid value for query parameter 'limit': {limit}. The value must be between 1 and {MAX_LIMIT}.", "limit"
        )
    if offset < 0 or offset + limit > OFFSET_CAP:
        return _bad(
            f"Invalid value for query parameter 'offset': {offset}. No more than "
            f"{OFFSET_CAP} rows can be reached through offset paging.",
            "offset",
        )
    # Prefer: transient is in every documented SuiteQL request (§2); we require it.
    if "transient" not in prefer.lower():
        return _bad("The request header 'Prefer: transient' is required for SuiteQL.", None, code="INVALID_HEADER")
    try:
        q = json.loads(body or b"null").get("q")
    except (ValueError, AttributeError):
        q = None
    if not isinstance(q, str):
        return _bad(
            "Invalid content in the request body: a JSON object with the string member 'q' is expected.",
            None,
            code="INVALID_CONTENT",
        )
    try:
        page = state.engine.run(q, limit, offset)
    except SuiteQLError as exc:
        state.metrics.query(q, limit, offset, 400, 0)
        return _bad(exc.detail, "q")
    state.metrics.query(q, limit, offset, 200, page.count)
    has_more = offset + page.count < page.total
    links = responses.collection_links(
        base, limit, offset, page.total, has_more=has_more, all_links=state.engine.settings.links == "all"
    )
    response = {
        "links": links,
        "count": page.count,
        "hasMore": has_more,
        "items": msgspec.Raw(page.items),  # JSON already, written by the engine
        "offset": offset,
        "totalResults": page.total,
    }
    return Reply(200, responses.COLLECTION, responses.netsuite_json(response), rows=page.count)
