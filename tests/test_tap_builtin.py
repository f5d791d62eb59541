"""singer-sdk's built-in tap tests, against a live emulator."""

from __future__ import annotations

import pytest
from singer_sdk.testing import get_tap_test_class

from tap_netsuite.tap import TapNetSuite

# The SDK builds its test class at import time, before any fixture runs; the
# placeholders only have to validate. The live emulator's config replaces them
# (same dict object) before the first sync.
CONFIG: dict = {"account_id": "0", "consumer_key": "-", "consumer_secret": "-", "token_id": "-", "token_secret": "-"}


@pytest.fixture(scope="module", autouse=True)
def _live_emulator(emulator):
    CONFIG.clear()
    CONFIG.update(emulator, page_size=400)


TestTapNetSuite = get_tap_test_class(TapNetSuite, config=CONFIG)
