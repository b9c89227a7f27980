"""A PostgreSQL server of a test's own (initdb into a temporary folder, on a free port), for fault tests
that stop and start the server: stopping the shared one would stall every other test meanwhile."""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.databases import free_port


def _bindir() -> Path | None:
    if shutil.which("pg_config") is None:
        return None
    found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
    folder = Path(found) if found else None
    return folder if folder and (folder / "initdb").exists() and (folder / "pg_ctl").exists() else None


def _as_server_user() -> list[str]:
    """PostgreSQL will not run as root: as root, run it as the system's postgres user."""
    if os.geteuid() != 0:
        return []
    if shutil.which("runuser") is None or subprocess.run(["id", "postgres"], capture_output=True).returncode:
        return ["false"]
    return ["runuser", "-u", "postgres", "--"]


def available() -> bool:
    return _bindir() is not None and _as_server_user() != ["false"]


@dataclass
class PrivateServer:
    url: str  # the `postgres` database on it, as the postgres user (trust)
    _pg_ctl: list[str]

    def stop(self) -> None:
        subprocess.run([*self._pg_ctl, "stop", "-m", "fast", "-w"], check=True, capture_output=True)

    def start(self) -> None:
        subprocess.run([*self._pg_ctl, "start", "-w", "-l", "/dev/null"], check=True, capture_output=True)

    def running(self) -> bool:
        return subprocess.run([*self._pg_ctl, "status"], capture_output=True).returncode == 0


@contextmanager
def private_postgres() -> Iterator[PrivateServer]:
    bindir, user = _bindir(), _as_server_user()
    assert bindir is not None, "check available() first"
    folder = Path(tempfile.mkdtemp(prefix="cbl-pg-"))
    try:
        if user:
            shutil.chown(folder, "postgres")
        data, port = folder / "data", free_port()
        subprocess.run([*user, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                        "--no-sync", "-E", "UTF8"], check=True, capture_output=True)
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        server = PrivateServer(f"postgresql://postgres@127.0.0.1:{port}/postgres",
                               [*user, str(bindir / "pg_ctl"), "-D", str(data), "-o", options])
        server.start()
        try:
            yield server
        finally:
            if server.running():
                server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
