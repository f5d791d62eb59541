"""The change-notification script's signature: HMAC-SHA256 of ``<timestamp>.<body>``.

The scheduled script in ``suitescripts/`` sends (see suitescripts/README.md)::

    X-Tap-Netsuite-Timestamp: 1710061205
    X-Tap-Netsuite-Signature: sha256=<lower-case hex HMAC-SHA256 of "1710061205.<body bytes>">

`verify` accepts a delivery only when the signature matches and the timestamp is within
`max_age_s` of this machine's clock, either way, so an old delivery cannot be replayed later;
replays inside that window are refused by the receiver's record of accepted signatures.
"""

from __future__ import annotations

import hashlib
import hmac
import re

TIMESTAMP_HEADER = "X-Tap-Netsuite-Timestamp"
SIGNATURE_HEADER = "X-Tap-Netsuite-Signature"
DEFAULT_MAX_AGE_S = 300

_SIGNATURE = re.compile(r"sha256=([0-9a-f]{64})")
_TIMESTAMP = re.compile(r"[1-9][0-9]{0,11}")


class SignatureRefused(Exception):  # noqa: N818 - a refusal, not a program error
    """The delivery is not one the script signed now; the message says why, without secrets."""


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature header value the script sends for `body` at `timestamp`.

    >>> signature(b"key", "1710061205", b"{}")[:7]
    'sha256='
    """
    digest = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return "sha256=" + digest


def verify(
    secret: bytes,
    *,
    timestamp: str | None,
    signature_header: str | None,
    body: bytes,
    now: float,
    max_age_s: float = DEFAULT_MAX_AGE_S,
) -> str:
    """The verified signature (the delivery's identity), or `SignatureRefused`.

    >>> verify(b"k", timestamp="100", signature_header=signature(b"k", "100", b"{}"), body=b"{}", now=130)[:7]
    'sha256='
    """
    if not signature_header or not timestamp:
        raise SignatureRefused(f"unsigned: send {TIMESTAMP_HEADER} and {SIGNATURE_HEADER}")
    sent = _SIGNATURE.fullmatch(signature_header.strip())
    if sent is None:
        raise SignatureRefused(f"{SIGNATURE_HEADER} is not sha256=<64 lower-case hex digits>")
    if _TIMESTAMP.fullmatch(timestamp.strip()) is None:
        raise SignatureRefused(f"{TIMESTAMP_HEADER} is not a Unix time in seconds")
    expected = signature(secret, timestamp.strip(), body)
    if not hmac.compare_digest(expected, "sha256=" + sent.group(1)):
        raise SignatureRefused("signature does not match: the body was changed or the key differs")
    age = now - int(timestamp)
    if abs(age) > max_age_s:
        raise SignatureRefused(
            f"timestamp is {age:+.0f} s from this machine's clock (at most {max_age_s:.0f} s allowed): "
            "a stale or replayed delivery, or a clock that is wrong"
        )
    return expected
