"""What the load benchmarks share: the site served as deployed, requests sent at a set rate with
httpx, and a table of latencies per page.

Requests go out on a Poisson schedule whatever the server is doing (an open loop), and each one's
latency counts from when it was due, so a server that falls behind shows it.
"""

import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

import httpx

from tests.support.databases import free_port

SITE_KEY = "bench" * 10  # the served site's secret key (the demo staff's authenticator apps are sealed under it)

SERVERS = {
    # What `cbl serve` runs: gunicorn with uvicorn workers.
    "gunicorn": lambda port, workers: [sys.executable, "-m", "cbl", "serve", "--workers", str(workers)],
    "uvicorn": lambda port, workers: [sys.executable, "-m", "uvicorn", "--factory", "--host", "127.0.0.1",
                                      "--port", str(port), "--workers", str(workers), "--log-level", "warning",
                                      "--no-access-log", "cbl.asgi:create"],
    "granian": lambda port, workers: [sys.executable, "-m", "granian", "--interface", "asgi", "--factory",
                                      "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
                                      "--log-level", "warning", "cbl.asgi:create"],
}


@contextmanager
def server(url: str, workers: int, kind: str = "gunicorn") -> Iterator[str]:
    """The site on a free port (`cbl serve --workers N`, or another server on cbl.asgi:create);
    yields its base URL and stops it afterwards."""
    port = free_port()
    env = {**os.environ, "CBL_DATABASE_URL": url, "CBL_SECRET_KEY": SITE_KEY, "CBL_HOST": "127.0.0.1",
           "CBL_PORT": str(port), "CBL_EMBED_SCHEDULER": "0"}
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile("w+") as log:  # a file, not a pipe: a full pipe would stop the server
        process = subprocess.Popen(SERVERS[kind](port, workers), env=env, stdout=log, stderr=log, text=True)
        try:
            _wait_until_answering(base, process, log)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=40)
            log.seek(0)
            if errors := log.read().count("Traceback"):
                print(f"  the server logged {errors} tracebacks", file=sys.stderr)


def _wait_until_answering(base: str, process: subprocess.Popen, log) -> None:  # noqa: ANN001
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server stopped: {log.read()[-2000:]}")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not start")


class Tally:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))

    def record(self, name: str, status: int, seconds: float) -> None:
        self.latency[name].append(seconds)
        self.statuses[name][status] += 1


Send = Callable[[], Awaitable[tuple[str, int]]]  # sends one request; gives its name and status


async def at_rate(send: Send, rate: float, seconds: float, tally: Tally, seed: int = 1) -> None:
    """Call `send` `rate` times a second on average (Poisson arrivals) for `seconds`."""
    rng = random.Random(seed)
    started = due = time.perf_counter()
    tasks = set()

    async def one(due: float) -> None:
        try:
            name, status = await send()
        except httpx.HTTPError as error:
            name, status = type(error).__name__, 0
        tally.record(name, status, time.perf_counter() - due)

    while (due := due + rng.expovariate(rate)) < started + seconds:
        if (wait := due - time.perf_counter()) > 0:
            await asyncio.sleep(wait)
        task = asyncio.create_task(one(due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    await asyncio.gather(*tasks)


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def print_table(tally: Tally, elapsed: float, p95_target: float | None = None, p99_target: float | None = None
                ) -> list[str]:
    """Requests, p50, p95, p99 and max (ms) per page; returns the pages that missed a target (seconds)."""
    missed = []
    print(f"  {'request':<44}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}  statuses")

    def row(name: str, latencies: list[float], statuses: str) -> None:
        ordered = sorted(latencies)
        p95, p99 = percentile(ordered, 0.95), percentile(ordered, 0.99)
        late = (p95_target is not None and p95 >= p95_target) or (p99_target is not None and p99 >= p99_target)
        if late and statuses:
            missed.append(name)
        print(f"  {name:<44}{len(ordered):>9}{percentile(ordered, 0.5) * 1000:>9.0f}{p95 * 1000:>9.0f}"
              f"{p99 * 1000:>9.0f}{ordered[-1] * 1000:>9.0f}  {statuses}{'  MISSED' if late and statuses else ''}")

    for name in sorted(tally.latency):
        row(name, tally.latency[name], ", ".join(f"{code}: {n}" for code, n in sorted(tally.statuses[name].items())))
    everything = [x for values in tally.latency.values() for x in values]
    row("all requests", everything, "")
    print(f"  {len(everything) / elapsed:.1f} requests a second over {elapsed:.0f} s")
    return missed
