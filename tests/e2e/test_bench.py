"""`python -m cbl.bench` still runs end to end and checks its own books (a short run on SQLite)."""

from cbl import bench


def test_a_short_bench_run_serves_bids_and_loses_none(capsys):
    assert bench.main(["--database", "sqlite", "--clients", "4", "--seconds", "1", "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    assert "POST /me/bids" in printed and "all requests" in printed
    assert "201: " in printed  # bids were accepted
    assert "no bid lost" in printed
