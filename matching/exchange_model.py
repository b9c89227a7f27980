"""The exchange problem as an integer program on classes (CP-SAT): how many exchanges of each class cycle.

Variables: ``rings[cycle]``, how many exchanges follow the class cycle (a, b) or (a, b, c); and
``sent[group, b]``, how many listings of a group of interchangeable listings move into homes of
class b. Constraints:

- each listing moves at most once: a group sends at most as many listings as it has;
- the listings a class sends to class b are exactly the ones the chosen exchanges need on the arc
  a -> b (an exchange on (a, a, b) needs one on a -> a, one on a -> b and one on b -> a).

Any solution is a set of concrete exchanges, and every set of 2- and 3-exchanges gives a solution,
so the optimum is exactly the most households that can move (expanding the counts back into rings
of listings is ``exchanges._rings``). The model's size is the classes' cycles, not the listings'.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .exchange_classes import Arc, ClassRegister, Cycle

# Below this many variables CP-SAT's presolve pays for itself; above it (2,000 listings and up) it
# takes longer than the search it speeds up.
PRESOLVE_UP_TO = 5_000


@dataclass(frozen=True)
class Counts:
    """A set of exchanges as counts: what CP-SAT decides and what exchanges._rings expands."""

    rings: dict[Cycle, int]  # class cycle -> exchanges along it (only the positive ones)
    sent: dict[tuple[int, int], int]  # (group index, destination class) -> listings moving (positive ones)

    @property
    def moving(self) -> int:
        return sum(len(cycle) * times for cycle, times in self.rings.items())


@dataclass(frozen=True)
class Solved:
    counts: Counts | None  # None when CP-SAT found nothing in the time
    upper_bound: int  # CP-SAT's proven bound


def arcs_of(cycle: Cycle) -> Counter[Arc]:
    """The arcs an exchange along ``cycle`` uses, with how many times."""
    return Counter((cycle[k], cycle[(k + 1) % len(cycle)]) for k in range(len(cycle)))


def cycle_limits(register: ClassRegister) -> dict[Cycle, int]:
    """Each class cycle that can be used -> the most exchanges along it (its scarcest arc's listings allow)."""
    limits = {}
    for cycle in register.two_cycles + register.three_cycles:
        most = min(register.capacity[arc] // times for arc, times in arcs_of(cycle).items())
        if most > 0:
            limits[cycle] = most
    return limits


def counts_of(register: ClassRegister, rings: list[list[int]], group_of: list[int]) -> Counts:
    """Rings of listing numbers (see exchange_greedy) as counts."""
    home = [register.groups[g].home for g in group_of]
    cycles: Counter[Cycle] = Counter()
    sent: Counter[tuple[int, int]] = Counter()
    for ring in rings:
        classes = [home[i] for i in ring]
        cycles[min(tuple(classes[k:] + classes[:k]) for k in range(len(classes)))] += 1
        for k, i in enumerate(ring):
            sent[group_of[i], classes[(k + 1) % len(ring)]] += 1
    return Counts(dict(cycles), dict(sent))


def solve_counts(
    register: ClassRegister,
    limits: dict[Cycle, int],
    *,
    hint: Counts,
    at_most: int,
    deadline: float,
    workers: int,
    seed: int,
) -> Solved:
    """The most households moving in exchanges along the class cycles in ``limits``, as counts.

    Starts from ``hint``; ``at_most`` is a bound already proven (the LP's), given to CP-SAT so that
    it stops as soon as it reaches it. Stops at ``deadline`` (time.perf_counter()): the best found and
    CP-SAT's bound."""
    model, rings, sent = _model(register, limits, at_most)
    for cycle, var in rings.items():
        model.add_hint(var, hint.rings.get(cycle, 0))
    for key, var in sent.items():
        model.add_hint(var, hint.sent.get(key, 0))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, deadline - time.perf_counter())  # after building
    small = len(rings) + len(sent) <= PRESOLVE_UP_TO
    # A small model is solved in moments by one worker, and one worker with a fixed seed always gives the
    # same answer (parallel workers race to it, so which of several equally good answers wins varies).
    solver.parameters.num_workers = 1 if small else workers
    solver.parameters.random_seed = seed
    solver.parameters.cp_model_presolve = small
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Solved(None, at_most)  # stopped before a solution: its "bound" (0) means nothing then
    if status == cp_model.OPTIMAL:
        bound = round(solver.objective_value)
    else:
        bound = min(at_most, math.floor(solver.best_objective_bound + 1e-6))
    return Solved(
        Counts(
            rings={cycle: v for cycle, var in rings.items() if (v := solver.value(var)) > 0},
            sent={key: v for key, var in sent.items() if (v := solver.value(var)) > 0},
        ),
        bound,
    )


def _model(
    register: ClassRegister, limits: dict[Cycle, int], at_most: int
) -> tuple[cp_model.CpModel, dict[Cycle, cp_model.IntVar], dict[tuple[int, int], cp_model.IntVar]]:
    model = cp_model.CpModel()

    # Variables: exchanges per class cycle, at most what its scarcest arc allows.
    rings = {cycle: model.new_int_var(0, most, f"rings{cycle}") for cycle, most in limits.items()}
    needed_on_arc: dict[Arc, list[tuple[int, cp_model.IntVar]]] = {arc: [] for arc in register.capacity}
    for cycle, var in rings.items():
        for arc, times in arcs_of(cycle).items():
            needed_on_arc[arc].append((times, var))

    # Each listing moves at most once: a group sends at most as many listings as it has.
    sent: dict[tuple[int, int], cp_model.IntVar] = {}
    sent_on_arc: dict[Arc, list[cp_model.IntVar]] = {arc: [] for arc in register.capacity}
    for g, group in enumerate(register.groups):
        for b in group.destinations:
            sent[g, b] = model.new_int_var(0, len(group.ids), f"sent{g},{b}")
            sent_on_arc[group.home, b].append(sent[g, b])
        if len(group.destinations) > 1:
            model.add(sum(sent[g, b] for b in group.destinations) <= len(group.ids))

    # The listings a class sends to another are exactly those the exchanges need on that arc.
    for arc, senders in sent_on_arc.items():
        model.add(sum(senders) == sum(times * var for times, var in needed_on_arc[arc]))

    # As many households moving as possible, and no more than the bound already proven.
    moving = sum(len(cycle) * var for cycle, var in rings.items())
    model.add(moving <= at_most)
    model.maximize(moving)
    return model, rings, sent
