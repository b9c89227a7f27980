"""Homes let by date of registration: a scheme's share of each cycle's adverts, designated as
they are published, whose bids are ranked by registration date alone, whatever the band."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from matching import Advert, Applicant, Bid, Instance, solve
from matching.quotas import registration_date_due, required
from matching.wording import REGISTRATION_DATE_RULE, long_date
from tests.matching.strategies import instances

SHARES = [0.0, 0.1, 0.25, 1 / 3, 0.5, 0.75, 1.0]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(SHARES), st.lists(st.one_of(st.just("publish"), st.integers(0, 30)), max_size=40))
def test_the_share_is_met_as_adverts_are_published_and_withdrawn(share, events):
    live: list[bool] = []  # the cycle's adverts: let by registration date or not
    withdrawn = False
    for event in events:
        if event == "publish":
            due = registration_date_due(len(live) + 1, sum(live), share)
            live.append(due)
            needed = required(share, len(live))
            # Met after every publication, or this advert makes up one of those withdrawn (an advert
            # already bid for is never changed); and designated only when needed.
            assert sum(live) >= needed or due
            if due:
                assert sum(live) <= needed
            if not withdrawn:
                assert sum(live) == needed
        elif live:
            live.pop(event % len(live))
            withdrawn = True


def person(id_, band, registered, groups=frozenset()):
    return Applicant(id_, band, date(2025, 1, 1), registered, 1, 1, 40, groups=groups)


def test_a_long_waiter_in_a_low_band_comes_first_and_the_explanation_says_why():
    homes = (
        Advert("AD-1", 1, "Northgate", "Council", by_registration_date=True),
        Advert("AD-2", 1, "Northgate", "Council"),
    )
    people = (person("HR-1", "A", date(2022, 5, 1)), person("HR-2", "D", date(2011, 2, 3)))
    bids = tuple(Bid(p.id, h.id, n) for p in people for n, h in enumerate(homes, start=1))
    result = solve(Instance(people, homes, bids))
    by_date, usual = result.shortlists["AD-1"], result.shortlists["AD-2"]
    assert [e.applicant for e in by_date] == ["HR-2", "HR-1"]
    assert [e.applicant for e in usual] == ["HR-1", "HR-2"]
    assert by_date[0].explanation == (
        f"1st of 2 eligible bids. {REGISTRATION_DATE_RULE} Registered 3 February 2011. "
        "Ahead of the 2nd on registration date."
    )
    assert result.allocation == {"AD-1": "HR-2", "AD-2": "HR-1"}


@st.composite
def with_adverts_by_registration_date(draw):
    # Without quotas (CP-SAT is slow for a test): that such adverts are never designated for a quota
    # group is checked with the other proposals (test_allocation.py: the strategies flag some).
    instance = draw(instances(max_applicants=8, max_adverts=4, quotas=False))
    flags = draw(st.lists(st.booleans(), min_size=len(instance.adverts), max_size=len(instance.adverts)))
    homes = tuple(replace(h, by_registration_date=f) for h, f in zip(instance.adverts, flags, strict=True))
    return replace(instance, adverts=homes)


@settings(max_examples=40, deadline=None)
@given(with_adverts_by_registration_date())
def test_those_adverts_are_ranked_by_registration_date_alone(instance):
    result = solve(instance)
    applicants = {a.id: a for a in instance.applicants}
    for advert in instance.adverts:
        if not advert.by_registration_date:
            continue
        eligible = [e for e in result.shortlists[advert.id] if e.eligible]
        assert [e.applicant for e in eligible] == sorted(
            (e.applicant for e in eligible), key=lambda a: (applicants[a].registration_date, a)
        )
        for entry in eligible:
            assert REGISTRATION_DATE_RULE in entry.explanation
            assert f"Registered {long_date(applicants[entry.applicant].registration_date)}." in entry.explanation
            assert "Band" not in entry.explanation and "preference group" not in entry.explanation
