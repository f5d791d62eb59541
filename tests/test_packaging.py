"""The distributions as PyPI gets them: the wheel and sdist bin/build makes, and the emulator's
distribution, built apart so that `pip install tap-netsuite` leaves the emulator out."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from helpers import REPO

pytestmark = pytest.mark.slow

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]


@pytest.fixture(scope="module")
def dist() -> dict[str, Path]:
    subprocess.run([str(REPO / "bin" / "build")], cwd=REPO, check=True, timeout=600, capture_output=True)
    [wheel] = (REPO / "dist").glob("tap_netsuite-*.whl")
    [sdist] = (REPO / "dist").glob("tap_netsuite-*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


def wheel_metadata(wheel: Path) -> tuple[list[str], dict]:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        [meta] = [n for n in names if n.endswith(".dist-info/METADATA")]
        return names, Parser().parsestr(archive.read(meta).decode())


def test_twine_check_passes_on_the_wheel_and_the_sdist(dist):
    checked = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(dist["wheel"]), str(dist["sdist"])],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("PASSED") == 2


def test_wheel_metadata_is_ready_for_pypi(dist):
    names, meta = wheel_metadata(dist["wheel"])
    classifiers = meta.get_all("Classifier")
    assert [c.rsplit(" :: ", 1)[1] for c in classifiers if re.fullmatch(r".*Python :: 3\.\d+", c)] == PYTHONS
    assert "Typing :: Typed" in classifiers
    # The license is the PEP 639 expression; PyPI refuses a License classifier beside it.
    assert meta["License-Expression"] == "Apache-2.0"
    assert not [c for c in classifiers if c.startswith("License ::")]
    assert meta["Author"]
    assert {"singer", "meltano", "netsuite"} <= set(meta["Keywords"].split(","))
    urls = dict(url.split(", ", 1) for url in meta.get_all("Project-URL"))
    assert {"Homepage", "Documentation", "Repository", "Issues", "Changelog"} <= set(urls)
    assert meta["Requires-Python"] == ">=3.10"
    assert meta.get_content_type() == "text/markdown" or meta["Description-Content-Type"] == "text/markdown"
    with zipfile.ZipFile(dist["wheel"]) as archive:
        [license_file] = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
        assert archive.read(license_file) == (REPO / "LICENSE").read_bytes()
    assert "Apache License\n                           Version 2.0" in (REPO / "LICENSE").read_text()
    assert "tap_netsuite/py.typed" in names
    assert {f"tap_netsuite/schemas/{p.name}" for p in (REPO / "schemas").glob("*.json")} <= set(names)


def test_the_emulator_and_its_parser_stay_out_of_the_wheel(dist):
    names, meta = wheel_metadata(dist["wheel"])
    assert not [n for n in names if n.startswith("netsuite_emulator")]
    requires = [r for r in meta.get_all("Requires-Dist") if "extra ==" not in r]
    assert not [r for r in requires if r.startswith("sqlglot")]
    with zipfile.ZipFile(dist["wheel"]) as archive:
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        assert "netsuite-emulator" not in archive.read(entry_points).decode()


def test_the_emulator_builds_as_its_own_distribution(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", str(tmp_path)],
        cwd=REPO / "packages" / "netsuite-emulator",
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("netsuite_emulator-*.whl")
    names, meta = wheel_metadata(wheel)
    package = {f"netsuite_emulator/{p.name}" for p in (REPO / "netsuite_emulator").iterdir() if p.suffix == ".py"}
    assert package <= set(names)
    assert any(r.startswith("sqlglot") for r in meta.get_all("Requires-Dist"))
    with zipfile.ZipFile(wheel) as archive:
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        assert "netsuite-emulator = netsuite_emulator.cli:main" in archive.read(entry_points).decode()


def test_the_sdist_carries_the_license_and_the_changelog(dist):
    with tarfile.open(dist["sdist"]) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml", "tap_netsuite/tap.py"} <= names
    assert not [n for n in names if n.startswith("netsuite_emulator")]


def test_changelog_keeps_a_changelog_and_starts_at_this_version(dist):
    _, meta = wheel_metadata(dist["wheel"])
    changelog = (REPO / "CHANGELOG.md").read_text()
    releases = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", changelog, re.MULTILINE)
    assert releases[0] == ("Unreleased", "")
    assert releases[1][0] == meta["Version"]
    assert releases[1][1], "a release heading carries its date"
    for version, _ in releases:
        assert re.search(rf"^\[{re.escape(version)}\]: https://", changelog, re.MULTILINE), version
    assert "keepachangelog.com" in changelog
