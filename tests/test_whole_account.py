"""The whole emulated account through `meltano run tap-netsuite target-postgres`, all streams selected.

Real components throughout: the emulator over a socket, Meltano, MeltanoLabs target-postgres
and a PostgreSQL these tests start. `/_emulator/rows/{table}` is the oracle: every stream's
row count, and a sample of rows column by column, with the PostgreSQL type each JSON type
must become. Then changes: a custom record and a generic incremental table arrive once each
after upsert, and a row deleted from a table read whole disappears (ACTIVATE_VERSION, hard delete).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from helpers import control, rows, running_emulator
from postgres import Cluster
from test_end_to_end import MELTANO, fetch, meltano, meltano_env

from tap_netsuite.catalogue import TABLES

pytestmark = pytest.mark.slow  # minutes: left out of `bin/test -m "not slow"`

SOURCE = {table.stream: (table.table, table.where) for table in TABLES}
KEYS = {table.stream: table.primary_keys for table in TABLES}
# The PostgreSQL type each JSON Schema type must arrive as.
PG_TYPE = {
    "integer": {"bigint", "integer"},
    "number": {"numeric"},
    "boolean": {"boolean"},
    "date": {"date"},
    "date-time": {"timestamp without time zone", "timestamp with time zone"},
    "string": {"character varying", "text"},
}


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    """An emulator of its own (the tests change its data), a PostgreSQL cluster, Meltano's env."""
    if not MELTANO.exists():
        pytest.fail("Meltano is not installed: run the tests through bin/test, which installs it.")
    tmp = tmp_path_factory.mktemp("whole")
    with running_emulator(tmp, customers=60, invoices=400) as config:
        cluster = Cluster()
        with cluster.connect() as conn:
            conn.execute("CREATE DATABASE warehouse")
        env = meltano_env(
            tmp,
            cluster,
            config,
            TAP_NETSUITE_PAGE_SIZE="50",  # several pages per table, whole or incremental
            TAP_NETSUITE__SELECT=json.dumps(["*.*"]),
            TARGET_POSTGRES_HARD_DELETE="true",
        )
        world = {"config": config, "cluster": cluster, "env": env, "tmp": tmp}
        meltano(world, "run", "tap-netsuite", "target-postgres")
        yield world
        cluster.stop()


def catalog(world) -> dict[str, dict]:
    """The catalog Meltano gave the tap (its discovery), by stream."""
    result = meltano(world, "invoke", "--dump=catalog", "tap-netsuite")
    return {entry["tap_stream_id"]: entry for entry in json.loads(result.stdout)["streams"]}


def source(world, stream: str) -> list[dict]:
    table, where = SOURCE.get(stream, (stream, None))
    found = rows(world["config"], table)
    if where == "type = 'CustInvc'":
        found = [row for row in found if row["type"] == "CustInvc"]
    elif stream == "deleted_record":
        found = [row for row in found if row["type"] in ("customer", "invoice")]
    return found


def keys(stream: str) -> tuple[str, ...]:
    return KEYS.get(stream, ("id",))


def quoted(columns: list[str]) -> str:
    """A PostgreSQL column list (NetSuite has columns such as `left`, reserved words there)."""
    return ", ".join('"' + column + '"' for column in columns)


def kind(prop: dict) -> str:
    if prop.get("format") in ("date", "date-time"):
        return prop["format"]
    return next(k for k in ("boolean", "integer", "number", "string") if k in prop["type"])


def canonical(value, prop: dict, zone: ZoneInfo):
    """A value from either side in one comparable form."""
    if value is None:
        return None
    k = kind(prop)
    if k == "date-time":
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).replace(microsecond=0)
        # NetSuite renders both passes of the hour repeated when clocks fall back alike, and the
        # tap reads such a rendering as the first pass (documented in the README).
        wall = moment.astimezone(zone).replace(tzinfo=None)
        return wall.replace(tzinfo=zone, fold=0).astimezone(dt.UTC)
    if k == "date":
        return value.isoformat() if isinstance(value, dt.date) else value
    if k == "number":
        return Decimal(str(value)).normalize()
    if k == "string":  # deleted_record's schema file has recordtypeid as a string since before
        return str(value)
    return value


def test_every_stream_arrives_whole_typed_and_equal_column_by_column(account):
    streams = catalog(account)
    assert len(streams) >= len(TABLES) + 2  # every catalogued table and the two custom record types
    pg_columns: dict[str, dict[str, str]] = {}
    for name, column, data_type in fetch(
        account,
        "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'netsuite'",
    ):
        pg_columns.setdefault(name, {})[column] = data_type
    random.seed(16)
    zone = ZoneInfo(account["config"]["account_timezone"])
    for stream, entry in streams.items():
        properties = entry["schema"]["properties"]
        expected = source(account, stream)
        [(count,)] = fetch(account, f"SELECT count(*) FROM netsuite.{stream}")
        assert count == len(expected), f"{stream}: {count} rows in PostgreSQL, {len(expected)} in NetSuite"
        for column, prop in properties.items():
            assert pg_columns[stream][column] in PG_TYPE[kind(prop)], (stream, column, pg_columns[stream][column])
        columns = list(properties)
        key = keys(stream)
        loaded = {
            tuple(row[: len(key)]): dict(zip(columns, row[len(key) :], strict=True))
            for row in fetch(account, f"SELECT {quoted([*key, *columns])} FROM netsuite.{stream}")
        }
        for row in random.sample(expected, min(15, len(expected))):
            mine = loaded[tuple(row[k] for k in key)]
            for column, prop in properties.items():
                assert canonical(mine[column], prop, zone) == canonical(row[column], prop, zone), (stream, row, column)


def test_a_custom_record_and_a_generic_table_arrive_once_after_upsert(account):
    config = account["config"]
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    contracts = [row["id"] for row in rows(config, "customrecord_contract")][:5]
    vendors = [row["id"] for row in rows(config, "vendor")][:3]
    control(
        config,
        "POST",
        "/_emulator/update",
        {"table": "customrecord_contract", "ids": contracts, "at": now.isoformat(), "set": {"name": "Renewed"}},
    )
    control(config, "POST", "/_emulator/update", {"table": "vendor", "ids": vendors, "at": now.isoformat()})
    control(config, "POST", "/_emulator/insert", {"table": "customrecord_contract", "count": 2})
    meltano(account, "run", "tap-netsuite", "target-postgres")
    for stream in ("customrecord_contract", "vendor"):
        expected = {row["id"]: row for row in rows(config, stream)}
        loaded = dict(fetch(account, f"SELECT id, count(*) FROM netsuite.{stream} GROUP BY id"))
        assert set(loaded) == set(expected) and set(loaded.values()) == {1}, stream
    names = dict(fetch(account, "SELECT id, name FROM netsuite.customrecord_contract"))
    assert all(names[i] == "Renewed" for i in contracts)


def test_a_row_deleted_from_a_table_read_whole_disappears(account):
    config = account["config"]
    departments = [row["id"] for row in rows(config, "department")]
    terms = [row["id"] for row in rows(config, "term")]
    before = {i for (i,) in fetch(account, "SELECT id FROM netsuite.department")}
    assert before == set(departments)
    control(config, "POST", "/_emulator/delete", {"table": "department", "ids": departments[-1:]})
    meltano(account, "run", "tap-netsuite", "target-postgres")
    after = {i for (i,) in fetch(account, "SELECT id FROM netsuite.department")}
    assert after == set(departments[:-1])
    assert {i for (i,) in fetch(account, "SELECT id FROM netsuite.term")} == set(terms)  # the others stay whole
