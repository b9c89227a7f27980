"""Eligibility: every failed criterion is reported, as a code and a sentence a person understands."""

from msgspec.structs import replace
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from matching import Advert, Applicant, Criteria, eligibility
from matching.eligibility import eligibility_profile, eligibility_test
from tests.matching.strategies import adverts, applicants

DAY = date(2024, 1, 1)


def person(**changes) -> Applicant:
    values = dict(
        id="HR-1", band="B", band_date=DAY, registration_date=DAY, bedroom_need=1, household_size=1, age=40
    )
    values.update(changes)
    return Applicant(**values)


def home(**criteria) -> Advert:
    return Advert("AD-1", bedrooms=2, area="Northgate", landlord="Council", criteria=Criteria(**criteria))


def codes(applicant, advert) -> list[str]:
    return [reason.code for reason in eligibility(applicant, advert)]


def test_an_advert_without_criteria_accepts_any_active_applicant():
    assert eligibility(person(), home()) == []


def test_an_inactive_application_is_not_eligible():
    assert codes(person(status="suspended"), home()) == ["not_active"]


def test_bedroom_need_below_the_range_is_refused_with_the_numbers():
    (reason,) = eligibility(person(bedroom_need=1), home(min_bedroom_need=2, max_bedroom_need=2))
    assert reason.code == "bedroom_need_too_low"
    assert reason.message == "This home is for households needing at least 2 bedrooms; you need 1."


def test_bedroom_need_above_the_range_is_refused():
    assert codes(person(bedroom_need=3), home(min_bedroom_need=2, max_bedroom_need=2)) == ["bedroom_need_too_high"]


def test_bedroom_need_inside_the_range_is_accepted():
    assert codes(person(bedroom_need=2), home(min_bedroom_need=1, max_bedroom_need=2)) == []


def test_household_size_limits():
    assert codes(person(household_size=1), home(min_household=2)) == ["household_too_small"]
    assert codes(person(household_size=5), home(max_household=4)) == ["household_too_large"]


def test_a_sheltered_home_for_over_60s_refuses_a_59_year_old_and_accepts_a_60_year_old():
    (reason,) = eligibility(person(age=59), home(min_age=60))
    assert reason.code == "under_min_age"
    assert reason.message == "This home is for applicants aged 60 or over; the lead applicant is 59."
    assert eligibility(person(age=60), home(min_age=60)) == []


def test_adapted_homes_are_kept_for_households_with_that_need():
    assert codes(person(), home(step_free=True)) == ["step_free_only"]
    assert codes(person(needs=frozenset({"step_free"})), home(step_free=True)) == []
    assert codes(person(needs=frozenset({"step_free"})), home(wheelchair=True)) == ["wheelchair_only"]
    assert codes(person(needs=frozenset({"wheelchair"})), home(wheelchair=True)) == []


def test_a_transfer_only_home_needs_an_existing_tenant():
    assert codes(person(), home(transfer_only=True)) == ["transfer_only"]
    assert codes(person(groups=frozenset({"transfer"})), home(transfer_only=True)) == []


def test_every_failed_criterion_is_listed():
    applicant = person(status="closed", bedroom_need=3, household_size=6, age=30)
    advert = home(max_bedroom_need=2, max_household=4, min_age=60, wheelchair=True, transfer_only=True)
    assert codes(applicant, advert) == [
        "not_active",
        "bedroom_need_too_high",
        "household_too_large",
        "under_min_age",
        "wheelchair_only",
        "transfer_only",
    ]
    assert all(reason.message.endswith(".") for reason in eligibility(applicant, advert))


@settings(max_examples=300, deadline=None)
@given(applicants(0), adverts(0, ["X"]), st.data())
def test_the_fast_test_used_for_whole_cycles_agrees_with_the_reasons(applicant, advert, data):
    assert eligibility_test(advert)(applicant) == (eligibility(applicant, advert) == [])


@settings(max_examples=300, deadline=None)
@given(applicants(0), applicants(1), adverts(0, ["X"]))
def test_applicants_with_the_same_profile_get_the_same_reasons(first, other, advert):
    # Whole-cycle ranking reuses reasons between applicants with equal profiles, so the profile
    # must hold every value the criteria read: give another applicant first's values for those.
    second = replace(
        other,
        status=first.status if eligibility_profile(advert)(first)[0] is not None else other.status,
        bedroom_need=first.bedroom_need if advert.criteria.min_bedroom_need is not None
        or advert.criteria.max_bedroom_need is not None else other.bedroom_need,
        household_size=first.household_size if advert.criteria.min_household is not None
        or advert.criteria.max_household is not None else other.household_size,
        age=first.age if advert.criteria.min_age is not None else other.age,
        needs=first.needs if advert.criteria.step_free or advert.criteria.wheelchair else other.needs,
        groups=(other.groups - {"transfer"}) | (first.groups & {"transfer"})
        if advert.criteria.transfer_only
        else other.groups,
    )
    assert eligibility_profile(advert)(first) == eligibility_profile(advert)(second)
    assert eligibility(first, advert) == eligibility(second, advert)
