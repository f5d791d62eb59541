"""tap-netsuite-webhook against the deliveries the scheduled script sends, over a real socket.

The golden deliveries (suitescripts/fixtures/change_notification_deliveries.json) are the exact
bytes and headers that Jest requires the SuiteScript to send; here the receiver must accept them.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import select
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from helpers import REPO
from test_readme_commands import the_block

from tap_netsuite.webhook import WebhookReceiver
from tap_netsuite.webhook_runner import DebouncedCommand
from tap_netsuite.webhook_signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from tap_netsuite.webhook_store import DeliveryStore

GOLDEN = json.loads((REPO / "suitescripts/fixtures/change_notification_deliveries.json").read_text())
SECRET = GOLDEN["secret"].encode()
CASES = GOLDEN["cases"]


def sent_at(case: dict) -> int:
    return int(case["delivery"]["headers"][TIMESTAMP_HEADER])


def post(url: str, body: bytes, headers: dict[str, str], method: str = "POST") -> tuple[int, dict]:
    """Send one request on a fresh connection; (status, JSON answer or {})."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request(method, "/netsuite/changes", body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
    finally:
        conn.close()
    return response.status, json.loads(payload) if payload else {}


def deliver(url: str, case: dict, body: str | None = None) -> int:
    delivery = case["delivery"]
    return post(url, (body if body is not None else delivery["body"]).encode(), delivery["headers"])[0]


@pytest.fixture
def store(tmp_path):
    opened = DeliveryStore(tmp_path / "deliveries.sqlite")
    yield opened
    opened.close()


@pytest.fixture
def start(store):
    """Start a receiver whose clock reads `now` (a time, or a function giving it); stopped after the test."""
    started = []

    def make(now: float | Callable[[], float], runner: DebouncedCommand | None = None) -> WebhookReceiver:
        clock = now if callable(now) else lambda: now
        receiver = WebhookReceiver(secret=SECRET, store=store, port=0, runner=runner, clock=clock)
        receiver.start()
        started.append(receiver)
        return receiver

    yield make
    for receiver in started:
        receiver.shutdown()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_a_golden_delivery_is_recorded_with_its_records(start, store, case):
    receiver = start(sent_at(case) + 3)
    assert deliver(receiver.url, case) == 204
    [recorded] = store.deliveries()
    assert recorded["body"] == case["delivery"]["body"]
    assert (recorded["account"], recorded["kind"], recorded["sent_at"]) == (
        case["account"],
        case["kind"],
        sent_at(case),
    )
    expected = [(recorded["id"], case["kind"], int(row["id"]), row["last_modified"]) for row in case["rows"]]
    assert store.changes() == expected


def test_a_tampered_delivery_is_refused_and_not_recorded(start, store):
    case = CASES[0]
    receiver = start(sent_at(case) + 3)
    tampered = case["delivery"]["body"].replace('"id":101', '"id":107')
    assert tampered != case["delivery"]["body"]
    assert deliver(receiver.url, case, body=tampered) == 401
    status, answer = post(
        receiver.url,
        case["delivery"]["body"].encode(),
        {**case["delivery"]["headers"], TIMESTAMP_HEADER: str(sent_at(case) + 1)},  # re-dated
    )
    assert status == 401
    assert "signature does not match" in answer["error"]
    assert store.deliveries() == []


def test_a_replayed_delivery_is_refused_and_recorded_once(start, store):
    case = CASES[1]
    receiver = start(sent_at(case) + 3)
    assert deliver(receiver.url, case) == 204
    assert deliver(receiver.url, case) == 409
    assert len(store.deliveries()) == 1


@pytest.mark.parametrize("offset", [301, -301], ids=["stale", "from the future"])
def test_a_delivery_outside_the_time_window_is_refused(start, store, offset):
    case = CASES[0]
    receiver = start(sent_at(case) + offset)
    status, answer = post(receiver.url, case["delivery"]["body"].encode(), case["delivery"]["headers"])
    assert status == 401
    assert "stale or replayed" in answer["error"]
    assert store.deliveries() == []


def wait_for(condition, what: str, timeout_s: float = 60.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"no {what} within {timeout_s:.0f} s")


