"""Ranking: order from published scheme rules, total and reproducible, explained in words."""

import re
from datetime import date

import pytest
from hypothesis import given, settings

from matching import Advert, Applicant, Bid, Criteria, Instance, InstanceError, Policy, rank_advert, solve
from matching.wording import CRITERION_WORDING, ordinal
from tests.matching.reference import deciding_criterion, reference_order
from tests.matching.strategies import instances

CRITERION_OF_WORDING = {wording: name for name, wording in CRITERION_WORDING.items()}
HEAD = re.compile(r"^(\d+)(st|nd|rd|th) of (\d+) eligible bids?\.")
AHEAD = re.compile(r"Ahead of the (\d+)(st|nd|rd|th) on ([^.]+)\.$")


def person(id, band="B", band_date=date(2024, 1, 1), registered=date(2020, 1, 1), **more) -> Applicant:
    values = dict(bedroom_need=1, household_size=1, age=40)
    values.update(more)
    return Applicant(id, band, band_date, registered, **values)


DEFAULT_POLICY = Policy()


def shortlist(advert, people, policy=DEFAULT_POLICY, prioritise_group=None):
    bids = [Bid(p.id, advert.id, 1) for p in people]
    return rank_advert(advert, bids, {p.id: p for p in people}, policy, prioritise_group=prioritise_group)


FLAT = Advert("AD-1", bedrooms=1, area="Northgate", landlord="Council")


def test_band_then_band_effective_date_then_registration_date():
    # The order most UK schemes publish: band, then the date the band took effect, then the
    # date the application was registered.
    people = [
        person("HR-4", band="B", band_date=date(2023, 5, 1)),
        person("HR-3", band="A", band_date=date(2025, 3, 3), registered=date(2021, 1, 1)),
        person("HR-2", band="A", band_date=date(2025, 3, 3), registered=date(2019, 6, 1)),
        person("HR-1", band="A", band_date=date(2025, 4, 1), registered=date(2010, 1, 1)),
    ]
    entries = shortlist(FLAT, people)
    assert [e.applicant for e in entries] == ["HR-2", "HR-3", "HR-1", "HR-4"]
    assert [e.position for e in entries] == [1, 2, 3, 4]
    assert entries[0].explanation == (
        "1st of 4 eligible bids. Band A since 3 March 2025; registered 1 June 2019. "
        "Ahead of the 2nd on registration date."
    )
    assert entries[1].explanation.endswith("Ahead of the 3rd on band effective date.")
    assert entries[2].explanation.endswith("Ahead of the 4th on band.")
    assert entries[3].explanation == "4th of 4 eligible bids. Band B since 1 May 2023; registered 1 January 2020."


def test_the_application_reference_breaks_a_complete_tie():
    entries = shortlist(FLAT, [person("HR-20"), person("HR-10")])
    assert [e.applicant for e in entries] == ["HR-10", "HR-20"]
    assert entries[0].explanation.endswith("Ahead of the 2nd on application reference.")


def test_a_local_connection_preference_group_comes_before_band():
    advert = Advert("AD-1", 1, "Northgate", "Council", preference_groups=("local:Northgate",))
    local = person("HR-2", band="C", local_connection=frozenset({"Northgate"}))
    outsider = person("HR-1", band="A")
    entries = shortlist(advert, [outsider, local])
    assert [e.applicant for e in entries] == ["HR-2", "HR-1"]
    assert "In preference group 1 (local connection to Northgate)." in entries[0].explanation
    assert entries[0].explanation.endswith("Ahead of the 2nd on preference group.")
    assert "Not in any of this home's preference groups." in entries[1].explanation


def test_an_adapted_home_prefers_households_needing_it_then_local_ones():
    advert = Advert(
        "AD-1", 1, "Northgate", "Council", preference_groups=("need:wheelchair", "local:Northgate")
    )
    needs_it = person("HR-3", band="D", needs=frozenset({"wheelchair"}))
    local = person("HR-2", band="A", local_connection=frozenset({"Northgate"}))
    other = person("HR-1", band="A")
    assert [e.applicant for e in shortlist(advert, [other, local, needs_it])] == ["HR-3", "HR-2", "HR-1"]


def test_a_sheltered_advert_lists_younger_bidders_as_ineligible_after_the_eligible():
    advert = Advert("AD-9", 1, "Northgate", "Council", criteria=Criteria(min_age=60))
    entries = shortlist(advert, [person("HR-1", band="A", age=45), person("HR-2", band="D", age=67)])
    assert [(e.applicant, e.position, e.eligible) for e in entries] == [("HR-2", 1, True), ("HR-1", None, False)]
    assert entries[1].reasons[0].code == "under_min_age"
    assert entries[1].explanation.startswith("Not eligible. This home is for applicants aged 60 or over")


