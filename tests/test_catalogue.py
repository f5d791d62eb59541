"""The catalogue is the one place a table is declared: streams, hints and README follow it."""

from __future__ import annotations

import json

from helpers import REPO

from tap_netsuite.catalogue import TABLES, deleted_types, readme_streams_table
from tap_netsuite.hints import permission_hint
from tap_netsuite.streams import STREAM_CLASSES, WholeTableStream, schema_dir
from tap_netsuite.tap import TapNetSuite


def test_the_readme_streams_table_is_the_catalogues():
    readme = (REPO / "README.md").read_text()
    assert readme_streams_table() in readme, (
        "README's streams table differs from tap_netsuite/catalogue.py: replace it with the output of "
        "`python -m tap_netsuite.catalogue`."
    )
    assert "| `deleted_record` |" in readme


def test_every_catalogued_table_is_a_stream_with_its_entrys_keys_and_a_schema(emulator):
    streams = TapNetSuite(config=emulator, parse_env_config=False, validate_config=True).streams
    for table in TABLES:
        stream = streams[table.stream]
        assert type(stream) is STREAM_CLASSES[table.stream]
        assert (stream.table, stream.where) == (table.table, table.where)
        assert stream.primary_keys == list(table.primary_keys)
        assert stream.replication_key == table.replication_key
        assert isinstance(stream, WholeTableStream) is (table.replication_key is None)
        if table.columns:
            properties = dict.fromkeys(table.column_kinds())
        else:
            properties = json.loads((schema_dir() / f"{table.stream}.json").read_text())["properties"]
        needed = {*table.primary_keys, *([table.replication_key, table.tiebreak] if table.incremental else [])}
        assert needed <= set(properties) <= set(stream.schema["properties"])
        # The streams the tap read before the whole account was read are the ones read without a catalog.
        assert stream.selected_by_default is (table.stream in ("customer", "invoice", "deleted_record"))


def test_deleted_records_are_read_for_every_table_that_names_its_record_type(emulator):
    assert deleted_types() == ("customer", "invoice")
    [deleted] = [table for table in TABLES if table.per_deleted_type]
    stream = TapNetSuite(config=emulator, parse_env_config=False, validate_config=True).streams[deleted.stream]
    assert stream.partitions == [{"type": "customer"}, {"type": "invoice"}]
    assert stream.where_for({"type": "invoice"}) == "type = 'invoice'"


def test_the_permission_hint_names_the_catalogued_permission():
    for table in TABLES:
        hint = permission_hint(f"Invalid search query. Record '{table.table}' was not found.")
        assert table.permission in hint.split("give it ", 1)[1]  # with another stream's on its table
    assert "give it the permission for widget records" in permission_hint("Record 'widget' was not found.")
