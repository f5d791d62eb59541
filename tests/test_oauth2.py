"""OAuth 2.0 client credentials against the emulator's token endpoint, over a socket."""

from __future__ import annotations

import json
import time

import pytest
from helpers import assert_no_secret, control, messages, metrics, run_tap, running_emulator

from tap_netsuite.auth import TBA_SETTINGS
from tap_netsuite.client import NetSuiteClient
from tap_netsuite.errors import NetSuiteAuthError
from tap_netsuite.tap import default_catalog


def oauth2_only(config: dict) -> dict:
    return {k: v for k, v in config.items() if k not in TBA_SETTINGS}


@pytest.fixture(scope="module", params=["rsa", "ec"])
def m2m(request, tmp_path_factory):
    """An emulator that accepts assertions signed by a fresh key; tokens live 3 s."""
    tmp = tmp_path_factory.mktemp(f"oauth2-{request.param}")
    with running_emulator(
        tmp,
        "--oauth2-generate-key",
        request.param,
        str(tmp / "key.pem"),
        "--config-out-auth",
        "oauth2",
        "--token-lifetime-s",
        "3",
        "--latency-base-ms",
        "30",
        customers=40,
        invoices=600,
    ) as config:
        yield oauth2_only(config), tmp


def test_a_full_sync_under_oauth2_outlives_its_tokens(m2m, tmp_path):
    config, _ = m2m
    metrics(config, reset=True)
    # With a catalog, as Meltano runs it: discovery's probes of absent columns are refused (400) by design.
    (tmp_path / "catalog.json").write_text(json.dumps(default_catalog()))
    result = run_tap(
        tmp_path, {**config, "page_size": 10, "max_concurrency": 2}, "--catalog", str(tmp_path / "catalog.json")
    )
    assert result.returncode == 0, result.stderr[-3000:]
    invoices = [m["record"]["id"] for m in messages(result.stdout, "RECORD", "invoice")]
    assert len(invoices) == len(set(invoices)) == 600
    seen = metrics(config)
    assert seen["token_requests"] >= 2  # the sync ran longer than one token's life
    assert sum(seen["requests"].get("suiteql", {}).values()) == seen["requests"]["suiteql"].get("200", 0)
    key = (m2m[1] / "key.pem").read_text()
    assert key.splitlines()[1] not in result.stdout + result.stderr
    assert "Bearer" not in result.stderr


def test_a_token_refused_mid_sync_is_renewed_once(m2m):
    config, _ = m2m
    client = NetSuiteClient(
        **{k: config[k] for k in ("account_id", "base_url", "client_id", "certificate_id", "private_key_path")}
    )
    frozen = time.time()
    client.auth._clock = lambda: frozen  # the tap believes its token is fresh; the emulator knows better
    try:
        metrics(config, reset=True)
        assert client.query_page("SELECT id FROM customer", limit=1)["count"] == 1
        assert control(config, "POST", "/_emulator/oauth2/expire-tokens")["expired"] >= 1
        assert client.query_page("SELECT id FROM customer", limit=1)["count"] == 1
        assert metrics(config)["token_requests"] == 2
    finally:
        client.close()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("certificate_id", "certificate_id is the id NetSuite gave the certificate"),
        ("private_key_path", "private_key is the key of the certificate uploaded"),
    ],
)
def test_wrong_certificate_or_key_stops_with_what_to_check(m2m, tmp_path, change, expected):
    config, _ = m2m
    bad = dict(config)
    if change == "certificate_id":
        bad["certificate_id"] = "not-the-certificate"
    else:
        other = tmp_path / "other.pem"
        with running_emulator(tmp_path, "--oauth2-generate-key", "rsa", str(other), customers=1, invoices=1):
            pass  # the emulator writes the key as it starts
        bad["private_key_path"] = str(other)
    result = run_tap(tmp_path, bad)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "refused the OAuth 2.0 client credentials" in result.stderr
    assert expected in result.stderr
    assert messages(result.stdout, "RECORD") == []


def test_an_expired_assertion_is_refused_with_netsuites_reason(m2m):
    config, _ = m2m
    client = NetSuiteClient(
        **{k: config[k] for k in ("account_id", "base_url", "client_id", "certificate_id", "private_key_path")}
    )
    client.auth._clock = lambda: time.time() - 7200  # signed two hours ago, so long expired
    try:
        with pytest.raises(
            NetSuiteAuthError, match=r"(?s)HTTP 400 invalid_grant: The client assertion has expired.*clock is right"
        ):
            client.query_page("SELECT id FROM customer", limit=1)
    finally:
        client.close()


def test_both_methods_configured_is_refused_before_any_request(m2m, tmp_path):
    config, _ = m2m
    result = run_tap(
        tmp_path, {**config, "consumer_key": "a", "consumer_secret": "b", "token_id": "c", "token_secret": "d"}
    )
    assert result.returncode == 1
    assert "Settings for two authentication methods are present" in result.stderr
    assert "Traceback" not in result.stderr
    assert_no_secret(
        {"consumer_key": "a-x", "consumer_secret": "b-x", "token_id": "c-x", "token_secret": "d-x"}, result.stderr
    )
