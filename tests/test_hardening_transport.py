"""Every wait is bounded and every failure is named, against a hostile server on a real socket."""

from __future__ import annotations

import logging
import socket
import threading

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hostile_server import HostileServer, answering, dripping, reply

from tap_netsuite.auth import TOKEN_PATH
from tap_netsuite.client import NetSuiteClient
from tap_netsuite.errors import NetSuiteAuthError, NetSuiteUnavailableError

TBA = {"consumer_key": "ck", "consumer_secret": "cs", "token_id": "ti", "token_secret": "ts"}


@pytest.fixture
def client_for():
    """A client of the server at a URL: one retry, short backoff; closed after the test."""
    made: list[NetSuiteClient] = []

    def make(url: str, **options: object) -> NetSuiteClient:
        settings = {"max_retries": 1, "backoff_base": 0.01, "backoff_max": 0.05, **TBA, **options}
        made.append(NetSuiteClient(account_id="1234567", base_url=url, **settings))
        return made[-1]

    yield make
    for client in made:
        client.close()


def finishes(fn: object, within: float = 60.0) -> BaseException | None:
    """Run `fn` in a thread; the exception it raised. Fails the test if it is still running after
    `within` seconds (a wait that is not bounded), rather than hanging the suite."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            fn()  # type: ignore[operator]
            outcome.append(None)
        except BaseException as exc:  # handed to the test
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(within)
    assert not thread.is_alive(), "the request is still waiting"
    return outcome[0]


def test_a_body_that_drips_is_cut_at_request_timeout_and_retried(client_for):
    with HostileServer(dripping(every_s=0.1)) as server:
        client = client_for(server.url, request_timeout=1)
        error = finishes(lambda: client.query_page("SELECT id FROM customer"))
    assert isinstance(error, NetSuiteUnavailableError)
    assert "no whole answer within request_timeout (1 s)" in str(error)
    assert "the attempts and the waits between them took" in str(error)
    assert len(server.requests) == 2  # cut, retried once, cut again


def test_a_server_that_says_nothing_is_left_at_request_timeout(client_for):
    with HostileServer(lambda request, sock: None) as server:
        server.answer = server.silent
        client = client_for(server.url, request_timeout=1)
        error = finishes(lambda: client.query_page("SELECT id FROM customer"))
    assert isinstance(error, NetSuiteUnavailableError)
    assert "ReadTimeout" in str(error)
    assert len(server.requests) == 2


def test_retry_after_is_capped_at_backoff_max_and_the_cap_is_logged(client_for, caplog):
    pool_full = {"o:errorDetails": [{"detail": "pool full", "o:errorCode": "CONCURRENCY_LIMIT_EXCEEDED"}]}
    with HostileServer(answering(429, pool_full, {"Retry-After": "999999"})) as server:
        client = client_for(server.url, backoff_max=0.2)
        with caplog.at_level(logging.WARNING, logger="tap_netsuite.client"):
            error = finishes(lambda: client.query_page("SELECT id FROM customer"))
    assert isinstance(error, NetSuiteUnavailableError)
    assert "HTTP 429 CONCURRENCY_LIMIT_EXCEEDED" in str(error) and "lower max_concurrency" in str(error)
    assert "asked to wait 999999 s (Retry-After); waiting backoff_max, 0 s, instead" in caplog.text
    assert len(server.requests) == 2


def test_a_body_that_is_not_json_is_named_with_its_first_bytes(client_for):
    with HostileServer(answering(200, "<html><body>Sign in to the proxy</body></html>")) as server:
        error = finishes(lambda: client_for(server.url).query_page("SELECT id FROM customer"))
    assert isinstance(error, NetSuiteUnavailableError)
    assert "not JSON (46 bytes; first 200 bytes: <html><body>Sign in to the proxy" in str(error)
    assert "ValueError" not in str(error)


def test_https_against_a_plain_http_server_is_named_a_tls_failure_and_not_retried(client_for):
    with HostileServer(answering(200, {"items": []})) as server:
        url = server.url.replace("http://", "https://")
        error = finishes(lambda: client_for(url, max_retries=6).query_page("SELECT id FROM customer"))
    assert isinstance(error, NetSuiteUnavailableError)
    assert "The TLS (SSL) handshake with https://127.0.0.1" in str(error)
    assert "WRONG_VERSION_NUMBER" in str(error) and "use http://" in str(error)


def test_a_refused_connection_fails_at_once_naming_the_fix(client_for, caplog):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with caplog.at_level(logging.WARNING, logger="tap_netsuite.client"):
        error = finishes(lambda: client_for(f"http://127.0.0.1:{port}", max_retries=20).query_page("SELECT 1"))
    assert isinstance(error, NetSuiteUnavailableError)
    assert f"Could not connect to http://127.0.0.1:{port}/services/rest/query/v1/suiteql (connection refused)" in str(
        error
    )
    assert "Check base_url" in str(error)
    assert "retry" not in caplog.text  # not 21 attempts


@pytest.fixture(scope="module")
def pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def test_a_token_error_that_echoes_the_assertion_is_not_repeated(pem):
    def echo(request, sock):
        form = request.body.decode()
        assertion = form.split("client_assertion=")[1].split("&")[0]
        text = f"assertion {assertion} for client-id-7f3a9c1e was refused\x1b[2J" + "A" * 5000
        sock.sendall(reply(400, {"error": "invalid_client", "error_description": text}))

    with HostileServer(echo) as server:
        client = NetSuiteClient(
            account_id="1234567",
            base_url=server.url,
            client_id="client-id-7f3a9c1e",
            certificate_id="cert-1",
            private_key=pem,
        )
        error = finishes(lambda: client.query_page("SELECT id FROM customer"))
        client.close()
    assert isinstance(error, NetSuiteAuthError)
    message = str(error)
    assert f"at {server.url}{TOKEN_PATH}" in message  # the token URL, not the SuiteQL one
    assert "client-id-7f3a9c1e" not in message and "eyJ" not in message and "\x1b" not in message
    assert "AAAA" * 60 not in message  # quoted short
    assert "client_id ...9c1e" in message


def test_a_token_answer_without_a_token_is_one_line_naming_the_token_url(pem):
    with HostileServer(answering(200, "<html>captive portal</html>")) as server:
        client = NetSuiteClient(
            account_id="1234567", base_url=server.url, client_id="client-1", certificate_id="c", private_key=pem
        )
        error = finishes(lambda: client.query_page("SELECT id FROM customer"))
        client.close()
    assert isinstance(error, NetSuiteAuthError)
    assert f"token endpoint {server.url}{TOKEN_PATH} answered HTTP 200 without a JSON access_token" in str(error)


def test_the_environments_proxy_is_used_and_no_proxy_honoured(client_for, monkeypatch):
    """The client reads HTTP(S)_PROXY and NO_PROXY once per host (not on every request, as
    requests does by default): a request to NetSuite still goes through the proxy the
    environment names, and straight to a host NO_PROXY lists."""
    page = {"items": [{"now": "2026-01-01 00:00:00"}], "hasMore": False, "count": 1, "offset": 0, "totalResults": 1}
    with HostileServer(answering(200, page)) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        client = client_for("http://netsuite.invalid")
        for _ in range(2):
            assert client.query_page("SELECT 1 AS now FROM DUAL")["items"] == [{"now": "2026-01-01 00:00:00"}]
        # The proxy is asked for the host behind it.
        assert [(r.path, r.headers.get("host")) for r in proxy.requests] == [
            ("/services/rest/query/v1/suiteql", "netsuite.invalid")
        ] * 2

        monkeypatch.setenv("NO_PROXY", "netsuite.invalid")
        direct = client_for("http://netsuite.invalid")
        error = finishes(lambda: direct.query_page("SELECT 1 AS now FROM DUAL"))
        assert isinstance(error, NetSuiteUnavailableError), error
        assert "does not resolve" in str(error)
        assert len(proxy.requests) == 2  # NO_PROXY: not through the proxy
