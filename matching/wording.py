"""Plain-English wording for shortlist explanations: ordinals, dates, groups and criteria."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# How each ranking criterion is named in "Ahead of the 3rd on ...". Tests read these back.
CRITERION_WORDING = {
    "designation": "the designation of this home",
    "preference_group": "preference group",
    "band": "band",
    "points": "points",
    "band_date": "band effective date",
    "registration_date": "registration date",
    "bedroom_need_match": "bedroom need matching the home",
    "no_housing_debt": "housing debt",
    "reference": "application reference",
}

# Said on every place at an advert let by date of registration (before the applicant's facts).
REGISTRATION_DATE_RULE = (
    "This home is let by date of registration: its bids are ranked by registration date alone, "
    "earliest first, whatever the band."
)

GROUP_WORDING = {
    "homeless": "homeless households",
    "transfer": "transfer tenants",
    "working": "working households",
    "downsizer": "households downsizing",
    "housing_debt": "households with housing debt",
}

NEED_WORDING = {
    "step_free": "a need for step-free access",
    "wheelchair": "a need for a wheelchair-accessible home",
}


@lru_cache(maxsize=4096)
def ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_ORDINALS = [""]


def ordinals_to(n: int) -> list[str]:
    """A list whose item k is ordinal(k), for k from 1 to at least n (shared: do not change it)."""
    while len(_ORDINALS) <= n:
        _ORDINALS.append(ordinal(len(_ORDINALS)))
    return _ORDINALS


@lru_cache(maxsize=65536)
def long_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def group_phrase(group: str) -> str:
    return GROUP_WORDING.get(group, f"households in the group '{group}'")


def preference_group_phrase(preference_group: str) -> str:
    """ "local:Northgate" -> "local connection to Northgate", and so on."""
    kind, _, name = preference_group.partition(":")
    if kind == "local":
        return f"local connection to {name}"
    if kind == "need":
        return NEED_WORDING.get(name, f"a need for '{name}'")
    return group_phrase(name)


def bids_phrase(n: int) -> str:
    return "1 eligible bid" if n == 1 else f"{n} eligible bids"
