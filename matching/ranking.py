"""Ranking an advert's bids: who comes first, and an explanation of every place.

The order of eligible bids is total and reproducible. At an advert let by date of registration
(designated before bidding, to meet a scheme's share of homes let that way) bids compare on the
registration date alone, then the application reference. Elsewhere they compare on, in turn:
1. for an advert designated for a group: members of that group first;
2. the advert's preference groups (the first group an applicant is in; no group comes last);
3. the policy's tie-breakers in the policy's order;
4. the application reference (applicant id, ascending as text).
The explanation of a place names the first of these on which a bid beats the next one.

For speed over a whole cycle (where the interpreter's work per bid is the cost), every bid's sort
key is one integer whose bit fields are exactly these values, most significant first: the
designation flag, the preference group, each tie-breaker's value coded densely (a date becomes
the index of its day among all dates in the cycle) and the rank of the id. Sorting integers
orders the bids, and the highest bit on which two neighbours' keys differ lies in the field of
the criterion that decided their order.

Explanations are put together from pieces made once, not formatted bid by bid: the count for the
advert, the designation and preference-group sentences for the advert, each applicant's facts
(their band, dates, points: once for the cycle), the ordinals, and the name of each criterion.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter

from .eligibility import Profile, eligibility, eligibility_profile, eligibility_test
from .types import HOUSING_DEBT, Advert, Applicant, Bid, Criteria, InstanceError, Policy, Reason, ShortlistEntry
from .wording import (
    CRITERION_WORDING,
    REGISTRATION_DATE_RULE,
    bids_phrase,
    group_phrase,
    long_date,
    ordinals_to,
    preference_group_phrase,
)

INFINITY = float("inf")

# A fact about an applicant in words (for homes with this many bedrooms).
Fact = Callable[[Applicant, int], str]
# key(applicant's index, applicant): a bid's sort key at an advert, or None if not eligible.
KeyFunction = Callable[[int, Applicant], int | None]
# A preference group: the applicant's names of its kind, the name, the key's top field for it.
GroupTest = tuple[Callable[[Applicant], frozenset[str]], str, int]


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
class _RegistrationOrder:
    """The order of every advert let by date of registration: registration date, then reference."""

    keys: list[int]  # by applicant index
    bits: int
    names_by_bit: list[str]
    facts: Fact
    facts_of: list[str | None]  # by the rank of the id


@dataclass
class RankedCycle:
    shortlists: dict[str, list[ShortlistEntry]]  # advert -> entries, eligible first
    choices: dict[str, list[tuple[str, int]]]  # applicant -> (advert, sort key there), most wanted first
    eligible_bids: int

    def rankings(self) -> dict[str, list[str]]:
        """advert -> eligible bidders, highest priority first (made when asked: only quotas need it)."""
        return {h: [e.applicant for e in entries if e.eligible] for h, entries in self.shortlists.items()}


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

        by_id = sorted(range(count), key=[a.id for a in self.applicants].__getitem__)
        self._id_rank = [0] * count
        for r, i in enumerate(by_id):
            self._id_rank[i] = r
        self._index_by_rank = by_id
        self._ids_by_rank = [self.applicants[i].id for i in by_id]

        # The static bit fields, least significant first: the id's rank, then the tie-breakers
        # from last to first (bedroom_need_match's bit is left 0: it depends on the advert).
        self._id_mask = (1 << _width(count)) - 1
        key = list(self._id_rank)
        shift = _width(count)
        names_by_bit = ["reference"] * shift
        self._match_bit = 0
        for name in reversed(tie_breakers):
            if name == "bedroom_need_match":
                self._match_bit = 1 << shift
                width = 1
            else:
                codes, values = self._dense_codes(name)
                width = _width(values)
                key = [k | c << shift for k, c in zip(key, codes, strict=True)]
            names_by_bit += [name] * width
            shift += width
        self._static_key = key
        self._static_bits = shift
        self._names_by_bit = names_by_bit
        self._facts = _facts_maker(tie_breakers)
        # Each applicant's facts sentence, made when first needed (see _facts_cache).
        self._facts_once: list[str | None] = [None] * count
        self._facts_by_bedrooms: dict[int, list[str | None]] = {}
        # Criteria -> the profile of a refused bidder (eligibility.py) -> its reasons and sentence.
        self._refusals: dict[Criteria, dict[Profile, tuple[tuple[Reason, ...], str]]] = {}
        # For adverts let by date of registration (made when the first is ranked): keys of the
        # registration date's code above the id's rank, and facts naming the date alone.
        self._registration: _RegistrationOrder | None = None

    def registration_order(self) -> "_RegistrationOrder":
        if self._registration is None:
            codes, values = self._dense_codes("registration_date")
            shift = _width(len(self.applicants))
            self._registration = _RegistrationOrder(
                keys=[r | c << shift for r, c in zip(self._id_rank, codes, strict=True)],
                bits=shift + _width(values),
                names_by_bit=["reference"] * shift + ["registration_date"] * _width(values),
                facts=_facts_maker(("registration_date",)),
                facts_of=[None] * len(self.applicants),
            )
        return self._registration

    def _dense_codes(self, name: str) -> tuple[list[int], int]:
        """Each applicant's value for tie-breaker ``name`` as its index among the distinct values
        (smaller is higher priority), and the number of distinct values."""
        values = self._values(name)
        distinct = sorted(set(values))
        code = {v: i for i, v in enumerate(distinct)}
        return [code[v] for v in values], len(distinct)

    def _values(self, name: str) -> list[int] | list[float]:
        """Every applicant's value for tie-breaker ``name`` (smaller is higher priority)."""
        applicants = self.applicants
        if name == "band":
            bands = self.policy.bands
            place = {band: i for i, band in enumerate(bands)}
            for a in applicants:
                if a.band not in place:
                    raise InstanceError(
                        f"applicant {a.id!r}: band {a.band!r} is not one of the policy's bands {list(bands)}"
                    )
            return [place[a.band] for a in applicants]
        if name == "points":
            return [-a.points if a.points is not None else INFINITY for a in applicants]
        if name == "band_date":
            return [a.band_date.toordinal() for a in applicants]
        if name == "registration_date":
            return [a.registration_date.toordinal() for a in applicants]
        if name == "no_housing_debt":
            return [1 if HOUSING_DEBT in a.groups else 0 for a in applicants]
        raise InstanceError(f"unknown tie-breaker {name!r}")

    # --- ranking ----------------------------------------------------------------------------

    def rank(
        self, advert: Advert, bids: Sequence[Bid], prioritise_group: str | None = None
    ) -> list[ShortlistEntry]:
        """See ``rank_advert``."""
        scorer = _AdvertScorer(self, advert, prioritise_group)
        keys: list[int] = []
        refused: list[tuple[int, ShortlistEntry]] = []
        index, applicants, id_rank, key_of = self.index, self.applicants, self._id_rank, scorer.key
        for bid in bids:
            i = index[bid.applicant]
            key = key_of(i, applicants[i])
            if key is None:
                refused.append((id_rank[i], scorer.refusal(applicants[i])))
            else:
                keys.append(key)
        return self._entries(scorer, keys, refused)

    def rank_cycle(self, adverts: Sequence[Advert], bids: Sequence[Bid]) -> RankedCycle:
        """Every advert's shortlist, with the data deferred acceptance needs."""
        scorers = {advert.id: _AdvertScorer(self, advert, None) for advert in adverts}
        keys: dict[str, list[int]] = {advert.id: [] for advert in adverts}
        refused: dict[str, list[tuple[int, ShortlistEntry]]] = {advert.id: [] for advert in adverts}
        # Each applicant's eligible bids as (preference, advert, key).
        wanted: list[list[tuple[int, str, int]] | None] = [None] * len(self.applicants)
        # Bids in input order, where the bids of an applicant are usually together: each
        # applicant's record is then read from memory once, which matters more than anything
        # else here (grouping the bids by advert first makes this loop several times slower).
        index, applicants, id_rank = self.index, self.applicants, self._id_rank
        key_of = {h: scorer.key for h, scorer in scorers.items()}
        for bid in bids:
            i = index[bid.applicant]
            advert = bid.advert
            key = key_of[advert](i, applicants[i])
            if key is None:
                refused[advert].append((id_rank[i], scorers[advert].refusal(applicants[i])))
                continue
            keys[advert].append(key)
            made = wanted[i]
            if made is None:
                wanted[i] = [(bid.preference, advert, key)]
            else:
                made.append((bid.preference, advert, key))
        choices = {}
        facts_of, facts = self._facts_once, self._facts
        for i, bids_made in enumerate(wanted):
            if bids_made is not None:
                bids_made.sort()
                applicant = applicants[i]
                choices[applicant.id] = [(advert, key) for _, advert, key in bids_made]
                if not self._match:  # made here, in the order of the applicants' records in memory
                    facts_of[id_rank[i]] = facts(applicant, 0)
        shortlists = {h: self._entries(scorers[h], keys[h], refused[h]) for h in scorers}
        return RankedCycle(shortlists, choices, sum(len(k) for k in keys.values()))

    def _entries(
        self, scorer: _AdvertScorer, keys: list[int], refused: list[tuple[int, ShortlistEntry]]
    ) -> list[ShortlistEntry]:
        """Sort ``keys`` and turn them into explained entries, then the entries of ineligible
        bidders (each with the rank of its id) in id order."""
        keys.sort()
        total = len(keys)
        head = f" of {bids_phrase(total)}."
        ordinals = ordinals_to(total + 1)
        id_mask, ids = self._id_mask, self._ids_by_rank
        bedrooms = scorer.advert.bedrooms
        facts_of, facts = scorer.facts_of, scorer.facts
        # By the bit length of (key XOR next key): " on band.", " on registration date." ...
        criterion = scorer.criterion_by_bit_length
        static_bits, tops = scorer.static_bits, scorer.top_text
        entries = []
        following = keys[0] if keys else 0
        for position in range(1, total + 1):
            key = following
            r = key & id_mask
            known = facts_of[r]
            if known is None:
                known = facts_of[r] = facts(self.applicants[self._index_by_rank[r]], bedrooms)
            if position < total:
                following = keys[position]
                text = (
                    f"{ordinals[position]}{head}{tops[key >> static_bits]}{known} Ahead of the "
                    f"{ordinals[position + 1]}{criterion[(key ^ following).bit_length()]}"
                )
            else:
                text = f"{ordinals[position]}{head}{tops[key >> static_bits]}{known}"
            entries.append(ShortlistEntry(ids[r], position, True, (), text))
        refused.sort(key=_first)
        entries += [entry for _, entry in refused]
        return entries

    def _facts_cache(self, bedrooms: int) -> list[str | None]:
        """Where each applicant's facts sentence is kept once made, by the rank of the id: one
        list for the cycle, or one per home size where bedroom need is a tie-breaker (the
        sentence names the size)."""
        if not self._match:
            return self._facts_once
        cache = self._facts_by_bedrooms.get(bedrooms)
        if cache is None:
            cache = self._facts_by_bedrooms[bedrooms] = [None] * len(self.applicants)
        return cache


