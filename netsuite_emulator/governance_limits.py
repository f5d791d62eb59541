"""`GET /services/rest/system/v1/governanceLimits`: the account's concurrency limit, as the help documents it.

Oracle's help (REST web services, "GovernanceLimits Operation") shows three answers, by how
the calling integration's limit is set (Setup > Integration > Integration Management >
Integration Governance):

- ``integrationSpecific``: a limit is allocated to this integration::

    {"accountConcurrencyLimit": 5, "accountUnallocatedConcurrencyLimit": 3,
     "integrationConcurrencyLimit": 2, "integrationLimitType": "integrationSpecific"}

- ``accountLimit``: none is, it shares the unallocated part (the same without
  ``integrationConcurrencyLimit``);
- ``internal``: an internal application, its limit not shown.

The help says it "returns results only if you are logged in as an administrator"; what another
role receives is not documented [unsure]: the emulator answers 403 INSUFFICIENT_PERMISSION in
the REST error shape. The path is the help's; the netsuite-api notes mark it [unsure] too.

The request counts in the pool like any other (the server takes a slot before the handler).
The unallocated limit is the account's less what is allocated to integrations, this one
included, and never below 1 (the help: "The minimum unallocated concurrency limit value is one").
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

from . import responses
from .responses import Reply

PATH = "/services/rest/system/v1/governanceLimits"
LIMIT_TYPES = ("integrationSpecific", "accountLimit", "internal")


@dataclass
class Allocation:
    """How the account's pool is allocated: to this integration (None: it has no limit of
    its own), to the customer's other integrations, and whether the token's role is an administrator."""

    integration: int | None = None
    others: int = 0
    internal: bool = False
    administrator: bool = True

    def answer(self, account_limit: int) -> dict:
        allocated = self.others + (self.integration or 0)
        body: dict = {
            "accountConcurrencyLimit": account_limit,
            "accountUnallocatedConcurrencyLimit": max(1, account_limit - allocated),
        }
        if self.internal:
            body["integrationLimitType"] = "internal"
        elif self.integration is not None:
            body["integrationConcurrencyLimit"] = self.integration
            body["integrationLimitType"] = "integrationSpecific"
        else:
            body["integrationLimitType"] = "accountLimit"
        return body


def handle(state: t.Any) -> Reply:
    allocation: Allocation = state.allocation
    if not allocation.administrator:
        return responses.rest_error(
            403,
            "Permission Violation: governanceLimits returns results only to an administrator.",
            "INSUFFICIENT_PERMISSION",
        )
    # Content type [unsure]: plain JSON, as the help's samples show no resource envelope.
    return Reply(200, responses.JSON, responses.netsuite_json(allocation.answer(state.pool.size)))
