"""A stdout that takes no more (its reader gone, the disk full): one line naming the cause,
a non-zero exit, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import REPO


def test_a_reader_that_closes_the_pipe_gets_one_line_and_exit_1(emulator, tmp_path):
    (tmp_path / "config.json").write_text(json.dumps(emulator))
    cmd = [sys.executable, "-m", "tap_netsuite.tap", "--config", str(tmp_path / "config.json")]
    with (tmp_path / "stderr").open("w+b") as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, cwd=REPO)
        first = proc.stdout.readline()  # as `| head -1` does
        proc.stdout.close()
        code = proc.wait(timeout=120)
        err.seek(0)
        stderr = err.read().decode()
    assert json.loads(first)["type"] == "SCHEMA"
    assert code == 1
    assert "Traceback" not in stderr and "Exception ignored" not in stderr, stderr[-3000:]
    [line] = [line for line in stderr.splitlines() if "broken pipe" in line]
    assert "stdout was closed by the program reading the tap's output" in line


def test_a_full_disk_gets_one_line_and_exit_1(emulator, tmp_path):
    (tmp_path / "config.json").write_text(json.dumps(emulator))
    cmd = [sys.executable, "-m", "tap_netsuite.tap", "--config", str(tmp_path / "config.json")]
    with open("/dev/full", "wb") as full:  # noqa: PTH123 - a device, not a path to build on
        result = subprocess.run(cmd, stdout=full, stderr=subprocess.PIPE, text=True, cwd=REPO, timeout=120, check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr, result.stderr[-3000:]
    assert "No space left where stdout is written" in result.stderr


def test_progress_never_says_about_0_rows_and_help_says_what_test_does(emulator, tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({**emulator, "page_size": 1000}))
    cmd = [sys.executable, "-m", "tap_netsuite.tap", "--config", str(tmp_path / "config.json")]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "about 0 rows" not in result.stderr
    assert "customer: less than a page of rows to read, in one window." in result.stderr  # 120 customers
    assert "invoice: 2000 to 2999 rows to read in 3 windows." in result.stderr  # 2500 invoices
    shown = subprocess.run([*cmd[:3], "--help"], capture_output=True, text=True, cwd=REPO, timeout=60, check=True)
    assert "sync a single record" not in shown.stdout
    assert "one tiny request per selected stream" in " ".join(shown.stdout.split())
