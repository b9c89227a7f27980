"""Mutual exchanges: tenants list their home and what they would take; the matcher finds 2- and
3-way exchanges in which every household gets a home it would take, moving as many households as it can.

The matcher sees only "what this household would take": the caller (the app) folds the
household's bedroom need into ``wants.min_bedrooms`` / ``wants.max_bedrooms`` (and any other
rule about who may have which home into the wants) before calling.

How: the listings are seen by class of home (exchange_classes.py); the number of exchanges of
each class cycle is chosen by a greedy start (exchange_greedy.py), the LP relaxation's prices
(exchange_bound.py, which also proves the upper bound) and CP-SAT (exchange_model.py) in turn; and
the counts are expanded back into rings of listing ids here, deterministically (earlier ids first
within interchangeable listings). matching/README.md has the contract and the figures.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Sequence

import msgspec

from .exchange_bound import lp_bound
from .exchange_classes import Arc, ClassRegister, class_register
from .exchange_greedy import greedy_rings
from .exchange_model import PRESOLVE_UP_TO, Counts, counts_of, cycle_limits, solve_counts

KINDS = ("flat", "house", "bungalow", "maisonette", "bedsit")
# The share of the time left after the greedy answer that the LP bound may take (PDLP needs 10-16 s
# at 20,000 listings on the project's shared machine); the guided greedy and CP-SAT have the rest.
LP_SHARE = 0.8
# CP-SAT is only started if the time left covers building its model (about this many variables a
# second on the project's machine under load) and a little search.
CP_SAT_BUILDS_PER_SECOND = 50_000
# The second LP-guided greedy (2-way exchanges first) only runs with this much time left (it takes
# about 2 s at 20,000 listings under load).
SECOND_GUIDED_GREEDY_S = 3.0


class Home(msgspec.Struct, frozen=True, gc=False):
    area: str
    bedrooms: int
    kind: str  # one of KINDS


class Wants(msgspec.Struct, frozen=True, gc=False):
    """The homes a household would take: any of these areas and kinds, bedrooms in the range (inclusive)."""

    areas: frozenset[str]
    min_bedrooms: int
    max_bedrooms: int
    kinds: frozenset[str]


class Listing(msgspec.Struct, frozen=True, gc=False):
    id: str
    home: Home
    wants: Wants


class Exchange(msgspec.Struct, frozen=True, gc=False):
    """ring[k]'s household moves into ring[k+1]'s home (the last into the first's). Starts at its smallest id."""

    ring: tuple[str, ...]


class ExchangeResult(msgspec.Struct, frozen=True):
    exchanges: tuple[Exchange, ...]  # sorted by ring
    households_moving: int  # the listings in the exchanges
    upper_bound: int  # proven: no set of 2..max_ring exchanges moves more households
    optimal: bool  # households_moving == upper_bound
    seconds: float  # wall time of the call


def accepts(listing: Listing, home: Home) -> bool:
    """Whether the household would take ``home``: its area, kind and bedrooms are among those it wants."""
    wants = listing.wants
    return (
        home.area in wants.areas
        and home.kind in wants.kinds
        and wants.min_bedrooms <= home.bedrooms <= wants.max_bedrooms
    )


def match_exchanges(
    listings: Sequence[Listing],
    *,
    max_ring: int = 3,
    time_limit_s: float = 25.0,
    workers: int = 2,
    seed: int = 0,
) -> ExchangeResult:
    """The exchanges of 2..max_ring households (max_ring 2 or 3) that move as many households as possible.

    Each listing is in at most one exchange and every household in a ring accepts the next home.
    The caller folds each household's bedroom need into its wants (see the module's docstring).
    The result does not depend on the order of ``listings``. The whole call takes about
    ``time_limit_s`` at most; PDLP and CP-SAT use ``workers`` threads, CP-SAT ``seed``. When the answer
    is proved best, ``optimal`` is true and ``upper_bound == households_moving``; when the time runs
    out the result is the best found, ``upper_bound`` the best bound proven (the LP's or CP-SAT's),
    and another run may differ a little. Raises ValueError for a repeated listing id or a max_ring
    other than 2 or 3.
    """
    started = time.perf_counter()
    if max_ring not in (2, 3):
        raise ValueError(f"max_ring must be 2 or 3, not {max_ring}")
    ordered = sorted(listings, key=lambda listing: listing.id)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.id == after.id:
            raise ValueError(f"listing id {before.id!r} appears more than once")
    register = class_register(ordered, max_ring)
    counts, upper_bound = _best_counts(register, max_ring, started + time_limit_s, workers, seed)
    exchanges = _rings(register, counts)
    moving = sum(len(e.ring) for e in exchanges)
    return ExchangeResult(
        exchanges=exchanges,
        households_moving=moving,
        upper_bound=max(upper_bound, moving),
        optimal=upper_bound <= moving,
        seconds=time.perf_counter() - started,
    )


def _best_counts(
    register: ClassRegister, max_ring: int, deadline: float, workers: int, seed: int
) -> tuple[Counts, int]:
    """The best exchanges found by the deadline (as counts) and the best proven bound.

    The greedy gives a first answer at once; on all but small registers the LP bound comes next
    (it is what proves large answers near-optimal) and the greedy runs again guided by the LP's
    prices (each listing first offered only where the LP would send it); CP-SAT, started from the
    better answer and told the bound, has the time that is left.
    """
    limits = cycle_limits(register)
    best = counts_of(register, *greedy_rings(register, max_ring))
    # Every listing on an arc of a usable class cycle could move, at most; with no usable cycle, none can.
    upper_bound = sum(len(group.ids) for group in register.groups) if limits else 0
    variables = len(limits) + sum(len(g.destinations) for g in register.groups)  # of the CP-SAT model
    if variables > PRESOLVE_UP_TO:
        share = LP_SHARE * (deadline - time.perf_counter())
        lp = lp_bound(register, limits, time_limit_s=share, workers=workers)
        if lp is not None:
            upper_bound = min(upper_bound, lp.bound)
            for swaps_first in (False, True) if max_ring == 3 else (False,):
                if swaps_first and deadline - time.perf_counter() < SECOND_GUIDED_GREEDY_S:
                    break
                guided = counts_of(register, *greedy_rings(register, max_ring, lp.preferred, swaps_first=swaps_first))
                best = guided if guided.moving > best.moving else best
    if best.moving < upper_bound and deadline - time.perf_counter() > 0.2 + variables / CP_SAT_BUILDS_PER_SECOND:
        solved = solve_counts(
            register,
            limits,
            hint=best,
            at_most=upper_bound,
            deadline=deadline,
            workers=workers,
            seed=seed,
        )
        upper_bound = min(upper_bound, solved.upper_bound)
        if solved.counts is not None and solved.counts.moving > best.moving:
            best = solved.counts
    return best, upper_bound


def _rings(register: ClassRegister, counts: Counts) -> tuple[Exchange, ...]:
    """The counts as rings of listing ids: each group's listings, in id order, fill the arcs it sends to."""
    on_arc: dict[Arc, deque[str]] = {}
    for g, group in enumerate(register.groups):
        ids = iter(group.ids)
        for b in group.destinations:
            queue = on_arc.setdefault((group.home, b), deque())
            queue.extend(next(ids) for _ in range(counts.sent.get((g, b), 0)))
    exchanges = []
    for cycle, times in sorted(counts.rings.items()):
        arcs = [(cycle[k], cycle[(k + 1) % len(cycle)]) for k in range(len(cycle))]
        for _ in range(times):
            ring = [on_arc[arc].popleft() for arc in arcs]
            first = ring.index(min(ring))
            exchanges.append(Exchange(tuple(ring[first:] + ring[:first])))
    return tuple(sorted(exchanges, key=lambda e: e.ring))
