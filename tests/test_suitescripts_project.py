"""Offline checks of the SuiteCloud (SDF) project in suitescripts/.

`suitecloud project:validate` needs a NetSuite account, so these checks stand in for it in CI:
the XML parses, script files and ids are consistent, deploy.xml ships everything, and each
script's JSDoc tags and entry points agree with its object definition.
"""

from __future__ import annotations

import fnmatch
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1] / "suitescripts"
SRC = PROJECT / "src"
FILE_CABINET = SRC / "FileCabinet"
OBJECTS = SRC / "Objects"

# Root tag of a script object -> the @NScriptType its file must declare.
SCRIPT_TYPES = {"restlet": "Restlet", "scheduledscript": "ScheduledScript"}
# Object fields naming entry-point functions.
ENTRY_POINT_FIELDS = ("getfunction", "postfunction", "putfunction", "deletefunction", "defaultfunction")

XML_FILES = sorted(SRC.rglob("*.xml"))
OBJECT_FILES = sorted(OBJECTS.glob("*.xml"))
SCRIPT_OBJECTS = [p for p in OBJECT_FILES if ET.parse(p).getroot().tag in SCRIPT_TYPES]
JS_FILES = sorted(FILE_CABINET.rglob("*.js"))


def _root(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


def _cabinet_path(scriptfile: str) -> Path:
    """`[/SuiteScripts/x/y.js]` -> src/FileCabinet/SuiteScripts/x/y.js."""
    match = re.fullmatch(r"\[(/[^\]]+)\]", scriptfile.strip())
    assert match, f"scriptfile must be a file reference in square brackets, got {scriptfile!r}"
    return FILE_CABINET / match.group(1).lstrip("/")


def _jsdoc_tag(source: str, tag: str) -> str | None:
    match = re.search(rf"@{tag}\s+(\S+)", source)
    return match.group(1) if match else None


def _returned_entry_points(source: str) -> set[str]:
    """Keys of the object the define() callback returns last: `return { get: get, post };`."""
    returns = re.findall(r"return\s*\{([^{}]*)\}\s*;", source)
    assert returns, "the module returns no object literal"
    return {key for key in re.findall(r"(?:^|,)\s*['\"]?(\w+)['\"]?\s*(?::|,|$)", returns[-1].strip())}


def _covered(deploy_paths: list[str], relative: str) -> bool:
    """deploy.xml paths are ~/-rooted; a trailing /* covers the folder and everything below."""
    for entry in deploy_paths:
        pattern = entry.removeprefix("~/")
        if pattern.endswith("/*") and relative.startswith(pattern[:-1]):
            return True
        if fnmatch.fnmatchcase(relative, pattern):
            return True
    return False


def test_project_layout_is_present():
    for name in (
        "package.json",
        "package-lock.json",
        "jest.config.js",
        "eslint.config.js",
        "suitecloud.config.js",
        "src/manifest.xml",
        "src/deploy.xml",
        "README.md",
        "fixtures/open_invoice_aging.json",
        "fixtures/change_notification_deliveries.json",
    ):
        assert (PROJECT / name).is_file(), f"suitescripts/{name} is missing"
    assert SCRIPT_OBJECTS, "no script objects under src/Objects"
    assert JS_FILES, "no scripts under src/FileCabinet"


@pytest.mark.parametrize("path", XML_FILES, ids=lambda p: str(p.relative_to(SRC)))
def test_every_xml_file_parses(path: Path):
    ET.parse(path)


def test_manifest_is_an_account_customization_project():
    manifest = _root(SRC / "manifest.xml")
    assert manifest.tag == "manifest"
    assert manifest.get("projecttype") == "ACCOUNTCUSTOMIZATION"
    assert (manifest.findtext("projectname") or "").strip()
    features = {f.text for f in manifest.iter("feature")}
    assert "SERVERSIDESCRIPTING" in features


@pytest.mark.parametrize("path", OBJECT_FILES, ids=lambda p: p.name)
def test_object_file_is_named_after_its_scriptid(path: Path):
    assert _root(path).get("scriptid") == path.stem


@pytest.mark.parametrize("path", SCRIPT_OBJECTS, ids=lambda p: p.name)
def test_script_object_ids_and_file(path: Path):
    root = _root(path)
    assert root.get("scriptid", "").startswith("customscript_")
    deployments = root.findall("./scriptdeployments/scriptdeployment")
    assert deployments, "a script object needs at least one deployment"
    for deployment in deployments:
        assert deployment.get("scriptid", "").startswith("customdeploy_")
        assert (deployment.findtext("status") or "").strip()
        assert (deployment.findtext("title") or "").strip()
    for field in root.findall("./scriptcustomfields/scriptcustomfield"):
        assert field.get("scriptid", "").startswith("custscript_")
    assert _cabinet_path(root.findtext("scriptfile") or "").is_file()


def test_ids_are_unique_across_the_project():
    ids = []
    for path in OBJECT_FILES:
        ids.extend(el.get("scriptid") for el in _root(path).iter() if el.get("scriptid"))
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"script ids used twice: {duplicates}"


@pytest.mark.parametrize("path", SCRIPT_OBJECTS, ids=lambda p: p.name)
def test_script_type_and_entry_points_match_the_file(path: Path):
    root = _root(path)
    source = _cabinet_path(root.findtext("scriptfile") or "").read_text(encoding="utf-8")
    assert _jsdoc_tag(source, "NScriptType") == SCRIPT_TYPES[root.tag]
    assert _jsdoc_tag(source, "NApiVersion") == "2.1"
    named = [root.findtext(f).strip() for f in ENTRY_POINT_FIELDS if (root.findtext(f) or "").strip()]
    assert named, "the object names no entry-point function"
    exported = _returned_entry_points(source)
    for name in named:
        assert name in exported, f"{name} is named in {path.name} but the script returns only {sorted(exported)}"
        assert re.search(rf"function\s+{name}\s*\(", source), f"no function {name} in the script"


def test_every_entry_script_has_an_object():
    declared = {_cabinet_path(_root(p).findtext("scriptfile") or "") for p in SCRIPT_OBJECTS}
    for path in JS_FILES:
        if _jsdoc_tag(path.read_text(encoding="utf-8"), "NScriptType"):
            assert path in declared, f"{path.relative_to(SRC)} declares @NScriptType but no object deploys it"


def test_deploy_xml_covers_every_file_and_object():
    deploy = _root(SRC / "deploy.xml")
    assert deploy.tag == "deploy"
    file_paths = [p.text.strip() for p in deploy.findall("./files/path")]
    object_paths = [p.text.strip() for p in deploy.findall("./objects/path")]
    for path in sorted(FILE_CABINET.rglob("*")):
        if path.is_file():
            relative = path.relative_to(SRC).as_posix()
            assert _covered(file_paths, relative), f"deploy.xml does not deploy {relative}"
    for path in OBJECT_FILES:
        relative = path.relative_to(SRC).as_posix()
        assert _covered(object_paths, relative), f"deploy.xml does not deploy {relative}"
    for entry in file_paths + object_paths:
        base = SRC / entry.removeprefix("~/").removesuffix("/*").removesuffix("*")
        assert base.exists(), f"deploy.xml lists {entry}, which does not exist"


def test_custom_ids_used_by_scripts_are_defined_by_objects():
    defined = set()
    for path in OBJECT_FILES:
        defined.update(el.get("scriptid") for el in _root(path).iter() if el.get("scriptid"))
    for path in JS_FILES:
        used = set(
            re.findall(
                r"\b(custscript_\w+|customrecord_\w+|custrecord_\w+|customdeploy_\w+|customscript_\w+)",
                path.read_text(encoding="utf-8"),
            )
        )
        missing = sorted(used - defined)
        assert not missing, f"{path.relative_to(SRC)} uses ids no object defines: {missing}"


def test_golden_cases_have_the_documented_shape():
    cases = json.loads((PROJECT / "fixtures" / "open_invoice_aging.json").read_text(encoding="utf-8"))
    assert isinstance(cases, list) and cases
    row_columns = {
        "id",
        "tranid",
        "entity",
        "trandate",
        "duedate",
        "foreigntotal",
        "foreignamountunpaid",
        "status",
        "terms",
        "memo",
    }
    item_keys = {
        "id",
        "tranid",
        "customer_id",
        "trandate",
        "duedate",
        "total",
        "remaining",
        "status",
        "terms",
        "memo",
        "days_overdue",
        "aging_bucket",
    }
    names = [case["name"] for case in cases]
    assert len(set(names)) == len(names), "case names must be unique"
    for case in cases:
        assert set(case) == {"name", "invoices", "params", "expected"}, case["name"]
        for row in case["invoices"]:
            assert set(row) <= row_columns and all(isinstance(v, str) for v in row.values()), case["name"]
        assert set(case["params"]) <= {"customer_id", "as_of", "page_size", "cursor"}
        pages = case["expected"]
        assert pages and not pages[-1]["has_more"] and pages[-1]["next_cursor"] is None, case["name"]
        for page in pages:
            assert set(page) == {"items", "has_more", "next_cursor", "as_of"}
            assert all(set(item) == item_keys for item in page["items"])
            assert all(item["aging_bucket"] in {"current", "1-30", "31-60", "61-90", "90+"} for item in page["items"])
