"""Shared fixtures: a live emulator over a real socket, started as its own process."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
MELTANO = REPO / ".meltano-venv" / "bin" / "meltano"

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
    with open(tmp / "emulator.log", "wb") as log:  # the child keeps its own copy of the handle
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


@pytest.fixture(scope="session")
def emulator(tmp_path_factory) -> dict:
    """A running emulator; the value is the ready tap config it wrote (with `base_url`)."""
    proc, config = start_emulator(tmp_path_factory.mktemp("emulator"))
    yield config
    stop_emulator(proc)


@pytest.fixture(scope="session")
def cluster():
    """A throwaway PostgreSQL for the Meltano tests; each test makes its own databases in it."""
    from postgres import Cluster

    if not MELTANO.exists():
        pytest.fail("Meltano is not installed: run the tests through bin/test, which installs it.")
    pg = Cluster()
    yield pg
    pg.stop()
