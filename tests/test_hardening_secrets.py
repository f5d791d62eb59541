"""No credential reaches stdout, stderr or state, at any log level, on any path.

Every path (sync, --discover, --test, a refusal) runs at DEBUG through each way of asking
for it (LOGLEVEL, TAP_NETSUITE_LOGLEVEL, `meltano --log-level=debug invoke`), for token-based
authentication and for OAuth 2.0, with a password inside base_url; the output is searched
for each secret's bytes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from helpers import REPO, running_emulator

from tap_netsuite.auth import TBA_SETTINGS

MELTANO = REPO / ".meltano-venv" / "bin" / "meltano"
URL_PASSWORD = "pw-in-the-url-5e3b"
DEBUG_ENVS = ({"LOGLEVEL": "DEBUG"}, {"TAP_NETSUITE_LOGLEVEL": "debug"})
JWT = re.compile(r"eyJ[\w-]{8,}\.[\w-]{8,}\.")
SIGNATURE = re.compile(r"oauth_signature|signature base string|Normalized params", re.IGNORECASE)


def with_url_password(config: dict) -> dict:
    return {**config, "base_url": config["base_url"].replace("://", f"://someone:{URL_PASSWORD}@")}


def run(tmp_path, config: dict, env: dict, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "config.json").write_text(json.dumps(config))
    cmd = [sys.executable, "-m", "tap_netsuite.tap", "--config", str(tmp_path / "config.json"), *args]
    return subprocess.run(
        cmd, capture_output=True, text=True, cwd=REPO, env={**os.environ, **env}, timeout=300, check=False
    )


def assert_nothing_secret(secrets: list[str], result: subprocess.CompletedProcess) -> None:
    text = result.stdout + result.stderr
    assert "debug" in result.stderr.lower()  # the level asked for is the level that ran
    for secret in [*secrets, URL_PASSWORD]:
        assert secret not in text, f"a secret ({secret[:4]}...) leaked"
    assert not JWT.search(text), "a client assertion leaked"
    assert "Bearer " not in text and "access_token" not in text
    assert not SIGNATURE.search(text), "the request signing was logged"


def paths(config: dict) -> list[tuple[str, dict, tuple[str, ...], int]]:
    """(name, config, arguments, exit code): a sync, discovery, the connection test, a refusal."""
    return [
        ("sync", config, (), 0),
        ("discover", config, ("--discover",), 0),
        ("test", config, ("--test",), 0),
        ("refused", {**config, **refused_change(config)}, (), 1),
        ("refused --test", {**config, **refused_change(config)}, ("--test",), 1),
    ]


def refused_change(config: dict) -> dict:
    return {"token_secret": "not-the-token-secret"} if "token_secret" in config else {"certificate_id": "not-the-cert"}


@pytest.mark.parametrize("env", DEBUG_ENVS, ids=["LOGLEVEL", "TAP_NETSUITE_LOGLEVEL"])
def test_token_based_credentials_never_shown(emulator, tmp_path, env):
    config = with_url_password(emulator)
    secrets = [emulator[name] for name in TBA_SETTINGS]
    for name, settings, args, code in paths(config):
        result = run(tmp_path, settings, env, *args)
        assert result.returncode == code, (name, result.stderr[-2000:])
        assert_nothing_secret(secrets, result)
    assert "not-the-token-secret" not in result.stdout + result.stderr


@pytest.fixture(scope="module")
def oauth2(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("oauth2-secrets")
    key = tmp / "key.pem"
    flags = ("--oauth2-generate-key", "rsa", str(key), "--config-out-auth", "oauth2")
    with running_emulator(tmp, *flags, customers=5, invoices=5) as config:
        # The key given inline, as a secret setting, rather than by its path.
        yield {k: v for k, v in config.items() if k not in (*TBA_SETTINGS, "private_key_path")} | {
            "private_key": key.read_text()
        }


def test_oauth2_credentials_never_shown(oauth2, tmp_path):
    config = with_url_password(oauth2)
    key_lines = [line for line in oauth2["private_key"].splitlines() if "-----" not in line]
    secrets = [oauth2["client_id"], *key_lines]
    for name, settings, args, code in paths(config):
        result = run(tmp_path, settings, DEBUG_ENVS[0], *args)
        assert result.returncode == code, (name, result.stderr[-2000:])
        assert_nothing_secret(secrets, result)


@pytest.mark.slow  # Meltano's start-up
def test_meltano_debug_invoke_shows_no_credential(emulator, tmp_path):
    env = {
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        "MELTANO_DATABASE_URI": f"sqlite:///{tmp_path}/meltano.db",
        **{f"TAP_NETSUITE_{key.upper()}": str(value) for key, value in with_url_password(emulator).items()},
    }
    result = subprocess.run(
        [str(MELTANO), "--log-level=debug", "invoke", "tap-netsuite"],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert '"type":"STATE"' in result.stdout
    assert_nothing_secret([emulator[name] for name in TBA_SETTINGS], result)