def finished_runs(store: DeliveryStore) -> list[dict]:
    return [r for r in store.runs() if r["finished_at"] is not None]


def test_a_burst_of_deliveries_causes_one_debounced_run(start, store, tmp_path):
    ran = tmp_path / "runs.txt"
    command = [sys.executable, "-c", f"open({str(ran)!r}, 'a').write('ran\\n')"]
    runner = DebouncedCommand(store, command, quiet_s=0.5, timeout_s=60)
    now = [0.0]
    receiver = start(lambda: now[0], runner)
    for case in CASES:  # each arrives a second after the script sent it
        now[0] = sent_at(case) + 1
        assert deliver(receiver.url, case) == 204

    [run] = wait_for(lambda: finished_runs(store), "finished run")
    assert run["outcome"] == "succeeded"
    assert ran.read_text() == "ran\n"
    # The run covered the whole burst: nothing is left waiting, so no second run can follow.
    assert {d["run_id"] for d in store.deliveries()} == {run["id"]}
    assert store.pending() == []
    # A later delivery gets a run of its own.
    fresh = {**CASES[0]}
    body = fresh["delivery"]["body"].replace('"id":100', '"id":200').encode()
    stamp = str(int(now[0]))
    assert post(receiver.url, body, sign(body, stamp))[0] == 204
    wait_for(lambda: len(finished_runs(store)) == 2, "second run")
    assert ran.read_text() == "ran\nran\n"


def test_deliveries_are_answered_while_the_command_runs_and_get_the_next_run(start, store, tmp_path):
    release = tmp_path / "release"
    # The command holds its run until the test releases it (60 s at most).
    waits = f"import os, time; [time.sleep(0.05) for _ in range(1200) if not os.path.exists({str(release)!r})]"
    runner = DebouncedCommand(store, [sys.executable, "-c", waits], quiet_s=0.2, timeout_s=120)
    case = CASES[0]
    receiver = start(sent_at(case) + 1, runner)
    assert deliver(receiver.url, case) == 204
    wait_for(store.runs, "first run to start")
    body = case["delivery"]["body"].replace('"id":100', '"id":300').encode()
    assert post(receiver.url, body, sign(body, str(sent_at(case))))[0] == 204  # answered mid-run
    [first_run] = store.runs()
    assert first_run["finished_at"] is None
    release.touch()
    runs = wait_for(lambda: len(finished_runs(store)) == 2 and finished_runs(store), "second run")
    assert [r["outcome"] for r in runs] == ["succeeded", "succeeded"]
    assert [d["run_id"] for d in store.deliveries()] == [runs[0]["id"], runs[1]["id"]]


def test_deliveries_left_waiting_get_their_run_when_the_runner_starts(store, tmp_path):
    store.record(signature="sha256=" + "0" * 64, sent_at=1, account="1", kind="invoice", body="{}", records=[(7, "x")])
    ran = tmp_path / "ran.txt"
    runner = DebouncedCommand(store, [sys.executable, "-c", f"open({str(ran)!r}, 'w').write('ran')"], quiet_s=0.1)
    runner.start()
    try:
        [run] = wait_for(lambda: finished_runs(store), "run")
    finally:
        runner.stop()
    assert run["outcome"] == "succeeded"
    assert ran.read_text() == "ran"
    assert store.pending() == []


def sign(body: bytes, stamp: str, content_type: str = "application/json") -> dict[str, str]:
    """Headers as the script builds them (the scheme the golden cases pin), for a new body."""
    return {"Content-Type": content_type, TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: signature(SECRET, stamp, body)}


# -- the console script, as an operator runs it ---------------------------------------------------


