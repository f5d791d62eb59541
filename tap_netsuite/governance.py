"""The account's concurrency limit, from NetSuite's governanceLimits operation, and `max_concurrency: auto`.

`GET /services/rest/system/v1/governanceLimits` (REST web services, "GovernanceLimits
Operation"; the path and shape are as Oracle's help documents them, not yet seen on a real
account [unsure]) answers the account's limit, the part no integration has been allocated, and
this integration's own limit when an administrator allocated one (Setup > Integration >
Integration Management > Integration Governance). It answers only to an administrator's role.

`max_concurrency: auto` takes a share of that, leaving room for the customer's other
integrations, which share the same pool:
- a limit allocated to this integration is its own: all of it;
- otherwise half of the unallocated limit, rounded down, at least 1 (5 -> 2, 15 -> 7, 20 -> 10);
- when the operation is refused (a role that is not an administrator) or absent: 2, the default.
"""

from __future__ import annotations

import logging
import typing as t

from tap_netsuite.errors import NetSuiteConfigError, NetSuiteError

if t.TYPE_CHECKING:
    from tap_netsuite.client import NetSuiteClient

PATH = "/services/rest/system/v1/governanceLimits"
AUTO = "auto"
DEFAULT = 2  # max_concurrency when not set, and `auto`'s fallback
MAXIMUM = 100  # the most max_concurrency accepts

_LOG = logging.getLogger("tap_netsuite.governance")


def setting(value: t.Any) -> int | None:
    """`max_concurrency` as a number of requests, or None for `auto` (a whole number as
    text is accepted: Meltano passes a setting of kind string so)."""
    if value is None:
        return DEFAULT
    if isinstance(value, str) and value.strip().lower() == AUTO:
        return None
    try:
        number = int(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else 0
    except ValueError:
        number = 0
    if not 1 <= number <= MAXIMUM:
        msg = f"max_concurrency must be a whole number from 1 to {MAXIMUM}, or auto; not {value!r}."
        raise NetSuiteConfigError(msg)
    return number


def limits(client: NetSuiteClient) -> dict | str:
    """The governanceLimits answer, or why there is none (the operation refused or absent)."""
    try:
        answer = client.rest_get(PATH)
    except NetSuiteError as exc:
        return str(exc).splitlines()[0]
    if not isinstance(answer, dict) or not isinstance(answer.get("accountConcurrencyLimit"), int):
        return f"an answer without accountConcurrencyLimit: {str(answer)[:200]}"
    return answer


def share(answer: dict) -> int:
    """What `auto` takes of the limits (see the module's docstring)."""
    own = answer.get("integrationConcurrencyLimit")
    if answer.get("integrationLimitType") == "integrationSpecific" and isinstance(own, int) and own > 0:
        return min(own, MAXIMUM)
    free = answer.get("accountUnallocatedConcurrencyLimit", answer["accountConcurrencyLimit"])
    return max(1, min(int(free) // 2, MAXIMUM))


def resolve(client: NetSuiteClient) -> int:
    """`auto`'s number for this account, logged with where it came from."""
    answer = limits(client)
    if isinstance(answer, str):
        _LOG.warning(
            "max_concurrency is auto, but NetSuite's governanceLimits gave no limit (%s): using %d. "
            "The operation answers only to an administrator's role; set max_concurrency to a number "
            "instead.",
            answer,
            DEFAULT,
        )
        return DEFAULT
    chosen = share(answer)
    _LOG.info("max_concurrency auto: %d of %s.", chosen, describe(answer))
    return chosen


def describe(answer: dict) -> str:
    """The limits in words: the account's, what is allocated, and this integration's."""
    account = answer["accountConcurrencyLimit"]
    free = answer.get("accountUnallocatedConcurrencyLimit", account)
    kind = answer.get("integrationLimitType")
    own = answer.get("integrationConcurrencyLimit")
    text = (
        f"the account's limit is {account} requests at once, {account - free} allocated to "
        f"integrations, {free} unallocated"
    )
    if kind == "integrationSpecific":
        return text + f"; this integration has {own} of its own"
    if kind == "internal":
        return text + "; this is an internal application (its limit not shown)"
    return text + "; this integration shares the unallocated part"


def report(client: NetSuiteClient, configured: t.Any) -> list[str]:
    """`--test`'s lines on concurrency: the account's limit, what is allocated, what the tap uses."""
    answer = limits(client)
    number = setting(configured)
    if isinstance(answer, str):
        lines = [f"  concurrency: the account's limit is unknown: governanceLimits answered {answer}"]
        uses = number if number is not None else DEFAULT
        return [*lines, f"  tap uses   : {uses} (max_concurrency {configured if configured is not None else DEFAULT})"]
    uses = number if number is not None else share(answer)
    lines = [f"  concurrency: {describe(answer)}"]
    free = answer.get("accountUnallocatedConcurrencyLimit", answer["accountConcurrencyLimit"])
    pool = answer.get("integrationConcurrencyLimit") or free
    note = "" if uses <= pool else f"; MORE than the {pool} this integration may use: expect 429s"
    label = f"auto, {uses}" if number is None else str(uses)
    return [*lines, f"  tap uses   : {label} at most (max_concurrency){note}"]
