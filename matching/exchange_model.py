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
from collections import Counter
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .exchange_classes import Arc, ClassRegister, Cycle


@dataclass(frozen=True)
class Counts:
    rings: dict[Cycle, int]  # class cycle -> exchanges along it (only the positive ones)
    sent: dict[tuple[int, int], int]  # (group index, destination class) -> listings moving (positive ones)
    upper_bound: int  # proven: no set of exchanges moves more households
    optimal: bool


def solve_counts(register: ClassRegister, *, time_limit_s: float, workers: int, seed: int) -> Counts:
    """The most households moving in 2- and 3-exchanges of classes, as counts; time-limited."""
    movable = sum(len(g.ids) for g in register.groups)
    if not register.two_cycles and not register.three_cycles:
        return Counts({}, {}, 0, True)
    model = cp_model.CpModel()
    capacity = register.capacity

    # Variables: exchanges per class cycle, bounded by the listings on its scarcest arc.
    rings: dict[Cycle, cp_model.IntVar] = {}
    needs_on_arc: dict[Arc, list[tuple[int, cp_model.IntVar]]] = {arc: [] for arc in capacity}
    for cycle in register.two_cycles + register.three_cycles:
        arcs = Counter((cycle[k], cycle[(k + 1) % len(cycle)]) for k in range(len(cycle)))
        most = min(capacity[arc] // times for arc, times in arcs.items())
        if most == 0:
            continue
        rings[cycle] = model.new_int_var(0, most, f"rings{cycle}")
        for arc, times in arcs.items():
            needs_on_arc[arc].append((times, rings[cycle]))

    # Each listing moves at most once: a group sends at most as many listings as it has.
    sent: dict[tuple[int, int], cp_model.IntVar] = {}
    sent_on_arc: dict[Arc, list[cp_model.IntVar]] = {arc: [] for arc in capacity}
    for g, group in enumerate(register.groups):
        size = len(group.ids)
        for b in group.destinations:
            sent[g, b] = model.new_int_var(0, size, f"sent{g},{b}")
            sent_on_arc[group.home, b].append(sent[g, b])
        if len(group.destinations) > 1:
            model.add(sum(sent[g, b] for b in group.destinations) <= size)

    # The listings a class sends to another are exactly those the exchanges need on that arc.
    for arc, senders in sent_on_arc.items():
        model.add(sum(senders) == sum(times * var for times, var in needs_on_arc[arc]))

    model.maximize(sum(len(cycle) * var for cycle, var in rings.items()))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit_s)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Counts({}, {}, movable, movable == 0)
    moving = round(solver.objective_value)
    bound = moving if status == cp_model.OPTIMAL else min(movable, math.floor(solver.best_objective_bound + 1e-6))
    return Counts(
        rings={cycle: v for cycle, var in rings.items() if (v := solver.value(var)) > 0},
        sent={key: v for key, var in sent.items() if (v := solver.value(var)) > 0},
        upper_bound=max(bound, moving),
        optimal=bound <= moving,
    )
