"""The quota part of a cycle as a CP-SAT model.

Data: the bids that can matter (see reduction.py), each advert's usual order and, for an advert
under an agreement with quotas, one designated order per quota group (that group's bidders
first). Variables: x[applicant, advert] (the home goes to the applicant), designate[advert, group]
(the advert is designated for the group), prefix literals for stability and one shortfall per
quota. Objective, lexicographic in stages, each stage's optimum fixed as a constraint and its
solution the hint of the next:
    1. smallest total quota shortfall;  2. most homes let;  3. fewest designated adverts;
    4. smallest sum of the preference numbers of the homes applicants get (applicant-optimal).

Stability in size linear in the number of bids ("prefix" or "cutoff" literals):
    got[a, k]        applicant a gets one of its first k homes;
    taken[h, o, j]   advert h goes to one of the first j bidders of order o.
Bid (a, h), with h a's k-th home and a j-th in order o, blocks unless
    (order o is not in force at h) or got[a, k] or taken[h, o, j - 1]   -- a clause of <= 3 literals.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .quotas import QuotaRule

USUAL = None  # key of an advert's usual (undesignated) order

BidKey = tuple[str, str]  # (applicant, advert)
OrderKey = tuple[str, str | None]  # (advert, USUAL or group)
# A Boolean variable or its negation (IntVar.Not() is a cp_model_helper.Literal, not an IntVar).
BoolLiteral = cp_model.BoolVarT
Stage = tuple[str, cp_model.LinearExpr, bool]  # (name, objective, maximise)


@dataclass
class QuotaProblem:
    """Part of a cycle, self-contained: every bid of its applicants and adverts that can be in a
    stable matching is here, and nothing outside it can change."""

    preferences: dict[str, list[str]]  # applicant -> adverts, most wanted first
    orders: dict[str, dict[str | None, list[str]]]  # advert -> {USUAL or group: bidders, first first}
    preference_number: dict[tuple[str, str], int]  # (applicant, advert) -> the bid's preference
    groups_of: dict[str, frozenset[str]]  # applicant -> groups
    agreement_of: dict[str, str | None]  # advert -> agreement
    rules: list[QuotaRule]
    hint: dict[str, str] = field(default_factory=dict)  # advert -> applicant, a stable matching


@dataclass
class QuotaSolution:
    status: str  # "optimal" | "feasible" | "no_solution"
    allocation: dict[str, str]  # advert -> applicant
    designated: dict[str, str]  # advert -> group
    objectives: dict[str, int]
    stages: list[tuple[str, str, float]]  # (stage, CP-SAT status, seconds)


def solve_quota_problem(
    problem: QuotaProblem, *, time_limit: float = 60.0, workers: int = 1, seed: int = 0
) -> QuotaSolution:
    """The lexicographically best designations and stable matching of ``problem``, within
    ``time_limit`` seconds over all stages."""
    # Model.
    model = cp_model.CpModel()

    # Variables.
    x = {
        (a, h): model.new_bool_var(f"x[{a},{h}]")
        for a, homes in problem.preferences.items()
        for h in homes
    }
    designate = {
        (h, group): model.new_bool_var(f"designate[{h},{group}]")
        for h, h_orders in problem.orders.items()
        for group in _designation_groups(h_orders)
    }
    in_force = _order_in_force(model, problem, designate)
    got = _applicant_prefixes(model, problem, x)
    taken = _advert_prefixes(model, problem, x)
    shortfall = _quota_shortfalls(model, problem, x)

    # Constraints and objectives.
    _no_passing_over(model, problem, got, taken, in_force)
    stages = _objectives(problem, x, designate, shortfall)
    hint = _hint_values(model, problem, x, in_force, got, taken, shortfall)
    return _solve_in_stages(model, stages, hint, x, designate, time_limit, workers, seed)


# --- variables and constraints -------------------------------------------------------------


def _designation_groups(h_orders: dict[str | None, list[str]]) -> list[str]:
    """The groups an advert may be designated for: every key of its orders but USUAL (None)."""
    return [group for group in h_orders if group is not None]


def _no_passing_over(
    model: cp_model.CpModel,
    problem: QuotaProblem,
    got: dict[tuple[str, int], cp_model.IntVar],
    taken: dict[tuple[str, str | None, int], cp_model.IntVar],
    in_force: dict[OrderKey, BoolLiteral],
) -> None:
    """Stability: no applicant is passed over at a home for someone of lower priority in the order
    in force there, unless the applicant gets a home they prefer."""
    for h, h_orders in problem.orders.items():
        for group, order in h_orders.items():
            for j, a in enumerate(order):
                k = problem.preferences[a].index(h)
                clause: list[BoolLiteral] = [got[a, k]]
                if j > 0:
                    clause.append(taken[h, group, j - 1])
                if (h, group) in in_force:
                    clause.append(in_force[h, group].Not())
                model.add_bool_or(clause)


def _objectives(
    problem: QuotaProblem,
    x: dict[BidKey, cp_model.IntVar],
    designate: dict[tuple[str, str], cp_model.IntVar],
    shortfall: dict[int, cp_model.IntVar],
) -> list[Stage]:
    """The objectives, most important first (see the module docstring)."""
    bids = list(x)
    return [
        ("shortfall", cp_model.LinearExpr.sum(list(shortfall.values())), False),
        ("lets", cp_model.LinearExpr.sum([x[b] for b in bids]), True),
        ("designations", cp_model.LinearExpr.sum(list(designate.values())), False),
        (
            "preference",
            cp_model.LinearExpr.weighted_sum([x[b] for b in bids], [problem.preference_number[b] for b in bids]),
            False,
        ),
    ]


def _order_in_force(
    model: cp_model.CpModel, problem: QuotaProblem, designate: dict[tuple[str, str], cp_model.IntVar]
) -> dict[OrderKey, BoolLiteral]:
    """Literal per (advert, order) that is true when that order is the one in force."""
    in_force: dict[OrderKey, BoolLiteral] = {}
    for h, h_orders in problem.orders.items():
        groups = _designation_groups(h_orders)
        if not groups:
            continue  # the usual order always applies: its clauses need no condition
        # Each advert is designated for at most one group.
        model.add_at_most_one(designate[h, g] for g in groups)
        for g in groups:
            in_force[h, g] = designate[h, g]
        if len(groups) == 1:
            in_force[h, USUAL] = designate[h, groups[0]].Not()
        else:
            usual = model.new_bool_var(f"usual[{h}]")
            model.add(usual + sum(designate[h, g] for g in groups) == 1)
            in_force[h, USUAL] = usual
    return in_force


def _applicant_prefixes(
    model: cp_model.CpModel, problem: QuotaProblem, x: dict[BidKey, cp_model.IntVar]
) -> dict[tuple[str, int], cp_model.IntVar]:
    """got[a, k]: a gets one of its first k + 1 homes. The chain also says a gets at most one."""
    got: dict[tuple[str, int], cp_model.IntVar] = {}
    for a, homes in problem.preferences.items():
        previous = None
        for k, h in enumerate(homes):
            if previous is None:
                got[a, k] = x[a, h]
            else:
                got[a, k] = model.new_bool_var(f"got[{a},{k}]")
                # Each household gets at most one home: got[a, k] = got[a, k - 1] + x[a, h].
                model.add(got[a, k] == previous + x[a, h])
            previous = got[a, k]
    return got


def _advert_prefixes(
    model: cp_model.CpModel, problem: QuotaProblem, x: dict[BidKey, cp_model.IntVar]
) -> dict[tuple[str, str | None, int], cp_model.IntVar]:
    """taken[h, o, j]: h goes to one of the first j + 1 bidders of order o."""
    taken: dict[tuple[str, str | None, int], cp_model.IntVar] = {}
    for h, h_orders in problem.orders.items():
        for group, order in h_orders.items():
            previous = None
            for j, a in enumerate(order):
                if previous is None:
                    taken[h, group, j] = x[a, h]
                else:
                    taken[h, group, j] = model.new_bool_var(f"taken[{h},{group},{j}]")
                    # Each home goes to at most one household: taken[j] = taken[j - 1] + x[a_j, h].
                    model.add(taken[h, group, j] == previous + x[a, h])
                previous = taken[h, group, j]
    return taken


def _quota_shortfalls(
    model: cp_model.CpModel, problem: QuotaProblem, x: dict[BidKey, cp_model.IntVar]
) -> dict[int, cp_model.IntVar]:
    """shortfall[agreement, group] >= ceil(share * lets) - lets to the group, in integers."""
    bids_by_agreement: dict[str, list[tuple[str, str]]] = {}
    for a, h in x:
        agreement = problem.agreement_of.get(h)
        if agreement is not None:
            bids_by_agreement.setdefault(agreement, []).append((a, h))
    shortfall: dict[int, cp_model.IntVar] = {}
    for r, rule in enumerate(problem.rules):
        bids = bids_by_agreement.get(rule.agreement, [])
        homes = len({h for _, h in bids})
        var = model.new_int_var(0, homes, f"shortfall[{rule.agreement},{rule.group}]")
        shortfall[r] = var  # by rule: an agreement may list the same group twice
        # Each quota is met or its shortfall counted:
        # denominator * (lets to the group + shortfall) >= numerator * lets.
        lets = cp_model.LinearExpr.sum([x[b] for b in bids])
        lets_to_group = cp_model.LinearExpr.sum([x[a, h] for a, h in bids if rule.group in problem.groups_of[a]])
        model.add(rule.denominator * (lets_to_group + var) >= rule.numerator * lets)
    return shortfall


# --- hint, solve, result --------------------------------------------------------------------


def _hint_values(
    model: cp_model.CpModel,
    problem: QuotaProblem,
    x: dict[BidKey, cp_model.IntVar],
    in_force: dict[OrderKey, BoolLiteral],
    got: dict[tuple[str, int], cp_model.IntVar],
    taken: dict[tuple[str, str | None, int], cp_model.IntVar],
    shortfall: dict[int, cp_model.IntVar],
) -> list[int]:
    """A full assignment (by variable index) for the hint: the given stable matching with no
    designations, so CP-SAT starts from a complete solution."""
    values = [0] * len(model.proto.variables)  # designations and everything not let stay 0
    _hint_lets(values, problem, x, got)
    _hint_usual_orders(values, in_force)
    _hint_taken(values, problem, taken)
    _hint_shortfalls(values, problem, shortfall)
    return values


def _hint_lets(
    values: list[int],
    problem: QuotaProblem,
    x: dict[BidKey, cp_model.IntVar],
    got: dict[tuple[str, int], cp_model.IntVar],
) -> None:
    """x and got under the hint's matching."""
    holder = problem.hint
    home_of = {a: h for h, a in holder.items()}
    for (a, h), var in x.items():
        values[var.index] = int(holder.get(h) == a)
    for (a, k), var in got.items():
        values[var.index] = int(a in home_of and problem.preferences[a].index(home_of[a]) <= k)


