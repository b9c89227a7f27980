"""Whether an applicant may be considered for an advert, and if not, every reason why.

All failing criteria are listed (not just the first) so that an applicant and an officer see the
whole picture at once.
"""

from __future__ import annotations

from collections.abc import Callable

from .types import ACTIVE, TRANSFER, Advert, Applicant, Criteria, Reason

# What eligibility reads of an applicant for one advert (None where the advert sets no limit):
# status, bedroom need, household size, age, needs, whether a transfer tenant.
Profile = tuple[str, int | None, int | None, int | None, frozenset[str] | None, bool | None]

NO_CRITERIA = Criteria()

NEED_WORDING = {
    "step_free": "step-free access",
    "wheelchair": "a wheelchair-accessible home",
}


def eligibility(applicant: Applicant, advert: Advert) -> list[Reason]:
    """The criteria of ``advert`` that ``applicant`` fails; empty means eligible."""
    reasons = _status_reasons(applicant)
    criteria = advert.criteria
    if criteria == NO_CRITERIA:
        return reasons
    reasons += _bedroom_need_reasons(applicant.bedroom_need, criteria)
    reasons += _household_reasons(applicant.household_size, criteria)
    reasons += _age_reasons(applicant.age, criteria)
    reasons += _access_reasons(applicant.needs, criteria)
    reasons += _transfer_reasons(applicant.groups, criteria)
    return reasons


def _status_reasons(applicant: Applicant) -> list[Reason]:
    if applicant.status == ACTIVE:
        return []
    return [
        Reason(
            "not_active",
            f"This application is not active (its status is {applicant.status}), so it cannot be considered.",
        )
    ]


def _bedroom_need_reasons(need: int, criteria: Criteria) -> list[Reason]:
    reasons = []
    if criteria.min_bedroom_need is not None and need < criteria.min_bedroom_need:
        reasons.append(
            Reason(
                "bedroom_need_too_low",
                f"This home is for households needing at least {_bedrooms(criteria.min_bedroom_need)}; "
                f"you need {need}.",
            )
        )
    if criteria.max_bedroom_need is not None and need > criteria.max_bedroom_need:
        reasons.append(
            Reason(
                "bedroom_need_too_high",
                f"This home is for households needing at most {_bedrooms(criteria.max_bedroom_need)}; "
                f"you need {need}.",
            )
        )
    return reasons


def _household_reasons(size: int, criteria: Criteria) -> list[Reason]:
    reasons = []
    if criteria.min_household is not None and size < criteria.min_household:
        reasons.append(
            Reason(
                "household_too_small",
                f"This home is for households of at least {_people(criteria.min_household)}; yours has {size}.",
            )
        )
    if criteria.max_household is not None and size > criteria.max_household:
        reasons.append(
            Reason(
                "household_too_large",
                f"This home is for households of at most {_people(criteria.max_household)}; yours has {size}.",
            )
        )
    return reasons


def _age_reasons(age: int, criteria: Criteria) -> list[Reason]:
    if criteria.min_age is None or age >= criteria.min_age:
        return []
    return [
        Reason(
            "under_min_age",
            f"This home is for applicants aged {criteria.min_age} or over; the lead applicant is {age}.",
        )
    ]


def _access_reasons(needs: frozenset[str], criteria: Criteria) -> list[Reason]:
    return [
        Reason(
            f"{need_name}_only",
            f"This home is kept for households who need {NEED_WORDING[need_name]}, "
            "and your application does not record that need.",
        )
        for need_name in _required_needs(criteria)
        if need_name not in needs
    ]


def _transfer_reasons(groups: frozenset[str], criteria: Criteria) -> list[Reason]:
    if not criteria.transfer_only or TRANSFER in groups:
        return []
    return [Reason("transfer_only", "This home is only for existing social housing tenants who want to transfer.")]


def _required_needs(criteria: Criteria) -> tuple[str, ...]:
    """The access needs an advert is kept for, in a fixed order (step-free, then wheelchair)."""
    required = (("step_free", criteria.step_free), ("wheelchair", criteria.wheelchair))
    return tuple(name for name, kept_for in required if kept_for)


def _bedrooms(n: int) -> str:
    return f"{n} bedroom" if n == 1 else f"{n} bedrooms"


def _people(n: int) -> str:
    return f"{n} person" if n == 1 else f"{n} people"


def eligibility_test(advert: Advert) -> Callable[[Applicant], bool]:
    """A fast yes/no form of ``eligibility`` for one advert, for ranking whole cycles:
    ``eligibility_test(advert)(applicant)`` is True exactly when ``eligibility`` is empty."""
    criteria = advert.criteria
    need_low = -1 if criteria.min_bedroom_need is None else criteria.min_bedroom_need
    need_high = 1 << 30 if criteria.max_bedroom_need is None else criteria.max_bedroom_need
    size_low = -1 if criteria.min_household is None else criteria.min_household
    size_high = 1 << 30 if criteria.max_household is None else criteria.max_household
    age_low = -1 if criteria.min_age is None else criteria.min_age
    needs = frozenset(_required_needs(criteria))
    transfer_only = criteria.transfer_only

    def test(applicant: Applicant) -> bool:
        return (
            applicant.status == ACTIVE
            and need_low <= applicant.bedroom_need <= need_high
            and size_low <= applicant.household_size <= size_high
            and applicant.age >= age_low
            and needs <= applicant.needs
            and (not transfer_only or TRANSFER in applicant.groups)
        )

    return test


def eligibility_profile(advert: Advert) -> Callable[[Applicant], Profile]:
    """``eligibility_profile(advert)(applicant)``: the applicant's values that ``eligibility``
    reads for this advert; applicants with equal profiles get equal reasons."""
    criteria = advert.criteria
    bedrooms = criteria.min_bedroom_need is not None or criteria.max_bedroom_need is not None
    household = criteria.min_household is not None or criteria.max_household is not None
    age = criteria.min_age is not None
    needs = criteria.step_free or criteria.wheelchair
    transfer = criteria.transfer_only

    def profile(applicant: Applicant) -> Profile:
        return (
            applicant.status,
            applicant.bedroom_need if bedrooms else None,
            applicant.household_size if household else None,
            applicant.age if age else None,
            applicant.needs if needs else None,
            TRANSFER in applicant.groups if transfer else None,
        )

    return profile
