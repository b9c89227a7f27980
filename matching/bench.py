"""Benchmark: ``python -m matching.bench [--sizes 1kx20,10kx100,50kx500,150kx1500] [--quotas]``.

Each size runs in its own process (generated deterministically from the seed, see generate.py),
so that its peak memory (ru_maxrss) is its own. Prints one line per size:
read (the instance's JSON text into checked types, as ``python -m matching solve`` reads a file),
rank (eligibility, shortlists and explanations), DA (deferred acceptance), CP-SAT (reducing the
quota problem and solving it), solve (everything ``solve`` does), write (the result as JSON text),
then the status, homes let, quota shortfall, designated adverts, bids given to CP-SAT and peak
memory of the process (the generated data included). "CPU read to write" is the processor time
of all of it: on a machine shared with other work it is the steadier figure.

``--write FILE`` writes the instance of the one size given instead, for timing the command line:
``python -m matching.bench --sizes 150kx1500 --write cycle.json``, then
``/usr/bin/time -v python -m matching solve cycle.json -o result.json``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from typing import Any

DEFAULT_SIZES = "1kx20,10kx100,50kx500,150kx1500"

# One size's figures (numbers, and the status as text); the child process prints it as JSON.
Measurement = dict[str, Any]


def parse_size(text: str) -> tuple[int, int]:
    applicants, _, adverts = text.lower().replace("×", "x").partition("x")

    def number(part: str) -> int:
        part = part.strip().replace(",", "").replace("_", "")
        return int(float(part[:-1]) * 1000) if part.endswith("k") else int(part)

    return number(applicants), number(adverts)


def measure(applicants: int, adverts: int, quotas: bool, seed: int, time_limit: float) -> Measurement:
    import msgspec

    from .generate import generate_cycle
    from .io import encode_result, read_instance
    from .solve import solve

    text = msgspec.json.encode(generate_cycle(applicants, adverts, quotas=quotas, seed=seed))
    started, cpu = time.perf_counter(), time.process_time()
    instance = read_instance(text)
    build = time.perf_counter() - started
    del text
    started = time.perf_counter()
    result = solve(instance, time_limit=time_limit)
    solve_seconds = time.perf_counter() - started
    started = time.perf_counter()
    written = len(encode_result(result))
    write = time.perf_counter() - started
    cpu = time.process_time() - cpu
    t = result.timings
    return {
        "applicants": applicants,
        "adverts": adverts,
        "bids": len(instance.bids),
        "build": build,
        "rank": t.get("rank", 0.0) + t.get("rank_designated", 0.0),
        "da": t.get("deferred_acceptance", 0.0),
        "reduce": t.get("reduction", 0.0),
        "cpsat": t.get("cpsat", 0.0),
        "solve": solve_seconds,
        "write": write,
        "cpu": cpu,
        "result_mb": written / 1e6,
        "status": result.status,
        "lets": len(result.allocation),
        "shortfall": sum(s.shortfall for s in result.quota_shortfalls),
        "designated": len(result.designated),
        "cpsat_bids": result.stats.get("cpsat_bids", 0),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def format_line(m: Measurement, quotas: bool) -> str:
    size = f"{_short(m['applicants'])}×{m['adverts']:,}"
    return (
        f"{size:>11} {'quotas' if quotas else 'no quotas':9} bids {m['bids']:>7,} | "
        f"read {m['build']:5.2f}s  rank {m['rank']:5.2f}s  DA {m['da']:4.2f}s  "
        f"CP-SAT {m['reduce'] + m['cpsat']:5.2f}s (reduce {m['reduce']:.2f}s, solve {m['cpsat']:.2f}s)  "
        f"solve total {m['solve']:5.2f}s  write {m['write']:4.2f}s ({m['result_mb']:,.0f} MB)  "
        f"CPU read to write {m['cpu']:5.2f}s | "
        f"{m['status']}, lets {m['lets']:,}/{m['adverts']:,}, "
        f"shortfall {m['shortfall']}, designated {m['designated']}, CP-SAT bids {m['cpsat_bids']:,} | "
        f"peak {m['peak_mb']:,.0f} MB"
    )


def _short(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else f"{n:,}"


def _write(sizes: str, quotas: bool, seed: int, path: str) -> int:
    import msgspec

    from .generate import generate_cycle

    if "," in sizes:
        print("--write takes one size, e.g. --sizes 150kx1500", file=sys.stderr)
        return 2
    applicants, adverts = parse_size(sizes)
    with open(path, "wb") as file:
        file.write(msgspec.json.encode(generate_cycle(applicants, adverts, quotas=quotas, seed=seed)))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m matching.bench", description="Time the engine on generated cycles, one line per size."
    )
    parser.add_argument(
        "--sizes", default=DEFAULT_SIZES, help=f"applicants x adverts, comma-separated ({DEFAULT_SIZES})"
    )
    parser.add_argument(
        "--quotas", action="store_true", help="give providers' agreements quotas (mostly 50%% homeless)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=60.0, help="CP-SAT seconds per size")
    parser.add_argument("--write", metavar="FILE", help="write the one size's instance as JSON to FILE and stop")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # one size, run in this process
    args = parser.parse_args(argv)

    if args.write:
        return _write(args.sizes, args.quotas, args.seed, args.write)

    if args.child:
        applicants, adverts = parse_size(args.child)
        print(json.dumps(measure(applicants, adverts, args.quotas, args.seed, args.time_limit)))
        return 0

    for size in args.sizes.split(","):
        command = [sys.executable, "-m", "matching.bench", "--child", size, "--seed", str(args.seed)]
        command += ["--time-limit", str(args.time_limit)] + (["--quotas"] if args.quotas else [])
        completed = subprocess.run(command, capture_output=True, text=True)
        if completed.returncode != 0:
            print(f"{size}: failed\n{completed.stderr}", file=sys.stderr)
            return 1
        print(format_line(json.loads(completed.stdout.strip().splitlines()[-1]), args.quotas), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
