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
from tests.support.databases import free_port

pytestmark = pytest.mark.skipif(not hasattr(socket, "send_fds") or not Path("/proc/self/net/tcp").exists(),
                                reason="cbl serve passes connections over Unix sockets; the test reads /proc")


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


def _clients_of(pid: int, port: int) -> set[int]:
    """The client ports of the established connections to `port` that the process holds (from /proc)."""
    by_inode = {}
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":  # 01: established
                by_inode[fields[9]] = int(fields[2].rsplit(":", 1)[1], 16)
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            inode = os.readlink(fd).removeprefix("socket:[").removesuffix("]")
        except OSError:
            continue
        if inode in by_inode:
            held.add(by_inode[inode])
    return held


def _connect(port: int) -> socket.socket:
    """A keep-alive connection, answered once and left open."""
    client = socket.create_connection(("127.0.0.1", port), timeout=10)
    client.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
    assert client.recv(65536).startswith(b"HTTP/1.1 200")
    return client


def test_serve_gives_each_connection_to_the_worker_with_fewest(tmp_path):
    upgrade(f"sqlite:///{tmp_path / 'serve.sqlite3'}")
    port = free_port()
    server = _serve(tmp_path, port)
    clients = []
    try:
        _until(lambda: _answers(f"http://127.0.0.1:{port}"))
        one, other = _until(lambda: _two_workers(server.pid))
        clients = [_connect(port) for _ in range(10)]
        assert len(_clients_of(one, port)) == len(_clients_of(other, port)) == 5
        ours = _clients_of(one, port)
        for client in [c for c in clients if c.getsockname()[1] in ours][:4]:  # four of one worker's go
            clients.remove(client)
            client.close()
        time.sleep(0.5)
        clients += [_connect(port) for _ in range(4)]  # and the next four go to it
        assert len(_clients_of(one, port)) == len(_clients_of(other, port)) == 5
    finally:
        for client in clients:
            client.close()
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=60)


def test_serve_refuses_a_database_that_is_not_migrated(tmp_path):
    server = _serve(tmp_path, free_port())
    assert server.wait(timeout=60) != 0
    assert "cbl db upgrade" in server.stdout.read()
