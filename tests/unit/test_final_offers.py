"""Final-offer suitability (s193(7F)): each recorded need a home can fail, named, at its edges; and the findings
an officer must record on each factor before a final offer."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cbl.rules.final_offers import LABELS, REQUIRED, Factor, Finding, Home, Requirement, failed_needs, finding_problems

GROUND_FLAT = Home(bedrooms=2, floor=0, lift=False, step_free=True, wheelchair_adapted=False,
                   weekly_rent_pence=10000, weekly_charges_pence=1500)
SOUND = [Finding(factor, True, "Checked.") for factor in REQUIRED]


def _home(**changes) -> Home:
    return Home(**{**GROUND_FLAT.__dict__, **changes})


@pytest.mark.parametrize(("code", "fails_on", "meets_on", "named"), [
    ("ground_floor", _home(floor=1, lift=True), _home(floor=0), "a ground-floor home"),
    ("lift", _home(floor=2, lift=False), _home(floor=2, lift=True), "a lift above the ground floor"),
    ("step_free", _home(step_free=False), _home(step_free=False, wheelchair_adapted=True), "a home without steps"),
    ("wheelchair", _home(wheelchair_adapted=False), _home(wheelchair_adapted=True), "a wheelchair-accessible home"),
])
def test_each_access_requirement_fails_the_home_that_lacks_it_and_names_it_with_where_it_was_recorded(
        code, fails_on, meets_on, named):
    need = [Requirement(code, "panel recommendation of 3 December 2026")]
    [failure] = failed_needs(2, need, fails_on)
    assert f"needs {named} (panel recommendation of 3 December 2026)" in failure
    assert failed_needs(2, need, meets_on) == []


def test_bedrooms_fail_one_short_and_pass_when_equal_or_more():
    assert failed_needs(3, [], _home(bedrooms=2)) == ["The household needs 3 bedrooms and the home has 2."]
    assert failed_needs(2, [], _home(bedrooms=2)) == [] and failed_needs(1, [], _home(bedrooms=2)) == []


def test_rent_and_charges_fail_a_penny_over_the_recorded_income_and_are_not_judged_without_one():
    cost = GROUND_FLAT.weekly_cost_pence  # £115.00
    assert failed_needs(2, [], GROUND_FLAT, weekly_income_pence=cost) == []
    [failure] = failed_needs(2, [], GROUND_FLAT, weekly_income_pence=cost - 1)
    assert "rent and charges (£115.00 a week) are more than the household's recorded income (£114.99" in failure
    assert failed_needs(2, [], GROUND_FLAT, weekly_income_pence=None) == []


def test_a_two_bedroom_first_floor_flat_fails_a_family_of_four_bedrooms_on_the_ground_floor_twice():
    flat = _home(floor=1, lift=False)
    failures = failed_needs(4, [Requirement("ground_floor", "panel")], flat)
    assert len(failures) == 2 and "4 bedrooms" in failures[0] and "on floor 1 with no lift" in failures[1]


@pytest.mark.parametrize("missing", REQUIRED)
def test_every_required_factor_needs_a_finding_with_reasons(missing):
    findings = [f for f in SOUND if f.factor is not missing]
    named = LABELS[missing].split(":")[0].lower()  # "size", "access and medical needs", ...
    assert f"Record a finding and reasons for {named}." in finding_problems(findings, True, "Reasonable.")
    blank = [Finding(f.factor, True, "  " if f.factor is missing else f.reasons) for f in SOUND]
    assert finding_problems(blank, True, "Reasonable.") != []


@given(st.sampled_from(list(Factor)))
def test_a_finding_of_unsuitability_on_any_factor_refuses_the_offer(factor):
    findings = [Finding(f.factor, f.factor is not factor, "Checked.") for f in SOUND]
    if factor is Factor.OTHER:
        findings.append(Finding(Factor.OTHER, False, "Next door to the person she fled."))
    assert any("found unsuitable" in problem for problem in finding_problems(findings, True, "Reasonable."))


def test_acceptance_must_be_found_reasonable_with_reasons():
    assert finding_problems(SOUND, True, "Settled home.") == []
    assert finding_problems(SOUND, False, "Settled home.") and finding_problems(SOUND, True, " ")
