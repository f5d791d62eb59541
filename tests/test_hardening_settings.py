"""Bad settings and state end the run in one line naming the problem and its fix: exit 1, no traceback,
no request sent (the emulator counts them)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
from helpers import REPO

INVOICE = "invoice"


def run(tmp_path, config: dict, *args: str, state_text: str | None = None) -> subprocess.CompletedProcess:
    (tmp_path / "config.json").write_text(json.dumps(config))
    cmd = [sys.executable, "-m", "tap_netsuite.tap", "--config", str(tmp_path / "config.json"), *args]
    if state_text is not None:
        (tmp_path / "state.json").write_text(state_text)
        cmd += ["--state", str(tmp_path / "state.json")]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=120, check=False)


def errors(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if "| ERROR " in line]


def bookmark(value: object) -> str:
    return json.dumps({"bookmarks": {INVOICE: {"replication_key": "lastmodifieddate", "replication_key_value": value}}})


@pytest.mark.parametrize(
    ("change", "state_text", "expected"),
    [
        ({"start_date": "yesterday"}, None, "start_date 'yesterday' is not a date-time"),
        ({"start_date": "2020-13-45"}, None, "start_date '2020-13-45' is not a date-time"),
        ({"start_date": "0001-01-01"}, None, "start_date '0001-01-01' is not a date-time from 1970 on"),
        ({"lookback_minutes": 10**12}, None, "lookback_minutes 1000000000000 is out of range"),
        ({}, "not json", "is not JSON (Expecting value at line 1 column 1"),
        ({}, "[1, 2]", "is not a Singer state"),
        ({}, bookmark("garbage"), "bookmark for stream 'invoice' is 'garbage', not a date-time"),
        ({}, bookmark(12), "bookmark for stream 'invoice' is 12, not a date-time"),
        ({"base_url": "ftp://example.com"}, None, "base_url 'ftp://example.com' is not an http(s) URL"),
        ({"base_url": "localhost:8080"}, None, "base_url 'localhost:8080' is not an http(s) URL"),
        ({"base_url": "not a url"}, None, "base_url 'not a url' is not an http(s) URL"),
    ],
)
def test_a_bad_setting_or_state_is_one_line_and_exit_1(emulator, tmp_path, change, state_text, expected):
    result = run(tmp_path, {**emulator, **change}, state_text=state_text)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    [line] = errors(result)
    assert expected in line
    assert result.stdout == ""  # stopped before the first message, let alone a request


def test_a_zone_that_disagrees_names_both_offsets_as_people_write_them(emulator, tmp_path):
    result = run(tmp_path, {**emulator, "account_timezone": "Asia/Tokyo"})
    assert result.returncode == 1
    [line] = errors(result)
    assert "is UTC offset +09:00" in line and "which is offset -08:00" in line  # the emulator's zone is LA


def test_a_password_in_base_url_is_dropped_and_never_shown(emulator, tmp_path):
    base = emulator["base_url"].replace("http://", "http://someone:hunter2-secret@")
    synced = run(tmp_path, {**emulator, "base_url": base})
    assert synced.returncode == 0, synced.stderr[-3000:]
    assert '"type":"RECORD"' in synced.stdout
    refused = run(tmp_path, {**emulator, "base_url": base, "token_secret": "wrong"})
    assert refused.returncode == 1 and "HTTP 401" in refused.stderr
    tested = run(tmp_path, {**emulator, "base_url": base}, "--test")
    assert tested.returncode == 0 and "REST host" in tested.stdout
    for result in (synced, refused, tested):
        assert "hunter2-secret" not in result.stdout + result.stderr


def test_test_against_a_port_nobody_listens_on_names_the_refusal_without_retrying(emulator, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run(tmp_path, {**emulator, "base_url": f"http://127.0.0.1:{port}"}, "--test")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"Could not connect to http://127.0.0.1:{port}" in result.stderr
    assert "(connection refused)" in result.stderr
    assert "retry" not in result.stderr  # not 21 attempts with backoff


def test_https_against_the_plain_http_emulator_is_named_a_tls_failure(emulator, tmp_path):
    result = run(tmp_path, {**emulator, "base_url": emulator["base_url"].replace("http://", "https://")})
    assert result.returncode == 1
    [line] = errors(result)
    assert "The TLS (SSL) handshake with https://127.0.0.1" in line and "use http://" in line
    assert "retry" not in result.stderr
