"""What a household notices on the public site (issue 19, "What people see"): let results only once the
tenancy has started, its bids and where they came after the cycle closes, whether it can bid for a home
before it presses anything, and when bidding next opens."""

import re
from datetime import date, datetime, timedelta, timezone
from html import unescape

import pytest
from sqlmodel import select

from cbl.models import Advert, Applicant, Bid, Cycle, ShortlistEntry, StaffUser
from cbl.models.states import CycleStatus, TenancyType
from cbl.queries import account
from cbl.rules.working_days import LONDON, local_date
from cbl.services import actors
from cbl.services.actors import SYSTEM
from cbl.services.bidding import place_bid, withdraw_bid
from cbl.services.cycles import close_cycle
from cbl.services.lettings import make_offer, record_tenancy_start
from cbl.services.offers import accept_offer
from cbl.services.pre_offer_checks import record_check
from cbl.services.shortlisting import skip_entry, verify_entry
from cbl.web.auth import now
from tests.support.factories import add_advert


def _text(html: str) -> str:
    """The page's words as a reader sees them, tags and spacing aside."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _block(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(tr|div|p)>', html, re.S)
    assert match, f"no #{element_id} on the page"
    return _text(match.group(1))


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _bid(db, scheme, world, reference: str, advert: str) -> None:
    with db.reading() as s:
        actor = actors.applicant(s.get(Applicant, world.applicants[reference]))
    db.run(place_bid, actor, scheme, world.applicants[reference], advert, now())


def _officer(db, world) -> actors.Actor:
    with db.reading() as s:
        return actors.staff(s.get(StaffUser, world.officer))


def _entry(db, world, advert: str, reference: str) -> int:
    with db.reading() as s:
        return s.exec(select(ShortlistEntry.id).join(Advert, Advert.id == ShortlistEntry.advert_id).where(
            Advert.reference == advert, ShortlistEntry.applicant_id == world.applicants[reference])).one()


def _let(db, scheme, world, advert: str, reference: str, starts_on: date) -> None:
    """The household at this place is verified, offered the home, accepts, and signs for a tenancy."""
    officer = _officer(db, world)
    entry = _entry(db, world, advert, reference)
    db.run(verify_entry, officer, entry, now())
    db.run(record_check, officer, scheme, entry, "fraud", True, "", now())
    offer = db.run(make_offer, officer, scheme, entry, now())
    with db.reading() as s:
        household = actors.applicant(s.get(Applicant, world.applicants[reference]))
    db.run(accept_offer, household, offer.id, now())
    db.run(record_tenancy_start, officer, offer.id, starts_on, now(), tenancy_type=TenancyType.INTRODUCTORY,
           rent_at_let_pence=11_000, keys_given_on=local_date(now()))


@pytest.fixture
def after_close(db, scheme, world):
    """AD1 and AD2 bid for by all three households (band A first, then B, then C); HR000001 also bid for
    AD3 and withdrew, and has a bid for FAM1 (two bedrooms) it does not fit; then the cycle closed. All three
    households' circumstances are verified, so that they can be offered homes."""
    with db.transaction() as s:
        for applicant_id in world.applicants.values():
            s.get(Applicant, applicant_id).verified = True
    for advert in ("AD1", "AD2"):
        for reference in ("HR000001", "HR000002", "HR000003"):
            _bid(db, scheme, world, reference, advert)
    _bid(db, scheme, world, "HR000001", "AD3")
    household = world.applicants["HR000001"]
    with db.reading() as s:
        ad3 = s.exec(select(Bid.id).join(Advert, Advert.id == Bid.advert_id).where(
            Advert.reference == "AD3", Bid.applicant_id == household)).one()
        actor = actors.applicant(s.get(Applicant, household))
    db.run(withdraw_bid, actor, ad3, now())
    with db.transaction() as s:
        # A bid the engine finds does not fit at close: stored as it would be had the household's bedroom
        # need been lowered after it bid (place_bid itself refuses a bid that does not fit).
        fam1 = s.exec(select(Advert).where(Advert.reference == "FAM1")).one()
        s.add(Bid(advert_id=fam1.id, applicant_id=household, cycle_id=world.cycle, preference=4, placed_at=now()))
    with db.reading() as s:
        closes_at = s.get(Cycle, world.cycle).closes_at
    assert db.run(close_cycle, SYSTEM, scheme, world.cycle, closes_at + timedelta(minutes=1))
    return world


# --- 1. Let results ------------------------------------------------------------------------------

