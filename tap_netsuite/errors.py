"""Failures a person has to act on. Each message says what failed and what to check."""

from __future__ import annotations


class NetSuiteError(Exception):
    """A failure a person has to act on; the message says what to do."""


class NetSuiteAuthError(NetSuiteError):
    """NetSuite refused the credentials (401)."""


class NetSuiteQueryError(NetSuiteError):
    """NetSuite refused the request (400): bad query, parameter or permission."""

    def __init__(self, message: str, *, detail: str, query: str | None) -> None:
        super().__init__(message)
        self.detail = detail
        self.query = query


class NetSuiteNotFoundError(NetSuiteError):
    """The record or path does not exist (404), or the role may not see it."""


class NetSuiteRecordError(NetSuiteQueryError):
    """NetSuite refused a record-API request (400): `code` (o:errorCode), `detail`, and
    `error_path` (o:errorPath), the field at fault on a validation error, else None."""

    def __init__(self, message: str, *, code: str, detail: str, error_path: str | None) -> None:
        super().__init__(message, detail=detail, query=None)
        self.code = code
        self.error_path = error_path


class NetSuiteRestletError(NetSuiteError):
    """A RESTlet's script refused the call; `code` is its error code (an N/error name)."""

    def __init__(self, message: str, *, code: str, detail: str) -> None:
        super().__init__(message)
        self.code = code
        self.detail = detail


class NetSuiteUnavailableError(NetSuiteError):
    """NetSuite kept failing (429, 5xx, dropped connections) after every retry."""


class NetSuiteConfigError(NetSuiteError, ValueError):
    """A setting is missing, malformed or contradicts the account."""


class NetSuiteOutputError(NetSuiteError):
    """stdout took no more output: its reader closed it, or the disk is full."""


class NetSuitePagingError(NetSuiteError):
    """NetSuite's pages did not move on (a page repeated, hasMore not a boolean, rows missing):
    the stream stops rather than read the same rows forever or end early without a word."""


class NetSuiteDataError(NetSuiteError, ValueError):
    """A value NetSuite sent that its column's type cannot hold; the message names the column,
    the row id and the value (and, once the stream adds it, the stream)."""
