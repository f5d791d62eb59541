"""Plain functions the tests share (fixtures stay in conftest.py).

Starting and stopping an emulator, running the tap as a user runs it, talking to the
emulator's SuiteQL and control endpoints, and reading what the tap wrote.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import typing as t
import urllib.request
from pathlib import Path

import requests
from oauthlib import oauth1

from tap_netsuite.client import NetSuiteClient

REPO = Path(__file__).resolve().parent.parent

# The data set every integration test reads. Big enough for several pages at
# the tests' page size, small enough to load in seconds.
EMULATOR_ARGS = {"customers": 120, "invoices": 2500, "seed": 7}


def start_emulator(tmp: Path, *extra: str, **sizes: int) -> tuple[subprocess.Popen, dict]:
    """Start `netsuite-emulator serve` on a free port; return the process and its tap config."""
    args = {**EMULATOR_ARGS, **sizes}
    config_out = tmp / "emulator-config.json"
    config_out.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "netsuite_emulator",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--customers",
        str(args["customers"]),
        "--invoices",
        str(args["invoices"]),
        "--seed",
        str(args["seed"]),
        "--config-out",
        str(config_out),
        *extra,
    ]
    with (tmp / "emulator.log").open("wb") as log:  # the child keeps its own copy of the handle
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    deadline = time.monotonic() + 120
    while not config_out.exists() or not config_out.read_text().strip().endswith("}"):
        if proc.poll() is not None:
            raise RuntimeError(f"emulator exited: {(tmp / 'emulator.log').read_text()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("emulator did not write its config within 120 s")
        time.sleep(0.05)
    return proc, json.loads(config_out.read_text())


def stop_emulator(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


SECRET_KEYS = ("consumer_key", "consumer_secret", "token_id", "token_secret")


def run_tap(tmp_path, config: dict, *args: str, state: dict | None = None) -> subprocess.CompletedProcess:
    (tmp_path / "config.json").write_text(json.dumps(config))
    cmd = [sys.executable, "-m", "tap_netsuite.tap", "--config", str(tmp_path / "config.json"), *args]
    if state is not None:
        (tmp_path / "state.json").write_text(json.dumps(state))
        cmd += ["--state", str(tmp_path / "state.json")]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=300, check=False)


def messages(output: str, kind: str, stream: str | None = None) -> list[dict]:
    found = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return [m for m in found if m["type"] == kind and (stream is None or m.get("stream") == stream)]


def assert_no_secret(config: dict, *texts: str) -> None:
    for key in SECRET_KEYS:
        for text in texts:
            assert config[key] not in text, f"{key} leaked"


SUITEQL = "/services/rest/query/v1/suiteql"


TS = "YYYY-MM-DD HH24:MI:SS"


PREFIX = "Invalid search query. Detailed unprocessed description follows. "


def bad_request_body(detail: str, param: str | None = "q") -> str:
    entry = {"detail": detail, "o:errorCode": "INVALID_PARAMETER"}
    if param:
        entry["o:errorQueryParam"] = param
    body = {
        "type": "https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1",
        "title": "Bad Request",
        "status": 400,
        "o:errorDetails": [entry],
    }
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).replace("/", "\\/")


def post(config: dict, q: str, limit: int | None = None, offset: int | None = None, **sign: str) -> requests.Response:
    """A SuiteQL request signed by oauthlib; `sign` overrides secrets, realm, nonce, timestamp."""
    params = [(k, v) for k, v in (("limit", limit), ("offset", offset)) if v is not None]
    url = config["base_url"] + SUITEQL
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params)
    client = oauth1.Client(
        config["consumer_key"],
        client_secret=sign.get("consumer_secret", config["consumer_secret"]),
        resource_owner_key=config["token_id"],
        resource_owner_secret=config["token_secret"],
        signature_method=oauth1.SIGNATURE_HMAC_SHA256,
        realm=sign.get("realm", config["account_id"]),
        nonce=sign.get("nonce"),
        timestamp=sign.get("timestamp"),
    )
    uri, headers, _ = client.sign(url, http_method="POST", headers={"Content-Type": "application/json"})
    headers["Prefer"] = "transient"
    with requests.post(uri, headers=headers, data=json.dumps({"q": q}), timeout=60) as resp:
        resp.content  # noqa: B018 - read the body before the connection is released
        return resp


def items(config: dict, q: str, **kw) -> list[dict]:
    resp = post(config, q, **kw)
    assert resp.status_code == 200, resp.text
    return resp.json()["items"]


def control(config: dict, method: str, path: str, body: dict | None = None):
    with requests.request(method, config["base_url"] + path, json=body, timeout=60) as resp:
        assert resp.status_code == 200, resp.text
        return resp.json()


def rows(config: dict, table: str) -> list[dict]:
    return control(config, "GET", f"/_emulator/rows/{table}")


def metrics(config: dict, reset: bool = False) -> dict:
    path = "/_emulator/metrics/reset" if reset else "/_emulator/metrics"
    request = urllib.request.Request(
        config["base_url"] + path,
        method="POST" if reset else "GET",
        data=b"{}" if reset else None,
    )
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


@contextlib.contextmanager
def running_emulator(tmp: Path, *extra: str, **sizes: int) -> t.Iterator[dict]:
    """An emulator started for the `with` block (see `start_emulator`), stopped however it ends."""
    proc, config = start_emulator(tmp, *extra, **sizes)
    try:
        yield config
    finally:
        stop_emulator(proc)


@contextlib.contextmanager
def emulator_client(config: dict, **settings: t.Any) -> t.Iterator[NetSuiteClient]:
    """A NetSuiteClient for the emulator of `config` (token-based auth), closed after the block."""
    client = NetSuiteClient(**{k: config[k] for k in ("account_id", "base_url", *SECRET_KEYS)}, **settings)
    try:
        yield client
    finally:
        client.close()


def rows_of(pages: t.Iterable[list]) -> list:
    """Every row of a page-at-a-time read (`paging.read_pages`, `KeysetReader.pages`), in order."""
    return [row for page in pages for row in page]
