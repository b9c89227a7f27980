"""`python -m tools.bench_bids` still runs end to end and checks its own books (a short run on SQLite)."""

import subprocess
import sys


def test_a_short_bench_run_serves_bids_and_loses_none():
    run = subprocess.run([sys.executable, "-m", "tools.bench_bids", "--database", "sqlite", "--rate", "20",
                          "--seconds", "2", "--workers", "1", "--history", "2"], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "POST /me/bids" in run.stdout and "all requests" in run.stdout
    assert "201: " in run.stdout  # bids were accepted
    assert "no bid lost" in run.stdout
