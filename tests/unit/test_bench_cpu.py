"""The bench's CPU meter counts what a server's processes, children included, use while it runs."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tools.bench_cpu import CpuMeter

BURN = "import time\nend = time.process_time() + {seconds}\nwhile time.process_time() < end: pass\n"


def _wait_for(path: Path) -> None:
    deadline = time.monotonic() + 60
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.02)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_the_meter_counts_a_servers_children_and_not_what_it_used_before(tmp_path):
    ready, child_done = tmp_path / "ready", tmp_path / "child-done"
    # The "server" burns 0.4 s before the meter starts, then a child of it burns 0.6 s while it runs.
    child = BURN.format(seconds=0.6) + f"open({str(child_done)!r}, 'w').close()\ntime.sleep(60)\n"
    server_script = (BURN.format(seconds=0.4) + f"open({str(ready)!r}, 'w').close()\n"
                     f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', {child!r}])\n")
    server = subprocess.Popen([sys.executable, "-c", server_script], start_new_session=True)
    try:
        _wait_for(ready)
        meter = CpuMeter(server.pid)
        meter.start()
        _wait_for(child_done)
        meter.stop()
    finally:
        os.killpg(server.pid, signal.SIGKILL)  # the server and its child
        server.wait(timeout=10)
    assert 0.55 <= meter.used["server"] < 0.95, meter.used
    assert set(meter.used) == {"server", "PostgreSQL", "load"}
    assert "CPU per request: server" in meter.per_request(100)
