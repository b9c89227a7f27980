"""Bedroom need, derived from a household by the scheme's rule; never typed in by hand.

Two rules are in use in England:
- the bedroom standard (English Housing Survey; Housing Act 1985 overcrowding practice): a
  bedroom for each couple, each other person aged 21 or over, each pair of people aged 10-20 of
  the same sex, each pair of children under 10; an unpaired 10-20 year old shares with a child
  under 10 of the same sex if there is one, otherwise has a room;
- the Local Housing Allowance size criteria (Housing Benefit Regulations 2006, reg B13): a
  bedroom for each couple, each other person aged 16 or over, two children of the same sex under
  16, two children under 10 of either sex, any other child; plus a room for a person who cannot
  share because of a disability.
Either rule gives one bedroom more for a carer who does not live with the household but stays overnight to
care for someone in it, where a panel has found that care is needed (cbl/services/panels.py). Under the LHA size
criteria this is the Housing Benefit Regulations 2006 reg B13(6)(a) (and reg 13D(3)(a), the social sector's
size criteria): one additional bedroom where the claimant or partner requires overnight care from someone who
does not occupy the dwelling. The bedroom standard has no such room; a council's scheme gives it on the same
finding, as the room the household must have to be housed at all.
Both come down to: couples and "adults" take a room each, and children share in pairs where the
rule lets them. The fewest rooms is a maximum matching on the "may share" relation, which for a
household is small enough to search exhaustively.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

Rule = Literal["bedroom_standard", "lha"]


@dataclass(frozen=True, slots=True)
class Person:
    age: int
    sex: str | None = None  # "F", "M" or unknown
    couple: str | None = None  # people sharing a key form a couple and share a room
    needs_own_room: bool = False


def age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _bedroom_standard_may_share(a: Person, b: Person) -> bool:
    if a.age < 10 and b.age < 10:
        return True
    same_sex = a.sex is not None and a.sex == b.sex
    return same_sex and a.age <= 20 and b.age <= 20


def _lha_may_share(a: Person, b: Person) -> bool:
    if a.age < 10 and b.age < 10:
        return True
    same_sex = a.sex is not None and a.sex == b.sex
    return same_sex and a.age < 16 and b.age < 16


_RULES: dict[str, tuple[int, Callable[[Person, Person], bool]]] = {
    # rule: (age from which a single person has a room of their own, who may share)
    "bedroom_standard": (21, _bedroom_standard_may_share),
    "lha": (16, _lha_may_share),
}


def bedroom_need(people: Sequence[Person], rule: Rule = "bedroom_standard", *, overnight_carer: bool = False) -> int:
    """The number of bedrooms the household needs under the rule, with one for a carer who stays overnight where
    one is needed (reg B13(6)(a)). An empty household needs 0."""
    return _bedroom_need(tuple(people), rule) + (1 if overnight_carer and people else 0)


@lru_cache(maxsize=4096)  # households of the same ages, sexes and couples are many when a register is imported
def _bedroom_need(people: tuple[Person, ...], rule: Rule) -> int:
    adult_age, may_share = _RULES[rule]
    couples = {p.couple for p in people if p.couple is not None}
    rooms = len(couples)
    sharers: list[Person] = []
    for person in people:
        if person.couple is not None:
            continue
        if person.needs_own_room or person.age >= adult_age:
            rooms += 1
        else:
            sharers.append(person)
    if len(sharers) < 2:
        return rooms + len(sharers)
    return rooms + len(sharers) - _most_pairs(tuple(sharers), may_share)


def _most_pairs(people: tuple[Person, ...], may_share: Callable[[Person, Person], bool]) -> int:
    @lru_cache(maxsize=None)
    def best(remaining: frozenset[int]) -> int:
        if len(remaining) < 2:
            return 0
        first = min(remaining)
        rest = remaining - {first}
        result = best(rest)  # the first sleeps alone
        for other in rest:
            if may_share(people[first], people[other]):
                result = max(result, 1 + best(rest - {other}))
        return result

    return best(frozenset(range(len(people))))
