"""The emulator's own bounds: its writer ends by time as well as by count, a stall is never
negative, and a switch (off by default) sends Retry-After on 429s so the tap's handling is tested."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from helpers import REPO, running_emulator

from tap_netsuite.client import NetSuiteClient

TBA_KEYS = ("consumer_key", "consumer_secret", "token_id", "token_secret")


def control(config: dict, path: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        config["base_url"] + "/_emulator/" + path, data=data, method="POST" if data else "GET"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as refused:
        return refused.code, json.load(refused)


@pytest.fixture(scope="module")
def own_emulator(tmp_path_factory):
    """An emulator of its own: these tests change its data and switches."""
    with running_emulator(tmp_path_factory.mktemp("hardening-emulator"), customers=5, invoices=50) as config:
        yield config


@pytest.mark.parametrize("stall_s", [-1, "soon", float("inf")], ids=["negative", "text", "infinite"])
def test_a_stall_that_is_not_a_number_of_seconds_is_refused(own_emulator, stall_s):
    body = {"kind": "stall", "next": 1, "stall_s": stall_s}
    status, answer = control(own_emulator, "faults", json.loads(json.dumps(body).replace("Infinity", "1e999")))
    assert status == 400
    assert "stall_s must be a number of seconds >= 0" in answer["error"]
    assert control(own_emulator, "faults")[1]["fault"] is None  # nothing armed


def test_a_negative_stall_at_start_is_refused():
    flags = [
        "--fault-kind",
        "stall",
        "--fault-next",
        "1",
        "--fault-stall-s",
        "-5",
        "--customers",
        "1",
        "--invoices",
        "1",
    ]
    result = subprocess.run(
        [sys.executable, "-m", "netsuite_emulator", "serve", "--port", "0", "--invoices", "1", *flags],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "stall_s must be a number of seconds >= 0" in result.stderr


def test_the_writer_ends_by_time_when_its_count_would_take_longer(own_emulator):
    rate, seconds = 100_000, 1  # a count no emulator makes in a second
    status, started = control(own_emulator, "writer", {"rate_per_second": rate, "seconds": seconds})
    assert status == 200 and started["running"]
    deadline = time.monotonic() + 60  # a bound on this test, not a timing it asserts
    while (state := control(own_emulator, "writer")[1])["running"]:
        assert time.monotonic() < deadline, "the writer is still running"
        time.sleep(0.2)
    changes = sum(len(state[kind]) for kind in ("inserted", "updated", "deleted"))
    assert 0 < changes < rate * seconds  # ended by time, not by count


def test_retry_after_is_off_by_default_then_sent_on_429s_when_switched_on(own_emulator, caplog):
    assert control(own_emulator, "config")[1]["retry_after_s"] is None
    assert control(own_emulator, "config", {"retry_after_s": -1})[0] == 400
    client = NetSuiteClient(
        account_id=own_emulator["account_id"],
        base_url=own_emulator["base_url"],
        backoff_max=0.5,
        **{key: own_emulator[key] for key in TBA_KEYS},
    )
    try:
        control(own_emulator, "faults", {"kind": "429", "next": 1})
        with caplog.at_level(logging.WARNING, logger="tap_netsuite.client"):
            client.query_page("SELECT id FROM customer")
        assert "Retry-After" not in caplog.text  # no header: the tap's own backoff
        caplog.clear()
        assert control(own_emulator, "config", {"retry_after_s": 3600})[1]["retry_after_s"] == 3600
        control(own_emulator, "faults", {"kind": "429", "next": 1})
        with caplog.at_level(logging.WARNING, logger="tap_netsuite.client"):
            page = client.query_page("SELECT id FROM customer")
        assert len(page["items"]) == 5  # answered after the capped wait
        assert "asked to wait 3600 s (Retry-After); waiting backoff_max, 0 s, instead" in caplog.text
    finally:
        client.close()
        control(own_emulator, "config", {"retry_after_s": None})
        control(own_emulator, "faults", {"clear": True})
