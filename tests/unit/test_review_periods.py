"""Review periods counted as the law counts them: "beginning with" a day makes that day day one."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cbl.models.states import ReviewType
from cbl.rules import decision_types
from cbl.rules.challenge_routes import DecidedBy, Route, route_after_review
from cbl.rules.decision_types import kind_of, review_rights
from cbl.rules.review_periods import (
    S202, Part6Periods, ReviewedBy, check_part6_periods, is_late, last_day, s202_decide_by, s202_request_by,
    s202_weeks,
)
from cbl.rules.scheme import Reviews

days = st.dates(min_value=date(2018, 4, 3), max_value=date(2099, 12, 31))  # the 2018 Regulations' start


def test_eight_weeks_beginning_with_the_request_day_end_the_day_before_the_same_weekday():
    # A request on Monday 1 March 2027: day 1 is 1 March, day 56 is Sunday 25 April (not Monday 26 April).
    assert s202_decide_by(S202.SUITABILITY, date(2027, 3, 1)) == date(2027, 4, 25)


def test_a_period_across_the_leap_day_counts_it():
    # 21 days beginning with Thursday 15 February 2028 include 29 February: the last day is 6 March.
    assert s202_request_by(date(2028, 2, 15)) == date(2028, 3, 6)
    # and across February in a common year: 15 February 2027 -> 7 March 2027.
    assert s202_request_by(date(2027, 2, 15)) == date(2027, 3, 7)


def test_a_period_ending_on_a_bank_holiday_or_weekend_is_not_moved():
    # Notified on Thursday 5 December 2026: day 21 is Christmas Day, and the request is due by then.
    assert s202_request_by(date(2026, 12, 5)) == date(2026, 12, 25)


def test_the_request_on_day_21_is_in_time_and_on_day_22_is_late():
    notified = date(2027, 1, 31)  # across a month end
    due = s202_request_by(notified)
    assert due == date(2027, 2, 20)
    assert not is_late(date(2027, 2, 20), due) and is_late(date(2027, 2, 21), due)


@pytest.mark.parametrize(("decision", "weeks"), [
    (S202.RELIEF_STEPS, 3), (S202.PREVENTION, 3), (S202.NON_COOPERATION_PREVENTION, 3),
    (S202.ELIGIBILITY, 8), (S202.DUTY_OWED, 8), (S202.RELIEF_ENDED, 8), (S202.NON_COOPERATION_RELIEF, 8),
    (S202.REFERRAL_NOTIFIED, 8), (S202.REFERRAL_CONDITIONS, 8), (S202.REFERRAL_DUTY, 8), (S202.SUITABILITY, 8),
    (S202.PRIVATE_RENTED_OFFER, 8), (S202.FINAL_ACCOMMODATION_OFFER, 8),
])
def test_every_s202_decision_has_the_period_reg_9_gives_it(decision, weeks):
    assert s202_weeks(decision) == weeks
    assert s202_weeks(decision, ReviewedBy.REFEREE) == 12  # reg 9(1)(d)


def test_a_joint_review_is_ten_weeks_and_only_for_a_referral_conditions_decision():
    assert s202_weeks(S202.REFERRAL_CONDITIONS, ReviewedBy.JOINT) == 10
    # 10 weeks beginning with Monday 29 March 2027 (clocks changed the day before): last day Sunday 6 June.
    assert s202_decide_by(S202.REFERRAL_CONDITIONS, date(2027, 3, 29), reviewed_by=ReviewedBy.JOINT) == \
        date(2027, 6, 6)
    with pytest.raises(ValueError):
        s202_weeks(S202.SUITABILITY, ReviewedBy.JOINT)


def test_three_week_periods_begin_with_the_day_representations_arrive_and_others_do_not():
    asked, represented = date(2027, 1, 4), date(2027, 1, 11)
    assert s202_decide_by(S202.PREVENTION, asked) == date(2027, 1, 24)
    assert s202_decide_by(S202.PREVENTION, asked, representations_received_on=represented) == date(2027, 1, 31)
    assert s202_decide_by(S202.SUITABILITY, asked, representations_received_on=represented) == date(2027, 2, 28)


@given(days, st.sampled_from(list(S202)))
def test_the_decision_day_is_always_the_last_of_whole_weeks_counted_from_the_request(asked, decision):
    due = s202_decide_by(decision, asked)
    # Day one is the request day: the period holds exactly 7 x weeks days, and ends the day before the
    # request's weekday comes round again.
    assert (due - asked).days + 1 == 7 * s202_weeks(decision)
    assert (due + timedelta(days=1)).weekday() == asked.weekday()


@given(days, st.integers(min_value=1, max_value=400))
def test_n_days_beginning_with_a_day_hold_that_day_and_n_minus_one_more(first, n):
    end = last_day(first, n)
    assert (end - first).days == n - 1 and end >= first


@given(days)
def test_the_s202_request_period_holds_exactly_21_days(notified):
    due = s202_request_by(notified)
    assert (due - notified).days == 20


@given(st.integers(min_value=14, max_value=56), st.integers(min_value=14, max_value=84), days)
def test_plausible_part6_periods_pass_and_count_beginning_with_the_day(ask, decide, day):
    assert check_part6_periods(ask, decide) == []
    periods = Part6Periods(ask, decide)
    assert (periods.request_by(day) - day).days == ask - 1
    assert (periods.decide_by(day) - day).days == decide - 1


@given(st.integers(min_value=0, max_value=13) | st.integers(min_value=57, max_value=400))
def test_implausible_part6_request_periods_are_named(ask):
    assert any("request_within_days" in problem for problem in check_part6_periods(ask, 56))


# The shipped scheme gives every Part 6 type its own decision period; here one is changed to show that it is read.
PART6 = Reviews(request_within_days=28, decide_within_days=56, decide_within_days_by_type={"suspension": 42})
SECTIONS = {ReviewType.SUITABILITY: "section 202(1)(f)", ReviewType.FINAL_OFFER_DUTY: "section 202(1)(b)",
            ReviewType.ELIGIBILITY: "section 160ZA(9)", ReviewType.QUALIFICATION: "section 160ZA(9)",
            **{kind: "section 166A(9)" for kind in (ReviewType.BAND, ReviewType.BEDROOM_NEED, ReviewType.SUSPENSION,
                                                    ReviewType.REFUSAL, ReviewType.SKIP, ReviewType.CLOSURE,
                                                    ReviewType.PANEL)}}


@pytest.mark.parametrize("kind", list(ReviewType))
def test_every_decision_the_system_makes_has_its_provision_its_periods_and_its_route(kind):
    told = asked = date(2028, 2, 14)  # a Monday; both periods cross 29 February 2028
    entry = kind_of(kind)
    assert entry.section == SECTIONS[kind]
    rights = review_rights(kind, PART6, told)
    if entry.part_7:  # the law's periods whatever the scheme says: s202(3), and reg 9(1)(b)'s eight weeks
        assert (rights.request_by, rights.days) == (date(2028, 3, 5), 21)
        assert decision_types.decide_by(kind, PART6, asked) == date(2028, 4, 9)
        assert rights.route.route is Route.COUNTY_COURT and "section 204" in rights.route.sentence
    else:  # the scheme's, beginning with the day; and after the review, the LGSCO
        assert (rights.request_by, rights.days) == (date(2028, 3, 12), 28)
        days = 42 if kind is ReviewType.SUSPENSION else 56
        assert decision_types.decide_by(kind, PART6, asked) == asked + timedelta(days=days - 1)
        assert rights.route.route is Route.LGSCO and "Housing Ombudsman" not in rights.route.sentence


def test_the_housing_ombudsman_is_the_route_only_for_a_providers_own_decision():
    assert route_after_review(False, DecidedBy.PROVIDER).route is Route.HOUSING_OMBUDSMAN
    assert route_after_review(True, DecidedBy.PROVIDER).route is Route.HOUSING_OMBUDSMAN
    assert {route_after_review(part_7).route for part_7 in (True, False)} == {Route.COUNTY_COURT, Route.LGSCO}