def test_a_let_is_published_once_its_tenancy_has_started_and_not_the_day_before(visitor, db, scheme, after_close):
    today = local_date(now())
    _let(db, scheme, after_close, "AD1", "HR000002", today + timedelta(days=1))  # signs in, starts tomorrow
    # HR000002 heads AD2's shortlist too: housed by AD1, it is skipped there before the next is offered (s167(8)).
    db.run(skip_entry, _officer(db, after_close), scheme, _entry(db, after_close, "AD2", "HR000002"),
           "offered_elsewhere", "", now())
    _let(db, scheme, after_close, "AD2", "HR000003", today)  # band B, starts today

    page = visitor.get("/results").text
    assert "(AD2)" in page and _long(today) in page
    assert "(AD1)" not in page, "a tenancy starting tomorrow is not yet a let"


def test_no_let_is_published_while_every_tenancy_is_still_to_start(visitor, db, scheme, after_close):
    _let(db, scheme, after_close, "AD1", "HR000002", local_date(now()) + timedelta(days=1))
    page = visitor.get("/results").text
    assert "No homes have been let through bidding yet" in page and "(AD1)" not in page


# --- 2. The household's bids after the cycle closes ----------------------------------------------

def test_after_close_a_household_sees_where_it_came_and_the_result(visitor, other_visitor, db, scheme, after_close):
    today = local_date(now())
    _let(db, scheme, after_close, "AD1", "HR000002", today)
    db.run(skip_entry, _officer(db, after_close), scheme, _entry(db, after_close, "AD2", "HR000003"), "no_contact",
           "Phoned three times.", now())

    visitor.sign_in("HR000001")  # band C: third on each
    page = visitor.get("/account/bids").text
    assert "You have no bids in this cycle" in page
    ad1 = _block(page, "past-AD1")
    assert "You came 3rd of 3 eligible bids" in ad1
    assert f"Let on {_long(today)} to a household in band A with a band date of 1 January 2024." in ad1
    assert "You came 3rd of 3 eligible bids" in _block(page, "past-AD2")
    assert "Not let yet." in _block(page, "past-AD2")
    assert "Not eligible: This home is for households needing at least 2 bedrooms; you need 1." in _block(
        page, "past-FAM1")
    assert 'id="past-AD3"' not in page and "Bids you withdrew before bidding closed are not shown" in page
    assert "3 bids in closed cycles" in page

    other_visitor.sign_in("HR000002")
    mine = other_visitor.get("/account/bids").text
    assert "You came 1st of 3 eligible bids" in _block(mine, "past-AD1")
    assert f"Let to you, from {_long(today)}." in _block(mine, "past-AD1")


def test_a_skipped_place_and_an_offer_waiting_show_on_the_bids_page(visitor, db, scheme, after_close):
    officer = _officer(db, after_close)
    db.run(skip_entry, officer, scheme, _entry(db, after_close, "AD2", "HR000002"), "no_contact", "Phoned.", now())
    entry = _entry(db, after_close, "AD1", "HR000002")
    db.run(verify_entry, officer, entry, now())
    db.run(record_check, officer, scheme, entry, "fraud", True, "", now())
    db.run(make_offer, officer, scheme, entry, now())

    visitor.sign_in("HR000002")
    page = visitor.get("/account/bids").text
    assert "You came 1st of 3 eligible bids" in _block(page, "past-AD2")
    assert "Passed over: Could not be contacted" in _block(page, "past-AD2")
    assert "Phoned." not in page  # the officer's note is the council's, not published here
    assert "Offered to you: your answer is awaited." in _block(page, "past-AD1")


def test_another_households_let_shows_only_once_its_tenancy_has_started(visitor, db, scheme, after_close):
    _let(db, scheme, after_close, "AD1", "HR000002", local_date(now()) + timedelta(days=1))
    visitor.sign_in("HR000001")
    assert "Not let yet." in _block(visitor.get("/account/bids").text, "past-AD1")


def test_closed_bids_are_shown_a_page_at_a_time_and_none_is_cut(visitor, db, scheme, after_close, monkeypatch):
    monkeypatch.setattr(account, "PAST_BIDS_PER_PAGE", 2)
    visitor.sign_in("HR000001")
    first = visitor.get("/account/bids").text
    assert "2 to a page" in first and "3 bids in closed cycles (page 1 of 2)" in first
    assert 'id="past-AD1"' in first and 'id="past-AD2"' in first and 'id="past-FAM1"' not in first
    assert 'href="/account/bids?page=2#past-bids"' in first
    second = visitor.get("/account/bids?page=2").text
    assert 'id="past-FAM1"' in second and 'id="past-AD1"' not in second
    beyond = visitor.get("/account/bids?page=3").text
    assert "There is no page 3: you have 3 bids in closed cycles" in beyond
    nonsense = visitor.get("/account/bids?page=first")
    assert nonsense.status_code == 422 and "Page must be a whole number" in nonsense.text


