"""The landlord's consent to a mutual exchange at its edges: the 42 days of s92(4), Schedule 3's grounds, s92(5)'s
conditions, and which homes suit a household for its bedroom need."""

from datetime import date, datetime, timedelta, timezone

from hypothesis import given, strategies as st

from cbl.models.states import ExchangeTenancy
from cbl.rules.exchange_consent import (
    CONDITIONS, GROUNDS, conditions_problem, how_to_challenge, may_refuse, refusal_problem, refuse_by,
)
from cbl.rules.exchange_listings import right_to_exchange_problem, want_problem, wanted_and_suitable
from cbl.rules.working_days import local_date


def test_the_last_day_to_refuse_is_the_42nd_day_after_the_application_not_counting_its_own_day():
    assert refuse_by(date(2027, 3, 1)) == date(2027, 4, 12)
    assert may_refuse(date(2027, 3, 1), date(2027, 4, 12))
    assert not may_refuse(date(2027, 3, 1), date(2027, 4, 13))
    assert may_refuse(date(2027, 3, 1), date(2027, 3, 1))  # a notice the same day is in time


def test_a_month_end_application_runs_through_february_by_calendar_days():
    assert refuse_by(date(2027, 1, 31)) == date(2027, 3, 14)  # 28 days of February 2027
    assert refuse_by(date(2028, 1, 31)) == date(2028, 3, 13)  # 29 in a leap year
    assert refuse_by(date(2026, 12, 31)) == date(2027, 2, 11)  # across the year's end


def test_an_application_made_just_after_midnight_in_summer_time_is_dated_that_uk_day_and_a_clock_change_adds_no_day():
    applied_at = datetime(2026, 10, 24, 23, 30, tzinfo=timezone.utc)  # 00:30 BST on Sunday 25 October
    applied_on = local_date(applied_at)
    assert applied_on == date(2026, 10, 25)  # the clocks go back at 02:00 BST that morning
    assert refuse_by(applied_on) == date(2026, 12, 6)
    last_moment = datetime(2026, 12, 6, 23, 59, tzinfo=timezone.utc)  # 23:59 GMT on the last day
    assert may_refuse(applied_on, local_date(last_moment))
    assert not may_refuse(applied_on, local_date(last_moment + timedelta(minutes=1)))
    spring = local_date(datetime(2027, 3, 27, 23, 30, tzinfo=timezone.utc))  # GMT: still 27 March
    assert spring == date(2027, 3, 27) and refuse_by(spring) == date(2027, 5, 8)  # the clocks go forward on the 28th


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(min_value=-5, max_value=90))
def test_a_refusal_is_in_time_exactly_on_the_days_up_to_the_42nd(applied_on, days_after):
    today = applied_on + timedelta(days=days_after)
    assert may_refuse(applied_on, today) == (today <= applied_on + timedelta(days=42))
    late = refusal_problem(["1"], "Possession order of 3 May", applied_on, today)
    assert (late is not None and "no longer" in late[1]) == (days_after > 42)


def test_a_refusal_needs_a_schedule_3_ground_and_its_particulars():
    applied = date(2027, 3, 1)
    assert refusal_problem([], "Arrears", applied, applied)[0] == "grounds"
    assert "Schedule 3" in refusal_problem(["11"], "x", applied, applied)[1]
    assert refusal_problem(["2A"], "  ", applied, applied)[0] == "particulars"
    assert refusal_problem(["2ZA", "3"], "The home has four bedrooms; the household needs two.", applied,
                           applied) is None


def test_schedule_3_has_its_twelve_grounds_in_order_each_described():
    assert [g.code for g in GROUNDS] == ["1", "2", "2ZA", "2A", "3", "4", "5", "6", "7", "8", "9", "10"]
    assert all(len(g.short) > 20 for g in GROUNDS)


@given(st.lists(st.sampled_from([*CONDITIONS, "keep_a_garden", "no_pets", ""]), max_size=4))
def test_a_consent_may_carry_only_the_conditions_of_s92_5(conditions):
    allowed = all(code in CONDITIONS for code in conditions)
    problem = conditions_problem(conditions)
    assert (problem is None) == allowed
    if problem:
        assert "s92(5)" in problem and "s92(6)" in problem


def test_a_secure_tenant_challenges_in_the_county_court_and_a_providers_tenant_through_its_complaints():
    assert "section 110 of the Housing Act 1985" in how_to_challenge(True).sentence
    assert "Housing Ombudsman" in how_to_challenge(False).sentence


def test_introductory_and_starter_tenants_have_no_right_to_exchange():
    assert "section 124" in right_to_exchange_problem(ExchangeTenancy.INTRODUCTORY_OR_STARTER)
    assert all(right_to_exchange_problem(t) is None for t in ExchangeTenancy
               if t is not ExchangeTenancy.INTRODUCTORY_OR_STARTER)


@given(st.integers(0, 6), st.integers(0, 6), st.integers(0, 5), st.integers(0, 3))
def test_the_matcher_is_given_the_wanted_sizes_that_suit_the_bedroom_need(want_min, want_max, need, extra):
    sizes = wanted_and_suitable(want_min, want_max, need, extra)
    suiting = [n for n in range(0, 10) if want_min <= n <= want_max and need <= n <= need + extra]
    assert (sizes is None) == (not suiting)
    if sizes:
        assert list(range(sizes[0], sizes[1] + 1)) == suiting
    assert (want_problem(want_min, want_max, need, extra) is None) == bool(suiting)


def test_a_want_that_cannot_suit_says_which_sizes_would():
    assert want_problem(1, 1, 3, 1) == ("Your household needs 3 bedrooms, so a home of 3 to 4 bedrooms suits it: "
                                        "choose bedrooms that include at least one of those sizes.")


def test_the_provider_api_offers_exactly_the_rules_grounds_and_conditions():
    from typing import get_args

    from cbl.web.provider_api import Condition, Ground

    assert list(get_args(Ground)) == [g.code for g in GROUNDS]
    assert set(get_args(Condition)) == set(CONDITIONS)
