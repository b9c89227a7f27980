"""Meeting nomination-agreement quotas by designating adverts.

At an advert designated for group G (only an advert under an agreement with a quota for G), G's
eligible bidders rank before everyone else, each part in its usual order; stability is judged
against the order in force. Deferred acceptance without designations is tried first: if it meets
every quota and lets every home that any stable matching could let, no designation can do better
and it is the answer. Otherwise CP-SAT chooses designations, but only over the bids and adverts
that can make a difference (reduction.py); the rest keeps the deferred-acceptance result.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .quotas import QuotaRule, quota_outcomes
from .reduction import components, possible_bids
from .stability import blocking_pairs
from .types import Applicant, Bid

if TYPE_CHECKING:
    from .cpsat import QuotaProblem


@dataclass
class QuotaAllocation:
    status: str
    allocation: dict[str, str]
    designated: dict[str, str]
    timings: dict[str, float] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)


def designated_order(order: Sequence[str], group: str, applicants_by_id: Mapping[str, Applicant]) -> list[str]:
    """``order`` with the members of ``group`` moved to the front, each part keeping its order."""
    members = [a for a in order if group in applicants_by_id[a].groups]
    if not members:
        return list(order)
    others = [a for a in order if group not in applicants_by_id[a].groups]
    return members + others


def allocate_with_quotas(
    *,
    choices: dict[str, list[tuple[str, int]]],
    rankings: dict[str, list[str]],
    plain: dict[str, str],
    rules: list[QuotaRule],
    agreement_of: Mapping[str, str | None],
    applicants_by_id: Mapping[str, Applicant],
    bids: Sequence[Bid],
    time_limit: float,
    workers: int,
    fixed: Collection[str] = (),
) -> QuotaAllocation:
    """choices: each applicant's eligible adverts, most wanted first, with the bid's key in the
    advert's usual order. plain: deferred acceptance with no designations (the applicant-optimal
    stable matching under the usual orders). fixed: adverts whose order was settled before bidding
    (let by date of registration), never designated."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    meets_quotas = all(o.shortfall == 0 for o in quota_outcomes(rules, plain, agreement_of, applicants_by_id))
    lettable = sum(1 for order in rankings.values() if order)
    if meets_quotas and len(plain) == lettable:
        return QuotaAllocation("optimal", plain, {}, {"reduction": 0.0, "cpsat": 0.0})

    designations = _designation_options(rules, rankings, agreement_of, fixed)
    groups_of = {a: applicants_by_id[a].groups for a in choices}
    possible = possible_bids(choices, designations, groups_of)

    lettable = len({h for _, h in possible})
    if meets_quotas and len(plain) == lettable:
        timings["reduction"] = time.perf_counter() - started
        return QuotaAllocation("optimal", plain, {}, timings | {"cpsat": 0.0}, {"possible_bids": len(possible)})

    chosen_applicants, chosen_adverts = _under_quota(possible, designations)
    problem = _quota_problem(
        possible, chosen_applicants, chosen_adverts, choices, designations, groups_of, plain, rules,
        agreement_of, bids,
    )  # fmt: skip
    timings["reduction"] = time.perf_counter() - started

    started = time.perf_counter()
    from .cpsat import solve_quota_problem  # OR-Tools takes half a second to import: only when needed

    solution = solve_quota_problem(problem, time_limit=time_limit, workers=workers)
    timings["cpsat"] = time.perf_counter() - started
    for stage, _, seconds in solution.stages:
        timings[f"cpsat_{stage}"] = seconds
    allocation = {h: a for h, a in plain.items() if h not in chosen_adverts}
    allocation.update(solution.allocation)
    _check_stable(allocation, choices, rankings, solution.designated, applicants_by_id)
    stats = {
        "possible_bids": len(possible),
        "cpsat_bids": sum(len(homes) for homes in problem.preferences.values()),
        "cpsat_adverts": len(problem.orders),
        "cpsat_applicants": len(problem.preferences),
    }
    return QuotaAllocation(solution.status, allocation, solution.designated, timings, stats)