@contextlib.contextmanager
def running(argv: list[str], env: dict[str, str], cwd: Path) -> Iterator[str]:
    """The receiver started as a process; its URL once it listens. SIGTERM at the end must stop it
    cleanly, without a traceback and without the secret in its log."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 60)  # it writes a line once listening, or exits
        line = proc.stdout.readline() if ready else ""
        assert "listening on" in line, proc.stderr.read()
        yield line.split("listening on ")[1].split(",")[0]
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
        assert proc.returncode == 0
        assert env["TAP_NETSUITE_WEBHOOK_SECRET"] not in stderr
        assert "Traceback" not in stderr


@pytest.fixture
def console(tmp_path):
    """`tap-netsuite-webhook` started as a process on a free port; (url, db path)."""
    db = tmp_path / "deliveries.sqlite"
    env = {**os.environ, "TAP_NETSUITE_WEBHOOK_SECRET": GOLDEN["secret"]}
    argv = [sys.executable, "-m", "tap_netsuite.webhook", "--port", "0", "--db", str(db), "--max-body", "4096"]
    with running(argv, env, tmp_path) as url:
        yield url, db


def readme_command() -> tuple[dict[str, str], list[str]]:
    """The README's tap-netsuite-webhook block: what it exports, and the command (continuations joined)."""
    exported, command = {}, []
    for line in the_block("webhook receiver").replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        if words[:1] == ["export"]:
            name, _, value = words[1].partition("=")
            exported[name] = value
        elif words:
            command = words
    return exported, command


def test_the_readme_command_runs_as_typed(tmp_path):
    exported, command = readme_command()
    assert exported == {"TAP_NETSUITE_WEBHOOK_SECRET": "..."}
    assert command[0] == ".venv/bin/tap-netsuite-webhook"
    # The test's own values: its secret, a free port, the repository's .venv; the rest as typed.
    argv = [str(REPO / command[0]), *command[1:]]
    argv[argv.index("--port") + 1] = "0"
    env = {**os.environ, "TAP_NETSUITE_WEBHOOK_SECRET": GOLDEN["secret"]}
    with running(argv, env, tmp_path) as url:
        body = CASES[0]["delivery"]["body"].encode()
        assert post(url, body, sign(body, str(int(time.time()))))[0] == 204
        assert recorded(tmp_path / command[command.index("--db") + 1]) == 1


def recorded(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0]


def test_the_console_script_records_a_fresh_signed_delivery(console):
    url, db = console
    body = CASES[0]["delivery"]["body"].encode()
    assert post(url, body, sign(body, str(int(time.time()))))[0] == 204
    assert recorded(db) == 1


@pytest.mark.parametrize(
    ("name", "status", "body", "headers"),
    [
        ("unsigned", 401, b'{"account":"1","kind":"invoice","records":[]}', {"Content-Type": "application/json"}),
        ("oversized", 413, b"{" + b" " * 5000 + b"}", None),
        ("wrong content type", 415, b'{"account":"1","kind":"invoice","records":[]}', "text/plain"),
        ("signed but not the script's shape", 400, b'{"records": "all"}', None),
        ("not JSON", 400, b"account=1", None),
    ],
)
def test_bad_input_gets_a_4xx_and_is_not_recorded(console, name, status, body, headers):
    url, db = console
    if headers is None or isinstance(headers, str):
        headers = sign(body, str(int(time.time())), content_type=headers or "application/json")
    answer_status, answer = post(url, body, headers)
    assert answer_status == status, answer
    assert answer["error"]
    assert recorded(db) == 0


def test_other_methods_are_refused(console):
    url, db = console
    assert post(url, b"", {}, method="GET")[0] == 405
    assert recorded(db) == 0


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        ([], {}, "TAP_NETSUITE_WEBHOOK_SECRET is not set"),
        (["--db", "/nonexistent-dir/x/deliveries.sqlite"], {"TAP_NETSUITE_WEBHOOK_SECRET": "k"}, "--db"),
        (["--quiet", "0"], {"TAP_NETSUITE_WEBHOOK_SECRET": "k"}, "--quiet must be greater than 0"),
    ],
)
def test_bad_settings_end_with_one_line_and_no_traceback(tmp_path, args, env, named):
    clean = {k: v for k, v in os.environ.items() if k != "TAP_NETSUITE_WEBHOOK_SECRET"}
    result = subprocess.run(
        [sys.executable, "-m", "tap_netsuite.webhook", "--port", "0", *args],
        capture_output=True,
        text=True,
        env={**clean, **env},
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert named in result.stderr
    assert "Traceback" not in result.stderr