def _hint_usual_orders(values: list[int], in_force: dict[OrderKey, BoolLiteral]) -> None:
    """With no designations the usual order is in force everywhere."""
    for (_home, group), literal in in_force.items():
        if group is USUAL and literal.index >= 0:
            values[literal.index] = 1  # a separate "usual order" variable (a negation has index < 0)


def _hint_taken(
    values: list[int], problem: QuotaProblem, taken: dict[tuple[str, str | None, int], cp_model.IntVar]
) -> None:
    """taken under the hint's matching: true from the tenant's place in each order on."""
    holder = problem.hint
    for h, h_orders in problem.orders.items():
        for group, order in h_orders.items():
            place = order.index(holder[h]) if h in holder else len(order)
            for j in range(len(order)):
                values[taken[h, group, j].index] = int(place <= j)


def _hint_shortfalls(values: list[int], problem: QuotaProblem, shortfall: dict[int, cp_model.IntVar]) -> None:
    """Each quota's shortfall under the hint's matching."""
    lets: dict[str, list[str]] = {}
    for h, a in problem.hint.items():
        agreement = problem.agreement_of.get(h)
        if agreement is not None:
            lets.setdefault(agreement, []).append(a)
    for r, rule in enumerate(problem.rules):
        tenants = lets.get(rule.agreement, [])
        achieved = sum(1 for a in tenants if rule.group in problem.groups_of[a])
        need = -(-rule.numerator * len(tenants) // rule.denominator)
        values[shortfall[r].index] = max(0, need - achieved)


def _solve_in_stages(
    model: cp_model.CpModel,
    stages: list[Stage],
    hint: list[int],
    x: dict[BidKey, cp_model.IntVar],
    designate: dict[tuple[str, str], cp_model.IntVar],
    time_limit: float,
    workers: int,
    seed: int,
) -> QuotaSolution:
    deadline = time.monotonic() + time_limit
    solution = hint  # the best full assignment so far, by variable index
    proven = True
    found_any = False
    objectives: dict[str, int] = {}
    log: list[tuple[str, str, float]] = []
    for name, expression, maximise in stages:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            proven = False
            break
        _set_hint(model, solution)
        if maximise:
            model.maximize(expression)
        else:
            model.minimize(expression)
        solver = _solver(remaining, workers, seed)
        started = time.monotonic()
        status = solver.solve(model)
        log.append((name, solver.status_name(status), time.monotonic() - started))
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if status in (cp_model.INFEASIBLE, cp_model.MODEL_INVALID):
                raise RuntimeError(f"quota model stage {name!r}: {solver.status_name(status)}")
            proven = False  # out of time without a solution: keep the previous stage's
            break
        found_any = True
        solution = list(solver.response_proto.solution)[: len(solution)]
        value = round(solver.objective_value)
        objectives[name] = value
        # Fix this stage's result before optimising the next.
        if status == cp_model.OPTIMAL:
            model.add(expression == value)
        else:
            proven = False
            model.add(expression >= value if maximise else expression <= value)
    allocation = {h: a for (a, h), var in x.items() if solution[var.index]}
    designated = {h: group for (h, group), var in designate.items() if solution[var.index]}
    outcome = "optimal" if proven and found_any else "feasible"
    return QuotaSolution(outcome, allocation, designated, objectives, log)


def _set_hint(model: cp_model.CpModel, solution: list[int]) -> None:
    """Hint every variable (by index) with its value in ``solution``."""
    model.proto.clear_solution_hint()
    model.proto.solution_hint.vars.extend(range(len(solution)))
    model.proto.solution_hint.values.extend(solution)


def _solver(time_limit: float, workers: int, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    return solver
