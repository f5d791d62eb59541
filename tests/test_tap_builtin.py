"""singer-sdk's built-in tap tests, against a live emulator."""

from __future__ import annotations

import pytest
from singer_sdk.testing import get_tap_test_class

from tap_netsuite.catalogue import entry_for
from tap_netsuite.columns import base_properties, stream_schema
from tap_netsuite.streams import schema_dir
from tap_netsuite.tap import TapNetSuite

# The SDK builds its test class at import time, before any fixture runs; the
# placeholders only have to validate. The live emulator's config replaces them
# (same dict object) before the first sync.
CONFIG: dict = {"account_id": "0", "consumer_key": "-", "consumer_secret": "-", "token_id": "-", "token_secret": "-"}


@pytest.fixture(scope="module", autouse=True)
def _live_emulator(emulator):
    CONFIG.clear()
    CONFIG.update(emulator, page_size=400)


def catalog_entry(stream: str) -> dict:
    """A catalog entry of a catalogued stream with its standard columns, made without NetSuite."""
    table = entry_for(stream)
    assert table is not None
    return {
        "tap_stream_id": stream,
        "stream": stream,
        "schema": stream_schema(base_properties(table, schema_dir())),
        "key_properties": list(table.primary_keys),
        "replication_key": table.replication_key,
        "replication_method": "INCREMENTAL" if table.replication_key else "FULL_TABLE",
        "metadata": [{"breadcrumb": [], "metadata": {"selected": True}}],
    }


# Discovery asks NetSuite, and the SDK lists the streams when this module is imported, before the
# emulator runs: so the tests read a catalog, the three streams a run without one reads and two
# read whole (discovery itself is proven in test_discovery.py).
CATALOG = {"streams": [catalog_entry(name) for name in ("customer", "invoice", "deleted_record", "currency", "term")]}

TestTapNetSuite = get_tap_test_class(TapNetSuite, config=CONFIG, catalog=CATALOG)
