"""meltano-hub.yml passes what Meltano Hub checks a definition against before it accepts it: its
yamllint profile (keys in alphabetical order at every level among the rest) and the rules of its
JSON Schema for extractors, here one test per rule. Whether every setting agrees with the tap
is tests/test_settings.py's."""

from __future__ import annotations

import re
from importlib import metadata

import yaml
from meltano_defs import HUB_FILE, about, hub_definition, project_extractor, tap_settings
from yamllint import linter
from yamllint.config import YamlLintConfig

# Meltano Hub's yamllint profile (its .yamllint.yaml).
HUB_YAMLLINT = """
extends: default
rules:
  braces: {forbid: non-empty}
  document-start: {present: false}
  indentation: {indent-sequences: false, spaces: 2}
  key-ordering: enable
  line-length: disable
  truthy: disable
"""
# The keys Hub's extractor schema allows (it forbids any other), and those it requires.
ALLOWED = {
    "capabilities", "commands", "definition", "description", "docs", "domain_url", "executable", "hidden",
    "keywords", "label", "log_parser", "logo_url", "maintenance_status", "metadata", "name", "namespace",
    "next_steps", "pip_url", "prereq", "python", "quality", "repo", "requires", "schema", "select", "settings",
    "settings_group_validation", "settings_preamble", "supported_python_versions", "usage", "variant",
}  # fmt: skip
REQUIRED_BY_HUB = {"name", "namespace", "variant", "label", "quality"}
# What a user needs on the Hub page, which the schema leaves optional.
REQUIRED_HERE = {"description", "docs", "domain_url", "executable", "keywords", "logo_url", "maintenance_status",
                 "pip_url", "repo", "capabilities", "settings", "supported_python_versions"}  # fmt: skip
SETTING_KEYS = {
    "aliases", "description", "docs", "documentation", "env", "hidden", "kind", "label", "name", "oauth", "options",
    "placeholder", "protected", "sensitive", "tooltip", "value", "value_post_processor", "value_processor",
}  # fmt: skip
KINDS = {"oauth", "hidden", "password", "date_iso8601", "file", "email", "integer", "options", "object", "array",
         "boolean", "string", "decimal"}  # fmt: skip
CAPABILITIES = {"properties", "catalog", "discover", "state", "about", "stream-maps", "schema-flattening",
                "activate-version", "batch", "test", "log-based", "structured-logging"}  # fmt: skip
QUALITY = {"gold", "silver", "bronze", "unknown"}
MAINTENANCE = {"active", "beta", "development", "inactive", "unknown"}


def test_hubs_yamllint_profile_passes():
    problems = list(linter.run(HUB_FILE.read_text(), YamlLintConfig(HUB_YAMLLINT)))
    assert not problems, "\n".join(f"{p.line}:{p.column} {p.desc} ({p.rule})" for p in problems)


def _unsorted_mappings(node: yaml.Node, path: str = "") -> list[str]:
    found = []
    if isinstance(node, yaml.MappingNode):
        keys = [key.value for key, _ in node.value]
        if keys != sorted(keys):
            found.append(f"{path or '(top)'}: {keys}")
        for key, value in node.value:
            found += _unsorted_mappings(value, f"{path}.{key.value}")
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            found += _unsorted_mappings(item, f"{path}[{i}]")
    return found


def test_keys_are_in_alphabetical_order_at_every_level():
    assert not _unsorted_mappings(yaml.compose(HUB_FILE.read_text()))


def test_required_keys_and_no_others():
    keys = set(hub_definition())
    assert keys >= REQUIRED_BY_HUB | REQUIRED_HERE
    assert keys <= ALLOWED, keys - ALLOWED


def test_quality_and_maintenance_status_are_hubs_values():
    definition = hub_definition()
    assert definition["quality"] in QUALITY
    assert definition["maintenance_status"] in MAINTENANCE


def test_capabilities_are_what_the_tap_reports():
    """Hub's and meltano.yml's capabilities both equal `tap-netsuite --about`'s."""
    reported = about()["capabilities"]
    for declared in (hub_definition()["capabilities"], project_extractor()["capabilities"]):
        assert sorted(declared) == sorted(reported)
        assert set(declared) <= CAPABILITIES


def test_supported_python_versions_are_the_packages():
    classifiers = [
        c.rsplit(" :: ", 1)[1]
        for c in metadata.metadata("tap-netsuite").get_all("Classifier")
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    ]
    assert hub_definition()["supported_python_versions"] == classifiers == about()["supported_python_versions"]


def test_settings_use_hubs_keys_and_kinds_with_password_for_secrets():
    secrets = {name for name, prop in tap_settings().items() if prop.get("secret")}
    for setting in hub_definition()["settings"]:
        assert set(setting) <= SETTING_KEYS, setting["name"]
        assert setting["kind"] in KINDS, setting["name"]
        if setting["name"] in secrets:
            assert setting["kind"] == "password", setting["name"]
            assert setting["sensitive"] is True, setting["name"]
    groups = hub_definition()["settings_group_validation"]
    assert {name for group in groups for name in group} <= set(tap_settings())


def test_links_logo_and_package():
    definition = hub_definition()
    package = metadata.metadata("tap-netsuite")
    urls = dict(url.split(", ", 1) for url in package.get_all("Project-URL"))
    scripts = {e.name for e in metadata.entry_points(group="console_scripts") if e.dist.name == "tap-netsuite"}
    assert definition["logo_url"] == "/assets/logos/extractors/netsuite.png"
    for key in ("docs", "repo", "domain_url"):
        assert re.fullmatch(r"https://\S+", definition[key]), key
    assert definition["docs"] == urls["Documentation"]
    assert definition["repo"] == urls["Repository"]
    assert definition["pip_url"] == package["Name"] == "tap-netsuite"
    assert definition["executable"] in scripts
    assert definition["namespace"] == "tap_netsuite"


def test_description_says_what_the_tap_reads():
    """Streams come from discovery of each account, so the description names what every account
    gets: the streams a run without a catalog reads, and each kind of stream discovery adds."""
    from tap_netsuite.catalogue import TABLES

    def words(text: str) -> str:
        return re.sub(r"[\s_-]+", " ", text.lower())

    description = words(hub_definition()["description"])
    defaults = [table.stream.removesuffix("_record") for table in TABLES if table.selected_by_default]
    kinds = [
        "custom fields",
        "custom records",
        "queries",
        "deleted records",
        "open invoice aging",
        "every suiteql table",
    ]
    missing = [name for name in [*defaults, *kinds] if words(name) not in description]
    assert not missing, f"meltano-hub.yml's description does not mention {missing}"
