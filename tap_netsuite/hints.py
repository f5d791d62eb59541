"""What the operator is told to do when NetSuite refuses: the texts `errors.py`'s exceptions carry.

NetSuite's answers name a symptom ("Invalid login attempt", "Record 'x' was not found");
these turn it into the setting, permission or feature to check, and where NetSuite shows it.
"""

from __future__ import annotations

import re

from tap_netsuite.catalogue import FEATURES, permission_for


def permission_hint(detail: str) -> str:
    """What a 'Record ... was not found' answer means: the role may not read that table."""
    unknown = re.search(r"Unknown identifier '([^']+)'|Invalid search type: (\w+)", detail)
    name = unknown and (unknown.group(1) or unknown.group(2))
    if name and name.lower() in FEATURES:
        return f"\n'{name}' exists only with {FEATURES[name.lower()]}."
    match = re.search(r"Record '([^']+)' was not found", detail)
    if not match:
        return ""
    table = match.group(1)
    permission = permission_for(table) or f"the permission for {table} records"
    return (
        f"\nThe token's role cannot read '{table}': give it {permission} "
        "(Setup > Users/Roles > Manage Roles), or deselect the stream that reads it."
    )


def auth_failure(detail: str, *, realm: str, url: str, oauth2: bool) -> str:
    """What a 401 means: NetSuite never says why, so the usual causes for the auth method in use."""
    where = f"Used realm {realm!r} at {url}. NetSuite never says why; the usual causes are:\n"
    if oauth2:
        causes = (
            "- the OAuth 2.0 client credentials mapping (Setup > Integration > OAuth 2.0 Client "
            "Credentials (M2M) Setup) is revoked or its role lacks 'REST Web Services';\n"
            "- account_id names another account than the integration's;\n"
            "- clock skew: this machine's clock must be right to the minute;\n"
        )
    else:
        causes = (
            "- account_id: the realm must be the account id as NetSuite shows it "
            "(1234567, or 1234567_SB1 for a sandbox); a sandbox refresh invalidates its tokens;\n"
            "- clock skew: this machine's clock must be within 5 minutes of NetSuite's;\n"
            "- consumer key/secret or token id/secret wrong, or the token revoked;\n"
            "- the token's role lacks the 'REST Web Services' and "
            "'Log in using Access Tokens' permissions.\n"
        )
    return (
        f"NetSuite refused the credentials (HTTP 401): {detail}\n{where}{causes}"
        "Setup > Users/Roles > User Management > View Login Audit Trail shows the "
        "failed attempt and its reason."
    )


def gave_up(*, attempts: int, seconds: float, reason: str, url: str) -> str:
    """Every retry failed: what the last failure points at, and the time all of them took."""
    if reason.startswith("HTTP 429"):
        advice = (
            "Other integrations are using the account's concurrency pool: lower max_concurrency, "
            "run at a quieter time or reserve concurrency for this integration."
        )
    elif reason.startswith("HTTP 5"):
        advice = "NetSuite (or a proxy before it) is failing: try again later; status.netsuite.com shows outages."
    elif "request_timeout" in reason:
        advice = "Raise request_timeout only if NetSuite is known to be slow; 900 s is its own limit for one request."
    else:
        advice = "Check that this machine reaches the host (proxy, firewall), and that base_url is right."
    return (
        f"NetSuite did not answer successfully after {attempts} attempts (last: {reason}) at {url}; "
        f"the attempts and the waits between them took {seconds:.0f} s. {advice}"
    )


def unreachable(url: str, why: str) -> str:
    """The host never answered at all: a wrong address far more often than a passing outage."""
    return (
        f"Could not connect to {url} ({why}). Check base_url, or account_id when base_url is not set "
        "(the host is derived from it), and that this machine may reach that host."
    )


def tls_failure(url: str, why: str) -> str:
    """The TLS handshake failed: not something a retry mends."""
    advice = (
        "base_url says https, but the server answered in plain HTTP: use http:// for it."
        if "WRONG_VERSION_NUMBER" in why or "record layer failure" in why
        else "Check the server's certificate, or the proxy between this machine and NetSuite."
    )
    return f"The TLS (SSL) handshake with {url} failed: {why}. {advice}"
