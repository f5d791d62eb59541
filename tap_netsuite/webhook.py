"""`tap-netsuite-webhook`: the receiving end of the change-notification scheduled script.

It accepts the script's POSTs (suitescripts/README.md), and for each one:
1. refuses, with a 4xx and nothing recorded, a request that is not ``application/json`` (415),
   has no length (411) or is larger than `max_body_bytes` (413, unread), is unsigned or wrongly
   signed or stale (401), was already accepted (409, a replay), or is not the script's shape (400);
2. records it in the SQLite file (see `webhook_store`) and commits;
3. answers 204 at once; the optional command runs later, debounced (see `webhook_runner`).

From Python::

    store = DeliveryStore("deliveries.sqlite")
    receiver = WebhookReceiver(secret=b"...", store=store, port=8787)
    receiver.start()          # serves in a background thread; receiver.url is where
    ...
    receiver.shutdown()
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sqlite3
import sys
import threading
import time
import typing as t
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tap_netsuite.webhook_runner import DebouncedCommand
from tap_netsuite.webhook_signing import (
    DEFAULT_MAX_AGE_S,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureRefused,
    verify,
)
from tap_netsuite.webhook_store import DeliveryStore, Replayed

SECRET_ENV = "TAP_NETSUITE_WEBHOOK_SECRET"  # noqa: S105 - the variable's name, not a secret
DEFAULT_MAX_BODY_BYTES = 1_048_576  # a batch of 1,000 records is about 60 KB
READ_TIMEOUT_S = 10.0  # a client that stops sending mid-request loses its connection

_LOG = logging.getLogger("tap_netsuite.webhook")


class _Refusal(Exception):  # noqa: N818 - an answer, not a program error
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class WebhookReceiver(ThreadingHTTPServer):
    """The HTTP server: verifies, records, answers; one thread per connection.

    >>> receiver = WebhookReceiver(secret=b"key", store=DeliveryStore(":memory:"), port=0)
    >>> receiver.url.startswith("http://127.0.0.1:")
    True
    >>> receiver.server_close()
    """

    daemon_threads = True

    def __init__(
        self,
        *,
        secret: bytes,
        store: DeliveryStore,
        host: str = "127.0.0.1",
        port: int = 8787,
        max_age_s: float = DEFAULT_MAX_AGE_S,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        runner: DebouncedCommand | None = None,
        clock: t.Callable[[], float] = time.time,
    ) -> None:
        if not secret:
            msg = "the signing secret is empty"
            raise ValueError(msg)
        self.secret, self.store, self.runner, self.clock = secret, store, runner, clock
        self.max_age_s, self.max_body_bytes = max_age_s, max_body_bytes
        self._thread: threading.Thread | None = None
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        """Serve in a background thread (and start the runner, when there is one)."""
        if self.runner is not None:
            self.runner.start()
        self._thread = threading.Thread(target=self.serve_forever, name="webhook-http", daemon=True)
        self._thread.start()

    def shutdown(self) -> None:
        """Stop serving and the runner; close the socket."""
        super().shutdown()
        if self.runner is not None:
            self.runner.stop()
        self.server_close()

    def accept(self, timestamp: str | None, signature_header: str | None, body: bytes) -> int:
        """Verify and record one delivery read off the wire; its delivery id, or `_Refusal`."""
        try:
            signature = verify(
                self.secret,
                timestamp=timestamp,
                signature_header=signature_header,
                body=body,
                now=self.clock(),
                max_age_s=self.max_age_s,
            )
        except SignatureRefused as refused:
            raise _Refusal(401, str(refused)) from None
        account, kind, records = _parse(body)
        try:
            delivery = self.store.record(
                signature=signature,
                sent_at=int(str(timestamp)),
                account=account,
                kind=kind,
                body=body.decode("utf-8"),
                records=records,
            )
        except Replayed:
            raise _Refusal(409, "this delivery was already accepted (a replay)") from None
        if self.runner is not None:
            self.runner.notify()
        return delivery


def _parse(body: bytes) -> tuple[str, str, list[tuple[int, str]]]:
    """(account, kind, [(id, last_modified)]) of the script's body, or a 400."""
    try:
        document = json.loads(body)
    except ValueError:
        raise _Refusal(400, "the body is not JSON") from None
    records = document.get("records") if isinstance(document, dict) else None
    if (
        not isinstance(records, list)
        or not isinstance(document.get("account"), str)
        or not isinstance(document.get("kind"), str)
        or not document["kind"]
    ):
        raise _Refusal(400, 'the body is not {"account": ..., "kind": ..., "records": [...]}')
    parsed = []
    for record in records:
        record_id = record.get("id") if isinstance(record, dict) else None
        modified = record.get("last_modified") if isinstance(record, dict) else None
        if isinstance(record_id, bool) or not isinstance(record_id, int) or not isinstance(modified, str):
            raise _Refusal(400, 'each record must be {"id": <integer>, "last_modified": <text>}')
        parsed.append((record_id, modified))
    return document["account"], document["kind"], parsed


