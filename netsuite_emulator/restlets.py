"""RESTlets (netsuite-api.md §8): `restlet.nl?script=..&deploy=..` dispatched to Python handlers.

Register a handler by adding it to `HANDLERS` (or with `@register`): key = the script id
(`customscript_x`), with an optional numeric id in `NUMERIC_IDS`. A handler is called as
`handler(context)` and returns any JSON value; raising `RestletError(code, message)` answers
§8's 400 `{"error": {"code", "message"}}`. `context` has method, params (every GET parameter,
script and deploy included, as strings), body (the parsed JSON or None) and state (the
emulator's state: `state.conn` under `state.lock`, `state.engine.settings`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qsl

from . import responses
from .responses import Reply


class RestletError(Exception):
    """What a script's `throw error.create({name, message})` becomes."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class Context:
    method: str
    params: dict[str, str]
    body: object
    state: object


HANDLERS: dict[str, object] = {}
NUMERIC_IDS: dict[str, str] = {}  # "101" -> "customscript_x"


def register(script_id: str, numeric_id: int | None = None):
    def add(fn):
        HANDLERS[script_id] = fn
        if numeric_id is not None:
            NUMERIC_IDS[str(numeric_id)] = script_id
        return fn

    return add


@register("customscript_tapns_echo", 101)
def echo(ctx: Context):
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


def handle(state, method: str, query: str, body: bytes, content_type: str) -> Reply:
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


from . import open_invoices  # noqa: E402, F401  registers customscript_tapns_open_invoices_rl
