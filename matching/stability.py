"""Checking a proposal: is it a matching of eligible bids, and is it stable?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def blocking_pairs(
    allocation: Mapping[str, str],
    preferences: Mapping[str, Sequence[str]],
    rankings: Mapping[str, Sequence[str]],
) -> list[tuple[str, str]]:
    """Bids (applicant, advert) where the applicant wants the home more than what they got and
    the home is unlet or went to someone ranked below them: each is a passed-over bidder.

    preferences: each applicant's eligible homes, most wanted first.
    rankings: each home's eligible bidders in the order in force there (designated or not).
    Only bidders ranked above each home's tenant are looked at, so a cycle is checked quickly.
    """
    home_of = {applicant: home for home, applicant in allocation.items()}
    blocking = []
    for home, order in rankings.items():
        holder = allocation.get(home)
        for applicant in order:
            if applicant == holder:
                break
            got = home_of.get(applicant)
            homes = preferences[applicant]
            if got is None or homes.index(home) < homes.index(got):
                blocking.append((applicant, home))
    return blocking


def matching_problems(
    allocation: Mapping[str, str],
    rankings: Mapping[str, Sequence[str]],
) -> list[str]:
    """What makes ``allocation`` not a matching of eligible bids (empty when it is one)."""
    problems = []
    seen: dict[str, str] = {}
    for home, applicant in allocation.items():
        if applicant not in rankings.get(home, ()):
            problems.append(f"advert {home!r} went to {applicant!r}, who is not an eligible bidder")
        if applicant in seen:
            problems.append(f"applicant {applicant!r} got both {seen[applicant]!r} and {home!r}")
        seen[applicant] = home
    return problems
