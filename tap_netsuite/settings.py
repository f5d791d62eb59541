"""Settings and state checked before any request: a bad value ends the run in one line naming it and its fix.

Each check raises `NetSuiteConfigError`; the tap's entry points turn that into one
logged line and exit 1, with no traceback.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import typing as t
import urllib.parse

from tap_netsuite.errors import NetSuiteConfigError
from tap_netsuite.redaction import url_without_password

EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)  # NetSuite holds nothing older
MAX_LOOKBACK_MINUTES = 366 * 24 * 60  # a year; more re-reads everything every run

_LOG = logging.getLogger("tap_netsuite.settings")


def moment(value: t.Any) -> dt.datetime | None:
    """An ISO 8601 date-time (UTC when it has no offset) at or after 1970, else None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    try:
        return parsed if parsed >= EARLIEST else None
    except OverflowError:
        return None


def check_config(config: t.Mapping[str, t.Any]) -> None:
    """start_date, lookback_minutes and base_url, which the settings schema alone does not bound."""
    start = config.get("start_date")
    if start is not None and moment(start) is None:
        msg = (
            f"start_date {start!r} is not a date-time from 1970 on: write it as ISO 8601, "
            "such as 2024-01-31 or 2024-01-31T00:00:00Z (UTC when no offset is given)."
        )
        raise NetSuiteConfigError(msg)
    lookback = config.get("lookback_minutes")
    if lookback is not None and not 0 <= lookback <= MAX_LOOKBACK_MINUTES:
        msg = (
            f"lookback_minutes {lookback} is out of range: use 0 to {MAX_LOOKBACK_MINUTES} (a year); "
            "15 covers the longest a NetSuite request runs."
        )
        raise NetSuiteConfigError(msg)
    if config.get("base_url"):
        checked_base_url(config["base_url"])


@functools.cache  # checked at start and again by the client: warned of once
def checked_base_url(url: str) -> str:
    """`base_url` as requests will use it: http(s), with a host, less any user and password.

    A user and password in the URL are never sent (NetSuite authenticates each request by
    OAuth), and would otherwise be shown wherever the URL is.
    """
    text = url.strip() if isinstance(url, str) else ""
    parts = urllib.parse.urlsplit(text)
    shown = url_without_password(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        msg = (
            f"base_url {shown!r} is not an http(s) URL with a host: use https://<account>.suitetalk.api.netsuite.com "
            "or your proxy's http(s) address, or remove base_url to use the host derived from account_id."
        )
        raise NetSuiteConfigError(msg)
    try:
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        msg = f"base_url {shown!r} has a port that is not a number from 0 to 65535."
        raise NetSuiteConfigError(msg) from None
    if shown != text:
        _LOG.warning("base_url carries a user name or password; they are never sent to NetSuite, and are dropped.")
    return shown


def parsed_state(text: str, source: str) -> dict:
    """A state file's text as the tap's state, or an error naming the file and the fix."""
    try:
        state = json.loads(text) if text.strip() else {}
    except json.JSONDecodeError as exc:
        msg = (
            f"The state {source} is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno}; "
            f"it begins {text[:80]!r}). Give it the value of the last STATE message the tap wrote, "
            "or run without --state to start from start_date."
        )
        raise NetSuiteConfigError(msg) from None
    check_state(state, source)
    return state


def check_state(state: t.Any, source: str = "given") -> None:
    """Every bookmark in `state` is a date-time the tap could have written."""
    if not isinstance(state, dict) or not isinstance(state.get("bookmarks", {}), dict):
        msg = (
            f'The state {source} is not a Singer state ({{"bookmarks": {{...}}}}): give it a STATE '
            "message's value, or run without --state to start from start_date."
        )
        raise NetSuiteConfigError(msg)
    for stream, bookmark in state.get("bookmarks", {}).items():
        places = [bookmark] if isinstance(bookmark, dict) else []
        if isinstance(bookmark, dict):
            places += [p for p in bookmark.get("partitions", []) if isinstance(p, dict)]
            places += [m for m in [bookmark.get("progress_markers")] if isinstance(m, dict)]
        for place in places:
            value = place.get("replication_key_value")
            if value is not None and moment(value) is None:
                msg = (
                    f"The state's bookmark for stream {stream!r} is {value!r}, not a date-time from 1970 on "
                    "(ISO 8601, as the tap writes it). Correct it, remove that stream's bookmark to read it "
                    "from start_date, or run without --state."
                )
                raise NetSuiteConfigError(msg)


def offset_text(offset: dt.timedelta | None) -> str:
    """A UTC offset as people write it: -08:00, +05:30, +00:00."""
    minutes = round((offset or dt.timedelta()).total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
