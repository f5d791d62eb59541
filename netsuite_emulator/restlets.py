"""RESTlets (docs/netsuite.md §8): `restlet.nl?script=..&deploy=..` dispatched to the scripts
registered in `restlet_api` (this module's echo, and `open_invoices`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from . import open_invoices, responses
from .responses import Reply
from .restlet_api import HANDLERS, NUMERIC_IDS, Context, RestletError, register

if TYPE_CHECKING:
    from .server import State

__all__ = ["Context", "RestletError", "handle", "open_invoices", "register"]


@register("customscript_tapns_echo", 101)
def echo(ctx: Context) -> dict:
    """Answers what it was sent: a test of dispatch, parameters and signing."""
    if ctx.params.get("fail"):
        raise RestletError("SSS_MISSING_REQD_ARGUMENT", f"echo was asked to fail: {ctx.params['fail']}")
    return {"method": ctx.method, "params": ctx.params, "body": ctx.body}


def invalid_login(headers: dict | None = None) -> Reply:
    return responses.restlet_error(401, "INVALID_LOGIN_ATTEMPT", "Invalid login attempt.", headers)


def pool_full() -> Reply:
    return responses.restlet_error(400, "SSS_REQUEST_LIMIT_EXCEEDED", "Request limit exceeded. Request blocked.")


def time_exceeded() -> Reply:
    # A RESTlet run past its time limit: NetSuite's script error code (wording [unsure]).
    return responses.restlet_error(400, "SSS_TIME_LIMIT_EXCEEDED", "Script Execution Time Exceeded.")


def handle(state: State, method: str, query: str, body: bytes, content_type: str) -> Reply:
    # §8: application/json must be sent, GET included, else 415 (message as NetSuite words it
    # for RESTlets; we accept only JSON since the tap speaks only JSON).
    if content_type.split(";", maxsplit=1)[0].strip().lower() != "application/json":
        return responses.restlet_error(
            415,
            "INVALID_CONTENT_TYPE",
            "Invalid content type. You can only use application/json, application/xml or text/plain with RESTlets.",
        )
    params = dict(parse_qsl(query, keep_blank_values=True))
    script = NUMERIC_IDS.get(params.get("script", ""), params.get("script", ""))
    handler = HANDLERS.get(script.lower())
    deploy = params.get("deploy", "")
    if handler is None or not (deploy.isdigit() or deploy.lower().startswith("customdeploy")):
        return responses.restlet_error(
            400, "SSS_INVALID_SCRIPTLET_ID", "That Suitelet is invalid, disabled, or no longer exists."
        )
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        return responses.restlet_error(400, "SYNTAX_ERROR", "SyntaxError: Unexpected token in JSON")
    try:
        result = handler(Context(method, params, parsed, state))
    except RestletError as exc:
        return responses.restlet_error(400, exc.code, exc.message)
    rows = len(result) if isinstance(result, list) else 1
    return Reply(200, responses.JSON, json.dumps(result, ensure_ascii=False).encode(), rows=rows)
