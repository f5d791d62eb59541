"""What the tap must never show: credentials, signatures, tokens, a password in a URL.

The tap's own messages never include them. Two sources outside it would:
- oauthlib logs, at DEBUG, each request's parameters (consumer key, token id), its
  signature base string and its signature: `silence_signing_logs` drops those records
  at the logger itself, so no log level or logging configuration lets them through;
- a token endpoint's `error_description` is text from the network: `quoted_from_server`
  keeps it short, printable and free of any credential before it goes into a message.
"""

from __future__ import annotations

import logging
import re
import typing as t
import urllib.parse

SIGNING_LOGGERS = ("oauthlib.oauth1.rfc5849",)  # oauthlib's OAuth 1.0a client: logs what it signs
_JWT = re.compile(r"eyJ[\w-]*\.[\w-]*\.[\w-]*")  # a JSON Web Token (a client assertion)
_UNPRINTABLE = re.compile(r"[^\x20-\x7e]+")


class _BelowWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


def silence_signing_logs() -> None:
    """Drop oauthlib's DEBUG and INFO records (the signing chatter) where they are made.

    A filter on the logger itself outlives `logging.config.dictConfig` (SINGER_SDK_LOG_CONFIG),
    which may reset levels and handlers but keeps a logger's filters.
    """
    for name in SIGNING_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _BelowWarning) for f in logger.filters):
            logger.addFilter(_BelowWarning())


def url_without_password(url: str) -> str:
    """`url` less any `user:password@` before its host."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def quoted_from_server(text: t.Any, secrets: t.Iterable[str | None] = (), limit: int = 200) -> str:
    """Text a server sent, fit to quote in a message: printable, at most `limit` characters,
    with any of `secrets` and anything shaped like a JWT replaced by `***`."""
    shown = _UNPRINTABLE.sub(" ", str(text))
    for secret in secrets:
        if secret and len(secret) >= 4:
            shown = shown.replace(secret, "***")
    shown = _JWT.sub("***", shown)
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def last_four(value: str) -> str:
    """How a credential is named in a message: its last four characters only."""
    return f"...{value[-4:]}" if len(value) > 8 else "***"
