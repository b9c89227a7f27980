"""A whole cycle: eligibility, ranked and explained shortlists, and the cycle-wide proposal."""

from __future__ import annotations

import time

from .collector import collector_paused
from .deferred import propose
from .designation import allocate_with_quotas
from .quotas import quota_outcomes, quota_rules
from .ranking import Ranker
from .types import Bid, CycleResult, Instance, ShortlistEntry


def solve(instance: Instance, *, time_limit: float = 60.0, workers: int = 1) -> CycleResult:
    """Rank every advert and propose at most one home per applicant and one applicant per home.

    time_limit: seconds CP-SAT may spend when quotas need it (the rest takes far less).
    workers: CP-SAT search workers; 1 is fastest on small machines and keeps runs reproducible.
    """
    with collector_paused():
        return _solve(instance, time_limit, workers)


def _solve(instance: Instance, time_limit: float, workers: int) -> CycleResult:
    timings: dict[str, float] = {}
    clock = _Clock(timings)

    ranker = Ranker(instance.policy, instance.applicants)
    ranked = ranker.rank_cycle(instance.adverts, instance.bids)
    shortlists = ranked.shortlists
    clock.lap("rank")

    allocation = propose(ranked.choices)
    clock.lap("deferred_acceptance")

    rules = quota_rules(instance.agreements)
    # (Only quotas read applicants by id: without them, no need to index 150,000 records again.)
    applicants_by_id = {a.id: a for a in instance.applicants} if rules else {}
    agreement_of = {advert.id: advert.agreement for advert in instance.adverts}
    status, designated, stats = "optimal", {}, {}
    if rules:
        outcome = allocate_with_quotas(
            choices=ranked.choices,
            rankings=ranked.rankings(),
            plain=allocation,
            rules=rules,
            agreement_of=agreement_of,
            applicants_by_id=applicants_by_id,
            bids=instance.bids,
            time_limit=time_limit,
            workers=workers,
            fixed={advert.id for advert in instance.adverts if advert.by_registration_date},
        )
        status, allocation, designated, stats = outcome.status, outcome.allocation, outcome.designated, outcome.stats
        timings.update(outcome.timings)
        clock.restart()
        shortlists.update(_designated_shortlists(ranker, instance, designated))
        clock.lap("rank_designated")

    outcomes = quota_outcomes(rules, allocation, agreement_of, applicants_by_id)
    clock.lap("report")
    timings["total"] = time.perf_counter() - clock.began
    stats = {
        "applicants": len(instance.applicants),
        "adverts": len(instance.adverts),
        "bids": len(instance.bids),
        "eligible_bids": ranked.eligible_bids,
        "lets": len(allocation),
        "designated": len(designated),
        **stats,
    }
    return CycleResult(
        status=status,
        allocation=dict(sorted(allocation.items())),
        shortlists=shortlists,
        quota_shortfalls=[o for o in outcomes if o.shortfall > 0],
        designated=dict(sorted(designated.items())),
        timings=timings,
        stats=stats,
    )


def _designated_shortlists(
    ranker: Ranker, instance: Instance, designated: dict[str, str]
) -> dict[str, list[ShortlistEntry]]:
    """Shortlists of designated adverts, in the order that was in force there."""
    bids: dict[str, list[Bid]] = {h: [] for h in designated}
    for bid in instance.bids:
        if bid.advert in bids:
            bids[bid.advert].append(bid)
    return {
        advert.id: ranker.rank(advert, bids[advert.id], prioritise_group=designated[advert.id])
        for advert in instance.adverts
        if advert.id in designated
    }


class _Clock:
    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.began = self.started = time.perf_counter()

    def restart(self) -> None:
        self.started = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.started
        self.started = now