class _AdvertScorer:
    """Eligibility and sort keys for one advert's bids."""

    def __init__(self, ranker: Ranker, advert: Advert, prioritise_group: str | None) -> None:
        self.ranker = ranker
        self.advert = advert
        self.is_eligible = eligibility_test(advert)
        self.profile = eligibility_profile(advert)
        # Reasons depend on the criteria alone: adverts with the same criteria share them.
        self._refusals = ranker._refusals.setdefault(advert.criteria, {})
        if advert.by_registration_date:
            # Its order was settled before bidding: never designated, no preference groups.
            self._by_registration_date(ranker.registration_order())
            return
        self.prioritise_group = prioritise_group
        self.tests = _group_tests(advert.preference_groups)
        self.groups = len(self.tests)
        self.static_key, self.static_bits = ranker._static_key, ranker._static_bits
        self.facts, self.facts_of = ranker._facts, ranker._facts_cache(advert.bedrooms)
        # Above the static fields: the preference group (0..groups, where groups means none of
        # them), then the designation flag.
        group_bits = _width(self.groups + 1)
        self.flag = 1 << group_bits
        names_by_bit = ranker._names_by_bit + ["preference_group"] * group_bits + ["designation"]
        self.criterion_by_bit_length = [""] + [f" on {CRITERION_WORDING[name]}." for name in names_by_bit]
        group_text = _group_text(advert.preference_groups)
        group_text += [""] * (self.flag - len(group_text))
        # By key >> static bits: the designation sentence and the preference-group one.
        self.top_text = [flag + group for flag in _designation_text(advert, prioritise_group) for group in group_text]
        self.key = self._key_function()

    def _by_registration_date(self, order: _RegistrationOrder) -> None:
        self.prioritise_group, self.tests, self.groups, self.flag = None, [], 0, 1
        self.static_key, self.static_bits = order.keys, order.bits
        self.facts, self.facts_of = order.facts, order.facts_of
        self.criterion_by_bit_length = [""] + [f" on {CRITERION_WORDING[name]}." for name in order.names_by_bit]
        self.top_text = [f" {REGISTRATION_DATE_RULE}"]
        static_key, is_eligible = order.keys, self.is_eligible

        def key(i: int, applicant: Applicant) -> int | None:
            return static_key[i] if is_eligible(applicant) else None

        self.key = key

    def _key_function(self) -> KeyFunction:
        """key(i, applicant): the bid's sort key (smaller ranks higher), or None if the applicant
        is not eligible. A closure over locals: it runs once per bid in the cycle, so the common
        cases (no designation, bedroom need not a tie-breaker) get closures doing nothing more."""
        static_key, static_bits, match_bit = self.static_key, self.static_bits, self.ranker._match_bit
        # Per preference group: how to read the applicant's names of its kind, the name, and the
        # key's top field for a bidder in it; then the top field for a bidder in none of them.
        tests: list[GroupTest] = [
            (attrgetter(attribute), name, g << static_bits) for g, (attribute, name) in enumerate(self.tests)
        ]
        none_of_them = len(tests) << static_bits
        if self.prioritise_group is None and not match_bit:
            if not tests:
                return _plain_key(self.is_eligible, static_key)
            return _grouped_key(self.is_eligible, static_key, tests, none_of_them)
        return _full_key(
            self.is_eligible, static_key, tests, none_of_them, (self.prioritise_group, self.flag << static_bits),
            (match_bit, self.advert.bedrooms),
        )

    def refusal(self, applicant: Applicant) -> ShortlistEntry:
        """The entry of an ineligible bidder, with the reasons and their sentence. Many refused
        bidders fail the same way (same need, same household size): the reasons and sentence are
        made once per distinct profile of the values the criteria read."""
        profile = self.profile(applicant)
        known = self._refusals.get(profile)
        if known is None:
            reasons = tuple(eligibility(applicant, self.advert))
            known = self._refusals[profile] = (reasons, "Not eligible. " + " ".join(r.message for r in reasons))
        return ShortlistEntry(applicant.id, None, False, known[0], known[1])