def test_a_points_scheme_ranks_more_points_first():
    policy = Policy(tie_breakers=("points", "registration_date"))
    people = [
        person("HR-1", points=120, registered=date(2015, 1, 1)),
        person("HR-2", points=300, registered=date(2022, 1, 1)),
        person("HR-3", points=120, registered=date(2012, 1, 1)),
    ]
    entries = shortlist(FLAT, people, policy)
    assert [e.applicant for e in entries] == ["HR-2", "HR-3", "HR-1"]
    assert entries[0].explanation == (
        "1st of 3 eligible bids. 300 points; registered 1 January 2022. Ahead of the 2nd on points."
    )


def test_schemes_can_put_bedroom_need_match_and_housing_debt_before_dates():
    policy = Policy(tie_breakers=("band", "bedroom_need_match", "no_housing_debt", "registration_date"))
    two_bed = Advert("AD-2", 2, "Northgate", "Council")
    people = [
        person("HR-1", band="A", bedroom_need=1, registered=date(2001, 1, 1)),
        person("HR-2", band="A", bedroom_need=2, groups=frozenset({"housing_debt"})),
        person("HR-3", band="A", bedroom_need=2, registered=date(2023, 1, 1)),
    ]
    entries = shortlist(two_bed, people, policy)
    assert [e.applicant for e in entries] == ["HR-3", "HR-2", "HR-1"]
    assert entries[0].explanation.endswith("Ahead of the 2nd on housing debt.")
    assert entries[1].explanation.endswith("Ahead of the 3rd on bedroom need matching the home.")


def test_a_designated_advert_puts_the_group_first_and_says_so():
    advert = Advert("AD-1", 1, "Northgate", "Harbour Homes", agreement="NA-HARBOUR")
    people = [person("HR-1", band="A"), person("HR-2", band="C", groups=frozenset({"homeless"}))]
    entries = shortlist(advert, people, prioritise_group="homeless")
    assert [e.applicant for e in entries] == ["HR-2", "HR-1"]
    assert "This home was designated for homeless households under agreement NA-HARBOUR" in entries[0].explanation
    assert entries[0].explanation.endswith("Ahead of the 2nd on the designation of this home.")


def test_an_unknown_tie_breaker_or_band_is_a_clear_error():
    with pytest.raises(InstanceError, match="unknown tie-breaker 'age'"):
        Policy(tie_breakers=("band", "age"))
    with pytest.raises(InstanceError, match="band 'E' is not one of the policy's bands"):
        shortlist(FLAT, [person("HR-1", band="E")])


def test_ordinals():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th", "112th",
    ]  # fmt: skip


def check_explained(instance: Instance, advert: Advert, entries, designated_group=None) -> None:
    """Positions are 1..n over the eligible bids, in the reference order, and every explanation
    states the position, the count and the criterion that put the bid ahead of the next."""
    applicants = {a.id: a for a in instance.applicants}
    eligible = [e for e in entries if e.eligible]
    assert [e.applicant for e in eligible] == reference_order(instance, advert, designated_group)
    assert all(not e.eligible for e in entries[len(eligible) :])
    for i, entry in enumerate(eligible):
        assert entry.position == i + 1 and entry.reasons == ()
        head = HEAD.match(entry.explanation)
        assert head and int(head.group(1)) == entry.position and int(head.group(3)) == len(eligible)
        ahead = AHEAD.search(entry.explanation)
        if i + 1 == len(eligible):
            assert ahead is None
        else:
            assert ahead and int(ahead.group(1)) == entry.position + 1
            following = applicants[eligible[i + 1].applicant]
            expected = deciding_criterion(
                applicants[entry.applicant], following, advert, instance.policy, designated_group
            )
            assert CRITERION_OF_WORDING[ahead.group(3)] == expected
        if designated_group is not None:
            assert "This home was designated for" in entry.explanation
    for entry in entries[len(eligible) :]:
        assert entry.position is None and entry.reasons
        assert entry.explanation.startswith("Not eligible. ")


@settings(max_examples=150, deadline=None)
@given(instances(max_applicants=8, max_adverts=3))
def test_shortlists_follow_the_rules_and_explanations_agree_with_positions(instance):
    result = solve(instance)
    for advert in instance.adverts:
        check_explained(instance, advert, result.shortlists[advert.id], result.designated.get(advert.id))


@settings(max_examples=100, deadline=None)
@given(instances(max_applicants=8, max_adverts=3, quotas=False))
def test_a_single_advert_ranks_as_in_the_whole_cycle(instance):
    # The rest of the system calls rank_advert for live queue positions; they must match.
    result = solve(instance)
    applicants = {a.id: a for a in instance.applicants}
    for advert in instance.adverts:
        bids = [b for b in instance.bids if b.advert == advert.id]
        assert rank_advert(advert, bids, applicants, instance.policy) == result.shortlists[advert.id]
        if advert.by_registration_date:
            continue  # never designated
        for group in ("homeless", "working"):
            entries = rank_advert(advert, bids, applicants, instance.policy, prioritise_group=group)
            check_explained(instance, advert, entries, group)
