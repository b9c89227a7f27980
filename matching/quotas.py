"""Nomination-agreement quotas in exact integer arithmetic.

A quota (group G, min_share s) on agreement X holds when, among X's adverts that are let, at
least ceil(s * lets) go to households in G. Shares are read as the decimal the scheme wrote
(0.3 is 3/10, not the nearest binary float), so the test never suffers float fuzz.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from .types import Agreement, Applicant, QuotaShortfall


def share(min_share: float | Fraction) -> Fraction:
    if isinstance(min_share, float):
        return Fraction(repr(min_share))  # the shortest decimal that reads back as this float
    return Fraction(min_share)


def required(min_share: float | Fraction, lets: int) -> int:
    """ceil(min_share * lets), exactly."""
    fraction = share(min_share)
    return -(-fraction.numerator * lets // fraction.denominator)


def registration_date_due(adverts: int, by_registration_date: int, min_share: float | Fraction) -> bool:
    """Whether the advert that makes ``adverts`` in a cycle must be let by date of registration
    for the cycle to meet a scheme's share of homes let that way, ``by_registration_date`` of the
    others being so let. Decided as each advert is published, this keeps ceil(min_share * adverts)
    of a cycle's adverts let by registration date, designating only when needed. An advert is
    never changed once published (households bid knowing its rule), so if adverts let that way
    are withdrawn, each advert published after makes up one until the share is met again."""
    return by_registration_date < required(min_share, adverts)


@dataclass(frozen=True, slots=True)
class QuotaRule:
    agreement: str
    group: str
    numerator: int
    denominator: int


def quota_rules(agreements: Iterable[Agreement]) -> list[QuotaRule]:
    rules = []
    for agreement in agreements:
        for quota in agreement.quotas:
            fraction = share(quota.min_share)
            rules.append(QuotaRule(agreement.id, quota.group, fraction.numerator, fraction.denominator))
    return rules


def quota_outcomes(
    rules: Iterable[QuotaRule],
    allocation: Mapping[str, str],
    agreement_of: Mapping[str, str | None],
    applicants_by_id: Mapping[str, Applicant],
) -> list[QuotaShortfall]:
    """Every quota's required and achieved count under ``allocation`` (advert -> applicant)."""
    lets: dict[str, list[str]] = {}
    for advert, applicant in allocation.items():
        agreement = agreement_of.get(advert)
        if agreement is not None:
            lets.setdefault(agreement, []).append(applicant)
    outcomes = []
    for rule in rules:
        tenants = lets.get(rule.agreement, [])
        need = -(-rule.numerator * len(tenants) // rule.denominator)
        achieved = sum(1 for a in tenants if rule.group in applicants_by_id[a].groups)
        outcomes.append(QuotaShortfall(rule.agreement, rule.group, need, achieved, max(0, need - achieved)))
    return outcomes
