"""`cbl serve --workers N` (gunicorn with uvicorn workers): they answer, a dead one is replaced, all stop cleanly."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from cbl.database import upgrade
from tests.support.databases import free_port


def _until(condition, seconds: float = 60):
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


def _workers(parent: int) -> set[int] | None:
    """The server's two worker processes."""
    children = set()
    for child in map(int, Path(f"/proc/{parent}/task/{parent}/children").read_text().split()):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"resource_tracker" not in command:
            children.add(child)
    return children if len(children) == 2 else None


def test_serve_answers_replaces_a_dead_worker_and_stops_cleanly(tmp_path):
    upgrade(f"sqlite:///{tmp_path / 'serve.sqlite3'}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(tmp_path, port)
    try:
        _until(lambda: _answers(base))
        assert all(_answers(base) for _ in range(10))

        # A second server on the same port is refused, not quietly sharing it.
        second = _serve(tmp_path, port)
        assert second.wait(timeout=60) != 0
        assert "in use" in second.stdout.read()

        if Path("/proc/self/task").exists():  # a worker that dies is replaced, and the site answers throughout
            first = _until(lambda: _workers(server.pid))
            os.kill(min(first), signal.SIGKILL)
            replaced = _until(lambda: (w := _workers(server.pid)) and min(first) not in w and w)
            assert all(_answers(base) for _ in range(10))
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=60)
    assert server.returncode == 0
    assert not _answers(base)
    if Path("/proc/self/task").exists():
        assert all(not Path(f"/proc/{pid}").exists() for pid in first | replaced)


def test_serve_refuses_a_database_that_is_not_migrated(tmp_path):
    server = _serve(tmp_path, free_port())
    assert server.wait(timeout=60) != 0
    assert "cbl db upgrade" in server.stdout.read()
