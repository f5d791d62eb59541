"""A small HTTP server, on a real socket, that answers the way a broken network or a hostile
proxy would: dripping a body a byte at a time, holding a connection and saying nothing,
answering pages that never move on, text that is not JSON, a token error that echoes secrets.

    with HostileServer(answer) as server:
        client = NetSuiteClient(account_id="1234567", base_url=server.url, ...)

`answer(request, sock)` writes whatever bytes it likes to the socket; `request` is the parsed
request line, headers and body. Each connection carries one request (`Connection: close`).
Every answer that waits gives up after `HOLD_S`, so a test of a missing bound fails, never hangs.
"""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import threading
import time
import typing as t
import urllib.parse

HOLD_S = 60.0  # the longest any answer holds a connection


class Request(t.NamedTuple):
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> t.Any:
        return json.loads(self.body or b"null")


Answer = t.Callable[[Request, socket.socket], None]


class HostileServer:
    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[Request] = []
        self.closing = threading.Event()
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                request = _read_request(self.request)
                if request is None:
                    return
                server.requests.append(request)
                with contextlib.suppress(OSError):
                    server.answer(request, self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler, bind_and_activate=True)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> t.Self:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.closing.set()
        self._server.shutdown()
        self._server.server_close()

    def silent(self, request: Request, sock: socket.socket) -> None:
        """An answer: accept the request and say nothing, until the server closes (or HOLD_S)."""
        self.closing.wait(HOLD_S)


def _read_request(sock: socket.socket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
        if not data[:1].isupper():  # not HTTP (a TLS handshake, say): refused as a plain HTTP server does
            sock.sendall(reply(400, "Bad Request"))
            return None
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    first = lines[0].split(" ")
    if len(first) != 3:  # not HTTP (a TLS handshake, say): nothing to answer
        return None
    method, target, _ = first
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    while len(body) < int(headers.get("content-length", 0)):
        body += sock.recv(65536)
    url = urllib.parse.urlsplit(target)
    return Request(method, url.path, dict(urllib.parse.parse_qsl(url.query)), headers, body)


def reply(status: int, body: bytes | str | dict | list, headers: dict[str, str] | None = None) -> bytes:
    """A whole HTTP/1.1 answer: JSON for a dict or list, else the bytes as they are."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    data = body.encode() if isinstance(body, str) else body
    fields = {"Content-Type": "application/json", "Content-Length": str(len(data)), "Connection": "close"}
    fields.update(headers or {})
    head = f"HTTP/1.1 {status} X\r\n" + "".join(f"{k}: {v}\r\n" for k, v in fields.items()) + "\r\n"
    return head.encode() + data


def answering(status: int, body: bytes | str | dict | list, headers: dict[str, str] | None = None) -> Answer:
    """The same answer to every request."""
    data = reply(status, body, headers)
    return lambda request, sock: sock.sendall(data)


def dripping(every_s: float = 0.2) -> Answer:
    """Headers promising a 10 KB body, then one byte every `every_s` (for at most HOLD_S)."""

    def answer(request: Request, sock: socket.socket) -> None:
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{")
        ends = time.monotonic() + HOLD_S
        while time.monotonic() < ends:
            time.sleep(every_s)
            sock.sendall(b" ")

    return answer
