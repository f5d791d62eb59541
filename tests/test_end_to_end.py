"""`meltano run tap-netsuite target-postgres` from an emulated NetSuite into a real PostgreSQL.

Everything here is real: the emulator over a socket, Meltano with the plugins
`bin/bootstrap` installed, MeltanoLabs target-postgres, and a PostgreSQL
cluster these tests start themselves.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import urllib.request
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from helpers import REPO, running_emulator
from postgres import Cluster

from tap_netsuite.streams import STREAM_CLASSES, schema_dir

pytestmark = pytest.mark.slow  # minutes: left out of `bin/test -m "not slow"`

CustomerStream, InvoiceStream = STREAM_CLASSES["customer"], STREAM_CLASSES["invoice"]

MELTANO = REPO / ".meltano-venv" / "bin" / "meltano"
STATE_ID = "dev:tap-netsuite-to-target-postgres"


def emulator_get(config: dict, path: str):
    with urllib.request.urlopen(config["base_url"] + path) as answer:
        return json.load(answer)


def emulator_post(config: dict, path: str, body: dict):
    request = urllib.request.Request(
        config["base_url"] + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """An emulator of its own (these tests change its data), a PostgreSQL cluster, Meltano's env."""
    if not MELTANO.exists():
        pytest.fail("Meltano is not installed: run the tests through bin/test, which installs it.")
    tmp = tmp_path_factory.mktemp("e2e")
    with running_emulator(tmp) as config:
        cluster = Cluster()
        with cluster.connect() as conn:
            conn.execute("CREATE DATABASE warehouse")
        env = meltano_env(tmp, cluster, config)
        yield {"config": config, "cluster": cluster, "env": env, "tmp": tmp}
        cluster.stop()


def meltano_env(tmp, cluster: Cluster, config: dict, **extra: str) -> dict:
    """Meltano's environment: its own database, the tap at `config`, the target at `cluster`."""
    return {
        **os.environ,
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        "MELTANO_DATABASE_URI": f"sqlite:///{tmp}/meltano.db",
        "TAP_NETSUITE_PAGE_SIZE": "300",
        "TARGET_POSTGRES_HOST": "127.0.0.1",
        "TARGET_POSTGRES_PORT": str(cluster.port),
        "TARGET_POSTGRES_USER": cluster.user,
        "TARGET_POSTGRES_PASSWORD": "unused-trust-auth",
        "TARGET_POSTGRES_DATABASE": "warehouse",
        **{f"TAP_NETSUITE_{key.upper()}": str(value) for key, value in config.items()},
        **extra,
    }


def meltano(world, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(MELTANO), *args], cwd=REPO, env=world["env"], capture_output=True, text=True, check=False, timeout=600
    )
    with (world["tmp"] / "meltano.log").open("a") as log:
        log.write(result.stdout + result.stderr)
    assert result.returncode == 0, result.stderr[-4000:]
    return result


def fetch(world, sql: str, *params) -> list[tuple]:
    with world["cluster"].connect("warehouse") as conn:
        return conn.execute(sql, params).fetchall()


def canonical(value, prop: dict):
    """One value, from either side, in one comparable form."""
    if value is None:
        return None
    if prop.get("format") == "date-time":
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
        return (moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)).astimezone(dt.timezone.utc)
    if prop.get("format") == "date":
        return value.isoformat() if isinstance(value, dt.date) else value
    if "number" in prop["type"]:
        return Decimal(str(value)).normalize()
    return value


