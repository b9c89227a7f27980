"""Ranking an advert's bids: who comes first, and an explanation of every place.

The order of eligible bids is total and reproducible. Bids compare on, in turn:
1. for an advert designated for a group: members of that group first;
2. the advert's preference groups (the first group an applicant is in; no group comes last);
3. the policy's tie-breakers in the policy's order;
4. the application reference (applicant id, ascending as text).
The explanation of a place names the first of these on which a bid beats the next one.

For speed over a whole cycle (where memory access, not arithmetic, is the cost), every bid's
sort key is one integer whose digits, in a mixed radix, are exactly these values: the designation
flag, the preference group, each tie-breaker's value coded densely (a date becomes the index of
its day among all dates in the cycle) and the rank of the id. Sorting integers orders the bids,
and the highest digit on which two neighbours' keys differ names what decided their order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .eligibility import Profile, eligibility, eligibility_profile, eligibility_test
from .types import HOUSING_DEBT, Advert, Applicant, Bid, InstanceError, Policy, Reason, ShortlistEntry
from .wording import (
    CRITERION_WORDING,
    bids_phrase,
    group_phrase,
    long_date,
    ordinal,
    preference_group_phrase,
)

INFINITY = float("inf")


def rank_advert(
    advert: Advert,
    bids_for_advert: Sequence[Bid],
    applicants_by_id: Mapping[str, Applicant],
    policy: Policy,
    *,
    prioritise_group: str | None = None,
) -> list[ShortlistEntry]:
    """All bids on ``advert``: eligible ones first in priority order with 1-based positions,
    then ineligible ones (by applicant id) with position None and their reasons.

    ``prioritise_group``: the advert was designated for this group, so its eligible members rank
    before everyone else (each part keeping its usual order).
    """
    bidders = {}
    for bid in bids_for_advert:
        if bid.applicant not in applicants_by_id:
            raise InstanceError(f"bid on advert {advert.id!r}: unknown applicant {bid.applicant!r}")
        bidders[bid.applicant] = applicants_by_id[bid.applicant]
    return Ranker(policy, bidders.values()).rank(advert, bids_for_advert, prioritise_group)


@dataclass
class RankedCycle:
    shortlists: dict[str, list[ShortlistEntry]]  # advert -> entries, eligible first
    rankings: dict[str, list[str]]  # advert -> eligible bidders, highest priority first
    choices: dict[str, list[tuple[str, int]]]  # applicant -> (advert, sort key there), most wanted first


class Ranker:
    """Ranks adverts under one policy for a set of applicants (a cycle's, or an advert's
    bidders); the order of any two applicants is the same whichever set they are ranked in."""

    def __init__(self, policy: Policy, applicants: Iterable[Applicant]) -> None:
        self.policy = policy
        self.applicants = list(applicants)
        self.index = {a.id: i for i, a in enumerate(self.applicants)}
        count = len(self.applicants)
        tie_breakers = policy.tie_breakers
        self._match = "bedroom_need_match" in tie_breakers
        split = tie_breakers.index("bedroom_need_match") if self._match else len(tie_breakers)
        before, after = tie_breakers[:split], tie_breakers[split + 1 :]

        by_id = sorted(range(count), key=lambda i: self.applicants[i].id)
        self._id_rank = [0] * count
        for r, i in enumerate(by_id):
            self._id_rank[i] = r
        self._index_by_rank = by_id
        self._ids_by_rank = [self.applicants[i].id for i in by_id]
        self._count = max(count, 1)

        radix: dict[str, int] = {}
        codes: dict[str, list[int]] = {}
        for name in (*before, *after):
            codes[name], radix[name] = self._dense_codes(name)
        # high: the tie-breakers before bedroom_need_match; low: those after it, then the id.
        self._high = [0] * count
        self._high_range = 1
        for name in before:
            self._high = [h * radix[name] + c for h, c in zip(self._high, codes[name], strict=True)]
            self._high_range *= radix[name]
        low = [0] * count
        low_range = 1
        for name in after:
            low = [v * radix[name] + c for v, c in zip(low, codes[name], strict=True)]
            low_range *= radix[name]
        self._low = [v * self._count + r for v, r in zip(low, self._id_rank, strict=True)]
        self._low_range = low_range * self._count
        self._match_range = 2 if self._match else 1

        # Weight of each static digit in a key, most significant first.
        digits: list[tuple[str, int]] = [("reference", 1)]
        weight = self._count
        for name in reversed(after):
            digits.append((name, weight))
            weight *= radix[name]
        if self._match:
            digits.append(("bedroom_need_match", weight))
            weight *= 2
        for name in reversed(before):
            digits.append((name, weight))
            weight *= radix[name]
        self._static_digits = digits[::-1]
        self._static_range = weight
        self._facts: list[str | None] = [None] * count
        # Without bedroom_need_match, the static digits of a key are the same on every advert.
        self._static_key = [
            h * self._match_range * self._low_range + v for h, v in zip(self._high, self._low, strict=True)
        ]

    def _dense_codes(self, name: str) -> tuple[list[int], int]:
        """Each applicant's value for tie-breaker ``name`` as its index among the distinct values
        (smaller is higher priority), and the number of distinct values."""
        values = [self._value(name, a) for a in self.applicants]
        distinct = sorted(set(values))
        code = {v: i for i, v in enumerate(distinct)}
        return [code[v] for v in values], max(len(distinct), 1)

    def _value(self, name: str, applicant: Applicant) -> int | float:
        if name == "band":
            try:
                return self.policy.bands.index(applicant.band)
            except ValueError:
                raise InstanceError(
                    f"applicant {applicant.id!r}: band {applicant.band!r} is not one of the policy's bands "
                    f"{list(self.policy.bands)}"
                ) from None
        if name == "points":
            return -applicant.points if applicant.points is not None else INFINITY
        if name == "band_date":
            return applicant.band_date.toordinal()
        if name == "registration_date":
            return applicant.registration_date.toordinal()
        if name == "no_housing_debt":
            return 1 if HOUSING_DEBT in applicant.groups else 0
        raise InstanceError(f"unknown tie-breaker {name!r}")

    # --- ranking ----------------------------------------------------------------------------

    def rank(
        self, advert: Advert, bids: Sequence[Bid], prioritise_group: str | None = None
    ) -> list[ShortlistEntry]:
        """See ``rank_advert``."""
        scorer = _AdvertScorer(self, advert, prioritise_group)
        keys: list[int] = []
        ineligible: list[ShortlistEntry] = []
        for bid in bids:
            i = self.index[bid.applicant]
            key = scorer.key(i, self.applicants[i])
            if key is None:
                ineligible.append(scorer.ineligible_entry(self.applicants[i]))
            else:
                keys.append(key)
        return self._entries(scorer, keys, ineligible)

    def rank_cycle(self, adverts: Sequence[Advert], bids: Sequence[Bid]) -> RankedCycle:
        """Every advert's shortlist, with the data deferred acceptance needs."""
        scorers = {advert.id: _AdvertScorer(self, advert, None) for advert in adverts}
        keys: dict[str, list[int]] = {advert.id: [] for advert in adverts}
        ineligible: dict[str, list[ShortlistEntry]] = {advert.id: [] for advert in adverts}
        wanted: list[list[tuple[int, str, int]] | None] = [None] * len(self.applicants)  # by applicant
        # Bids in input order: usually grouped by applicant, so each applicant is read once.
        index, applicants, facts, tie_breakers = self.index, self.applicants, self._facts, self.policy.tie_breakers
        key_of = {h: scorer.key for h, scorer in scorers.items()}
        cache_facts = not self._match
        for bid in bids:
            i = index[bid.applicant]
            applicant = applicants[i]
            key = key_of[bid.advert](i, applicant)
            if key is None:
                ineligible[bid.advert].append(scorers[bid.advert].ineligible_entry(applicant))
                continue
            keys[bid.advert].append(key)
            made = wanted[i]
            if made is None:
                made = wanted[i] = []
            made.append((bid.preference, bid.advert, key))
            if cache_facts and facts[i] is None:
                facts[i] = _facts(applicant, tie_breakers, 0)
        shortlists, rankings = {}, {}
        ids, count = self._ids_by_rank, self._count
        for advert in adverts:
            advert_keys = keys[advert.id]
            shortlists[advert.id] = self._entries(scorers[advert.id], advert_keys, ineligible[advert.id])
            rankings[advert.id] = [ids[key % count] for key in advert_keys]  # keys now sorted
        choices = {}
        for i, bids_made in enumerate(wanted):
            if bids_made is not None:
                bids_made.sort()
                choices[applicants[i].id] = [(advert, key) for _, advert, key in bids_made]
        return RankedCycle(shortlists, rankings, choices)

    def _entries(
        self, scorer: _AdvertScorer, keys: list[int], ineligible: list[ShortlistEntry]
    ) -> list[ShortlistEntry]:
        """Sort ``keys`` in place and turn them into explained entries, then the ineligible."""
        keys.sort()
        ineligible.sort(key=_applicant_of)
        total = len(keys)
        head = f" of {bids_phrase(total)}."
        digits, groups = scorer.digits, scorer.groups + 1
        group_weight = self._static_range
        designation_text, group_text = scorer.designation_text, scorer.group_text
        count, by_rank, ids, applicants = self._count, self._index_by_rank, self._ids_by_rank, self.applicants
        facts_of, match, tie_breakers = self._facts, self._match, self.policy.tie_breakers
        ahead_text = {name: f" on {CRITERION_WORDING[name]}." for name, _ in digits}
        entries = []
        for position, key in enumerate(keys, start=1):
            flag, group = divmod(key // group_weight, groups)
            r = key % count
            ahead = ""
            if position < total:
                following = keys[position]
                for name, weight in digits:
                    if key // weight != following // weight:
                        ahead = f" Ahead of the {ordinal(position + 1)}{ahead_text[name]}"
                        break
            if match:
                facts = _facts(applicants[by_rank[r]], tie_breakers, scorer.advert.bedrooms)
            else:
                cached = facts_of[by_rank[r]]
                if cached is None:
                    cached = facts_of[by_rank[r]] = _facts(applicants[by_rank[r]], tie_breakers, 0)
                facts = cached
            text = f"{ordinal(position)}{head}{designation_text[flag]}{group_text[group]}{facts}{ahead}"
            entries.append(ShortlistEntry(ids[r], position, True, (), text))
        entries.extend(ineligible)
        return entries


class _AdvertScorer:
    """Eligibility and sort keys for one advert's bids."""

    def __init__(self, ranker: Ranker, advert: Advert, prioritise_group: str | None) -> None:
        self.ranker = ranker
        self.advert = advert
        self.prioritise_group = prioritise_group
        self.is_eligible = eligibility_test(advert)
        self.tests = _group_tests(advert.preference_groups)
        self.groups = len(self.tests)
        top = [("preference_group", ranker._static_range)]
        if prioritise_group is not None:
            top.insert(0, ("designation", ranker._static_range * (self.groups + 1)))
        self.digits = top + ranker._static_digits
        self.group_text = _group_text(advert.preference_groups)
        self.designation_text = _designation_text(advert, prioritise_group)

        self.key = self._key_function()
        self.profile = eligibility_profile(advert)
        self._refusals: dict[Profile, tuple[tuple[Reason, ...], str]] = {}

    def _key_function(self) -> Callable[[int, Applicant], int | None]:
        """key(i, applicant): the bid's sort key (smaller ranks higher), or None if the applicant
        is not eligible. A closure over locals: it runs once per bid in the cycle."""
        ranker, is_eligible, tests, groups = self.ranker, self.is_eligible, self.tests, self.groups
        static_range, static_key = ranker._static_range, ranker._static_key
        high, low, bedrooms = ranker._high, ranker._low, self.advert.bedrooms
        high_range, low_range = ranker._high_range, ranker._low_range
        prioritise_group, by_match = self.prioritise_group, ranker._match

        def key(i: int, applicant: Applicant) -> int | None:
            if not is_eligible(applicant):
                return None
            top = groups
            for g, (attribute, name) in enumerate(tests):
                if name in getattr(applicant, attribute):
                    top = g
                    break
            if prioritise_group is not None and prioritise_group not in applicant.groups:
                top += groups + 1  # the designation flag, one digit above the group
            if by_match:
                match = 0 if applicant.bedroom_need == bedrooms else 1
                return ((top * high_range + high[i]) * 2 + match) * low_range + low[i]
            return top * static_range + static_key[i]

        return key

    def ineligible_entry(self, applicant: Applicant) -> ShortlistEntry:
        # Many refused bidders fail the same way (same need, same household size): the reasons
        # and their sentence are made once per distinct profile of the values the criteria read.
        profile = self.profile(applicant)
        known = self._refusals.get(profile)
        if known is None:
            reasons = tuple(eligibility(applicant, self.advert))
            known = self._refusals[profile] = (reasons, "Not eligible. " + " ".join(r.message for r in reasons))
        return ShortlistEntry(applicant.id, None, False, known[0], known[1])


def _designation_text(advert: Advert, group: str | None) -> tuple[str, str]:
    if group is None:
        return ("", "")
    under = f" under agreement {advert.agreement}" if advert.agreement else ""
    said = f" This home was designated for {group_phrase(group)}{under}, so they come first;"
    return (f"{said} you are in that group.", f"{said} you are not in that group.")


def _facts(applicant: Applicant, tie_breakers: Sequence[str], bedrooms: int) -> str:
    """The sentence of an applicant's values for the tie-breakers, in the policy's order."""
    facts = [fact for name in tie_breakers if (fact := _fact(name, applicant, tie_breakers, bedrooms))]
    if not facts:
        return ""
    text = "; ".join(facts)
    return f" {text[0].upper()}{text[1:]}."


def _fact(name: str, applicant: Applicant, tie_breakers: Sequence[str], bedrooms: int) -> str | None:
    """The applicant's value for tie-breaker ``name``, in words; None when another fact says it
    (the band effective date goes with the band)."""
    if name == "band":
        if "band_date" in tie_breakers:
            return f"Band {applicant.band} since {long_date(applicant.band_date)}"
        return f"Band {applicant.band}"
    if name == "band_date":
        return None if "band" in tie_breakers else f"band effective date {long_date(applicant.band_date)}"
    if name == "registration_date":
        return f"registered {long_date(applicant.registration_date)}"
    if name == "points":
        return f"{applicant.points if applicant.points is not None else 'no'} points"
    if name == "bedroom_need_match":
        return _bedroom_fact(applicant.bedroom_need, bedrooms)
    if name == "no_housing_debt":
        return "housing debt recorded" if HOUSING_DEBT in applicant.groups else "no housing debt recorded"
    return None


def _bedroom_fact(need: int, bedrooms: int) -> str:
    rooms = f"{need} bedroom{'s' if need != 1 else ''}"
    if need == bedrooms:
        return f"needs {rooms}, as this home has"
    return f"needs {rooms}; this home has {bedrooms}"


def _group_tests(preference_groups: Sequence[str]) -> list[tuple[str, str]]:
    """(applicant attribute, value) per preference group: "local:X" -> ("local_connection", X)."""
    attributes = {"local": "local_connection", "group": "groups", "need": "needs"}
    tests = []
    for preference_group in preference_groups:
        kind, _, name = preference_group.partition(":")
        if kind not in attributes or not name:
            raise InstanceError(f"unknown preference group {preference_group!r}")
        tests.append((attributes[kind], name))
    return tests


def _group_text(preference_groups: Sequence[str]) -> list[str]:
    """Sentence per preference-group index (the last for bidders in none of them)."""
    if not preference_groups:
        return [""]
    return [
        f" In preference group {i + 1} ({preference_group_phrase(group)})."
        for i, group in enumerate(preference_groups)
    ] + [" Not in any of this home's preference groups."]


def _applicant_of(entry: ShortlistEntry) -> str:
    return entry.applicant