def _plain_key(is_eligible: Callable[[Applicant], bool], static_key: list[int]) -> KeyFunction:
    def key(i: int, applicant: Applicant) -> int | None:
        return static_key[i] if is_eligible(applicant) else None

    return key


def _grouped_key(
    is_eligible: Callable[[Applicant], bool], static_key: list[int], tests: list[GroupTest], none_of_them: int
) -> KeyFunction:
    def key(i: int, applicant: Applicant) -> int | None:
        if not is_eligible(applicant):
            return None
        for names, name, top in tests:
            if name in names(applicant):
                return static_key[i] | top
        return static_key[i] | none_of_them

    return key


def _full_key(
    is_eligible: Callable[[Applicant], bool],
    static_key: list[int],
    tests: list[GroupTest],
    none_of_them: int,
    designation: tuple[str | None, int],
    match: tuple[int, int],
) -> KeyFunction:
    """The key with everything: the designation flag (group, bit) and bedroom need (bit, bedrooms)."""
    (prioritise_group, flag_bit), (match_bit, bedrooms) = designation, match

    def key(i: int, applicant: Applicant) -> int | None:
        if not is_eligible(applicant):
            return None
        top = none_of_them
        for names, name, in_group in tests:
            if name in names(applicant):
                top = in_group
                break
        if prioritise_group is not None and prioritise_group not in applicant.groups:
            top |= flag_bit
        if match_bit and applicant.bedroom_need != bedrooms:
            top |= match_bit
        return static_key[i] | top

    return key


