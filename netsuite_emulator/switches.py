"""The emulator's switches, settable at start (CLI) and at run time (`POST /_emulator/config`).

Request keys (all optional): subsecond (bool), nulls ("left-out"|"null"), links
("self-next"|"all"), timezone (IANA name), date_format, decimal_leading_zero (bool),
deny_tables (list of table names; replaces the set), deny_columns (list of "table.column"; replaces
the set), tie_order ("shuffled"|"stable"), concurrency (int >= 1), latency_base_ms,
latency_per_row_ms, request_timeout_s (numbers >= 0). The answer is the whole configuration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import data, formats, schema
from .canonical import ControlError

if TYPE_CHECKING:
    from .server import State

NULLS = ("left-out", "null")
LINKS = ("self-next", "all")
TIE_ORDERS = ("shuffled", "stable")


def current(state: State) -> dict:
    s, lat = state.engine.settings, state.latency
    return {
        "subsecond": s.subsecond,
        "nulls": s.nulls,
        "links": s.links,
        "timezone": s.tz.key,
        "date_format": s.date_format,
        "decimal_leading_zero": s.decimal_leading_zero,
        "deny_tables": sorted(s.denied),
        "deny_columns": sorted(s.denied_columns),
        "tie_order": s.tie_order,
        "concurrency": state.pool.size,
        "latency_base_ms": lat.base_ms,
        "latency_per_row_ms": lat.per_row_ms,
        "request_timeout_s": lat.timeout_s,
    }


def apply(state: State, request: dict) -> dict:
    """Check every key first, then change everything under the database lock."""
    if not isinstance(request, dict):
        raise ControlError("the body must be a JSON object")
    unknown = set(request) - set(current(state))
    if unknown:
        raise ControlError(f"unknown switches: {', '.join(sorted(unknown))}")
    checked = {}
    for key, given in request.items():
        value = given
        if key in ("subsecond", "decimal_leading_zero"):
            if not isinstance(value, bool):
                raise ControlError(f"{key} must be true or false")
        elif (key == "nulls" and value not in NULLS) or (key == "links" and value not in LINKS):
            raise ControlError(f"{key} must be one of {', '.join(NULLS if key == 'nulls' else LINKS)}")
        elif key == "timezone":
            try:
                value = ZoneInfo(str(value))
            except (ZoneInfoNotFoundError, ValueError):
                raise ControlError(f"unknown IANA time zone {value!r}") from None
        elif key == "date_format":
            try:
                value = formats.check_user_date_format(str(value))
            except ValueError as exc:
                raise ControlError(str(exc)) from None
        elif key == "deny_tables":
            if not isinstance(value, list) or not set(value) <= set(schema.TABLES):
                raise ControlError("deny_tables must be a list of table names")
            value = frozenset(value)
        elif key == "deny_columns":
            if not isinstance(value, list) or not all(
                isinstance(v, str) and v.partition(".")[2] in schema.TABLES.get(v.partition(".")[0], {}) for v in value
            ):
                raise ControlError('deny_columns must be a list of "table.column" of the account')
            value = frozenset(value)
        elif key == "tie_order":
            if value not in TIE_ORDERS:
                raise ControlError(f"tie_order must be one of {', '.join(TIE_ORDERS)}")
        elif key == "concurrency":
            if not isinstance(value, int) or value < 1:
                raise ControlError("concurrency must be a positive integer")
        elif key in ("latency_base_ms", "latency_per_row_ms", "request_timeout_s") and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0
        ):
            raise ControlError(f"{key} must be a number >= 0")
        checked[key] = value
    settings = state.engine.settings
    with state.lock:
        for key, value in checked.items():
            if key == "subsecond" and value != settings.subsecond:
                data.set_fractions(state.conn, on=value)  # the stored data follows the switch
                state.conn.commit()
                settings.subsecond = value
            elif key == "timezone" and value.key != settings.tz.key:
                data.rezone_dates(state.conn, settings.tz, value)  # dates keep their day
                settings.tz = value
                data.render_again(state.conn)  # stored TO_CHARs, in the new zone
                state.conn.commit()
            elif key == "deny_tables":
                settings.denied = value
            elif key == "deny_columns":
                settings.denied_columns = value
            elif key == "concurrency":
                state.pool.size = value
            elif key in ("latency_base_ms", "latency_per_row_ms", "request_timeout_s"):
                setattr(
                    state.latency,
                    {
                        "latency_base_ms": "base_ms",
                        "latency_per_row_ms": "per_row_ms",
                        "request_timeout_s": "timeout_s",
                    }[key],
                    float(value),
                )
            elif key not in {"subsecond", "timezone"}:
                setattr(settings, key, value)
    return current(state)
