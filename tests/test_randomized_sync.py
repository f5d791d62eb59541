"""A seeded, randomised life of an account, synced nightly by `meltano run tap-netsuite target-postgres`.

Each example is an emulator of its own, a warehouse database of its own and a Meltano system
database of its own, and a few rounds. A round changes the account (inserts, bulk edits with one
timestamp, single edits, deletions), stamped by a simulated clock that crosses this year's
spring-forward and fall-back nights (the repeated hour visited in both passes), then runs
Meltano, which carries the state between rounds as a user's nightly runs do. Some rounds are
killed mid-sync (the whole process group, or Meltano asked to stop); the next round resumes from
whatever Meltano saved. After the last round the warehouse holds exactly the emulator's live
records, column for column, and every deletion is in `deleted_record`.

Change times are in the past (2026, after the generated history, before the real now) and never
go backwards, as NetSuite's own clock does not. `deleteddate` is the emulator's real clock.
Reproducible: hypothesis runs derandomized, and every example is printed (`-s`) as it runs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers import REPO, control, start_emulator, stop_emulator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from postgres import Cluster
from test_exactly_once import PROPERTIES, differences, transitions, truth

pytestmark = pytest.mark.slow  # minutes: left out of `bin/test -m "not slow"`

MELTANO = REPO / ".meltano-venv" / "bin" / "meltano"
UTC = dt.timezone.utc
HOUR = dt.timedelta(hours=1)

# Where a round's clock can be, in order. The two fall-back phases are in every example: the
# second pass renders the same wall-clock times as the first, after a sync has passed them.
PHASES = ("before-spring", "after-spring", "summer", "fall-first-pass", "fall-second-pass", "after-fall")


def phase_start(zone: ZoneInfo, phase: str) -> dt.datetime:
    fall, spring = transitions(zone)
    return {
        "before-spring": spring - dt.timedelta(minutes=40),  # 01:20 local, before the skipped hour
        "after-spring": spring,  # 03:00 local (LA) / 03:00 (Berlin)
        "summer": dt.datetime(2026, 7, 1, 12, tzinfo=UTC),
        "fall-first-pass": fall - HOUR,  # the repeated hour, first time
        "fall-second-pass": fall,  # and again
        "after-fall": fall + HOUR,
    }[phase]


OPS = st.one_of(
    st.tuples(st.just("insert"), st.sampled_from(["transaction", "customer"]), st.integers(1, 12)),
    st.tuples(st.just("bulk-edit"), st.sampled_from(["transaction", "customer"]), st.integers(5, 120)),
    st.tuples(st.just("edit"), st.sampled_from(["transaction", "customer"]), st.integers(1, 6)),
    st.tuples(st.just("delete"), st.sampled_from(["transaction", "customer"]), st.integers(1, 6)),
)


@st.composite
def scenarios(draw) -> dict:
    others = draw(
        st.lists(
            st.sampled_from([p for p in PHASES if p not in ("fall-first-pass", "fall-second-pass")]),
            min_size=1,
            max_size=2,
            unique=True,
        )
    )
    phases = sorted({*others, "fall-first-pass", "fall-second-pass"}, key=PHASES.index)
    rounds = []
    for phase in phases:
        rounds.append(
            {
                "phase": phase,
                # A round's changes span about a minute from here, inside the phase (before-spring
                # lasts 40 minutes, each pass of the repeated hour 60).
                "minute": draw(st.integers(0, 36)),
                "ops": draw(st.lists(OPS, min_size=1, max_size=4)),
                "kill": draw(
                    st.one_of(
                        st.none(), st.tuples(st.sampled_from(["SIGKILL-all", "SIGTERM-meltano"]), st.integers(1, 6))
                    )
                ),
            }
        )
    rounds[-1]["kill"] = None  # the last night completes; the warehouse is then compared
    if not any(r["kill"] for r in rounds):
        forced = draw(st.integers(0, len(rounds) - 2))
        rounds[forced]["kill"] = (draw(st.sampled_from(["SIGKILL-all", "SIGTERM-meltano"])), draw(st.integers(1, 6)))
    return {
        "zone": draw(st.sampled_from(["America/Los_Angeles", "Europe/Berlin"])),
        "seed": draw(st.integers(1, 10_000)),
        "rounds": rounds,
    }


# -- the world --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cluster():
    if not MELTANO.exists():
        pytest.fail("Meltano is not installed: run the tests through bin/test, which installs it.")
    pg = Cluster()
    yield pg
    pg.stop()


class World:
    """One example: an emulator, a warehouse database and a Meltano system database."""

    counter = 0

    def __init__(self, cluster: Cluster, tmp: Path, zone: str, seed: int) -> None:
        World.counter += 1
        self.cluster, self.tmp = cluster, tmp
        self.database = f"warehouse_{World.counter}"
        self.proc, self.config = start_emulator(
            tmp, "--timezone", zone, "--metrics-queries", "5000", customers=30, invoices=300, seed=seed
        )
        self.zone = ZoneInfo(zone)
        with cluster.connect() as conn:
            conn.execute(f"CREATE DATABASE {self.database}")
        self.env = {
            **os.environ,
            "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
            "MELTANO_DATABASE_URI": f"sqlite:///{tmp}/meltano.db",
            "TAP_NETSUITE_PAGE_SIZE": "40",
            "TAP_NETSUITE_MAX_CONCURRENCY": "2",
            "TARGET_POSTGRES_HOST": "127.0.0.1",
            "TARGET_POSTGRES_PORT": str(cluster.port),
            "TARGET_POSTGRES_USER": cluster.user,
            "TARGET_POSTGRES_PASSWORD": "unused-trust-auth",
            "TARGET_POSTGRES_DATABASE": self.database,
            **{f"TAP_NETSUITE_{key.upper()}": str(value) for key, value in self.config.items()},
        }
        self.log = tmp / "meltano.log"

    def close(self) -> None:
        stop_emulator(self.proc)

    def post(self, path: str, body: dict) -> dict:
        return control(self.config, "POST", path, body)

    # -- changes --------------------------------------------------------------------------
    def live(self, table: str) -> list[int]:
        rows = control(self.config, "GET", f"/_emulator/rows/{table}")
        return [r["id"] for r in rows if table == "customer" or r["type"] == "CustInvc"]

    def apply(self, op: tuple, moment: dt.datetime, number: int) -> None:
        kind, table, n = op
        stamp = moment.isoformat()
        created = "datecreated" if table == "customer" else "createddate"
        live = self.live(table)
        # Which records: a deterministic spread over the live ones, different per op.
        chosen = sorted({live[(number * 7919 + k * 104729) % len(live)] for k in range(n)}) if live else []
        if kind == "insert":
            rows = [{"lastmodifieddate": stamp, created: stamp} for _ in range(n)]
            self.post(
                "/_emulator/insert",
                {"table": table, "rows": rows, **({"type": "CustInvc"} if table == "transaction" else {})},
            )
        elif kind in ("bulk-edit", "edit"):
            column = "companyname" if table == "customer" else "memo"
            if kind == "bulk-edit":  # one timestamp for all, as NetSuite's mass update gives
                self.post(
                    "/_emulator/update",
                    {"table": table, "ids": chosen, "at": stamp, "set": {column: f"bulk {number} at {stamp}"}},
                )
            else:
                for k, record in enumerate(chosen):
                    self.post(
                        "/_emulator/update",
                        {
                            "table": table,
                            "ids": [record],
                            "at": (moment + dt.timedelta(seconds=k)).isoformat(),
                            "set": {column: f"edit {number}.{k}"},
                        },
                    )
        else:
            self.post("/_emulator/delete", {"table": table, "ids": chosen})

    # -- Meltano --------------------------------------------------------------------------
    after_kill = False

    def meltano_run(self, kill: tuple | None) -> str:
        """`meltano run tap-netsuite target-postgres`; killed after `kill[1]` SuiteQL requests
        when `kill` is given. Answers how it ended.

        After a killed run Meltano's job record still says running, and Meltano refuses a second
        run until it has had no heartbeat for 5 minutes; the next night is hours later, so every
        run after a kill passes `--force` (what waiting would do) instead of waiting."""
        control(self.config, "POST", "/_emulator/metrics/reset", {})
        if kill:  # slower pages, so that the kill lands inside the sync
            self.post("/_emulator/config", {"latency_base_ms": 150})
        with self.log.open("ab") as log:
            log.write(f"\n==== meltano run (kill={kill})\n".encode())
            log.flush()
            force = ["--force"] if self.after_kill else []
            proc = subprocess.Popen(
                [str(MELTANO), "run", *force, "tap-netsuite", "target-postgres"],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + 300
            while proc.poll() is None and time.monotonic() < deadline:
                if kill and self.suiteql_requests() >= kill[1]:
                    if kill[0] == "SIGKILL-all":  # the machine dies: Meltano, tap and target at once
                        os.killpg(proc.pid, signal.SIGKILL)
                    else:  # Meltano asked to stop, as a scheduler cancelling a run does
                        proc.send_signal(signal.SIGTERM)
                    break
                time.sleep(0.02)
            proc.wait(timeout=120)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            self._reap(proc.pid)
            if kill:
                self.post("/_emulator/config", {"latency_base_ms": 0})
        self.after_kill = self.after_kill or (bool(kill) and proc.returncode != 0)
        if not kill:
            assert proc.returncode == 0, self.log.read_text()[-4000:]
            return "completed"
        return "completed before the kill" if proc.returncode == 0 else f"killed ({proc.returncode})"

    @staticmethod
    def _reap(group: int) -> None:
        """No tap or target of a killed run may live on into the next night."""
        for _ in range(200):
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        os.killpg(group, signal.SIGKILL)

    def suiteql_requests(self) -> int:
        metrics = control(self.config, "GET", "/_emulator/metrics")
        return sum(metrics["requests"].get("suiteql", {}).values())

    # -- the warehouse --------------------------------------------------------------------
    def warehouse(self, stream: str) -> list[dict]:
        columns = list(PROPERTIES[stream])
        with self.cluster.connect(self.database) as conn:
            found = conn.execute(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = 'netsuite' AND table_name = %s", (stream,)
            ).fetchall()
            if not found:
                return []
            quoted = ", ".join(f'"{c}"' for c in columns)
            cursor = conn.execute(f"SELECT {quoted} FROM netsuite.{stream}")
            return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def as_sent(value, prop: dict):
    """A warehouse value in the form the tap sent it (for `test_exactly_once.differences`)."""
    if value is None:
        return None
    if prop.get("format") == "date-time":
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat()
    if prop.get("format") == "date":
        return value.isoformat()
    return value


def key(stream: str, row: dict):
    return (row["type"], row["recordid"]) if stream == "deleted_record" else row["id"]


def check_warehouse(world: World) -> dict:
    oracle = truth(world.config)
    deleted = {(t, i) for t, i in oracle["deleted_record"]}
    report = {}
    for stream in ("customer", "invoice", "deleted_record"):
        rows = world.warehouse(stream)
        keys = [key(stream, r) for r in rows]
        assert len(keys) == len(set(keys)), f"{stream}: a primary key twice in the warehouse"
        held = {key(stream, r): {c: as_sent(v, PROPERTIES[stream][c]) for c, v in r.items()} for r in rows}
        want = oracle[stream]
        missing = set(want) - set(held)
        assert not missing, f"{stream}: live records missing from the warehouse: {sorted(missing)[:10]}"
        if stream == "deleted_record":
            assert set(held) == set(want), f"deleted_record holds {sorted(set(held) - set(want))[:10]} too"
        else:
            # upsert keeps a deleted record's last row; any other extra id is a phantom.
            kind = "customer" if stream == "customer" else "invoice"
            phantoms = {i for i in set(held) - set(want) if (kind, i) not in deleted}
            assert not phantoms, f"{stream}: rows the account never had or still has elsewhere: {sorted(phantoms)[:10]}"
        wrong = [d for k in sorted(want) for d in differences(stream, held[k], want[k], world.zone)]
        assert not wrong, f"{stream}: {len(wrong)} differing values, first ones:\n" + "\n".join(wrong[:15])
        report[stream] = (len(want), len(held))
    return report


@settings(
    max_examples=3,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    phases=(Phase.explicit, Phase.generate),  # no shrinking: each try costs minutes
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
@given(scenario=scenarios())
def test_nightly_runs_with_changes_dst_and_kills_leave_the_warehouse_equal_to_the_account(cluster, scenario):
    with tempfile.TemporaryDirectory(prefix="tap-netsuite-random-") as tmp:
        world = World(cluster, Path(tmp), scenario["zone"], scenario["seed"])
        try:
            print(f"\nexample: {json.dumps(scenario)}")
            number, endings = 0, []
            for night in scenario["rounds"]:
                moment = phase_start(world.zone, night["phase"]) + dt.timedelta(minutes=night["minute"])
                for op in night["ops"]:
                    number += 1
                    world.apply(op, moment, number)
                    moment += dt.timedelta(seconds=17)
                ended = world.meltano_run(night["kill"])
                endings.append(ended)
                print(f"  {night['phase']} {night['minute']:02d}: {night['ops']} -> {ended}")
            assert any(e.startswith("killed") for e in endings), "no round was killed mid-sync"
            report = check_warehouse(world)
            print(f"  live / held: {report}")
        except BaseException:
            print(world.log.read_text()[-6000:] if world.log.exists() else "no Meltano log")
            raise
        finally:
            world.close()