def test_bids_of_cycles_closed_over_twelve_months_ago_are_not_shown(visitor, db, after_close):
    with db.transaction() as s:
        cycle = s.get(Cycle, after_close.cycle)
        cycle.opens_at -= timedelta(days=400)
        cycle.closes_at -= timedelta(days=400)
    visitor.sign_in("HR000001")
    page = visitor.get("/account/bids").text
    assert "You have no bids in cycles that closed in this time" in page and 'id="past-AD1"' not in page


# --- 3. Whether a household can bid, before it presses anything ----------------------------------

@pytest.fixture
def more_homes(db, world):
    with db.transaction() as s:
        add_advert(s, world, "OLD1", min_age=60)
        add_advert(s, world, "STEP1", step_free_only=True)
    return world


@pytest.mark.parametrize("advert", ["FAM1", "OLD1", "STEP1"])
def test_the_advert_page_says_why_a_household_cannot_bid_in_the_words_the_bid_would_get(visitor, more_homes,
                                                                                          advert):
    visitor.sign_in("HR000001")
    page = visitor.get(f"/adverts/{advert}").text
    said = _block(page, "bid-status")
    assert said.startswith("! Warning You cannot bid for this home. ")
    assert "Bid for this home</button>" not in page
    refused = visitor.post(f"/adverts/{advert}/bid", form_page=f"/adverts/{advert}")
    assert refused.status_code == 409
    reason = said.removeprefix("! Warning You cannot bid for this home. ")
    assert reason and reason in _text(refused.text)


def test_the_advert_page_says_when_the_bids_are_used_up_and_when_one_has_bid(visitor, db, scheme, world):
    visitor.sign_in("HR000001")
    assert _block(visitor.get("/adverts/AD4").text, "bid-status") == "You can bid for this home."
    for advert in ("AD1", "AD2", "AD3"):
        _bid(db, scheme, world, "HR000001", advert)
    page = visitor.get("/adverts/AD4").text
    assert ("You cannot bid for this home. You have used all 3 of your bids this cycle. Withdraw a bid to bid "
            "for this home.") in _block(page, "bid-status")
    assert "Bid for this home</button>" not in page
    bid_for = visitor.get("/adverts/AD1").text
    assert "You are 1st of 1 eligible bid" in bid_for and "Bid for this home</button>" not in bid_for


def test_a_suspended_household_is_told_before_it_bids(visitor, db, world):
    with db.transaction() as s:
        s.get(Applicant, world.applicants["HR000001"]).suspended_until = date(2099, 1, 31)
    visitor.sign_in("HR000001")
    said = _block(visitor.get("/adverts/AD1").text, "bid-status")
    assert "Your application is suspended from bidding until 31 January 2099." in said


def test_the_adverts_list_marks_homes_bid_for_and_those_one_can_bid_for(visitor, db, scheme, world):
    _bid(db, scheme, world, "HR000001", "AD1")
    assert 'id="mark-' not in visitor.get("/adverts").text  # nobody signed in: no marks
    visitor.sign_in("HR000001")
    page = visitor.get("/adverts").text
    assert _block(page, "mark-AD1") == "You have bid"
    assert _block(page, "mark-AD2") == "You can bid"
    assert _block(page, "mark-FAM1") == "You cannot bid"
    fam1 = page.split('id="mark-FAM1"', 1)[1].split("cbl-advert-card", 1)[0]
    assert "Why you cannot bid" in fam1 and "at least 2 bedrooms; you need 1" in _text(fam1)


# --- 4. When bidding next opens ------------------------------------------------------------------

def test_while_bidding_is_closed_the_home_page_says_when_it_next_opens(visitor, db, world):
    assert "Bidding is open until" in visitor.get("/").text
    with db.transaction() as s:
        s.get(Cycle, world.cycle).status = CycleStatus.CLOSED
    assert "The next homes are advertised when the next bidding week opens" in visitor.get("/").text
    with db.transaction() as s:  # in British Summer Time: 9am in London is 8am UTC
        s.add(Cycle(name="June", opens_at=datetime(2031, 6, 2, 9, 0, tzinfo=LONDON).astimezone(timezone.utc),
                    closes_at=datetime(2031, 6, 5, 17, 0, tzinfo=LONDON).astimezone(timezone.utc)))
        s.add(Cycle(name="December", opens_at=datetime(2031, 12, 1, 9, 0, tzinfo=LONDON),
                    closes_at=datetime(2031, 12, 4, 17, 0, tzinfo=LONDON)))
    said = _block(visitor.get("/").text, "next-opening")
    assert said == "Bidding is closed at the moment. Bidding next opens on Monday 2 June 2031 at 9am."
