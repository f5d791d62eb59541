"""OAuth 1.0a (RFC 5849) verification with HMAC-SHA256, written from §3.4 of the RFC.

Independent of any client library on purpose: the tap signs with oauthlib, and an emulator that
reused oauthlib's server side would only mirror the tap's own understanding back to it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote

WINDOW_SECONDS = 300  # how far oauth_timestamp may be from the server clock (docs/netsuite.md §5)
_HEADER_PARAM = re.compile(r'\s*([A-Za-z0-9_%.~-]+)\s*=\s*"([^"]*)"\s*(?:,|$)')
_REQUIRED = (
    "oauth_consumer_key",
    "oauth_token",
    "oauth_signature_method",
    "oauth_timestamp",
    "oauth_nonce",
    "oauth_signature",
)


def pct(text: str) -> str:
    """RFC 3986 percent-encoding of UTF-8, leaving only the unreserved characters (§3.6)."""
    return quote(text.encode("utf-8"), safe="-._~")


def parse_authorization(header: str) -> list[tuple[str, str]] | None:
    """The decoded parameters of an `OAuth ...` Authorization header (§3.5.1), or None."""
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "oauth":
        return None
    params, pos = [], 0
    rest = rest.strip()
    while pos < len(rest):
        m = _HEADER_PARAM.match(rest, pos)
        if not m:
            return None
        params.append((unquote(m.group(1)), unquote(m.group(2))))
        pos = m.end()
    return params


def base_string_uri(scheme: str, host: str, path: str) -> str:
    """§3.4.1.2: scheme and host lower case, default port dropped, no query or fragment."""
    scheme, host = scheme.lower(), host.lower()
    default = {"http": ":80", "https": ":443"}[scheme]
    if host.endswith(default):
        host = host[: -len(default)]
    return f"{scheme}://{host}{path or '/'}"


def normalized_parameters(params: list[tuple[str, str]]) -> str:
    """§3.4.1.3.2: encode names and values, sort by name then value, join with `=` and `&`."""
    encoded = sorted((pct(name), pct(value)) for name, value in params)
    return "&".join(f"{name}={value}" for name, value in encoded)


def base_string(method: str, uri: str, params: list[tuple[str, str]]) -> str:
    """§3.4.1.1: METHOD & pct(base string URI) & pct(normalized parameters)."""
    return "&".join((method.upper(), pct(uri), pct(normalized_parameters(params))))


def hmac_sha256(base: str, consumer_secret: str, token_secret: str) -> str:
    """§3.4.2 with SHA-256: key is pct(consumer secret) & pct(token secret), result base64."""
    key = f"{pct(consumer_secret)}&{pct(token_secret)}".encode()
    return base64.b64encode(hmac.new(key, base.encode(), hashlib.sha256).digest()).decode()


def signed_parameters(oauth: list[tuple[str, str]], query: str, form_body: str | None) -> list[tuple[str, str]]:
    """§3.4.1.3.1: the header's parameters except realm and signature, every query
    parameter, and the parameters of a form-encoded body."""
    params = [(k, v) for k, v in oauth if k not in ("realm", "oauth_signature")]
    params += parse_qsl(query, keep_blank_values=True)
    if form_body is not None:
        params += parse_qsl(form_body, keep_blank_values=True)
    return params


@dataclass(frozen=True)
class Credentials:
    """The one integration and access token the emulated account knows."""

    realm: str
    consumer_key: str
    consumer_secret: str
    token_id: str
    token_secret: str


class Verifier:
    """Checks a request's OAuth 1.0a header; remembers nonces so each is accepted once."""

    def __init__(self, credentials: Credentials, clock: Callable[[], float] = time.time) -> None:
        self.credentials, self.clock = credentials, clock
        self._seen: dict[tuple[str, str], int] = {}
        self._prune_at = 10_000
        self._lock = threading.Lock()

    def check(
        self, method: str, uri: str, query: str, authorization: str | None, form_body: str | None = None
    ) -> str | None:
        """None when the request is signed correctly; else why not (for the server log only)."""
        oauth = parse_authorization(authorization or "")
        if oauth is None:
            return "no OAuth Authorization header"
        values = dict(oauth)
        if len(values) != len(oauth):
            return "a parameter appears twice in the Authorization header"
        missing = [name for name in _REQUIRED if name not in values]
        if missing:
            return f"missing {', '.join(missing)}"
        creds = self.credentials
        if values.get("realm") != creds.realm:
            return f"realm {values.get('realm')!r} is not {creds.realm!r}"
        if values["oauth_signature_method"] != "HMAC-SHA256":
            return f"signature method {values['oauth_signature_method']!r} is not HMAC-SHA256"
        if values.get("oauth_version", "1.0") != "1.0":
            return f"oauth_version {values['oauth_version']!r} is not 1.0"
        if values["oauth_consumer_key"] != creds.consumer_key:
            return "unknown consumer key"
        if values["oauth_token"] != creds.token_id:
            return "unknown token"
        base = base_string(method, uri, signed_parameters(oauth, query, form_body))
        expected = hmac_sha256(base, creds.consumer_secret, creds.token_secret)
        if not hmac.compare_digest(expected, values["oauth_signature"]):
            return f"signature mismatch; base string was {base}"
        if not values["oauth_timestamp"].isdigit():
            return "oauth_timestamp is not a number"
        timestamp, now = int(values["oauth_timestamp"]), self.clock()
        if abs(now - timestamp) > WINDOW_SECONDS:
            return f"oauth_timestamp {timestamp} is {now - timestamp:+.0f} s from the server clock"
        return self._remember((values["oauth_nonce"], values["oauth_timestamp"]), now)

    def _remember(self, key: tuple[str, str], now: float) -> str | None:
        with self._lock:
            if key in self._seen:
                return f"nonce {key[0]!r} with timestamp {key[1]} was used before"
            if len(self._seen) > self._prune_at:  # forget pairs too old to pass the time check
                self._seen = {k: t for k, t in self._seen.items() if now - t <= WINDOW_SECONDS}
                self._prune_at = max(10_000, 2 * len(self._seen))
            self._seen[key] = int(key[1])
            return None
