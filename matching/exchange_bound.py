"""A proven upper bound on the households that can move, from the class model's LP relaxation (PDLP).

CP-SAT's own bound on large registers stays near "every listing moves" within the time limit, so
the bound comes from the linear relaxation of exchange_model's program, solved by PDLP (a
first-order LP method that scales to the 20,000-listing register in seconds). PDLP's answer is
approximate (and cut short by its time limit), so it is not trusted as it is: its dual prices
``price[arc]`` are put into the Lagrangian of the program,

    L(price) = sum over class cycles c of  most_c * max(0, len(c) - sum of price on c's arcs)
             + sum over groups g of        size_g * max(0, max over g's destinations b of price[home_g, b]),

which is an upper bound for *any* prices: relaxing "listings sent on an arc = listings the
exchanges need on it" with those prices leaves a problem that splits into cycles and groups, each
best served by taking its best option as often as it may. Rounding errors in the sum are far below
the margin of 1e-6 taken before rounding down to a whole number of households.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# OR-Tools ships no types for its LP protos and PDLP (it does for CP-SAT).
from ortools.linear_solver import linear_solver_pb2  # type: ignore[import-untyped]
from ortools.pdlp import solvers_pb2  # type: ignore[import-untyped]
from ortools.pdlp.python import pdlp  # type: ignore[import-untyped]

from .exchange_classes import ClassRegister, Cycle

# Destinations whose price is within this of a group's best count as the LP's choice for it (the
# prices are approximate); 0.001 to 0.05 gave the same greedy answers on generated registers.
TIGHT = 0.01


class _Program:
    """The LP relaxation as arrays: variables are the cycles' counts, then the groups' sendings."""

    def __init__(self, register: ClassRegister, limits: dict[Cycle, int]) -> None:
        classes = len(register.classes)
        arcs = np.array(sorted(register.capacity), dtype=np.int64).reshape(-1, 2)
        arc_number = np.full(classes * classes, -1, dtype=np.int64)
        arc_number[arcs[:, 0] * classes + arcs[:, 1]] = np.arange(len(arcs))
        self.arcs = len(arcs)
        # Each cycle's arcs: (a, b), (b, c), (c, a); a 2-cycle's third is masked out.
        padded = np.array([c if len(c) == 3 else (c[0], c[1], -1) for c in limits], dtype=np.int64).reshape(-1, 3)
        self.length = np.where(padded[:, 2] >= 0, 3, 2)
        ends = np.where(padded[:, 2] >= 0, padded[:, 2], padded[:, 0])
        tails = np.stack([padded[:, 0], padded[:, 1], np.where(padded[:, 2] >= 0, padded[:, 2], -1)], axis=1)
        heads = np.stack([padded[:, 1], ends, padded[:, 0]], axis=1)
        self.cycle_arcs = np.where(tails >= 0, arc_number[np.maximum(tails, 0) * classes + heads], 0)
        self.cycle_used = (tails >= 0).astype(float)
        self.most = np.fromiter(limits.values(), dtype=float, count=len(limits))
        # The groups' sendings: group g to each destination, flattened in group order.
        self.groups = register.groups
        sizes = [len(g.ids) for g in register.groups]
        self.group_size = np.array(sizes, dtype=float)
        self.send_group = np.repeat(np.arange(len(sizes)), [len(g.destinations) for g in register.groups])
        self.send_arc = arc_number[
            np.array([g.home * classes + b for g in register.groups for b in g.destinations], dtype=np.int64)
        ]
        self.group_start = np.searchsorted(self.send_group, np.arange(len(sizes)))

    def lagrangian(self, prices: np.ndarray) -> int:
        """L(prices), rounded down to whole households: an upper bound for any prices."""
        gain = self.length - (prices[self.cycle_arcs] * self.cycle_used).sum(axis=1)
        total = float(np.sum(self.most * np.maximum(gain, 0.0)))
        if len(self.group_size):
            best = np.maximum.reduceat(prices[self.send_arc], self.group_start)
            total += float(np.sum(self.group_size * np.maximum(best, 0.0)))
        return math.floor(total + 1e-6)

    def preferred(self, prices: np.ndarray) -> list[tuple[int, ...]]:
        """Per group, the destinations priced within TIGHT of its best, if that is positive (the LP moves
        a listing only where its price is highest, and not at all if no price is positive)."""
        sent_prices = prices[self.send_arc].tolist()
        preferred = []
        for g, group in enumerate(self.groups):
            start = int(self.group_start[g])
            offered = sent_prices[start : start + len(group.destinations)]
            best = max(offered)
            preferred.append(
                tuple(b for b, p in zip(group.destinations, offered, strict=True) if p >= best - TIGHT)
                if best > 0
                else ()
            )
        return preferred

    def proto(self) -> linear_solver_pb2.MPModelProto:
        """max sum len*y  s.t.  per arc: sent - needed = 0;  per group: sent <= size;  0 <= y <= most."""
        model = linear_solver_pb2.MPModelProto(maximize=True)
        for most, length in zip(self.most.tolist(), self.length.tolist(), strict=True):
            model.variable.add(lower_bound=0.0, upper_bound=most, objective_coefficient=float(length))
        first_send = len(self.most)
        for g in self.send_group.tolist():
            model.variable.add(lower_bound=0.0, upper_bound=float(self.group_size[g]))
        # Terms (row, variable, coefficient), summed where a cycle uses an arc twice ((a, a) or (a, a, a)).
        cycles = np.repeat(np.arange(len(self.most)), 3)
        rows = np.concatenate([self.cycle_arcs.ravel(), self.send_arc])
        variables = np.concatenate([cycles, first_send + np.arange(len(self.send_arc))])
        coefficients = np.concatenate([-self.cycle_used.ravel(), np.ones(len(self.send_arc))])
        order = np.lexsort((variables, rows))
        keys = rows[order] * (first_send + len(self.send_arc)) + variables[order]
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        merged = np.add.reduceat(coefficients[order], starts)
        rows, variables = rows[order][starts], variables[order][starts]
        keep = merged != 0.0
        rows, variables, merged = rows[keep], variables[keep], merged[keep]
        bounds = np.searchsorted(rows, np.arange(self.arcs + 1))
        for k in range(self.arcs):
            s, e = bounds[k], bounds[k + 1]
            model.constraint.add(
                lower_bound=0.0,
                upper_bound=0.0,
                var_index=variables[s:e].tolist(),
                coefficient=merged[s:e].tolist(),
            )
        counts = np.diff(np.r_[self.group_start, len(self.send_group)])
        for g in np.flatnonzero(counts > 1).tolist():
            s = int(self.group_start[g])
            model.constraint.add(
                lower_bound=-math.inf,
                upper_bound=float(self.group_size[g]),
                var_index=list(range(first_send + s, first_send + s + int(counts[g]))),
                coefficient=[1.0] * int(counts[g]),
            )
        return model


@dataclass(frozen=True)
class LpBound:
    bound: int  # proven: no set of exchanges moves more households
    preferred: list[tuple[int, ...]]  # per group: the destinations the LP's prices value most (within TIGHT)


def lp_bound(register: ClassRegister, limits: dict[Cycle, int], *, time_limit_s: float, workers: int) -> LpBound | None:
    """A proven bound from the LP relaxation (``limits``: each class cycle's most exchanges), and where
    the LP's prices say each group's listings are best sent. None if PDLP gives no prices."""
    program = _Program(register, limits)
    parameters = solvers_pb2.PrimalDualHybridGradientParams()
    parameters.num_threads = max(1, workers)
    parameters.termination_criteria.time_sec_limit = max(0.1, time_limit_s)
    # Stopped by its time limit, PDLP still gives its latest prices: a weaker bound, but a proven one.
    problem = pdlp.qp_from_mpmodel_proto(program.proto(), True)
    prices = np.asarray(pdlp.primal_dual_hybrid_gradient(problem, parameters).dual_solution, dtype=float)
    prices = prices[: program.arcs]
    if len(prices) != program.arcs or not np.all(np.isfinite(prices)):
        return None
    # The solver's sign convention for the prices of a maximisation is its own: both signs give a bound,
    # the smaller is the one of the LP's optimum.
    bound, prices = min((program.lagrangian(sign * prices), sign * prices) for sign in (1.0, -1.0))
    return LpBound(bound, program.preferred(prices))