def _designation_options(
    rules: Sequence[QuotaRule],
    rankings: Mapping[str, Sequence[str]],
    agreement_of: Mapping[str, str | None],
    fixed: Collection[str],
) -> dict[str, list[str]]:
    """advert -> the groups it may be designated for: its agreement's quota groups (adverts
    with at least one eligible bid only, and not let by date of registration)."""
    groups_of_agreement: dict[str, list[str]] = {}
    for rule in rules:
        groups = groups_of_agreement.setdefault(rule.agreement, [])
        if rule.group not in groups:
            groups.append(rule.group)
    designations: dict[str, list[str]] = {}
    for h, order in rankings.items():
        agreement = agreement_of.get(h)
        if order and agreement is not None and agreement in groups_of_agreement and h not in fixed:
            designations[h] = groups_of_agreement[agreement]
    return designations


def _under_quota(
    possible: Collection[tuple[str, str]], designations: Mapping[str, Sequence[str]]
) -> tuple[set[str], set[str]]:
    """The applicants and adverts of the components of the bid graph with an advert under a quota:
    only those need CP-SAT."""
    chosen_applicants: set[str] = set()
    chosen_adverts: set[str] = set()
    for applicants, adverts in components(possible):
        if any(h in designations for h in adverts):
            chosen_applicants |= applicants
            chosen_adverts |= adverts
    return chosen_applicants, chosen_adverts


def _quota_problem(
    possible: Collection[tuple[str, str]],
    chosen_applicants: set[str],
    chosen_adverts: set[str],
    choices: Mapping[str, Sequence[tuple[str, int]]],
    designations: Mapping[str, Sequence[str]],
    groups_of: Mapping[str, frozenset[str]],
    plain: Mapping[str, str],
    rules: list[QuotaRule],
    agreement_of: Mapping[str, str | None],
    bids: Sequence[Bid],
) -> QuotaProblem:
    from .cpsat import USUAL, QuotaProblem

    preferences: dict[str, list[str]] = {}
    bidders: dict[str, list[tuple[int, str]]] = {h: [] for h in sorted(chosen_adverts)}
    for a in sorted(chosen_applicants):
        preferences[a] = []
        for h, key in choices[a]:
            if (a, h) in possible:
                preferences[a].append(h)
                bidders[h].append((key, a))
    orders: dict[str, dict[str | None, list[str]]] = {}
    for h, keyed in bidders.items():
        keyed.sort()
        usual = [a for _, a in keyed]
        orders[h] = {USUAL: usual}
        for group in designations.get(h, ()):
            alternative = [a for a in usual if group in groups_of[a]] + [a for a in usual if group not in groups_of[a]]
            if alternative != usual:  # a designation that changes nothing here is never needed
                orders[h][group] = alternative
    preference_number = {
        (bid.applicant, bid.advert): bid.preference
        for bid in bids
        if bid.advert in chosen_adverts and (bid.applicant, bid.advert) in possible
    }
    return QuotaProblem(
        preferences=preferences,
        orders=orders,
        preference_number=preference_number,
        groups_of={a: groups_of[a] for a in preferences},
        agreement_of={h: agreement_of.get(h) for h in orders},
        rules=rules,
        hint={h: a for h, a in plain.items() if h in chosen_adverts},
    )


def _check_stable(
    allocation: Mapping[str, str],
    choices: Mapping[str, Sequence[tuple[str, int]]],
    rankings: Mapping[str, Sequence[str]],
    designated: Mapping[str, str],
    applicants_by_id: Mapping[str, Applicant],
) -> None:
    """A guard against a modelling error ever reaching an officer: the proposal must be stable
    under the orders in force."""
    in_force: dict[str, Sequence[str]] = dict(rankings)
    for h, group in designated.items():
        in_force[h] = designated_order(rankings[h], group, applicants_by_id)
    preferences = _Preferences(choices)
    blocking = blocking_pairs(allocation, preferences, in_force)
    if blocking:
        raise RuntimeError(f"internal error: the quota allocation is not stable, e.g. at {blocking[0]}")


class _Preferences(dict[str, list[str]]):
    """applicant -> eligible adverts, made on demand from choices (the check reads only a few)."""

    def __init__(self, choices: Mapping[str, Sequence[tuple[str, int]]]) -> None:
        super().__init__()
        self.choices = choices

    def __missing__(self, applicant: str) -> list[str]:
        homes = self[applicant] = [h for h, _ in self.choices[applicant]]
        return homes
