"""Every setting is declared alike in the tap, meltano.yml and the Meltano Hub definition."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import yaml
from helpers import REPO

from tap_netsuite.tap import TapNetSuite

MELTANO = REPO / ".meltano-venv" / "bin" / "meltano"
SDK_BUILTIN_PREFIXES = ("stream_map", "faker_", "flattening_", "batch_")  # singer-sdk's own settings
KINDS = {"string": "string", "integer": "integer", "boolean": "boolean", "array": "array"}


def _tap_settings() -> dict[str, dict]:
    props = TapNetSuite.config_jsonschema["properties"]
    return {name: prop for name, prop in props.items() if not name.startswith(SDK_BUILTIN_PREFIXES)}


def _meltano_settings(path) -> dict[str, dict]:
    doc = yaml.safe_load(path.read_text())
    plugin = doc if "settings" in doc else doc["plugins"]["extractors"][0]
    return {s["name"]: s for s in plugin["settings"]}


def _json_kind(prop: dict) -> str:
    types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
    return next(t for t in types if t != "null")


def test_meltano_yml_and_hub_definition_agree_with_the_tap():
    tap = _tap_settings()
    for path in (REPO / "meltano.yml", REPO / "meltano-hub.yml"):
        declared = _meltano_settings(path)
        assert set(declared) == set(tap), path.name
        for name, prop in tap.items():
            setting = declared[name]
            assert bool(setting.get("sensitive")) == bool(prop.get("secret")), (path.name, name)
            if prop.get("format") == "date-time":
                assert setting["kind"] == "date_iso8601", (path.name, name)
            else:
                assert setting["kind"] == KINDS[_json_kind(prop)], (path.name, name)
            if "default" in prop:
                assert setting.get("value") == prop["default"], (path.name, name)


def test_secrets_are_the_credentials_and_the_key():
    secret = {name for name, prop in _tap_settings().items() if prop.get("secret")}
    assert secret == {"consumer_key", "consumer_secret", "token_id", "token_secret", "private_key"}


def test_meltano_add_from_the_hub_definition(tmp_path):
    """`meltano add --from-ref meltano-hub.yml` gives a project the extractor and its settings."""
    (tmp_path / "meltano.yml").write_text(
        "project_id: 0b0b0b0b-1111-2222-3333-444444444444\nsend_anonymous_usage_stats: false\n"
    )
    env = {**os.environ, "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false"}
    add = subprocess.run(
        [str(MELTANO), "add", "--no-install", "--from-ref", str(REPO / "meltano-hub.yml"), "extractor", "tap-netsuite"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert add.returncode == 0, add.stdout + add.stderr
    listed = subprocess.run(
        [str(MELTANO), "config", "list", "--all", "tap-netsuite"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert listed.returncode == 0, listed.stdout + listed.stderr
    for name in _tap_settings():
        assert name in listed.stdout, name


def test_readme_settings_table_is_the_about_output():
    about = subprocess.run(
        [sys.executable, "-m", "tap_netsuite.tap", "--about", "--format", "markdown"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout
    readme = (REPO / "README.md").read_text()
    rows = [
        line for line in about.splitlines() if line.startswith("| ") and line.split(" | ")[0][2:] in _tap_settings()
    ]
    assert len(rows) == len(_tap_settings())
    for row in rows:
        assert row in readme, row


def test_readme_lists_every_emulator_switch():
    help_text = subprocess.run(
        [sys.executable, "-m", "netsuite_emulator", "serve", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout
    flags = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]+", help_text)) - {"--help"}
    readme = (REPO / "README.md").read_text()
    missing = {
        flag
        for flag in flags
        if flag not in readme
        and flag.replace("--no-", "--[no-]") not in readme
        and flag.replace("--", "--[no-]", 1) not in readme
    }
    assert not missing
