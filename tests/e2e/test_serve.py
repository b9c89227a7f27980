"""`cbl serve --workers N`: the production server keeps N workers answering, and stops cleanly."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from cbl.database import upgrade
from cbl.throwaway import free_port

pytestmark = pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="needs SO_REUSEPORT")


def _workers(parent: int) -> set[int]:
    """The parent's web workers (multiprocessing's resource tracker is a child too, and is left out)."""
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    workers = set()
    for child in map(int, children):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"spawn_main" in command and b"resource_tracker" not in command:
            workers.add(child)
    return workers


def _two_workers(parent: int, without: int | None = None) -> set[int] | None:
    workers = _workers(parent)
    return workers if len(workers) == 2 and without not in workers else None


def _until(condition, seconds: float = 60):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    pytest.fail("timed out")


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _serve(tmp_path: Path, port: int, workers: int = 2) -> subprocess.Popen:
    env = {**os.environ, "CBL_PORT": str(port), "CBL_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
           "CBL_SECRET_KEY": "serve-test" * 4}
    return subprocess.Popen([sys.executable, "-m", "cbl", "serve", "--workers", str(workers)], cwd=tmp_path,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_serve_keeps_its_workers_answering_and_stops_cleanly(tmp_path):
    upgrade(f"sqlite:///{tmp_path / 'serve.sqlite3'}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(tmp_path, port)
    try:
        _until(lambda: _answers(base))
        first = _until(lambda: _two_workers(server.pid))

        # A second server on the same port is refused, not quietly sharing it.
        second = _serve(tmp_path, port)
        assert second.wait(timeout=60) == 1
        assert "Cannot listen on" in second.stdout.read()

        # A worker that dies is replaced, and the site answers throughout.
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        replaced = _until(lambda: _two_workers(server.pid, without=victim))
        assert replaced - first
        assert all(_answers(base) for _ in range(10))
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=60)[0]
    assert server.returncode == 0
    assert "stopped" in output  # the dead worker was logged
    assert not _answers(base)
    assert all(not Path(f"/proc/{pid}").exists() for pid in first | replaced)


def test_serve_refuses_a_database_that_is_not_migrated(tmp_path):
    server = _serve(tmp_path, free_port())
    assert server.wait(timeout=60) != 0
    assert "cbl db upgrade" in server.stdout.read()
