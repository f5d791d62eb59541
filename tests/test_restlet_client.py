"""NetSuiteClient.call_restlet against the emulator's echo RESTlet: signing, errors, retries."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tap_netsuite.client import NetSuiteClient
from tap_netsuite.errors import NetSuiteRestletError, NetSuiteUnavailableError

ECHO = "customscript_tapns_echo"


@pytest.fixture
def client(emulator):
    made = NetSuiteClient(
        backoff_base=0.01,
        **{
            k: emulator[k]
            for k in ("account_id", "base_url", "consumer_key", "consumer_secret", "token_id", "token_secret")
        },
    )
    yield made
    made.close()
    fault(emulator, {"clear": True})


def fault(config: dict, plan: dict) -> None:
    request = urllib.request.Request(
        config["base_url"] + "/_emulator/faults",
        method="POST",
        data=json.dumps(plan).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request):
        pass


def test_every_parameter_reaches_the_script_signed(client):
    answer = client.call_restlet(
        ECHO, "customdeploy_tapns_echo", {"customer_id": 17, "as_of": "2026-11-24", "note": "a b/c&d"}
    )
    assert answer["method"] == "GET"
    assert answer["params"]["customer_id"] == "17"
    assert answer["params"]["note"] == "a b/c&d"


def test_a_script_error_becomes_a_clear_exception(client):
    with pytest.raises(NetSuiteRestletError) as caught:
        client.call_restlet(ECHO, 1, {"fail": "on purpose"})
    assert caught.value.code == "SSS_MISSING_REQD_ARGUMENT"
    assert "on purpose" in str(caught.value)


def test_a_get_is_retried_after_a_dropped_connection(client, emulator):
    fault(emulator, {"kind": "drop", "next": 1, "route": "restlet"})
    assert client.call_restlet(ECHO, 1, {"x": "1"})["params"]["x"] == "1"


def test_a_post_is_not_sent_twice_after_a_dropped_connection(client, emulator):
    fault(emulator, {"kind": "drop", "next": 1, "route": "restlet"})
    with pytest.raises(NetSuiteUnavailableError, match="is not retried: it may have run already"):
        client.call_restlet(ECHO, 1, method="POST", body={"title": "t"})
    assert client.call_restlet(ECHO, 1, method="POST", body={"title": "t"})["body"] == {"title": "t"}
