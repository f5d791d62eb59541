"""The open-invoices RESTlet of suitescripts/ (its README is the contract), served from our data.

`answer` applies the contract to SuiteQL-style string rows, the shape of the golden cases in
suitescripts/fixtures/open_invoice_aging.json, so the JavaScript and the emulator are held to the
same expected pages. The handler only reads those rows from SQLite and the account's today.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from . import formats, schema
from .restlet_api import Context, RestletError, register

if TYPE_CHECKING:
    from .server import State

SCRIPT_ID, NUMERIC_ID = "customscript_tapns_open_invoices_rl", 201
MAX_PAGE_SIZE = 1000
BUCKETS = ((0, "current"), (30, "1-30"), (60, "31-60"), (90, "61-90"))
POSITIVE = re.compile(r"[1-9][0-9]{0,14}")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DECIMAL = re.compile(r"-?([0-9]+\.?[0-9]*|\.[0-9]+)")
CURSOR = re.compile(r"v1\.([0-9]{4}-[0-9]{2}-[0-9]{2})\.(all|[1-9][0-9]{0,14})\.([1-9][0-9]{0,14})")
AGAIN = "Repeat the first call's parameters with the cursor, or start again without cursor."
NOTE_FIELDS = ("title", "note", "customer_id")
_note_ids = itertools.count(1)  # the emulator keeps no note table: ids only


def fail(code: str, message: str) -> RestletError:
    """An N/error as NetSuite hands it back: `message` is the error object as JSON text."""
    return RestletError(code, json.dumps({"type": "error.SuiteScriptError", "name": code, "message": message}))


def _shown(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _date(text: object) -> date | None:
    if not isinstance(text, str) or not ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class Request:
    customer_id: int | None
    as_of: str | None  # None: today in the account's zone
    after_id: int
    page_size: int


def _positive(name: str, value: object, code: str, hint: str) -> int:
    if not isinstance(value, str) or not POSITIVE.fullmatch(value):
        raise fail(code, f"{name} must be a positive whole number such as 42; got {_shown(value)}. {hint}")
    return int(value)


def parse(params: dict[str, str]) -> Request:
    """GET parameters to a Request, refusing bad ones in the order the script checks them."""
    given = params.get("customer_id")
    customer = None
    if given is not None:
        customer = _positive(
            "customer_id",
            given,
            "TAPNS_INVALID_CUSTOMER_ID",
            "Use the customer's internal id, or leave customer_id out to list every customer.",
        )
    as_of = params.get("as_of")
    if as_of is not None and _date(as_of) is None:
        raise fail(
            "TAPNS_INVALID_AS_OF",
            "as_of must be a calendar date written YYYY-MM-DD "
            f"such as 2024-03-31; got {_shown(as_of)}. Leave as_of out to age against "
            "today in the account's time zone.",
        )
    size, hint = (
        MAX_PAGE_SIZE,
        (f"Send a whole number from 1 to {MAX_PAGE_SIZE}, or leave page_size out for {MAX_PAGE_SIZE}."),
    )
    if params.get("page_size") is not None:
        size = _positive("page_size", params["page_size"], "TAPNS_INVALID_PAGE_SIZE", hint)
        if size > MAX_PAGE_SIZE:
            raise fail("TAPNS_INVALID_PAGE_SIZE", f"page_size {size} is above the maximum. {hint}")
    cursor = params.get("cursor")
    if cursor is None:
        return Request(customer, as_of, 0, size)
    match = CURSOR.fullmatch(cursor)
    if not match or _date(match[1]) is None:
        raise fail(
            "TAPNS_INVALID_CURSOR",
            f"cursor {_shown(cursor)} is not a cursor this RESTlet "
            "issued. Send next_cursor from the previous answer unchanged, or leave cursor "
            "out to start from the first invoice.",
        )
    pinned = None if match[2] == "all" else int(match[2])
    if customer is not None and customer != pinned:
        listing = "(all customers)" if pinned is None else pinned
        raise fail(
            "TAPNS_INVALID_CURSOR", f"cursor belongs to a listing of customer_id {listing}, not {customer}. {AGAIN}"
        )
    if as_of is not None and as_of != match[1]:
        raise fail("TAPNS_INVALID_CURSOR", f"cursor belongs to a listing as of {match[1]}, not {as_of}. {AGAIN}")
    return Request(pinned, match[1], int(match[3]), size)


def _text(row: dict, column: str) -> str | None:
    value = row.get(column)
    return None if value is None or value == "" else str(value)


def _amount(row: dict, column: str) -> float | None:
    value = _text(row, column)
    if value is not None and not DECIMAL.fullmatch(value):
        raise ValueError(f"invoice row column {column} is not a number: {value!r}")
    return None if value is None else float(value)


def _row_date(row: dict, column: str) -> date | None:
    value = _text(row, column)
    if value is not None and _date(value) is None:
        raise ValueError(f"invoice row column {column} is not YYYY-MM-DD: {value!r}")
    return None if value is None else _date(value)


def bucket(days: int) -> str:
    return next((name for top, name in BUCKETS if days <= top), "90+")


def item(row: dict, as_of: date) -> dict:
    """One answer item; days are calendar-date differences, so DST cannot move a bucket."""
    due, tran = _row_date(row, "duedate"), _row_date(row, "trandate")
    days = max(0, (as_of - due).days) if due else 0
    return {
        "id": int(row["id"]),
        "tranid": _text(row, "tranid"),
        "customer_id": int(row["entity"]),
        "trandate": tran and tran.isoformat(),
        "duedate": due and due.isoformat(),
        "total": _amount(row, "foreigntotal"),
        "remaining": _amount(row, "foreignamountunpaid"),
        "status": _text(row, "status"),
        "terms": _text(row, "terms"),
        "memo": _text(row, "memo"),
        "days_overdue": days,
        "aging_bucket": bucket(days),
    }


def _listed(row: dict, request: Request) -> bool:
    return (
        row.get("status") == "Open"
        and (_amount(row, "foreignamountunpaid") or 0) > 0
        and int(row["id"]) > request.after_id
        and (request.customer_id is None or int(row["entity"]) == request.customer_id)
    )


def answer(invoices: list[dict], params: dict[str, str], today: str) -> dict:
    """One answer of the RESTlet for these invoice rows (any order) and GET parameters."""
    request = parse(params)
    as_of = request.as_of or today
    listed = sorted((r for r in invoices if _listed(r, request)), key=lambda r: int(r["id"]))
    items = [item(r, date.fromisoformat(as_of)) for r in listed[: request.page_size]]
    cursor = None
    if len(listed) > len(items):
        customer = "all" if request.customer_id is None else request.customer_id
        cursor = f"v1.{as_of}.{customer}.{items[-1]['id']}"
    return {"items": items, "has_more": cursor is not None, "next_cursor": cursor, "as_of": as_of}


def _rows(state: State, request: Request) -> list[dict]:
    """The listing's next rows as the script's SuiteQL answers them (NULL columns left out)."""
    sql = (
        "SELECT id, tranid, entity, trandate, duedate, foreigntotal, foreignamountunpaid, "
        "status, terms, memo FROM \"transaction\" WHERE type = 'CustInvc' AND status = 'A' "
        "AND foreignamountunpaid > 0 AND id > ?"
        + (" AND entity = ?" if request.customer_id is not None else "")
        + " ORDER BY id LIMIT ?"
    )
    args = [
        request.after_id,
        *([request.customer_id] if request.customer_id is not None else []),
        request.page_size + 1,
    ]  # one more tells whether more follow
    tz = state.engine.settings.tz
    found = state.engine.reader().execute(sql, args).fetchall()

    def day(value: float | None) -> str | None:
        return None if value is None else formats.local_date(value, tz).isoformat()

    rows = []
    for rid, tranid, entity, tran, due, total, unpaid, status, terms, memo in found:
        row = {
            "id": str(rid),
            "tranid": tranid,
            "entity": str(entity),
            "trandate": day(tran),
            "duedate": day(due),
            "foreigntotal": None if total is None else formats.number_text(total),
            "foreignamountunpaid": formats.number_text(unpaid),
            "status": schema.display_text("status", f"CustInvc:{status}"),
            "terms": None if terms is None else schema.TERMS_TEXT.get(terms, str(terms)),
            "memo": memo,
        }
        rows.append({k: v for k, v in row.items() if v is not None})
    return rows


def _note(state: State, body: object) -> dict:
    """POST: validates the note as the script does; the emulator stores no notes, only ids."""
    if not isinstance(body, dict):
        raise fail(
            "TAPNS_INVALID_BODY",
            'The body must be a JSON object {"title": ..., "note": '
            '..., "customer_id": ...} sent with Content-Type: application/json.',
        )
    unknown = [k for k in body if k not in NOTE_FIELDS]
    if unknown:
        raise fail(
            "TAPNS_INVALID_BODY",
            f"Unknown field(s) {', '.join(unknown)}; the body takes only {', '.join(NOTE_FIELDS)}.",
        )
    for name, code, longest in (("title", "TAPNS_INVALID_TITLE", 200), ("note", "TAPNS_INVALID_NOTE", 4000)):
        value = body.get(name)
        if not isinstance(value, str) or not value.strip():
            raise fail(code, f"{name} must be a non-empty string; got {_shown(value)}.")
        if len(value) > longest:
            raise fail(code, f"{name} is {len(value)} characters long; shorten it to at most {longest}.")
    customer = body.get("customer_id")
    if type(customer) is float and customer.is_integer():  # JSON 42.0 is JavaScript's 42
        customer = int(customer)
    if not (type(customer) is int and 1 <= customer < 2**53):
        customer = _positive("customer_id", customer, "TAPNS_INVALID_CUSTOMER_ID", "Use the customer's internal id.")
    known = state.engine.reader().execute("SELECT 1 FROM customer WHERE id = ?", (customer,)).fetchone()
    if not known:  # NetSuite's save fails; the script answers only the error's type
        raise fail(
            "TAPNS_UNEXPECTED_ERROR",
            "Unexpected failure while adding a customer note "
            "(SuiteScriptError). The execution log of this script deployment has the "
            "details; retry later, and report it if it persists.",
        )
    return {"id": next(_note_ids)}


@register(SCRIPT_ID, NUMERIC_ID)
def open_invoices(ctx: Context) -> dict:
    """GET lists open invoices with aging; POST adds a note. Parameters are checked first."""
    if ctx.method != "GET":
        return _note(ctx.state, ctx.body)
    request = parse(ctx.params)
    today = formats.local_date(time.time(), ctx.state.engine.settings.tz).isoformat()
    try:
        return answer(_rows(ctx.state, request), ctx.params, today)
    except ValueError as exc:  # a malformed row: the caller learns only the error's type
        raise fail(
            "TAPNS_UNEXPECTED_ERROR",
            "Unexpected failure while listing open invoices "
            f"({type(exc).__name__}). The execution log of this script deployment has "
            "the details; retry later, and report it if it persists.",
        ) from None
