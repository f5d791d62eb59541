"""Every shell block of the README runs as typed, in a fresh directory, against the emulator,
and the test then checks what the commands did (not only that they exited 0).

The blocks are read from README.md itself, so the test follows the README when it changes, and
a new shell block fails `test_every_readme_shell_block_has_a_runner` until it is run here.
Between the README and a real NetSuite there are only these differences, all outside the
commands: the emulator's base URL comes from the environment (`TAP_NETSUITE_BASE_URL`, the one
setting a real account does not need); the values of `meltano config set` are the emulator's
credentials and the test's PostgreSQL; `path/to/tap-netsuite/meltano-hub.yml` is this
repository's definition with `pip_url` pointed at the wheel `bin/build` makes (so Meltano
installs the extractor as it will from PyPI); and Meltano Hub, which these machines cannot
reach, is a stand-in serving the target-postgres definition pinned in this repository's
meltano.yml.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shlex
import subprocess
import threading
import time
import typing as t
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from helpers import REPO, start_emulator, stop_emulator
from meltano_defs import HUB_FILE, MELTANO, MELTANO_YML, tap_settings
from postgres import Cluster

pytestmark = pytest.mark.slow

README = REPO / "README.md"
CUSTOMERS, INVOICES = 40, 150
HUB_REF = "path/to/tap-netsuite/meltano-hub.yml"
STEP_TIMEOUT_S = 900


def readme_blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README.read_text(), re.MULTILINE | re.DOTALL)


def block_kind(block: str) -> str:
    commands = [line for line in block.splitlines() if line.strip()]
    if any(line.startswith("meltano init ") for line in commands):
        return "meltano project"
    if all(line.startswith("meltano config set ") for line in commands):
        return "meltano settings"
    if any("netsuite-emulator serve" in line for line in commands):
        return "emulator"
    if all(line.startswith("bin/") for line in commands):
        return "set up"
    if any(line.startswith(".venv/bin/tap-netsuite-webhook ") for line in commands):
        return "webhook receiver"  # run by test_webhook.py::test_the_readme_command_runs_as_typed
    return "unknown"


def the_block(kind: str) -> str:
    [block] = [b for b in readme_blocks("sh") if block_kind(b) == kind]
    return block


def test_every_readme_shell_block_has_a_runner():
    kinds = [block_kind(block) for block in readme_blocks("sh")]
    assert "unknown" not in kinds, "a README shell block that no test runs: give it a runner here"
    assert sorted(kinds) == ["emulator", "meltano project", "meltano settings", "set up", "webhook receiver"]


def built_wheel() -> Path:
    """The wheel bin/build makes (once: bin/test has usually built it already)."""
    subprocess.run([str(REPO / "bin" / "build")], cwd=REPO, check=True, timeout=600, capture_output=True)
    [wheel] = (REPO / "dist").glob("tap_netsuite-*.whl")
    return wheel


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without settings that would reach the plugins or Meltano."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAP_NETSUITE_", "TARGET_", "MELTANO_"))}
    return {**env, "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false", **extra}


def run_script(lines: list[str], cwd: Path, env: dict[str, str]) -> list[str]:
    """Run the lines in one bash, as a user types them one after another; return each one's stdout."""
    logs = cwd / "logs"
    logs.mkdir(exist_ok=True)
    script = ["set -euo pipefail"]
    for n, line in enumerate(lines):
        script += [f"echo {n} > {logs}/step", "{", line, f"}} > {logs}/{n}.out 2> {logs}/{n}.err"]
    done = subprocess.run(
        ["bash", "-c", "\n".join(script)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        n = int((logs / "step").read_text())
        output = (logs / f"{n}.out").read_text() + (logs / f"{n}.err").read_text()
        pytest.fail(f"README line failed: {lines[n]}\n{output[-4000:]}")
    return [(logs / f"{n}.out").read_text() for n in range(len(lines))]


def with_value(line: str, values: dict[str, dict[str, str]]) -> str:
    """`meltano config set PLUGIN SETTING VALUE`, the value replaced when the test has its own."""
    words = shlex.split(line)
    if words[:3] != ["meltano", "config", "set"]:
        return line
    plugin, setting = words[3], words[4]
    if plugin == "tap-netsuite":
        assert setting in tap_settings(), f"README sets {setting}, which tap-netsuite does not have"
    value = values.get(plugin, {}).get(setting)
    return line if value is None else shlex.join([*words[:5], value])


class HubStandIn(BaseHTTPRequestHandler):
    """Meltano Hub's two answers `meltano add --plugin-type loader target-postgres` reads."""

    definitions: t.ClassVar[dict[str, dict]] = {}

    def do_GET(self) -> None:
        body = self.definitions.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(body or {}).encode())

    def log_message(self, *args) -> None:
        pass


def hub_stand_in() -> ThreadingHTTPServer:
    doc = yaml.safe_load(MELTANO_YML.read_text())
    loader = next(p for p in doc["plugins"]["loaders"] if p["name"] == "target-postgres")
    settings = [
        # As on Meltano Hub: tables go to a schema named after the extractor's namespace.
        {**s, "value": "$MELTANO_EXTRACT__LOAD_SCHEMA"} if s["name"] == "default_target_schema" else s
        for s in loader["settings"]
    ]
    definition = {k: loader[k] for k in ("name", "namespace", "pip_url", "executable")}
    server = ThreadingHTTPServer(("127.0.0.1", 0), HubStandIn)
    root = f"http://127.0.0.1:{server.server_port}/meltano/api/v1/plugins/loaders"
    HubStandIn.definitions = {
        "/meltano/api/v1/plugins/loaders/index": {
            "target-postgres": {
                "default_variant": "meltanolabs",
                "logo_url": None,
                "variants": {"meltanolabs": {"ref": f"{root}/target-postgres--meltanolabs"}},
            }
        },
        "/meltano/api/v1/plugins/loaders/target-postgres--meltanolabs": {
            **definition,
            "variant": "meltanolabs",
            "settings": settings,
        },
    }
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The README's Meltano block, run in a new directory; what it left behind."""
    if not MELTANO.exists():
        pytest.fail("Meltano is not installed: run the tests through bin/test, which installs it.")
    tmp = tmp_path_factory.mktemp("readme-meltano")
    hub_file = tmp / "meltano-hub.yml"
    definition = yaml.safe_load(HUB_FILE.read_text())
    wheel = built_wheel()
    hub_file.write_text(yaml.safe_dump({**definition, "pip_url": str(wheel)}))
    proc, config = start_emulator(tmp, customers=CUSTOMERS, invoices=INVOICES)
    cluster = Cluster()
    hub = hub_stand_in()
    try:
        with cluster.connect() as conn:
            conn.execute("CREATE DATABASE warehouse")
        values = {
            "tap-netsuite": {k: str(v) for k, v in config.items() if k != "base_url"},
            "target-postgres": {
                "host": "127.0.0.1",
                "port": str(cluster.port),
                "user": cluster.user,
                "password": "unused-trust-auth",
                "database": "warehouse",
            },
        }
        block = the_block("meltano project")
        assert HUB_REF in block
        lines = [with_value(line, values).replace(HUB_REF, str(hub_file)) for line in block.splitlines()]
        env = clean_env(
            PATH=f"{MELTANO.parent}:{os.environ['PATH']}",
            MELTANO_HUB_API_ROOT=f"http://127.0.0.1:{hub.server_port}/meltano/api/v1",
            TAP_NETSUITE_BASE_URL=config["base_url"],
        )
        outputs = run_script(lines, tmp, env)
        [root] = [p.parent for p in tmp.glob("*/meltano.yml")]
        yield {
            "root": root,
            "lines": lines,
            "outputs": outputs,
            "config": config,
            "values": values,
            "cluster": cluster,
            "env": env,
            "wheel": wheel,
        }
    finally:
        hub.shutdown()
        hub.server_close()
        cluster.stop()
        stop_emulator(proc)


def output_of(project: dict, command: str) -> str:
    [out] = [out for line, out in zip(project["lines"], project["outputs"], strict=True) if line.startswith(command)]
    return out


def fetch(project: dict, sql: str, *params) -> list[tuple]:
    with project["cluster"].connect("warehouse") as conn:
        return conn.execute(sql, params).fetchall()


def emulator_rows(project: dict, table: str) -> list[dict]:
    with urllib.request.urlopen(f"{project['config']['base_url']}/_emulator/rows/{table}", timeout=60) as answer:
        return json.load(answer)


def test_the_plugin_is_an_extractor_installed_from_the_wheel_and_there_is_no_utility(project):
    plugins = yaml.safe_load((project["root"] / "meltano.yml").read_text())["plugins"]
    assert sorted(plugins) == ["extractors", "loaders"]
    [extractor] = plugins["extractors"]
    assert extractor["name"] == "tap-netsuite"
    assert extractor["pip_url"] == str(project["wheel"])
    # Meltano installed it from the wheel: its venv holds tap-netsuite with the wheel's version.
    venv_python = project["root"] / ".meltano" / "extractors" / "tap-netsuite" / "venv" / "bin" / "python"
    version = subprocess.run(
        [str(venv_python), "-c", "import importlib.metadata as m; print(m.version('tap-netsuite'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert project["wheel"].name.startswith(f"tap_netsuite-{version}-")
    # The emulator stays out of a user's install.
    no_emulator = subprocess.run(
        [str(venv_python), "-c", "import netsuite_emulator"], cwd=project["root"], capture_output=True, check=False
    )
    assert no_emulator.returncode != 0


def test_settings_are_stored_with_the_secrets_in_dotenv(project):
    meltano_yml = (project["root"] / "meltano.yml").read_text()
    dotenv = (project["root"] / ".env").read_text()
    extractor = yaml.safe_load(meltano_yml)["plugins"]["extractors"][0]
    secrets = {name for name, prop in tap_settings().items() if prop.get("secret")}
    tap_values = project["values"]["tap-netsuite"]
    set_in_readme = {shlex.split(line)[4] for line in project["lines"] if line.startswith("meltano config set tap-")}
    assert set_in_readme & secrets, "the README sets no secret"
    for name in set_in_readme:
        if name in secrets:
            assert f"TAP_NETSUITE_{name.upper()}='{tap_values[name]}'" in dotenv.splitlines(), name
            assert tap_values[name] not in meltano_yml, name
        else:
            assert str(extractor["config"][name]) == tap_values.get(name, str(extractor["config"][name])), name
            assert f"TAP_NETSUITE_{name.upper()}" not in dotenv, name
    assert "TARGET_POSTGRES_PASSWORD='unused-trust-auth'" in dotenv.splitlines()


def test_no_secret_reaches_the_output_of_any_command(project):
    secrets = [value for name, value in project["values"]["tap-netsuite"].items() if tap_settings()[name].get("secret")]
    assert secrets
    for log in sorted((project["root"].parent / "logs").iterdir()):
        text = log.read_text()
        leaked = [secret[:6] + "..." for secret in secrets if secret in text]
        assert not leaked, f"{log.name}: {leaked}"


def test_meltano_run_lands_every_row(project):
    customers = fetch(project, "SELECT count(*), count(DISTINCT id) FROM tap_netsuite.customer")
    invoices = fetch(project, "SELECT count(*), count(DISTINCT id) FROM tap_netsuite.invoice")
    source_invoices = [r for r in emulator_rows(project, "transaction") if r["type"] == "CustInvc"]
    assert customers == [(len(emulator_rows(project, "customer")),) * 2]
    assert invoices == [(len(source_invoices),) * 2]
    assert len(source_invoices) >= INVOICES


def test_meltano_state_get_shows_the_bookmarks(project):
    state = json.loads(output_of(project, "meltano state get dev:tap-netsuite-to-target-postgres"))
    bookmarks = state["singer_state"]["bookmarks"]
    [(newest,)] = fetch(project, "SELECT max(lastmodifieddate) AT TIME ZONE 'UTC' FROM tap_netsuite.customer")
    assert bookmarks["customer"]["replication_key"] == "lastmodifieddate"
    assert dt.datetime.fromisoformat(bookmarks["customer"]["replication_key_value"]) == newest
    assert bookmarks["invoice"]["replication_key_value"]


def test_datetimes_are_utc_timestamps_and_the_readme_view_gives_timestamptz(project):
    [(data_type,)] = fetch(
        project,
        "SELECT data_type FROM information_schema.columns "
        "WHERE table_schema = 'tap_netsuite' AND table_name = 'invoice' AND column_name = 'lastmodifieddate'",
    )
    assert data_type == "timestamp without time zone"
    [view] = readme_blocks("sql")
    with project["cluster"].connect("warehouse") as conn:
        conn.execute(view)
        conn.execute("SET TIME ZONE 'Asia/Tokyo'")  # whatever the session's zone, the instant is the same
        loaded = dict(conn.execute("SELECT id, lastmodified_at FROM analytics.invoice").fetchall())
    zone = ZoneInfo(project["config"]["account_timezone"])
    source = {r["id"]: dt.datetime.fromisoformat(r["lastmodifieddate"]) for r in emulator_rows(project, "transaction")}
    assert loaded
    for invoice_id, moment in loaded.items():
        assert moment.utcoffset() is not None
        # The instant NetSuite holds, read as the first pass when the clocks fell back (README).
        expected = source[invoice_id].astimezone(zone).replace(fold=0, microsecond=0).astimezone(dt.timezone.utc)
        assert moment == expected, invoice_id


def test_stream_maps_and_flattening_set_through_meltano_config(project):
    """The README's stream map and flattening, set with `meltano config set`, reach the tap as an
    object, a boolean and an integer, and change what it writes."""
    run_script(the_block("meltano settings").splitlines(), project["root"], project["env"])
    config = yaml.safe_load((project["root"] / "meltano.yml").read_text())["plugins"]["extractors"][0]["config"]
    assert isinstance(config["stream_maps"], dict)
    assert config["flattening_enabled"] is True
    assert config["flattening_max_depth"] == 1
    invoked = subprocess.run(
        [str(MELTANO), "invoke", "tap-netsuite"],
        cwd=project["root"],
        env=project["env"],
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_S,
        check=False,
    )
    assert invoked.returncode == 0, invoked.stderr[-4000:]
    messages = [json.loads(line) for line in invoked.stdout.splitlines() if line.startswith("{")]
    [schema] = [m for m in messages if m["type"] == "SCHEMA" and m["stream"] == "customer"]
    records = [m["record"] for m in messages if m["type"] == "RECORD" and m["stream"] == "customer"]
    source = {r["id"]: r for r in emulator_rows(project, "customer")}
    assert len(records) == len(source)
    assert "email" not in schema["schema"]["properties"]
    assert {"snapshot__id", "snapshot__companyname"} <= set(schema["schema"]["properties"])
    for record in records:
        assert "email" not in record
        assert "snapshot" not in record
        assert record["snapshot__id"] == record["id"]
        assert record["snapshot__companyname"] == source[record["id"]].get("companyname")


def test_the_emulator_block(tmp_path):
    """The emulator, the tap on its config and a touch, as the README shows them."""
    (tmp_path / ".venv").symlink_to(REPO / ".venv")
    lines = the_block("emulator").splitlines()
    [serve] = [line for line in lines if "netsuite-emulator serve" in line]
    words = shlex.split(serve)
    config_out = tmp_path / words[words.index("--config-out") + 1]
    with (tmp_path / "emulator.log").open("wb") as log:
        server = subprocess.Popen(["bash", "-c", serve], cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not (config_out.exists() and config_out.read_text().rstrip().endswith("}")):
            assert server.poll() is None, (tmp_path / "emulator.log").read_text()
            assert time.monotonic() < deadline, "the emulator did not write its config within 120 s"
            time.sleep(0.1)
        port = json.loads(config_out.read_text())["base_url"].rsplit(":", 1)[1]
        rest = [line.replace("PORT", port) for line in lines if line != serve]
        outputs = run_script(rest, tmp_path, clean_env())
    finally:
        server.terminate()
        server.wait(timeout=30)
    streams: dict[str, int] = {}
    for line in (tmp_path / "out.jsonl").read_text().splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            streams[message["stream"]] = streams.get(message["stream"], 0) + 1
    assert streams["customer"] == int(words[words.index("--customers") + 1])
    assert streams["invoice"] == int(words[words.index("--invoices") + 1])
    [(curl, touched)] = [(line, json.loads(out)) for line, out in zip(rest, outputs, strict=True) if "curl" in line]
    assert len(touched["ids"]) == json.loads(shlex.split(curl)[-1])["count"]


def test_the_set_up_block_names_the_repositorys_commands():
    """`bin/test` is what runs this very test; here, that both commands exist as typed."""
    for line in the_block("set up").splitlines():
        command = REPO / shlex.split(line, comments=True)[0]
        assert command.is_file(), line
        assert os.access(command, os.X_OK), line
