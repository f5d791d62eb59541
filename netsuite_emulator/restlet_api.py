"""What a RESTlet script is to the emulator: its context, its errors, and the registry.

A script is a Python function registered under its script id (`customscript_x`, with an
optional numeric id): `@register("customscript_x", 123)`. It is called as `handler(context)`
and returns any JSON value; raising `RestletError(code, message)` answers docs/netsuite.md §8's
400 `{"error": {"code", "message"}}`. `context` has method, params (every GET parameter,
script and deploy included, as strings), body (the parsed JSON or None) and state (the
emulator's state: `state.engine.reader()` for reads, `state.engine.settings`).
The HTTP side (`restlets`) imports the scripts; scripts import only this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class RestletError(Exception):
    """What a script's `throw error.create({name, message})` becomes."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class Context:
    method: str
    params: dict[str, str]
    body: object
    state: Any  # server.State; not imported here, which would make a cycle


Handler = Callable[["Context"], Any]
HANDLERS: dict[str, Handler] = {}
NUMERIC_IDS: dict[str, str] = {}  # "101" -> "customscript_x"


def register(script_id: str, numeric_id: int | None = None) -> Callable[[Handler], Handler]:
    def add(fn: Handler) -> Handler:
        HANDLERS[script_id] = fn
        if numeric_id is not None:
            NUMERIC_IDS[str(numeric_id)] = script_id
        return fn

    return add
