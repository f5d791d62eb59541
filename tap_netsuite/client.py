"""NetSuiteClient: sending SuiteQL to NetSuite's REST web services.

Session, signing, retries, error mapping and keyset paging live here; nothing
here imports Singer, so the client works from any Python program:

    client = NetSuiteClient(account_id="1234567_SB1", consumer_key=..., ...)
    for row in client.query_all("SELECT id, companyname FROM customer ORDER BY id"):
        ...

Which answers are retried and why:
- 429 (the account's concurrency pool is full), 500, 503 (NetSuite trouble),
  dropped connections, truncated bodies and timeouts: retried with exponential backoff and full
  jitter, `Retry-After` honoured when sent. Each retry is signed afresh.
- 401: never retried. NetSuite gives no cause, and retrying a bad credential
  only fills the Login Audit Trail; the error lists what to check.
- 400: never retried. The query or a parameter is wrong; the error carries
  NetSuite's detail and the query.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import random
import re
import time
import typing as t

import msgspec
import requests
import urllib3
from requests.adapters import HTTPAdapter

from tap_netsuite import parallel
from tap_netsuite.auth import Account, ClientCredentialsAuth, make_auth, parse_account_id
from tap_netsuite.errors import (
    NetSuiteAuthError,
    NetSuiteConfigError,
    NetSuiteError,
    NetSuiteQueryError,
    NetSuiteRestletError,
    NetSuiteUnavailableError,
)
from tap_netsuite.limiter import AdaptiveLimiter
from tap_netsuite.settings import checked_base_url
from tap_netsuite.suiteql import boundaries_query, keyset_query

SUITEQL_PATH = "/services/rest/query/v1/suiteql"
RESTLET_PATH = "/app/site/hosting/restlet.nl"
RESTLET_POOL_FULL = "SSS_REQUEST_LIMIT_EXCEEDED"
MAX_PAGE_SIZE = 1000
OFFSET_CAP = 100_000  # no row past this one is reachable by offset paging (netsuite-api.md §2)
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})

_LOG = logging.getLogger("tap_netsuite.client")


class NetSuiteClient:
    """A signed session against one NetSuite account."""

    def __init__(
        self,
        *,
        account_id: str,
        base_url: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
        max_concurrency: int = 2,
        timeout: float = 300.0,
        max_retries: int = 6,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        **credentials: t.Any,
    ) -> None:
        """`credentials`: consumer_key, consumer_secret, token_id, token_secret (token-based
        authentication), or client_id, certificate_id, private_key or private_key_path and
        optionally oauth_scopes (OAuth 2.0 client credentials)."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            msg = f"page_size must be between 1 and {MAX_PAGE_SIZE}, not {page_size}."
            raise NetSuiteConfigError(msg)
        self.account: Account = parse_account_id(account_id)
        base_url = checked_base_url(base_url) if base_url else None
        self.base_url = (base_url or self.account.rest_url).rstrip("/")
        self.restlet_url = (base_url or self.account.restlet_url).rstrip("/")
        self.page_size = page_size
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.limiter = AdaptiveLimiter(max_concurrency)
        self.last_server_date: str | None = None  # NetSuite's Date header, for clock-skew diagnosis
        self.last_local_date = dt.datetime.now(dt.timezone.utc)
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=max(10, max_concurrency))
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.auth = make_auth(self.base_url, self.account, credentials)
        self.session.auth = self.auth
        self.session.headers.update({"Prefer": "transient", "Accept": "application/json"})

    def close(self) -> None:
        self.session.close()

    # One page -----------------------------------------------------------

    def query_page(
        self, query: str, *, limit: int | None = None, offset: int = 0, decoder: msgspec.json.Decoder | None = None
    ) -> dict:
        """Run one SuiteQL page and return NetSuite's collection as parsed JSON.

        `decoder`, when given, decodes the body first (see `_decode`): a typed page whose
        items a caller can convert faster, such as `RecordConverter.page_decoder`'s.
        """
        params = {"limit": limit or self.page_size, "offset": offset}
        return self._send("POST", SUITEQL_PATH, params=params, body={"q": query}, query=query, decoder=decoder)

    def query_all(self, query: str) -> t.Iterator[dict]:
        """Every row of a small query, paged by offset (capped at 100,000 rows by NetSuite).

        For tables that can grow past that cap, use `query_keyset`.
        """
        offset = 0
        while True:
            page = self.query_page(query, offset=offset)
            yield from (_row(item) for item in page.get("items", []))
            if not page.get("hasMore"):
                return
            offset += len(page.get("items", []))

    def query_keyset(
        self,
        *,
        columns: str,
        table: str,
        where: str | None,
        replication_key: str,
        tiebreak: str = "id",
        since: str | None,
        on_page: t.Callable[[dict], None] | None = None,
    ) -> t.Iterator[dict]:
        """Rows from `since` (account-local `YYYY-MM-DD HH:MM:SS`) on, ordered by (key, tiebreak).

        Pages by keyset on (rendered second of the key, an integer column unique
        within the query, `id` by default), always at offset 0, so no table
        size or offset cap matters. Each row's replication key must be selected
        in that rendered form (as `suiteql.select_list` does).
        """
        spec = {
            "columns": columns,
            "table": table,
            "where": where,
            "replication_key": replication_key,
            "tiebreak": tiebreak,
            "since": since,
        }
        for page in self._keyset_pages(spec, None, None, on_page):
            yield from page

    def query_parallel(self, **spec: t.Any) -> t.Iterator[dict]:
        """The rows of `query_pages` (same keyword arguments, no decoder) one by one."""
        for rows in self.query_pages(**spec):
            yield from rows

    def query_pages(
        self,
        *,
        columns: str,
        table: str,
        where: str | None,
        replication_key: str,
        tiebreak: str = "id",
        since: str | None,
        on_plan: t.Callable[[int, int], None] | None = None,
        on_page: t.Callable[[dict], None] | None = None,
        decoder: msgspec.json.Decoder | None = None,
        read_ahead_by_offset: bool = False,
    ) -> t.Iterator[list]:
        """The rows of `query_keyset` a page at a time, in the same order, read by several requests at once.

        One small query gives the key of every page-size-th row; the range is
        cut there into windows of one full page each, read concurrently (each
        by keyset, so a window that grew during the sync is read to its end)
        while rows are handed out window by window: the order, and so a
        resumable state, is kept. `on_plan(rows, windows)` is told the plan. With a
        `decoder` (see `query_page`), rows come as it decodes them (dicts when a page is
        not of its type); they are read by column name, `row[column]`, for the keyset.

        `read_ahead_by_offset`, for a range that is likely large (a stream's first sync):
        while the plan is made, the slots it leaves idle read the pages after the first, by
        offset; each is taken as its window only when it is exactly that window (see
        `_offset_window`), else the window is read by keyset like the others.
        """
        spec = {
            "columns": columns,
            "table": table,
            "where": where,
            "replication_key": replication_key,
            "tiebreak": tiebreak,
            "since": since,
        }
        ahead = self._idle_slots(reserved=2) if read_ahead_by_offset else 0  # 2: the first page, the plan
        # The first page is the start of the first window whatever the plan says: it is read
        # while the plan is made, so planning costs no time of its own.
        from_start = keyset_query(**spec)
        first = parallel.started("first-page", functools.partial(self.query_page, decoder=decoder), from_start)
        offset_pages = [
            parallel.started(
                f"offset-page-{n}",
                functools.partial(self.query_page, offset=n * self.page_size, decoder=decoder),
                from_start,
            )
            for n in range(1, ahead + 1)
        ]
        try:
            cuts, starts = self._plan(spec, every=self.page_size, starts_through=ahead)
        except NetSuiteQueryError as exc:
            # ROW_NUMBER and TRUNC are documented SuiteQL; should an account refuse them, read
            # the range as one window, one request at a time, rather than not at all.
            _LOG.warning(
                "Reading %s one page at a time: the query that plans windows was refused (%s).", table, exc.detail
            )
            cuts, starts = [], {}
        edges: list[tuple[str, int] | None] = [None, *cuts, None]
        windows = list(zip(edges[:-1], edges[1:]))
        if on_plan:
            on_plan(len(cuts) * self.page_size, len(windows))
        sources = [functools.partial(self._keyset_pages, spec, low, high, on_page, decoder) for low, high in windows]
        sources[0] = functools.partial(self._first_window, spec, first, windows[0][1], on_page, decoder)
        # Window n (n >= 1) is the rows after plan position n x page size: the offset page n.
        # The last window has no end to check a page against; it and any beyond are read by keyset.
        for n, page in enumerate(offset_pages[: max(0, len(windows) - 2)], start=1):
            sources[n] = functools.partial(self._offset_window, spec, page, starts.get(n), windows[n], on_page, decoder)
        if len(sources) == 1:
            yield from sources[0]()
            return
        # in_order hands out the items of each batch: here a batch of one page.
        yield from parallel.in_order(
            [functools.partial(_one_by_one, source) for source in sources], ahead=2 * self.limiter.maximum
        )

    def _idle_slots(self, *, reserved: int) -> int:
        """Slots of the limit that nobody holds or waits for, less `reserved`; no more pages than
        offset paging can reach (NetSuite's cap)."""
        return max(0, min(self.limiter.limit - self.limiter.busy - reserved, OFFSET_CAP // self.page_size - 1))

    def _first_window(
        self,
        spec: dict,
        first: t.Callable[[], dict],
        through: tuple[str, int] | None,
        on_page: t.Callable[[dict], None] | None,
        decoder: msgspec.json.Decoder | None = None,
    ) -> t.Iterator[list[dict]]:
        """The first window: the page read beside the plan, then by keyset from its last row.

        Rows the table gained or lost between the two queries only move where that page
        ends; its rows past the window's end are left to the next window.
        """
        page = first()
        if on_page:
            on_page(page)
        rows = _rows(page.get("items", []))
        if through is not None:
            rows = [row for row in rows if _key(spec, row) <= through]
        yield rows
        last = _key(spec, rows[-1]) if rows else None
        if last != through and (page.get("hasMore") or through is not None):
            yield from self._keyset_pages(spec, last, through, on_page, decoder)

    def _offset_window(
        self,
        spec: dict,
        page: t.Callable[[], dict],
        start: tuple[str, int] | None,
        window: tuple[tuple[str, int] | None, tuple[str, int] | None],
        on_page: t.Callable[[dict], None] | None,
        decoder: msgspec.json.Decoder | None = None,
    ) -> t.Iterator[list[dict]]:
        """One window, from the page read by offset beside the plan when that page is exactly it.

        A page of one ordered query is a run of consecutive rows as they were when it was
        read: every row then present between its first and its last key is in it. The page
        is taken when it is full and begins with the window's first row and ends with its
        last, as the plan gave them (`start`, and the window's end). It then holds every
        row of the window that the plan saw and that is still there. A row that entered
        the window after the plan, before the page's first row, was committed late, and
        a keyset read misses such a row too once it has passed: the next sync's lookback
        reads it. Any other page (rows deleted or added before it moved it, a short page,
        a refused offset) is dropped, and the window is read by keyset like any other.
        """
        low, high = window
        try:
            answer = page()
        except NetSuiteError as exc:
            _LOG.debug("A page read by offset was not used: %s", exc)
            answer = {}
        rows = _rows(answer.get("items", []))
        if (
            start is not None
            and len(rows) == self.page_size
            and _key(spec, rows[0]) == start
            and _key(spec, rows[-1]) == high
        ):
            if on_page:
                on_page(answer)
            yield rows
            return
        yield from self._keyset_pages(spec, low, high, on_page, decoder)

    def _plan(
        self, spec: dict, *, every: int, starts_through: int = 0
    ) -> tuple[list[tuple[str, int]], dict[int, tuple[str, int]]]:
        """The key of every `every`-th row of the query, where its one-page windows end; and with
        `starts_through` = n, the first key of the n windows after the first, by window number
        (window 0 is the first; see `boundaries_query`)."""
        cuts: list[tuple[str, int]] = []
        starts: dict[int, tuple[str, int]] = {}
        position = 0
        while True:
            page = self.query_page(
                boundaries_query(
                    table=spec["table"],
                    where=spec["where"],
                    replication_key=spec["replication_key"],
                    tiebreak=spec["tiebreak"],
                    since=spec["since"],
                    every=every,
                    after_position=position,
                    starts_through=starts_through,
                )
            )
            items = page.get("items", [])
            for item in items:
                window, rest = divmod(int(item["position"]), every)
                key = (item["second"], int(item["tiebreak"]))
                if rest == 0:
                    cuts.append(key)
                else:  # the first row of a window: position window x every + 1
                    starts[window] = key
            if not page.get("hasMore") or not items:
                return cuts, starts
            position = int(items[-1]["position"])

    def _keyset_pages(
        self,
        spec: dict,
        after: tuple[str, int] | None,
        through: tuple[str, int] | None,
        on_page: t.Callable[[dict], None] | None,
        decoder: msgspec.json.Decoder | None = None,
    ) -> t.Iterator[list[dict]]:
        while True:
            page = self.query_page(keyset_query(**spec, after=after, through=through), decoder=decoder)
            if on_page:
                on_page(page)
            items = page.get("items", [])
            yield _rows(items)
            if not page.get("hasMore") or not items:
                return
            after = _key(spec, items[-1])

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
        decoder: msgspec.json.Decoder | None = None,
    ) -> t.Any:
        url = (self.restlet_url if restlet else self.base_url) + path
        renewed = False
        for attempt in range(self.max_retries + 1):
            retry_after = None
            try:
                with self.limiter.slot():
                    # requests prepares (and so signs) each attempt anew.
                    response = self.session.request(
                        method,
                        url,
                        params=params,
                        data=json.dumps(body) if body is not None else None,
                        headers={"Content-Type": "application/json"},
                        timeout=self.timeout,
                        stream=True,  # the body is read by _body, in few large reads
                    )
                    # Read inside the slot: the request is in flight until its body is in.
                    content = _body(response) if response.status_code < 400 else response.content
                self.last_server_date = response.headers.get("Date")
                self.last_local_date = dt.datetime.now(dt.timezone.utc)
                if response.status_code < 400:
                    # msgspec parses a 1000-row page several times faster than requests' json;
                    # a truncated body fails here and is retried.
                    answer = _decode(content, decoder)
                    self.limiter.succeeded()
                    return answer
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
                urllib3.exceptions.HTTPError,
                ValueError,
            ) as exc:
                if not idempotent:
                    msg = (
                        f"{method} {url} failed with {type(exc).__name__} and is not retried: it may "
                        "have run already. Check in NetSuite before sending it again."
                    )
                    raise NetSuiteUnavailableError(msg) from None
                reason = type(exc).__name__
            else:
                if self._token_expired(response) and not renewed:
                    # The Bearer token ran out mid-sync: fetch a new one once, and resend.
                    renewed = True
                    self.auth.invalidate(_bearer(response))
                    response.close()
                    continue
                pool_full = response.status_code == 429 or (restlet and _error_code(response) == RESTLET_POOL_FULL)
                if not pool_full and (response.status_code not in RETRIED_STATUSES or not idempotent):
                    raise (
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
                msg = (
                    f"NetSuite did not answer successfully after {self.max_retries + 1} attempts "
                    f"(last: {reason}) at {url}. If this is 429 CONCURRENCY_LIMIT_EXCEEDED, "
                    "other integrations are using the account's concurrency pool: lower "
                    "max_concurrency, run at a quieter time or reserve concurrency for this integration."
                )
                raise NetSuiteUnavailableError(msg)
            delay = retry_after if retry_after is not None else self._backoff(attempt)
            _LOG.warning(
                "NetSuite answered %s; retry %d of %d in %.1f s.",
                reason,
                attempt + 1,
                self.max_retries,
                delay,
            )
            time.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    def _restlet_error(self, response: requests.Response) -> NetSuiteRestletError:
        code, message = _restlet_error_parts(response)
        return NetSuiteRestletError(
            f"The RESTlet answered HTTP {response.status_code} {code}: {message}", code=code, detail=message
        )

    def _token_expired(self, response: requests.Response) -> bool:
        return (
            response.status_code == 401
            and isinstance(self.auth, ClientCredentialsAuth)
            and "invalid_token" in response.headers.get("WWW-Authenticate", "")
        )

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter, so parallel clients spread out."""
        return random.uniform(0, min(self.backoff_max, self.backoff_base * 2**attempt))  # noqa: S311

    def _error_for(self, response: requests.Response, query: str | None) -> NetSuiteError:
        detail = _error_detail(response)
        status = response.status_code
        if status == 401:
            return NetSuiteAuthError(self._auth_message(detail))
        if status == 400:
            msg = f"NetSuite refused the query (HTTP 400): {detail}{_permission_hint(detail)}"
            if query:
                msg += f"\nQuery: {query}"
            return NetSuiteQueryError(msg, detail=detail, query=query)
        return NetSuiteError(f"NetSuite answered HTTP {status}: {detail}")

    def _auth_message(self, detail: str) -> str:
        where = (
            f"Used realm {self.account.realm!r} at {self.base_url}. NetSuite never says why; the usual causes are:\n"
        )
        if isinstance(self.auth, ClientCredentialsAuth):
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


def _permission_hint(detail: str) -> str:
    """What a 'Record ... was not found' answer means: the role may not read that table."""
    unknown = re.search(r"Unknown identifier '([^']+)'|Invalid search type: (\w+)", detail)
    name = unknown and (unknown.group(1) or unknown.group(2))
    if name and name.lower() in FEATURES:
        return f"\n'{name}' exists only with {FEATURES[name.lower()]}."
    match = re.search(r"Record '([^']+)' was not found", detail)
    if not match:
        return ""
    table = match.group(1)
    permission = PERMISSIONS.get(table.lower(), f"the permission for {table} records")
    return (
        f"\nThe token's role cannot read '{table}': give it {permission} "
        "(Setup > Users/Roles > Manage Roles), or deselect the stream that reads it."
    )


# Columns that exist only when the account has a feature (Setup > Company > Enable Features).
FEATURES = {
    "subsidiary": "NetSuite OneWorld (subsidiaries); on other accounts deselect the column",
}

# Which role permission each table the tap reads needs (Setup > Users/Roles > Manage Roles).
PERMISSIONS = {
    "customer": "Lists > Customers (View)",
    "transaction": "Transactions > Invoice (View) and Find Transaction",
    "transactionline": "Transactions > Invoice (View) and Find Transaction",
    "deletedrecord": "Lists > Deleted Records (View)",
}


def _decode(body: bytes, decoder: msgspec.json.Decoder | None = None) -> t.Any:
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
    except msgspec.DecodeError as exc:
        msg = f"NetSuite sent a body that is not JSON ({len(body)} bytes)"
        raise ValueError(msg) from exc


def _key(spec: dict, row: t.Any) -> tuple[str, int]:
    """A row's keyset key: its rendered replication key and its tiebreak."""
    return row[spec["replication_key"]], int(row[spec["tiebreak"]])


def _rows(items: list) -> list:
    """A page's rows: a typed decoder's rows as they are, else dicts less their `links`."""
    return items if items and isinstance(items[0], msgspec.Struct) else [_row(item) for item in items]


def _one_by_one(source: t.Callable[[], t.Iterable[list]]) -> t.Iterator[list[list]]:
    """Each page of `source` as a batch of one item, so that `parallel.in_order` hands out pages."""
    for page in source():
        yield [page]


def _row(item: dict) -> dict:
    """An item without NetSuite's `links`, which is not a column (removed in place: the
    item was just parsed, and a copy per row cost more than the rest of the parsing)."""
    item.pop("links", None)
    return item


def _body(response: requests.Response) -> bytes:
    """The whole body of a streamed response, read in as few reads as the socket allows.

    requests' `content` reads 10 KB at a time; while the tap's main thread is busy
    writing records, each read first waits its turn for the GIL (up to the switch
    interval), so a 600 KB page read that way stalled its window for tens of ms.
    A body cut short raises urllib3's IncompleteRead, which `_send` retries.
    """
    return response.raw.read(decode_content=True)


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
    return " ".join(x for x in texts if x) or (response.text[:500] or response.reason or "")


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
