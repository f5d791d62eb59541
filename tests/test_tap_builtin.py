"""singer-sdk's built-in tap tests, against a live emulator."""

from __future__ import annotations

import pytest
from singer_sdk.testing import get_tap_test_class

from tap_netsuite.tap import TapNetSuite, default_catalog

# The SDK builds its test class at import time, before any fixture runs; the
# placeholders only have to validate. The live emulator's config replaces them
# (same dict object) before the first sync.
CONFIG: dict = {"account_id": "0", "consumer_key": "-", "consumer_secret": "-", "token_id": "-", "token_secret": "-"}


@pytest.fixture(scope="module", autouse=True)
def _live_emulator(emulator):
    CONFIG.clear()
    CONFIG.update(emulator, page_size=400)


# Discovery asks NetSuite, and the SDK lists the streams when this module is imported, before the
# emulator runs: so the tests read a catalog, the three streams a run without one reads and two
# read whole (discovery itself is proven in test_discovery.py).
CATALOG = default_catalog(("customer", "invoice", "deleted_record", "currency", "term"))

TestTapNetSuite = get_tap_test_class(TapNetSuite, config=CONFIG, catalog=CATALOG)
