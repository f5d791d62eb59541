"""NetSuiteClient: sending SuiteQL, RESTlet and record-API calls to NetSuite, one request at a time.

Session, signing, retries and error mapping live here (reading a table page by page is
`paging`'s job, the texts that tell the operator what to do are `hints`', the record API's
methods are `record_api`'s); nothing here imports Singer, so the client works from any Python
program:

    client = NetSuiteClient(account_id="1234567_SB1", consumer_key=..., ...)
    page = client.query_page("SELECT id, companyname FROM customer ORDER BY id")

Which answers are retried and why:
- 429 (the account's concurrency pool is full), 500, 503 (NetSuite trouble),
  dropped connections, truncated bodies and timeouts: retried with exponential backoff and full
  jitter, `Retry-After` honoured when sent (up to `backoff_max`). Each retry is signed afresh.
- A refused connection or an unknown host before the host ever answered, and a failed TLS
  handshake: never retried. They are a wrong address far more often than a passing outage.
- Every request, headers and body, ends within `request_timeout` (a body that drips is cut).
- 401: never retried. NetSuite gives no cause, and retrying a bad credential
  only fills the Login Audit Trail; the error lists what to check.
- 400: never retried. The query or a parameter is wrong; the error carries
  NetSuite's detail and the query.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import random
import re
import socket
import threading
import time
import typing as t

import msgspec
import requests
import urllib3
from requests.adapters import HTTPAdapter

from tap_netsuite import hints
from tap_netsuite.auth import Account, ClientCredentialsAuth, make_auth, parse_account_id
from tap_netsuite.errors import (
    NetSuiteAuthError,
    NetSuiteConfigError,
    NetSuiteDataError,
    NetSuiteError,
    NetSuiteQueryError,
    NetSuiteRestletError,
    NetSuiteUnavailableError,
)
from tap_netsuite.limiter import AdaptiveLimiter
from tap_netsuite.record_api import RecordAPI
from tap_netsuite.redaction import quoted_from_server
from tap_netsuite.settings import checked_base_url

SUITEQL_PATH = "/services/rest/query/v1/suiteql"
RESTLET_PATH = "/app/site/hosting/restlet.nl"
RESTLET_POOL_FULL = "SSS_REQUEST_LIMIT_EXCEEDED"  # a RESTlet's 429 (docs/netsuite.md §7)
MAX_PAGE_SIZE = 1000
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})  # pool full, NetSuite trouble (docs/netsuite.md §4)
CONNECT_TIMEOUT = 30.0  # seconds to open a connection
REQUEST_TIMEOUT = 900.0  # seconds for one whole request: NetSuite's own limit (docs/netsuite.md)

_LOG = logging.getLogger("tap_netsuite.client")


class NetSuiteClient(RecordAPI):
    """A signed session against one NetSuite account: SuiteQL, RESTlets and the record API (`record_api`)."""

    def __init__(
        self,
        *,
        account_id: str,
        base_url: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
        max_concurrency: int = 2,
        timeout: float = 300.0,
        request_timeout: float = REQUEST_TIMEOUT,
        max_retries: int = 6,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        **credentials: t.Any,
    ) -> None:
        """`credentials`: consumer_key, consumer_secret, token_id, token_secret (token-based
        authentication), or client_id, certificate_id, private_key or private_key_path and
        optionally oauth_scopes (OAuth 2.0 client credentials). `timeout` bounds each wait on
        the socket, `request_timeout` a whole request (headers and body)."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            msg = f"page_size must be between 1 and {MAX_PAGE_SIZE}, not {page_size}."
            raise NetSuiteConfigError(msg)
        self.account: Account = parse_account_id(account_id)
        base_url = checked_base_url(base_url) if base_url else None
        self.base_url = (base_url or self.account.rest_url).rstrip("/")
        self.restlet_url = (base_url or self.account.restlet_url).rstrip("/")
        self.page_size = page_size
        self.timeout = timeout
        self.request_timeout = request_timeout
        self._reached = False  # the host has answered once: a refused connection may then be a hiccup
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.limiter = AdaptiveLimiter(max_concurrency)
        self.last_server_date: str | None = None  # NetSuite's Date header, for clock-skew diagnosis
        self.last_local_date = dt.datetime.now(dt.timezone.utc)
        self.session = requests.Session()
        # requests reads the environment's proxy and CA-bundle settings on every request (every
        # variable, each time: a quarter of a page request's CPU); they are read once per host
        # here instead (`_environment`), with the same meaning (NO_PROXY included).
        self.session.trust_env = False
        self._environments: dict[str, tuple[dict, bool | str]] = {}
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(10, max_concurrency))
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.auth = make_auth(self.base_url, self.account, credentials)
        self.session.auth = self.auth
        self.session.headers.update({"Prefer": "transient", "Accept": "application/json"})

    def close(self) -> None:
        self.session.close()

    def _environment(self, base: str) -> tuple[dict, bool | str]:
        """The proxies (HTTPS_PROXY, NO_PROXY...) and CA bundle (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE)
        the environment gives requests to `base`, as requests itself reads them; once per host."""
        found = self._environments.get(base)
        if found is None:
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            found = (requests.utils.get_environ_proxies(base), bundle or True)
            self._environments[base] = found
        return found

    # One page -----------------------------------------------------------

    def query_page(
        self, query: str, *, limit: int | None = None, offset: int = 0, decoder: PageDecoder | None = None
    ) -> dict:
        """Run one SuiteQL page and return NetSuite's collection as parsed JSON.

        `decoder`, when given, decodes the body first (see `_decode`): a typed page whose
        items a caller can convert faster, such as `RecordConverter.page_decoder`'s.
        """
        params = {"limit": limit or self.page_size, "offset": offset}
        return self._send("POST", SUITEQL_PATH, params=params, body={"q": query}, query=query, decoder=decoder)

    def rest_get(self, path: str) -> t.Any:
        """GET a REST web services path (such as `governance.PATH`), signed and retried like a page."""
        return self._send("GET", path)

    # RESTlets -------------------------------------------------------------

    def call_restlet(
        self,
        script: str | int,
        deploy: str | int,
        params: t.Mapping[str, t.Any] | None = None,
        *,
        method: str = "GET",
        body: t.Any = None,
    ) -> t.Any:
        """Call a RESTlet deployed in the account and return the JSON it answered.

        `script` and `deploy` are the script and deployment ids (numeric, or
        `customscript_...`/`customdeploy_...`); `params` become query
        parameters, signed with the rest; `body` is sent as JSON (POST/PUT).
        The RESTlet host is `<account>.restlets.api.netsuite.com`, or `base_url`
        when that is set. A script's error (`{"error": {"code", "message"}}`)
        raises `NetSuiteRestletError` with the code and the script's message;
        a full concurrency pool (SSS_REQUEST_LIMIT_EXCEEDED) is retried.
        """
        query = {"script": str(script), "deploy": str(deploy)}
        query.update({key: str(value) for key, value in (params or {}).items() if value is not None})
        # A GET only reads; anything else may have run before an answer was lost, so it is
        # retried only when NetSuite refused it unrun (the pool was full).
        return self._send(
            method, RESTLET_PATH, params=query, body=body, restlet=True, idempotent=method.upper() == "GET"
        )

    # Transport ------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        body: dict | None = None,
        query: str | None = None,
        restlet: bool = False,
        idempotent: bool = True,
        decoder: PageDecoder | None = None,
        headers: dict[str, str] | None = None,
        on_success: t.Callable[[requests.Response, bytes], t.Any] | None = None,
        on_error: t.Callable[[requests.Response], NetSuiteError | None] | None = None,
    ) -> t.Any:
        """One request, retried as the module doc says; the decoded JSON answer.

        `on_success(response, body)` makes the answer instead (the record API reads headers);
        `on_error(response)` maps a refusal that is not retried, or None for the usual mapping.
        """
        base = self.restlet_url if restlet else self.base_url
        url = base + path
        proxies, verify = self._environment(base)
        renewed = False
        started = time.monotonic()
        wait = min(self.timeout, self.request_timeout)
        for attempt in range(self.max_retries + 1):
            retry_after = None
            try:
                with self.limiter.slot():
                    deadline = _Deadline(self.request_timeout)
                    # requests prepares (and so signs) each attempt anew.
                    response = self.session.request(
                        method,
                        url,
                        params=params,
                        data=json.dumps(body) if body is not None else None,
                        headers={"Content-Type": "application/json", **(headers or {})},
                        timeout=(min(CONNECT_TIMEOUT, wait), wait),
                        stream=True,  # the body is read by _body, in few large reads
                        proxies=proxies,
                        verify=verify,
                    )
                    self._reached = True
                    # Read inside the slot: the request is in flight until its body is in.
                    with deadline.cuts(response):
                        content = _body(response) if response.status_code < 400 else response.content
                self.last_server_date = response.headers.get("Date")
                self.last_local_date = dt.datetime.now(dt.timezone.utc)
                if response.status_code < 400:
                    # msgspec parses a 1000-row page several times faster than requests' json;
                    # a truncated body fails here and is retried.
                    answer = on_success(response, content) if on_success else _decode(content, decoder, query)
                    self.limiter.succeeded()
                    return answer
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
                urllib3.exceptions.HTTPError,
                ValueError,
            ) as exc:
                self._fail_at_once(exc, url)
                if not idempotent:
                    msg = (
                        f"{method} {url} failed with {type(exc).__name__} and is not retried: it may "
                        "have run already. Check in NetSuite before sending it again."
                    )
                    raise NetSuiteUnavailableError(msg) from None
                reason = _failure(exc)
            else:
                if not renewed and isinstance(self.auth, ClientCredentialsAuth) and _token_expired(response):
                    # The Bearer token ran out mid-sync: fetch a new one once, and resend.
                    renewed = True
                    self.auth.invalidate(_bearer(response))
                    response.close()
                    continue
                pool_full = response.status_code == 429 or (restlet and _error_code(response) == RESTLET_POOL_FULL)
                if not pool_full and (response.status_code not in RETRIED_STATUSES or not idempotent):
                    raise (on_error(response) if on_error else None) or (
                        self._restlet_error(response)
                        if restlet and response.status_code != 401
                        else self._error_for(response, query)
                    )
                if pool_full:
                    self.limiter.throttled()
                reason = f"HTTP {response.status_code} {_error_code(response)}".strip()
                retry_after = _retry_after(response)
                response.close()
            if attempt == self.max_retries:
                spent = time.monotonic() - started
                raise NetSuiteUnavailableError(
                    hints.gave_up(attempts=attempt + 1, seconds=spent, reason=reason, url=url)
                )
            delay = self._delay(attempt, retry_after)
            _LOG.warning(
                "The request failed (%s); retry %d of %d in %.1f s.",
                reason,
                attempt + 1,
                self.max_retries,
                delay,
            )
            time.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _fail_at_once(self, exc: Exception, url: str) -> None:
        """Raise, unretried, a failure no retry mends: a TLS handshake refused, a host that
        refuses connections or does not resolve before it ever answered; and a value no retry changes."""
        if isinstance(exc, NetSuiteDataError):
            raise exc
        if isinstance(exc, requests.exceptions.SSLError):
            raise NetSuiteUnavailableError(hints.tls_failure(url, _ssl_reason(exc))) from None
        cause = exc.args[0] if exc.args else None
        cause = getattr(cause, "reason", cause)  # requests wraps urllib3's MaxRetryError
        if self._reached or not isinstance(exc, requests.ConnectionError):
            return
        if isinstance(cause, urllib3.exceptions.NameResolutionError):
            raise NetSuiteUnavailableError(hints.unreachable(url, "the host name does not resolve")) from None
        if isinstance(cause, urllib3.exceptions.NewConnectionError) and "refused" in str(cause).lower():
            raise NetSuiteUnavailableError(hints.unreachable(url, "connection refused")) from None

    def _restlet_error(self, response: requests.Response) -> NetSuiteRestletError:
        code, message = _restlet_error_parts(response)
        return NetSuiteRestletError(
            f"The RESTlet answered HTTP {response.status_code} {code}: {message}", code=code, detail=message
        )

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        """Seconds before the next attempt: what Retry-After asks, at most `backoff_max`, else backoff."""
        if retry_after is None:
            return self._backoff(attempt)
        if retry_after > self.backoff_max:
            _LOG.warning(
                "NetSuite asked to wait %.0f s (Retry-After); waiting backoff_max, %.0f s, instead.",
                retry_after,
                self.backoff_max,
            )
            return self.backoff_max
        return retry_after

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter, so parallel clients spread out."""
        return random.uniform(0, min(self.backoff_max, self.backoff_base * 2**attempt))  # noqa: S311

    def _error_for(self, response: requests.Response, query: str | None) -> NetSuiteError:
        detail = _error_detail(response)
        status = response.status_code
        if status == 401:
            return NetSuiteAuthError(
                hints.auth_failure(
                    detail,
                    realm=self.account.realm,
                    url=self.base_url,
                    oauth2=isinstance(self.auth, ClientCredentialsAuth),
                )
            )
        if status == 400:
            msg = f"NetSuite refused the query (HTTP 400): {detail}{hints.permission_hint(detail)}"
            if query:
                msg += f"\nQuery: {query}"
            return NetSuiteQueryError(msg, detail=detail, query=query)
        return NetSuiteError(f"NetSuite answered HTTP {status}: {detail}")


class PageDecoder(t.Protocol):
    """What decodes a page typed, such as `msgspec.json.Decoder` or `RecordConverter.page_decoder`:
    msgspec.DecodeError (ValidationError among them) when the body is not of its type."""

    def decode(self, buf: bytes, /) -> t.Any: ...


def _decode(body: bytes, decoder: PageDecoder | None = None, query: str | None = None) -> t.Any:
    """The body as parsed JSON: as `decoder` types it when it can, else as plain JSON.

    JSON of another shape than `decoder` expects is not an error here: it is decoded as
    plain JSON, and its rows converted the ordinary way. A body that is not JSON fails
    that second decoding, with the error (retried by `_send`) it always had.
    """
    if decoder is not None:
        try:
            return decoder.decode(body)
        except msgspec.DecodeError:  # ValidationError (another shape) is one
            pass
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError:
        pass
    try:
        answer = json.loads(body)  # takes what msgspec refuses: an escaped lone surrogate
    except ValueError:
        first = quoted_from_server(body[:200].decode("utf-8", "replace"))
        msg = f"an answer that is not JSON ({len(body)} bytes; first 200 bytes: {first})"
        raise NotJsonError(msg) from None
    _refuse_lone_surrogates(answer, query)
    return answer


def _refuse_lone_surrogates(answer: t.Any, query: str | None) -> None:
    """A string holding half a UTF-16 pair (JSON's "\\ud800") can be written in no UTF-8 output."""
    items = answer.get("items") if isinstance(answer, dict) else None
    for item in items if isinstance(items, list) else []:
        for column, value in item.items() if isinstance(item, dict) else ():
            if isinstance(value, str) and not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    msg = (
                        f"column {column!r} of row id {item.get('id')!r}: the value {value!r} holds a lone "
                        f"surrogate, which no UTF-8 output can carry\nQuery: {query}"
                    )
                    raise NetSuiteDataError(msg) from None


class NotJsonError(ValueError):
    """An answer that does not parse as JSON: truncated, or not from NetSuite at all."""


class _Deadline:
    """One whole request within `seconds`: a timer shuts the socket when they run out, so a body
    that drips a byte at a time ends too (a socket timeout bounds only each wait)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.passed = False

    @contextlib.contextmanager
    def cuts(self, response: requests.Response) -> t.Iterator[None]:
        """Read `response`'s body inside: raises requests.Timeout when the deadline cut it."""
        timer = threading.Timer(max(0.0, self.ends - time.monotonic()), self._cut, (response,))
        timer.daemon = True
        timer.start()
        try:
            yield
        except Exception:
            if self.passed:
                raise self._timeout() from None
            raise
        finally:
            timer.cancel()
        if self.passed:
            raise self._timeout()

    def _cut(self, response: requests.Response) -> None:
        self.passed = True
        sock = getattr(getattr(response.raw, "connection", None), "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _timeout(self) -> requests.Timeout:
        return requests.Timeout(f"no whole answer within request_timeout ({self.seconds:g} s)")


def _failure(exc: Exception) -> str:
    """A failed attempt, in a few words for the log and the final message."""
    if isinstance(exc, (NotJsonError, requests.Timeout)) and exc.args and isinstance(exc.args[0], str):
        return str(exc)
    if isinstance(exc, requests.ConnectTimeout):
        return "no connection within the connect timeout"
    if isinstance(exc, requests.ReadTimeout):
        return "ReadTimeout: the server sent nothing for the whole timeout"
    return type(exc).__name__


def _ssl_reason(exc: Exception) -> str:
    """The OpenSSL reason in a requests SSLError, such as `[SSL: WRONG_VERSION_NUMBER] wrong version number`."""
    match = re.search(r"\[SSL[^\]]*\][^'\")(]*", str(exc))
    return match.group(0).strip() if match else type(exc).__name__


def _body(response: requests.Response) -> bytes:
    """The whole body of a streamed response, read in as few reads as the socket allows.

    requests' `content` reads 10 KB at a time; while the tap's main thread is busy
    writing records, each read first waits its turn for the GIL (up to the switch
    interval), so a 600 KB page read that way stalled its window for tens of ms.
    A body cut short raises urllib3's IncompleteRead, which `_send` retries.
    """
    return response.raw.read(decode_content=True)


def _token_expired(response: requests.Response) -> bool:
    """Whether NetSuite refused a Bearer token as expired or revoked (not the credentials)."""
    return response.status_code == 401 and "invalid_token" in response.headers.get("WWW-Authenticate", "")


def _bearer(response: requests.Response) -> str | None:
    sent = response.request.headers.get("Authorization", "") if response.request else ""
    return sent.removeprefix("Bearer ") if sent.startswith("Bearer ") else None


def _error_body(response: requests.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _error_detail(response: requests.Response) -> str:
    details = _error_body(response).get("o:errorDetails") or []
    texts = [d.get("detail", "") for d in details if isinstance(d, dict)]
    return " ".join(x for x in texts if x) or quoted_from_server(response.text or response.reason or "", limit=500)


def _error_code(response: requests.Response) -> str:
    body = _error_body(response)
    if isinstance(body.get("error"), dict):  # the RESTlet shape
        return str(body["error"].get("code", ""))
    details = body.get("o:errorDetails") or []
    return next((d.get("o:errorCode", "") for d in details if isinstance(d, dict)), "")


def _restlet_error_parts(response: requests.Response) -> tuple[str, str]:
    """(code, message) of a RESTlet error; an N/error thrown by the script arrives as JSON in `message`."""
    error = _error_body(response).get("error")
    if not isinstance(error, dict):
        return f"HTTP {response.status_code}", response.text[:500]
    code, message = str(error.get("code", "")), str(error.get("message", ""))
    try:
        inner = json.loads(message)
    except ValueError:
        return code, message
    if isinstance(inner, dict):
        return str(inner.get("name") or code), str(inner.get("message") or message)
    return code, message


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
