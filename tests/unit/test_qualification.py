"""The online application's eligibility and qualification indications, and the scheme's [application] section."""

from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from cbl.rules.application_questions import pages_for
from cbl.rules.qualification import eligibility, qualification
from cbl.rules.scheme import SchemeError, load_scheme
from tests.conftest import SCHEMES

RULES = {"area": "Anytown", "residence_years": 2, "residence_exemptions": ("armed_forces", "homelessness"),
         "income_limit": 60000, "savings_limit": 30000, "financial_exemptions": ("armed_forces",)}


def _answers(years=5, income=20_000_00, savings=0, priorities=(), service=""):
    return {"area": {"years": years}, "money": {"income": income, "savings": savings},
            "circumstances": {"priorities": list(priorities)}, "armed_forces": {"service": service}}


def test_a_household_resident_long_enough_and_under_the_limits_qualifies():
    assert qualification(_answers(years=2, income=60000_00, savings=30000_00), **RULES).qualifies


def test_a_year_short_of_the_residence_period_does_not_qualify_and_says_why():
    found = qualification(_answers(years=1), **RULES)
    assert not found.qualifies
    assert found.reasons == ("The household has lived in Anytown for 1 year; the scheme asks for 2 years' residence "
                             "before an application qualifies.",)


def test_a_penny_over_a_financial_limit_does_not_qualify():
    assert not qualification(_answers(income=60000_01), **RULES).qualifies
    assert not qualification(_answers(savings=30000_01), **RULES).qualifies


@pytest.mark.parametrize(("service", "exempt"), [("serving", True), ("left_within_5_years", True),
                                                 ("bereaved_partner", True), ("reserve_injured", True),
                                                 ("left_earlier", False)])
def test_armed_forces_households_are_exempt_from_the_residence_test_as_si_2012_1869_says(service, exempt):
    found = qualification(_answers(years=0, priorities=["armed_forces"], service=service), **RULES)
    assert found.qualifies is exempt


def test_homeless_households_are_exempt_where_the_scheme_says_but_not_from_the_financial_test():
    assert qualification(_answers(years=0, priorities=["homelessness"]), **RULES).qualifies
    assert not qualification(_answers(years=0, savings=40000_00, priorities=["homelessness"]), **RULES).qualifies


def test_a_scheme_without_tests_lets_everyone_qualify():
    rules = {**RULES, "residence_years": 0, "income_limit": 0, "savings_limit": 0}
    assert qualification(_answers(years=0, income=10**9, savings=10**9), **rules).qualifies


@given(years=st.integers(0, 20), income=st.integers(0, 200_000_00), savings=st.integers(0, 100_000_00))
def test_qualifying_is_exactly_meeting_every_test(years, income, savings):
    found = qualification(_answers(years=years, income=income, savings=savings), **RULES)
    assert found.qualifies == (years >= 2 and income <= 60000_00 and savings <= 30000_00)
    assert found.qualifies == (not found.reasons)


@pytest.mark.parametrize(("immigration", "outcome"), [
    ({"british_or_irish": "yes", "resident": "yes"}, "eligible"),
    ({"british_or_irish": "yes", "resident": "no"}, "check"),
    ({"british_or_irish": "no", "leave": "settled", "resident": "yes"}, "eligible"),
    ({"british_or_irish": "no", "leave": "settled", "resident": "no"}, "check"),
    ({"british_or_irish": "no", "leave": "refugee", "resident": "no"}, "eligible"),
    ({"british_or_irish": "no", "leave": "no_recourse", "resident": "yes"}, "not_eligible"),
    ({"british_or_irish": "no", "leave": "pre_settled", "resident": "yes"}, "check"),
    ({}, "check"),
])
def test_eligibility_reads_the_immigration_answers_as_s160za_and_the_2006_regulations_do(immigration, outcome):
    assert eligibility({"immigration": immigration}).outcome == outcome


def test_the_money_questions_are_asked_only_with_a_financial_test_and_the_medical_form_only_for_medical_need():
    everything = ("medical", "armed_forces")
    plain = pages_for("application", {}, financial_test=False, priorities=everything)
    assert "money" not in plain and "medical" not in plain
    chosen = {"circumstances": {"priorities": ["medical"]}}
    asked = pages_for("application", chosen, financial_test=True, priorities=everything)
    assert "money" in asked and "medical" in asked and "armed-forces" not in asked


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scheme.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("change", "named"), [
    ('residence_exemptions = ["armed_forces", "homelessness", "leaving_care"]',
     'residence_exemptions = ["homelessness"]'),
    ('residence_exemptions = ["armed_forces", "homelessness", "leaving_care"]',
     'residence_exemptions = ["armed_forces", "pets"]'),
    ("draft_warning_days = 14", "draft_warning_days = 90"),
    ('"leaving_care"]\n# Qualification', '"leaving_care", "lottery"]\n# Qualification'),
])
def test_a_scheme_whose_application_rules_break_the_law_or_make_no_sense_is_refused(tmp_path, change, named):
    text = (SCHEMES / "default.toml").read_text()
    assert change in text
    with pytest.raises(SchemeError, match="application"):
        load_scheme(_write(tmp_path, text.replace(change, named)))
