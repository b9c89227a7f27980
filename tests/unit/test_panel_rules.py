"""What a panel's findings do to a case's needs and bedroom need, and who may sit on a panel."""

from hypothesis import given, settings, strategies as st

from cbl.rules.bedroom_need import Person, bedroom_need
from cbl.rules.panels import (
    ACCESS, FEWEST_MEMBERS, engine_needs, membership_problem, needs_after, offer_requirements,
)
from cbl.rules.final_offers import REQUIREMENTS
from cbl.services.applications import NEEDS

findings = st.frozensets(st.sampled_from(sorted(ACCESS)))
recorded = st.frozensets(st.sampled_from(sorted(NEEDS)))


def test_each_finding_gives_the_engine_a_need_it_knows_and_a_final_offer_a_requirement_it_checks():
    assert engine_needs({"ground_floor_or_lift"}) == {"step_free"} == engine_needs({"level_access_shower"})
    assert engine_needs({"wheelchair"}) == {"step_free", "wheelchair"}
    assert offer_requirements({"ground_floor_or_lift", "level_access_shower"}) == {"lift"}
    assert offer_requirements({"wheelchair"}) == {"wheelchair"}
    assert engine_needs(ACCESS) <= set(NEEDS) and offer_requirements(ACCESS) <= set(REQUIREMENTS)


@settings(max_examples=60)
@given(recorded, findings, findings)
def test_a_new_panel_replaces_what_the_last_gave_and_keeps_what_no_panel_gave(own, before, after):
    result = set(needs_after(own, before, after))
    assert engine_needs(after) <= result  # what this panel found
    assert own - engine_needs(before) <= result  # what no panel gave
    assert result <= own | engine_needs(after)  # nothing from nowhere
    assert not (engine_needs(before) - engine_needs(after)) & result  # what only the last panel gave, gone
    assert needs_after(result, after, after) == sorted(result)  # the same findings again change nothing


def test_a_panel_that_finds_no_access_need_takes_away_only_what_a_panel_gave():
    assert needs_after(["step_free", "wheelchair"], {"wheelchair"}, set()) == []
    assert needs_after(["step_free"], set(), set()) == ["step_free"]  # the household's own answer
    assert needs_after(["wheelchair"], {"ground_floor_or_lift"}, set()) == ["wheelchair"]


@settings(max_examples=40)
@given(st.frozensets(st.integers(1, 8), max_size=6), st.integers(1, 8))
def test_a_panel_is_at_least_two_staff_who_may_sit_and_never_the_referrer(members, referrer):
    may_sit = set(range(1, 7))
    problem = membership_problem(members, referrer, may_sit)
    fine = len(members) >= FEWEST_MEMBERS and referrer not in members and members <= may_sit
    assert (problem is None) == fine
    if len(members) < FEWEST_MEMBERS:
        assert "at least 2" in problem


@given(st.lists(st.tuples(st.integers(0, 90), st.sampled_from(["F", "M", None])), min_size=1, max_size=6),
       st.sampled_from(["bedroom_standard", "lha"]))
@settings(max_examples=40)
def test_a_carer_who_stays_overnight_needs_one_bedroom_more_under_either_rule(people, rule):
    household = [Person(age, sex) for age, sex in people]
    assert bedroom_need(household, rule, overnight_carer=True) == bedroom_need(household, rule) + 1
    assert bedroom_need([], rule, overnight_carer=True) == 0
