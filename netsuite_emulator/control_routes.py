"""`/_emulator/...`: the unsigned test controls, answering plain JSON.

- POST touch {"table", "ids"|"count", "type"?, "header"?} -> {"ids"}
- GET rows/{table} -> canonical rows
- GET config / POST config {switches} -> the whole configuration (see `switches`)
- POST insert | update | delete -> {"ids"} (see `mutations`)
- GET writer -> status; POST writer {"rate_per_second", "seconds"} | {"stop": true} -> status
- GET metrics; POST metrics/reset
- GET faults; POST faults {plan} | {"clear": true} -> the active plan or null
- POST oauth2/expire-tokens -> {"expired": n}: every OAuth 2.0 token issued so far has run out
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from . import canonical, faults, responses, switches
from .mutations import Writer
from .responses import Reply

if TYPE_CHECKING:
    from .server import State


def handle(state: State, method: str, path: str, body: bytes) -> Reply:
    name = path.removeprefix("/_emulator/")
    result: object
    try:
        request = json.loads(body) if body else {}
        if method == "POST" and not isinstance(request, dict):
            raise canonical.ControlError("the body must be a JSON object")
        if method == "GET" and name.startswith("rows/"):
            result = canonical.canonical_rows(state.engine.reader(), name[5:], state.engine.settings.tz)
        elif (method, name) == ("POST", "touch"):  # an update that changes nothing but the time
            result = {"ids": state.mutator.touch(request)}
        elif name == "config" and method in ("GET", "POST"):
            result = switches.apply(state, request) if method == "POST" else switches.current(state)
        elif method == "POST" and name in ("insert", "update", "delete"):
            result = {"ids": getattr(state.mutator, name)(request)}
        elif name == "writer" and method in ("GET", "POST"):
            result = _writer(state, request if method == "POST" else None)
        elif (method, name) == ("GET", "metrics"):
            result = state.metrics.snapshot(state.pool)
        elif (method, name) == ("POST", "metrics/reset"):
            state.metrics.reset()
            state.pool.peak = state.pool.in_use
            result = state.metrics.snapshot(state.pool)
        elif name == "faults" and method in ("GET", "POST"):
            if method == "POST":
                state.faults.set(None if request.get("clear") else faults.parse(request))
            result = {"fault": state.faults.describe()}
        elif (method, name) == ("POST", "oauth2/expire-tokens"):
            result = _expire_tokens(state)
        else:
            return responses.plain_json(404, {"error": f"no control {method} {path}"})
    except (canonical.ControlError, faults.FaultError, ValueError) as exc:
        return responses.plain_json(400, {"error": str(exc)})
    return responses.plain_json(200, result)


def _expire_tokens(state: State) -> dict:
    if state.oauth2 is None:
        raise canonical.ControlError("OAuth 2.0 is not enabled (serve --oauth2-generate-key or --oauth2-public-key)")
    return {"expired": state.oauth2.expire_all()}


def _writer(state: State, request: dict | None) -> dict:
    mutator = state.mutator
    current = mutator.writer
    if request is None:
        return current.status() if current else {"running": False}
    if request.get("stop"):
        return current.stop() if current else {"running": False}
    given = [request.get("rate_per_second"), request.get("seconds")]
    numbers = [float(v) for v in given if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0]
    if len(numbers) != 2:
        raise canonical.ControlError("rate_per_second and seconds must be positive numbers")
    rate, seconds = numbers
    if current is not None and current.status()["running"]:
        current.stop()
    mutator.writer = Writer(mutator, rate, seconds)
    mutator.writer.start()
    return mutator.writer.status()
