"""Bedroom need follows each rule's own worked examples, and is derived from the household's dates of birth."""

from datetime import date

import pytest

from cbl.rules.bedroom_need import Person, bedroom_need
from cbl.models import HouseholdMember
from cbl.models.states import Relationship, Sex
from cbl.services.register import derive_bedroom_need

COUPLE = [Person(35, "F", "c"), Person(37, "M", "c")]


@pytest.mark.parametrize(
    ("household", "standard", "lha"),
    [
        pytest.param([Person(25, "M")], 1, 1, id="single adult"),
        pytest.param([*COUPLE], 1, 1, id="couple"),
        pytest.param([*COUPLE, Person(8, "M"), Person(5, "F")], 2, 2,
                     id="two children under 10 share whatever their sex"),
        pytest.param([*COUPLE, Person(12, "M"), Person(6, "F")], 3, 3, id="boy 12 and girl 6 each need a room"),
        pytest.param([Person(40, "F"), Person(14, "F"), Person(16, "F")], 2, 3,
                     id="sisters 14 and 16 share under the standard; at 16 LHA gives a room"),
        pytest.param([*COUPLE, Person(17, "M"), Person(12, "M")], 2, 3,
                     id="brothers 17 and 12: share under the standard, not under LHA (16+)"),
        pytest.param([*COUPLE, Person(22, "M")], 2, 2, id="adult son has his own room"),
        pytest.param([*COUPLE, Person(19, "M"), Person(7, "M")], 2, 3,
                     id="19-year-old shares with a same-sex child under 10 (standard only)"),
        pytest.param([Person(30, "F"), Person(15, "M"), Person(13, "F"), Person(4, "M")], 3, 3,
                     id="boy 15 shares with boy 4, girl 13 alone"),
        pytest.param([Person(30, "F"), Person(11, "F"), Person(8, "M")], 3, 3, id="girl 11 and boy 8 cannot share"),
        pytest.param([*COUPLE, Person(6, "F", needs_own_room=True), Person(4, "F")], 3, 3,
                     id="a disabled child who cannot share"),
        pytest.param([Person(70, "F"), Person(45, "M")], 2, 2, id="parent and adult child"),
        pytest.param([], 0, 0, id="no one"),
    ],
)
def test_bedroom_need_matches_the_rules_worked_examples(household, standard, lha):
    assert bedroom_need(household, "bedroom_standard") == standard
    assert bedroom_need(household, "lha") == lha


def test_the_fewest_rooms_are_found_whatever_order_the_household_is_listed_in():
    people = [Person(9, "F"), Person(15, "M"), Person(3, "M"), Person(12, "F"), Person(30, "F")]
    assert {bedroom_need(people[i:] + people[:i]) for i in range(len(people))} == {3}


def _member(relationship, born, sex):
    return HouseholdMember(applicant_id=1, name="x", date_of_birth=born, sex=sex, relationship=relationship)


def test_need_changes_on_the_birthday_that_stops_two_children_sharing(scheme):
    household = [
        _member(Relationship.LEAD, date(1990, 1, 1), Sex.FEMALE),
        _member(Relationship.PARTNER, date(1989, 5, 5), Sex.MALE),
        _member(Relationship.CHILD, date(2016, 6, 15), Sex.MALE),
        _member(Relationship.CHILD, date(2019, 2, 1), Sex.FEMALE),
    ]
    assert derive_bedroom_need(household, scheme, on=date(2026, 6, 14)) == 2  # boy is 9
    assert derive_bedroom_need(household, scheme, on=date(2026, 6, 15)) == 3  # boy turns 10


def test_lead_and_partner_are_counted_as_a_couple_only_when_there_is_a_partner(scheme):
    parent_and_son = [
        _member(Relationship.LEAD, date(1960, 1, 1), Sex.FEMALE),
        _member(Relationship.CHILD, date(2000, 1, 1), Sex.MALE),
    ]
    assert derive_bedroom_need(parent_and_son, scheme, on=date(2026, 1, 1)) == 2
