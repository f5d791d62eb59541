"""`tap-netsuite --test`: one tiny request per selected stream, and a diagnosis a person can act on.

NetSuite answers every authentication failure with the same "Invalid login
attempt", so the report states what the tap used (realm, host, method), what
it measured (clock skew from NetSuite's Date header) and what to check.
"""

from __future__ import annotations

import typing as t
from email.utils import parsedate_to_datetime

from tap_netsuite.auth import ClientCredentialsAuth
from tap_netsuite.errors import NetSuiteAuthError, NetSuiteError
from tap_netsuite.redaction import last_four

if t.TYPE_CHECKING:
    from tap_netsuite.client import NetSuiteClient

MAX_SKEW = 300  # seconds NetSuite accepts between oauth_timestamp and its clock (docs/netsuite.md §5)


def probe(client: NetSuiteClient, stream: t.Any) -> str:
    """One tiny request for a stream; returns what it saw, raises NetSuiteError when refused."""
    if stream.name == "open_invoice_aging":
        config = stream.config
        answer = client.call_restlet(
            config["open_invoices_restlet_script"], config["open_invoices_restlet_deploy"], {"page_size": 1}
        )
        return f"ok, the RESTlet answered (as_of {answer.get('as_of')})"
    contexts = stream.partitions or [None]
    for context in contexts:
        where = stream.where_for(context)
        query = f"SELECT {stream.primary_keys[0]} FROM {stream.table}" + (f" WHERE {where}" if where else "")
        page = client.query_page(query, limit=1)
    return f"ok, {stream.table} readable ({page.get('totalResults', '?')} rows)"


def clock_skew(client: NetSuiteClient) -> float | None:
    """Seconds this machine's clock is ahead of NetSuite's, from the last Date header seen."""
    if not client.last_server_date:
        return None
    try:
        server = parsedate_to_datetime(client.last_server_date)
    except (TypeError, ValueError):
        return None
    return (client.last_local_date - server).total_seconds()


def report(
    client: NetSuiteClient, streams: t.Iterable[t.Any], more: t.Callable[[], list[str]] | None = None
) -> tuple[bool, list[str]]:
    """(all streams readable, the lines to show). `more` adds its lines after the streams'
    unless the credentials were refused (another attempt would only add a failed login)."""
    auth = client.auth
    method = (
        f"OAuth 2.0 client credentials (client_id {last_four(auth.client_id)}, certificate {auth.certificate_id})"
        if isinstance(auth, ClientCredentialsAuth)
        else "token-based authentication (OAuth 1.0a, HMAC-SHA256)"
    )
    lines = [
        "tap-netsuite connection test",
        f"  account id : {client.account.realm} ({'a sandbox' if client.account.is_sandbox else 'not a sandbox'})",
        f"  realm      : {client.account.realm}",
        f"  REST host  : {client.base_url}",
        f"  method     : {method}",
    ]
    ok = True
    failures: list[NetSuiteError] = []
    for stream in streams:
        if any(isinstance(f, NetSuiteAuthError) for f in failures):
            # Every further attempt would only add a failed login to the audit trail.
            lines.append(f"  {stream.name:<19}: not tried, the credentials were refused")
            continue
        try:
            outcome = probe(client, stream)
        except NetSuiteError as exc:
            ok = False
            failures.append(exc)
            outcome = "FAILED: " + str(exc).splitlines()[0]
        lines.append(f"  {stream.name:<19}: {outcome}")
    if more is not None and not any(isinstance(f, NetSuiteAuthError) for f in failures):
        lines.extend(more())
    skew = clock_skew(client)
    if skew is not None:
        verdict = (
            "fine"
            if abs(skew) < MAX_SKEW / 2
            else ("TOO FAR: NetSuite refuses requests more than 5 minutes off; fix this machine's clock (NTP)")
        )
        lines.append(f"  clock skew : {skew:+.0f} s against NetSuite's Date header, {verdict}")
    if any(isinstance(f, NetSuiteAuthError) for f in failures):
        lines.append("")
        lines.append(str(next(f for f in failures if isinstance(f, NetSuiteAuthError))))
    for failure in failures:
        if not isinstance(failure, NetSuiteAuthError):
            lines.append("")
            lines.append(str(failure))
    return ok, lines
