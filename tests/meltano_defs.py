"""What the tap says about itself, and the plugin definitions that must agree with it."""

from __future__ import annotations

import functools
import json
import subprocess
import sys

import yaml
from helpers import REPO

HUB_FILE = REPO / "meltano-hub.yml"
MELTANO_YML = REPO / "meltano.yml"
MELTANO = REPO / ".meltano-venv" / "bin" / "meltano"
JSON_KINDS = {"string": "string", "integer": "integer", "boolean": "boolean", "array": "array", "object": "object"}


@functools.cache
def about_text(fmt: str) -> str:
    """`tap-netsuite --about --format FMT`, as the installed distribution reports it."""
    return subprocess.run(
        [sys.executable, "-m", "tap_netsuite.tap", "--about", "--format", fmt],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        timeout=120,
    ).stdout


def about() -> dict:
    return json.loads(about_text("json"))


def tap_settings() -> dict[str, dict]:
    """Every setting the tap accepts: its own and singer-sdk's."""
    return about()["settings"]["properties"]


def meltano_kind(prop: dict) -> str:
    """The Meltano setting kind of a JSON Schema property (`password` is the Hub's for secrets)."""
    if prop.get("format") == "date-time":
        return "date_iso8601"
    types = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
    return JSON_KINDS[next(t for t in types if t != "null")]


def hub_definition() -> dict:
    return yaml.safe_load(HUB_FILE.read_text())


def project_extractor() -> dict:
    doc = yaml.safe_load(MELTANO_YML.read_text())
    return next(p for p in doc["plugins"]["extractors"] if p["name"] == "tap-netsuite")
