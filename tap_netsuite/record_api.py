"""The record API and everyday lookups, as methods of `NetSuiteClient` (docs/netsuite.md §9).

Every call goes through the client's transport, so it is signed, limited, retried and mapped to
the same errors as SuiteQL:

- a read (GET) is retried after 429, 5xx and lost answers, like a SuiteQL page;
- a write (POST, PATCH, PUT, DELETE) is retried only after 429 (NetSuite refused it unrun); after
  a 5xx or a lost answer it may have run, so it is never sent again:
  `NetSuiteUnavailableError` says so;
- 404 raises `NetSuiteNotFoundError`; 400 raises `NetSuiteRecordError` with NetSuite's
  ``o:errorCode``, its detail and ``o:errorPath`` (the field at fault) when it names one.

    client = NetSuiteClient(account_id="1234567_SB1", consumer_key=..., ...)
    new_id = client.post("/services/rest/record/v1/customer", {"companyName": "Acme", "subsidiary": {"id": "1"}})
    client.patch(f"/services/rest/record/v1/customer/{new_id}", {"email": "ap@acme.example"})
    customer = client.get_customer(new_id)
"""

from __future__ import annotations

import datetime as dt
import json
import re
import typing as t

import requests

from tap_netsuite.errors import NetSuiteError, NetSuiteNotFoundError, NetSuiteRecordError, NetSuiteUnavailableError
from tap_netsuite.suiteql import DATE_FORMAT, PY_DATETIME_FORMAT, quote, rendered_second, timestamp

RECORD_ROOT = "/services/rest/record/v1"
# [unsure] documented with `Prefer: respond-async`; what a synchronous request does with it is not.
IDEMPOTENCY_HEADER = "X-NetSuite-Idempotency-Key"
_LOCATION_ID = re.compile(r"/([^/?#]+)/?(?:[?#].*)?$")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# What `search_invoices` selects: SuiteQL column names, dates rendered as text (see suiteql).
INVOICE_COLUMNS = ", ".join(
    [
        "id",
        "tranid",
        "entity",
        f"TO_CHAR(trandate, {quote(DATE_FORMAT)}) AS trandate",
        f"TO_CHAR(duedate, {quote(DATE_FORMAT)}) AS duedate",
        "status",
        "BUILTIN.DF(status) AS statustext",
        "foreigntotal",
        "foreignamountunpaid",
        "currency",
        "memo",
        f"{rendered_second('lastmodifieddate')} AS lastmodifieddate",
    ]
)


class _Transport(t.Protocol):
    """What the record API needs of `NetSuiteClient`."""

    page_size: int

    _send: t.Callable[..., t.Any]

    def query_page(self, query: str, *, limit: int | None = None, offset: int = 0) -> dict: ...


class RecordResponse(t.NamedTuple):
    """A successful record-API answer: its status, headers and JSON body (None when empty, as on 204)."""

    status: int
    headers: t.Mapping[str, str]
    body: t.Any


