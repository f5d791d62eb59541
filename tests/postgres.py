"""A throwaway PostgreSQL cluster for the end-to-end tests, started by the tests themselves.

Uses the Debian server binaries (initdb, pg_ctl). The server refuses to run as
root, so under root the cluster belongs to the unprivileged user `nobody`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _bin(name: str) -> str:
    installed = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    found = shutil.which(name) or (str(installed[0]) if installed else None)
    if not found:
        msg = f"{name} not found: install PostgreSQL's server package (Debian: postgresql-15)."
        raise RuntimeError(msg)
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """initdb + pg_ctl start on a free port; `stop()` removes everything."""

    user = "postgres"

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="tap-netsuite-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._as = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
        if self._as:
            self.root.chmod(0o755)
            shutil.chown(self.root, "nobody")
        self._run(_bin("initdb"), "-D", str(self.data), "-U", self.user, "-A", "trust", "--no-sync", "-E", "UTF8")
        self._run(
            _bin("pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "server.log"),
            "-w",
            "start",
            "-o",
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.root} -c fsync=off",
        )

    def _run(self, *cmd: str) -> None:
        result = subprocess.run([*self._as, *cmd], capture_output=True, text=True, cwd=self.root, check=False)
        if result.returncode != 0:
            msg = f"{' '.join(cmd)} failed: {result.stdout}{result.stderr}"
            raise RuntimeError(msg)

    def connect(self, dbname: str = "postgres"):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, dbname=dbname, autocommit=True)

    def stop(self) -> None:
        try:
            self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
