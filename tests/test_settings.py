"""Every setting is declared alike in the tap, meltano.yml and the Meltano Hub definition."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import yaml
from helpers import REPO
from meltano_defs import (
    HUB_FILE,
    MELTANO,
    MELTANO_YML,
    about_text,
    hub_definition,
    meltano_kind,
    project_extractor,
    tap_settings,
)


def test_meltano_yml_and_hub_definition_agree_with_the_tap():
    """Every setting the tap accepts, the SDK's included, is declared with its kind, default and
    sensitivity in both definitions, so `meltano config set` stores what the tap accepts."""
    tap = tap_settings()
    for path, plugin in ((MELTANO_YML, project_extractor()), (HUB_FILE, hub_definition())):
        declared = {s["name"]: s for s in plugin["settings"]}
        assert set(declared) == set(tap), (
            f"{path.name} lacks {sorted(set(tap) - set(declared))}, has extra {sorted(set(declared) - set(tap))}"
        )
        for name, prop in tap.items():
            setting = declared[name]
            secret = bool(prop.get("secret"))
            assert bool(setting.get("sensitive")) == secret, (path.name, name)
            kind = "password" if secret and path == HUB_FILE else meltano_kind(prop)
            assert setting["kind"] == kind, (path.name, name)
            assert setting.get("value") == prop.get("default"), (path.name, name)
            assert setting.get("label"), (path.name, name)


def test_secrets_are_the_credentials_and_the_key():
    secret = {name for name, prop in tap_settings().items() if prop.get("secret")}
    assert secret == {"consumer_key", "consumer_secret", "token_id", "token_secret", "client_id", "private_key"}


def test_meltano_add_from_the_hub_definition(tmp_path):
    """`meltano add --from-ref meltano-hub.yml` gives a project the extractor, no utility, and
    every setting."""
    (tmp_path / "meltano.yml").write_text(
        "project_id: 0b0b0b0b-1111-2222-3333-444444444444\nsend_anonymous_usage_stats: false\n"
    )
    env = {**os.environ, "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false"}

    def meltano(*args: str) -> str:
        done = subprocess.run(
            [str(MELTANO), *args], cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=300
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    added = meltano("add", "--no-install", "--plugin-type", "extractor", "--from-ref", str(HUB_FILE), "tap-netsuite")
    assert "Added extractor 'tap-netsuite'" in added
    plugins = yaml.safe_load((tmp_path / "meltano.yml").read_text())["plugins"]
    assert list(plugins) == ["extractors"]
    assert [p["name"] for p in plugins["extractors"]] == ["tap-netsuite"]
    listed = meltano("config", "list", "--all", "tap-netsuite")
    for name in tap_settings():
        assert re.search(rf"^{re.escape(name)}\b", listed, re.MULTILINE), name


def test_readme_settings_table_is_the_about_output():
    about = about_text("markdown")
    readme = (REPO / "README.md").read_text()
    rows = [line for line in about.splitlines() if line.startswith("| ") and not line.startswith("| Setting ")]
    names = {row.split(" | ")[0][2:].split(".")[0] for row in rows}
    assert names == set(tap_settings())
    missing = [row for row in rows if row not in readme]
    assert not missing, "README's settings table differs from `tap-netsuite --about --format markdown`"


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