class RecordAPI:
    """The record-API and lookup methods of `NetSuiteClient` (a mixin; see the module doc)."""

    # -- the record API, path by path --------------------------------------------------------

    def get(self: _Transport, path: str, params: t.Mapping[str, t.Any] | None = None) -> t.Any:
        """GET `path` (relative to the REST root) and return the JSON NetSuite answered.

        >>> client.get("/services/rest/record/v1/customer/107")["companyName"]  # doctest: +SKIP
        'Acme Corp'
        """
        query = {key: _param(value) for key, value in (params or {}).items() if value is not None}
        return _record_call(self, "GET", path, params=query).body

    def post(self: _Transport, path: str, json: t.Any, *, idempotency_key: str | None = None) -> str | None:
        """Create a record; the new record's id, read from the ``Location`` NetSuite answers with 204.

        `idempotency_key` (a UUID you keep with the request) is sent as ``X-NetSuite-Idempotency-Key``.
        NetSuite documents it for asynchronous requests, where a repeated key is refused with
        IDEMPOTENCY_ERROR; its effect on synchronous requests is [unsure]. The POST is never resent
        by the client either way.

        >>> client.post("/services/rest/record/v1/customer", {"companyName": "Acme"})  # doctest: +SKIP
        '1207'
        """
        headers = {IDEMPOTENCY_HEADER: idempotency_key} if idempotency_key else None
        try:
            answer = _record_call(self, "POST", path, body=json, headers=headers)
        except NetSuiteUnavailableError as exc:
            if not idempotency_key:
                raise
            msg = (
                f"{exc} If you send it again, send the same idempotency_key ({idempotency_key}) so that "
                "NetSuite can refuse a duplicate."
            )
            raise NetSuiteUnavailableError(msg) from None
        return _id_from_location(answer.headers.get("Location"))

    def patch(self: _Transport, path: str, json: t.Any) -> None:
        """Update the fields given in `json` of the record at `path` (204).

        >>> client.patch("/services/rest/record/v1/customer/107", {"email": "ap@acme.example"})  # doctest: +SKIP
        """
        _record_call(self, "PATCH", path, body=json)

    def put(self: _Transport, path: str, json: t.Any) -> str | None:
        """Upsert the record at `path`, usually by external id (``/customer/eid:ACME-1``); its id
        from ``Location`` when NetSuite sends one, else None.

        >>> client.put("/services/rest/record/v1/customer/eid:ACME-1", {"companyName": "Acme"})  # doctest: +SKIP
        '1207'
        """
        return _id_from_location(_record_call(self, "PUT", path, body=json).headers.get("Location"))

    def delete(self: _Transport, path: str) -> None:
        """Delete the record at `path` (204); NetSuite lists it in `deletedrecord` from then on.

        >>> client.delete("/services/rest/record/v1/invoice/5001")  # doctest: +SKIP
        """
        _record_call(self, "DELETE", path)

    # -- lookups a NetSuite integration guide expects ------------------------------------------

    def get_customer(self: _Transport, customer_id: int | str, *, expand: bool = False) -> dict:
        """One customer as the record API shows it (camelCase fields, real JSON types).

        `expand` asks NetSuite to inline sublists and subrecords (``expandSubResources=true``).

        >>> client.get_customer(107)["companyName"]  # doctest: +SKIP
        'Acme Corp'
        """
        params = {"expandSubResources": "true"} if expand else None
        return RecordAPI.get(self, f"{RECORD_ROOT}/customer/{_record_id(customer_id)}", params)

    def search_invoices(
        self: _Transport,
        customer_id: int | str | None = None,
        status: str | None = None,
        since: str | dt.date | None = None,
    ) -> t.Iterator[dict]:
        """Invoices by SuiteQL, every page, in id order; each row as SuiteQL gives it (strings).

        `customer_id`: one customer's invoices. `status`: NetSuite's code (``A`` open, ``B`` paid
        in full) or its display text (``Open``). `since`: changed at or after this account-local
        time (``YYYY-MM-DD HH:MM:SS``, a `datetime` without zone, or a `date`).

        >>> [row["tranid"] for row in client.search_invoices(customer_id=107, status="Open")]  # doctest: +SKIP
        ['INV00503', 'INV00611']
        """
        conditions = ["type = 'CustInvc'"]
        if customer_id is not None:
            conditions.append(f"entity = {_record_id(customer_id)}")
        if status is not None:
            conditions.append(f"(status = {quote(status)} OR BUILTIN.DF(status) = {quote(status)})")
        if since is not None:
            conditions.append(f"lastmodifieddate >= {timestamp(_local_time(since))}")
        return _by_id(self, INVOICE_COLUMNS, "transaction", " AND ".join(conditions))

    def get_all(self: _Transport, table: str, where: str | None = None, *, key: str = "id") -> t.Iterator[dict]:
        """Every row of `table` (``SELECT *``), read by keyset on the integer column `key`, any size.

        `where` is SuiteQL; put values in it through `tap_netsuite.suiteql.quote`.

        >>> for row in client.get_all("customer", where=f"email = {quote(email)}"):  # doctest: +SKIP
        ...     print(row["id"], row["companyname"])
        """
        for name in (table, key):
            if not _IDENTIFIER.fullmatch(name):
                msg = f"{name!r} is not a SuiteQL table or column name."
                raise ValueError(msg)
        return _by_id(self, "*", table, where, key=key)