def _first(pair: tuple[int, ShortlistEntry]) -> int:
    return pair[0]


def _width(values: int) -> int:
    """Bits for a field holding 0 .. values - 1."""
    return (values - 1).bit_length() if values > 1 else 0


def _designation_text(advert: Advert, group: str | None) -> tuple[str, str]:
    if group is None:
        return ("", "")
    under = f" under agreement {advert.agreement}" if advert.agreement else ""
    said = f" This home was designated for {group_phrase(group)}{under}, so they come first;"
    return (f"{said} you are in that group.", f"{said} you are not in that group.")


def _facts_maker(tie_breakers: Sequence[str]) -> Fact:
    """facts(applicant, bedrooms): the sentence of an applicant's values for the tie-breakers, in
    the policy's order ("Band A since 3 March 2025; registered 1 June 2019.")."""
    parts = [fact for name in tie_breakers if (fact := _fact(name, tie_breakers))]
    if not parts:
        return lambda applicant, bedrooms: ""
    first, rest = parts[0], parts[1:]

    def facts(applicant: Applicant, bedrooms: int) -> str:
        text = first(applicant, bedrooms)
        for part in rest:
            text += "; " + part(applicant, bedrooms)
        return f" {text[0].upper()}{text[1:]}."

    return facts


def _fact(name: str, tie_breakers: Sequence[str]) -> Fact | None:
    """The applicant's value for tie-breaker ``name``, in words; None when another fact says it
    (the band effective date goes with the band)."""
    if name == "band":
        if "band_date" in tie_breakers:
            return lambda a, _: f"Band {a.band} since {long_date(a.band_date)}"
        return lambda a, _: f"Band {a.band}"
    if name == "band_date":
        return None if "band" in tie_breakers else lambda a, _: f"band effective date {long_date(a.band_date)}"
    if name == "registration_date":
        return lambda a, _: f"registered {long_date(a.registration_date)}"
    if name == "points":
        return lambda a, _: f"{a.points if a.points is not None else 'no'} points"
    if name == "bedroom_need_match":
        return lambda a, bedrooms: _bedroom_fact(a.bedroom_need, bedrooms)
    if name == "no_housing_debt":
        return lambda a, _: "housing debt recorded" if HOUSING_DEBT in a.groups else "no housing debt recorded"
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
