"""Where the bench's CPU went: the server's processes, PostgreSQL's, and the load's own (Linux /proc).

Machines running the bench differ a lot (the same code gave 350 and 800 requests a second on
two machines of the same kind), so a run also says how much CPU each request cost and how fast
this machine runs plain Python: figures that compare across machines where requests a second
do not.
"""

import os
import time
from pathlib import Path

PROC = Path("/proc")


def _cpu_seconds(pid: int) -> float | None:
    try:
        fields = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None  # gone, or no /proc here
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _processes() -> dict[int, tuple[int, str]]:
    """Every process: its parent and the start of its command line."""
    found = {}
    for entry in PROC.glob("[0-9]*"):
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()[:64].replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
        found[int(entry.name)] = (parent, command)
    return found


def _descendants(root: int, processes: dict[int, tuple[int, str]]) -> set[int]:
    family, grown = {root}, True
    while grown:
        more = {pid for pid, (parent, _) in processes.items() if parent in family} - family
        family |= more
        grown = bool(more)
    return family


class CpuMeter:
    """CPU seconds used between `start()` and `stop()` by the server (a process and its children),
    by PostgreSQL's processes on this machine, and by this process (the load)."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.available = PROC.is_dir()
        self._start: dict[str, dict[int, float]] = {}
        self.used: dict[str, float] = {}

    def _read(self) -> dict[str, dict[int, float]]:
        processes = _processes()
        parties: dict[str, set[int]] = {
            "server": _descendants(self.server_pid, processes),
            "PostgreSQL": {pid for pid, (_, command) in processes.items() if command.startswith("postgres")},
        }
        readings = {name: {pid: seconds for pid in pids if (seconds := _cpu_seconds(pid)) is not None}
                    for name, pids in parties.items()}
        readings["load"] = {0: time.process_time()}
        return readings

    def start(self) -> None:
        if self.available:
            self._start = self._read()

    def stop(self) -> None:
        if not self.available:
            return
        end = self._read()
        # A process that started meanwhile counts from nothing; one that ended meanwhile is lost.
        self.used = {name: sum(seconds - self._start[name].get(pid, 0.0) for pid, seconds in pids.items())
                     for name, pids in end.items()}

    def per_request(self, requests: int) -> str:
        if not self.used or not requests:
            return "CPU per request: not measured (no /proc)"
        parts = ", ".join(f"{name} {seconds / requests * 1000:.2f} ms" for name, seconds in self.used.items())
        return f"CPU per request: {parts} ({os.cpu_count()} cores)"


def python_speed() -> float:
    """Seconds this machine takes for ten million additions in a plain Python loop."""
    started, total = time.perf_counter(), 0
    for n in range(10_000_000):
        total += n
    return time.perf_counter() - started