def _record_call(
    client: _Transport,
    method: str,
    path: str,
    *,
    params: dict | None = None,
    body: t.Any = None,
    headers: dict[str, str] | None = None,
) -> RecordResponse:
    if not path.startswith("/services/rest/"):
        msg = f"{path!r} is not a path under the REST root; record paths start {RECORD_ROOT}/."
        raise ValueError(msg)
    return client._send(
        method,
        path,
        params=params,
        body=body,
        headers=headers,
        idempotent=method == "GET",
        on_success=_record_response,
        on_error=lambda response: _record_error(method, path, response),
    )


def _record_response(response: requests.Response, content: bytes) -> RecordResponse:
    """A 2xx answer; a body that is not JSON raises ValueError, which the transport treats as cut short."""
    return RecordResponse(response.status_code, response.headers, json.loads(content) if content.strip() else None)


def _record_error(method: str, path: str, response: requests.Response) -> NetSuiteError | None:
    """404 and 400 of the record API, and a write's 5xx (it may have run); None leaves the answer to
    the transport's own mapping (401, a read's 5xx after its retries)."""
    if response.status_code >= 500 and method != "GET":
        return NetSuiteUnavailableError(
            f"{method} {path} got HTTP {response.status_code} and is not retried: it may have run already. "
            "Check in NetSuite before sending it again."
        )
    if response.status_code not in (400, 404, 405):
        return None
    try:
        details = response.json().get("o:errorDetails") or [{}]
    except (ValueError, AttributeError):
        details = [{}]
    first = details[0] if isinstance(details[0], dict) else {}
    detail = str(first.get("detail") or response.text[:500] or response.reason)
    code = str(first.get("o:errorCode", ""))
    if response.status_code == 404:
        return NetSuiteNotFoundError(
            f"NetSuite has no {path} (HTTP 404 {code}): {detail} Check the record type and id, and that the "
            "token's role may see this record type."
        )
    error_path = first.get("o:errorPath")
    where = f" The field at fault: {error_path}." if error_path else ""
    location = response.headers.get("Location")
    earlier = f" The earlier request: {location}." if location and code == "IDEMPOTENCY_ERROR" else ""
    return NetSuiteRecordError(
        f"NetSuite refused {method} {path} (HTTP {response.status_code} {code}): {detail}{where}{earlier}",
        code=code,
        detail=detail,
        error_path=str(error_path) if error_path else None,
    )


def _by_id(client: _Transport, columns: str, table: str, where: str | None, *, key: str = "id") -> t.Iterator[dict]:
    """The rows of a query in `key` order, a page at a time, each page after the last key read."""
    after: int | None = None
    while True:
        conditions = [f"({where})"] if where else []
        if after is not None:
            conditions.append(f"{key} > {after}")
        filtered = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        page = client.query_page(f"SELECT {columns} FROM {table}{filtered} ORDER BY {key}")
        items = page.get("items", [])
        for item in items:
            item.pop("links", None)
            yield item
        if not page.get("hasMore") or not items:
            return
        after = int(items[-1][key])


def _record_id(value: int | str) -> int:
    text = str(value).strip()
    if not re.fullmatch(r"[1-9][0-9]{0,17}", text):
        msg = f"{value!r} is not a NetSuite internal id (a positive whole number)."
        raise ValueError(msg)
    return int(text)


def _local_time(since: str | dt.date) -> str:
    """`since` as account-local ``YYYY-MM-DD HH:MM:SS`` (a string is checked by `timestamp`)."""
    if isinstance(since, dt.datetime):
        if since.tzinfo is not None:
            msg = "since must be account-local time without a zone: NetSuite reads it in the account's time zone."
            raise ValueError(msg)
        return since.strftime(PY_DATETIME_FORMAT)
    if isinstance(since, dt.date):
        return since.strftime(PY_DATETIME_FORMAT)
    return since


def _param(value: t.Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _id_from_location(location: str | None) -> str | None:
    """The last path segment of ``Location`` (``.../customer/1207`` -> ``1207``)."""
    found = _LOCATION_ID.search(location or "")
    return found.group(1) if found else None