class _Handler(BaseHTTPRequestHandler):
    server: WebhookReceiver
    timeout = READ_TIMEOUT_S
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        try:
            body = self._body()
            delivery = self.server.accept(self.headers.get(TIMESTAMP_HEADER), self.headers.get(SIGNATURE_HEADER), body)
        except _Refusal as refused:
            _LOG.warning("Refused a delivery from %s: HTTP %d, %s.", self.client_address[0], refused.status, refused)
            self._answer(refused.status, {"error": refused.reason})
            return
        _LOG.info("Recorded delivery %d from %s.", delivery, self.client_address[0])
        self._answer(204, None)

    def do_GET(self) -> None:
        self._not_allowed()

    def do_PUT(self) -> None:
        self._not_allowed()

    def do_PATCH(self) -> None:
        self._not_allowed()

    def do_DELETE(self) -> None:
        self._not_allowed()

    def _not_allowed(self) -> None:
        self.close_connection = True  # the body, if any, is not read
        self._answer(405, {"error": "only POST is accepted"}, {"Allow": "POST"})

    def _body(self) -> bytes:
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            self.close_connection = True
            raise _Refusal(415, "Content-Type must be application/json")
        length = self.headers.get("Content-Length")
        if length is None or not length.strip().isdigit():
            self.close_connection = True
            raise _Refusal(411, "Content-Length is required")
        if int(length) > self.server.max_body_bytes:
            self.close_connection = True  # never read: the connection is closed after the answer
            raise _Refusal(413, f"the body is over {self.server.max_body_bytes} bytes")
        body = self.rfile.read(int(length))
        if len(body) != int(length):
            self.close_connection = True
            raise _Refusal(400, "the body is shorter than its Content-Length")
        return body

    def _answer(self, status: int, document: dict | None, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(document).encode() if document is not None else b""
        self.send_response(status)
        if payload:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: t.Any) -> None:  # noqa: A002 - the stdlib's name
        _LOG.debug(format, *args)


# -- the console script -------------------------------------------------------------------------


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="tap-netsuite-webhook",
        description=(
            "Receive the change-notification script's webhooks: verify, record in SQLite, answer, "
            f"and optionally run a command debounced. The signing key is read from ${SECRET_ENV}."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8787, help="port to listen on; 0 picks a free one (default 8787)")
    parser.add_argument("--db", default="webhook-deliveries.sqlite", help="SQLite file of accepted deliveries")
    parser.add_argument(
        "--max-age", type=float, default=DEFAULT_MAX_AGE_S, help="seconds a delivery's timestamp may differ from now"
    )
    parser.add_argument("--max-body", type=int, default=DEFAULT_MAX_BODY_BYTES, help="largest body accepted, bytes")
    parser.add_argument("--command", help='run after deliveries, e.g. "meltano run tap-netsuite target-postgres"')
    parser.add_argument("--quiet", type=float, default=60.0, help="seconds without deliveries before the command runs")
    parser.add_argument("--max-delay", type=float, help="run at most this long after the first waiting delivery")
    parser.add_argument("--command-timeout", type=float, default=3600.0, help="seconds before a run is stopped")
    args = parser.parse_args(argv)
    for name in ("max_age", "max_body", "quiet", "command_timeout"):
        if getattr(args, name) <= 0:
            parser.error(f"--{name.replace('_', '-')} must be greater than 0")
    if args.max_delay is not None and args.max_delay < args.quiet:
        parser.error("--max-delay must be at least --quiet")
    if not 0 <= args.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the receiver until SIGTERM or Ctrl-C; bad settings end it with one line and exit 2."""
    args = _arguments(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    secret = os.environ.get(SECRET_ENV, "")
    if not secret:
        sys.stderr.write(
            f"tap-netsuite-webhook: {SECRET_ENV} is not set: set it to the signing key held in the API "
            "secret that the scheduled script's custscript_tapns_cn_secret_id names.\n"
        )
        return 2
    try:
        store = DeliveryStore(args.db)
        runner = (
            DebouncedCommand(
                store, args.command, quiet_s=args.quiet, max_delay_s=args.max_delay, timeout_s=args.command_timeout
            )
            if args.command
            else None
        )
        receiver = WebhookReceiver(
            secret=secret.encode("utf-8"),
            store=store,
            host=args.host,
            port=args.port,
            max_age_s=args.max_age,
            max_body_bytes=args.max_body,
            runner=runner,
        )
    except (sqlite3.Error, OSError, ValueError) as exc:
        sys.stderr.write(f"tap-netsuite-webhook: cannot start: {exc}. Check --db, --host, --port and --command.\n")
        return 2
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    receiver.start()
    sys.stdout.write(f"tap-netsuite-webhook listening on {receiver.url}, recording in {args.db}\n")
    sys.stdout.flush()
    while not stopping.wait(1.0):
        pass
    receiver.shutdown()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
