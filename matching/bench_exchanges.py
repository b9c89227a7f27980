"""Benchmark of the exchange matcher: ``python -m matching.bench_exchanges --listings 20000``.

Generates a register (generate_exchanges.py, deterministic for the seed), matches it and prints
the listings, the classes of home and groups of interchangeable listings, the class cycles
enumerated, the households moving, the proven upper bound, optimal or the gap, and the wall and
CPU seconds of the matching (generating excluded). Run it with ``ulimit -v 8000000``.
"""

from __future__ import annotations

import argparse
import resource
import time

from .exchange_classes import class_register
from .exchanges import match_exchanges
from .generate_exchanges import generate_listings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m matching.bench_exchanges", description=__doc__)
    parser.add_argument("--listings", type=int, nargs="+", default=[20_000])
    parser.add_argument("--max-ring", type=int, default=3, choices=(2, 3))
    parser.add_argument("--time-limit", type=float, default=25.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1, help="the register's seed (CP-SAT's is 0)")
    args = parser.parse_args(argv)
    for count in args.listings:
        listings = generate_listings(count, seed=args.seed)
        started, cpu = time.perf_counter(), time.process_time()
        result = match_exchanges(listings, max_ring=args.max_ring, time_limit_s=args.time_limit, workers=args.workers)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        # The sizes, counted again outside the timing (the matcher does not return them).
        register = class_register(sorted(listings, key=lambda listing: listing.id), args.max_ring)
        gap = result.upper_bound - result.households_moving
        verdict = "optimal" if result.optimal else f"gap {gap} ({gap / max(1, result.upper_bound):.1%})"
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{count:>7,} listings | {len(register.classes):,} classes, {len(register.groups):,} groups | "
            f"cycles: {len(register.two_cycles):,} two-way, {len(register.three_cycles):,} three-way | "
            f"moving {result.households_moving:,} in {len(result.exchanges):,} exchanges "
            f"({sum(len(e.ring) == 3 for e in result.exchanges):,} three-way), upper bound {result.upper_bound:,}, "
            f"{verdict} | wall {wall:.2f}s, CPU {cpu:.2f}s | peak {peak:,.0f} MB",
            flush=True,
        )


if __name__ == "__main__":
    main()
