"""Shared fixtures: a live emulator over a real socket, started as its own process.

Plain functions the tests share are in helpers.py.
"""

from __future__ import annotations

import typing as t

import pytest
from helpers import running_emulator


@pytest.fixture(scope="session")
def emulator(tmp_path_factory) -> t.Iterator[dict]:
    """A running emulator; the value is the ready tap config it wrote (with `base_url`)."""
    with running_emulator(tmp_path_factory.mktemp("emulator")) as config:
        yield config