def as_first_pass(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """NetSuite renders both passes of the hour repeated when clocks fall back alike, and the
    tap reads such a rendering as the first pass (documented in the README)."""
    wall = moment.astimezone(zone).replace(tzinfo=None)
    return wall.replace(tzinfo=zone, fold=0).astimezone(dt.timezone.utc)


def source_rows(world, stream) -> dict[int, dict]:
    rows = emulator_get(world["config"], f"/_emulator/rows/{stream.table}")
    if stream is InvoiceStream:
        rows = [r for r in rows if r["type"] == "CustInvc"]
    return {r["id"]: r for r in rows}


def warehouse_rows(world, stream, properties) -> list[dict]:
    columns = list(properties)
    rows = fetch(world, f"SELECT {', '.join(columns)} FROM netsuite.{stream.name} ORDER BY id")
    return [dict(zip(columns, row, strict=True)) for row in rows]


@pytest.fixture(scope="module")
def first_run(world):
    meltano(world, "run", "tap-netsuite", "target-postgres")
    return world


@pytest.mark.parametrize("stream", [CustomerStream, InvoiceStream], ids=["customer", "invoice"])
def test_first_run_loads_exactly_the_emulators_records(first_run, stream):
    world = first_run
    properties = json.loads((schema_dir() / f"{stream.name}.json").read_text())["properties"]
    source = source_rows(world, stream)
    loaded = warehouse_rows(world, stream, properties)
    assert len(loaded) == len(source) > 100
    assert {r["id"] for r in loaded} == set(source)
    for row in loaded:
        expected = source[row["id"]]
        for column, prop in properties.items():
            got, want = canonical(row[column], prop), canonical(expected.get(column), prop)
            if prop.get("format") == "date-time" and got != want:
                want = as_first_pass(want, ZoneInfo(world["config"]["account_timezone"]))
            assert got == want, (stream.name, row["id"], column)


def test_database_types_are_stable(first_run):
    types = dict(
        fetch(
            first_run,
            "SELECT table_name || '.' || column_name, data_type "
            "FROM information_schema.columns WHERE table_schema = 'netsuite'",
        )
    )
    assert types["invoice.id"] in {"bigint", "integer"}
    assert types["invoice.entity"] in {"bigint", "integer"}
    assert types["invoice.foreigntotal"] == "numeric"
    assert types["customer.isinactive"] == "boolean"
    assert types["invoice.trandate"] == "date"
    assert types["invoice.lastmodifieddate"].startswith("timestamp")
    assert types["customer.datecreated"].startswith("timestamp")


def test_touched_invoices_are_sent_again_and_upserted(first_run):
    world = first_run
    before = source_rows(world, InvoiceStream)
    bookmark_before = max(canonical(r["lastmodifieddate"], {"format": "date-time"}) for r in before.values())
    touched = set(
        emulator_post(world["config"], "/_emulator/touch", {"table": "transaction", "type": "CustInvc", "count": 7})[
            "ids"
        ]
    )
    assert len(touched) == 7
    [(second_run_start,)] = fetch(world, "SELECT now()")

    meltano(world, "run", "tap-netsuite", "target-postgres")

    sent = {
        i for (i,) in fetch(world, "SELECT id FROM netsuite.invoice WHERE _sdc_extracted_at >= %s", second_run_start)
    }
    # The lookback window before the bookmark (15 minutes by default) is read
    # again, so a record committed late is not lost. Nothing else may come back.
    window_start = bookmark_before - dt.timedelta(minutes=15)
    reread = {i for i, r in before.items() if canonical(r["lastmodifieddate"], {"format": "date-time"}) >= window_start}
    assert sent == touched | reread
    assert len(reread) < 20  # the generated data is spread over years; the window holds few

    # Each invoice is still there once, with the touched timestamps.
    [(rows, ids)] = fetch(world, "SELECT count(*), count(DISTINCT id) FROM netsuite.invoice")
    assert rows == ids == len(before)
    after = source_rows(world, InvoiceStream)
    loaded = dict(fetch(world, "SELECT id, lastmodifieddate FROM netsuite.invoice WHERE id = ANY(%s)", list(touched)))
    prop = {"format": "date-time"}
    for invoice_id in touched:
        assert canonical(loaded[invoice_id], prop) == canonical(after[invoice_id]["lastmodifieddate"], prop)

    # Meltano's state carries the bookmark: the newest touched time.
    state = json.loads(meltano(world, "state", "get", STATE_ID).stdout)
    bookmark = state["singer_state"]["bookmarks"]["invoice"]["replication_key_value"]
    assert canonical(bookmark, prop) == max(canonical(after[i]["lastmodifieddate"], prop) for i in touched)
