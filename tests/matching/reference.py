"""Slow, obviously-correct references for the engine's tests: a ranking by plain tuples and a
brute force over every designation choice and every matching of tiny instances."""

from __future__ import annotations

import itertools

from matching import Instance, eligibility
from matching.quotas import quota_outcomes, quota_rules


def reference_values(applicant, advert, policy, designated_group=None) -> list[tuple[str, object]]:
    """(criterion, value) pairs in ranking order; smaller values rank higher."""
    if advert.by_registration_date:  # never designated: its order was settled before bidding
        return [("registration_date", applicant.registration_date), ("reference", applicant.id)]
    values = []
    if designated_group is not None:
        values.append(("designation", 0 if designated_group in applicant.groups else 1))
    group_index = len(advert.preference_groups)
    for i, preference_group in enumerate(advert.preference_groups):
        kind, _, name = preference_group.partition(":")
        pool = {"local": applicant.local_connection, "group": applicant.groups, "need": applicant.needs}[kind]
        if name in pool:
            group_index = i
            break
    values.append(("preference_group", group_index))
    for name in policy.tie_breakers:
        value = {
            "band": lambda: policy.bands.index(applicant.band),
            "points": lambda: -applicant.points,
            "band_date": lambda: applicant.band_date,
            "registration_date": lambda: applicant.registration_date,
            "bedroom_need_match": lambda: 0 if applicant.bedroom_need == advert.bedrooms else 1,
            "no_housing_debt": lambda: 1 if "housing_debt" in applicant.groups else 0,
        }[name]()
        values.append((name, value))
    values.append(("reference", applicant.id))
    return values


def reference_order(instance: Instance, advert, designated_group=None) -> list[str]:
    """Eligible bidders on ``advert`` in priority order, by plain tuple comparison."""
    applicants = {a.id: a for a in instance.applicants}
    bidders = [applicants[b.applicant] for b in instance.bids if b.advert == advert.id]
    eligible = [a for a in bidders if not eligibility(a, advert)]
    eligible.sort(key=lambda a: [v for _, v in reference_values(a, advert, instance.policy, designated_group)])
    return [a.id for a in eligible]


def deciding_criterion(first, second, advert, policy, designated_group=None) -> str:
    for (name, x), (_, y) in zip(
        reference_values(first, advert, policy, designated_group),
        reference_values(second, advert, policy, designated_group),
        strict=True,
    ):
        if x != y:
            return name
    raise AssertionError("equal keys")


def preferences_of(instance: Instance) -> dict[str, list[str]]:
    """Each applicant's eligible adverts, most wanted first."""
    applicants = {a.id: a for a in instance.applicants}
    adverts = {h.id: h for h in instance.adverts}
    out: dict[str, list[tuple[int, str]]] = {}
    for bid in instance.bids:
        if not eligibility(applicants[bid.applicant], adverts[bid.advert]):
            out.setdefault(bid.applicant, []).append((bid.preference, bid.advert))
    return {a: [h for _, h in sorted(homes)] for a, homes in out.items()}


def designation_options(instance: Instance) -> dict[str, list[str]]:
    """Advert -> the groups it may be designated for (its agreement's quota groups; none for an
    advert let by date of registration)."""
    groups = {g.id: list(dict.fromkeys(q.group for q in g.quotas)) for g in instance.agreements}
    return {
        h.id: groups[h.agreement]
        for h in instance.adverts
        if h.agreement and groups.get(h.agreement) and not h.by_registration_date
    }


def all_matchings(preferences: dict[str, list[str]]):
    applicants = sorted(preferences)

    def extend(i, taken, current):
        if i == len(applicants):
            yield dict(current)
            return
        a = applicants[i]
        yield from extend(i + 1, taken, current)
        for h in preferences[a]:
            if h not in taken:
                current[h] = a
                taken.add(h)
                yield from extend(i + 1, taken, current)
                taken.discard(h)
                del current[h]

    yield from extend(0, set(), {})


def is_stable(matching, preferences, orders) -> bool:
    home_of = {a: h for h, a in matching.items()}
    for a, homes in preferences.items():
        for h in homes:
            if home_of.get(a) == h:
                break
            holder = matching.get(h)
            if holder is None or orders[h].index(a) < orders[h].index(holder):
                return False
    return True


def objective(instance, matching, designation) -> tuple[int, int, int, int]:
    """(total shortfall, -lets, designations, sum of preference numbers): smaller is better."""
    applicants = {a.id: a for a in instance.applicants}
    agreement_of = {h.id: h.agreement for h in instance.adverts}
    outcomes = quota_outcomes(quota_rules(instance.agreements), matching, agreement_of, applicants)
    preference = {(b.applicant, b.advert): b.preference for b in instance.bids}
    return (
        sum(o.shortfall for o in outcomes),
        -len(matching),
        len(designation),
        sum(preference[a, h] for h, a in matching.items()),
    )


def brute_force(instance: Instance):
    """Every (designation, stable matching) pair, as {(objective): [(designation, matching)]}, and
    the set of bids that appear in any stable matching under any designation."""
    preferences = preferences_of(instance)
    options = designation_options(instance)
    candidates = sorted(options)
    best = None
    best_solutions = []
    stable_bids = set()
    for choice in itertools.product(*[[None, *options[h]] for h in candidates]):
        designation = {h: g for h, g in zip(candidates, choice, strict=True) if g is not None}
        orders = {h.id: reference_order(instance, h, designation.get(h.id)) for h in instance.adverts}
        for matching in all_matchings(preferences):
            if not is_stable(matching, preferences, orders):
                continue
            stable_bids |= {(a, h) for h, a in matching.items()}
            value = objective(instance, matching, designation)
            if best is None or value < best:
                best, best_solutions = value, [(designation, matching)]
            elif value == best:
                best_solutions.append((designation, matching))
    return best, best_solutions, stable_bids
