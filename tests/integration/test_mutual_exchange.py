"""Mutual exchanges through the services, on both databases: listing, interest, and the landlords' consent under
Housing Act 1985 s92 (the matcher's proposal made here from a known ring; tests/e2e/test_mutual_exchange.py runs the
matcher itself through the app)."""

import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from sqlmodel import select

from cbl.models import Applicant, AuditEvent, ExchangeListing, ExchangeMatch, ExchangeMember, OutboxMessage, StaffUser
from cbl.models.states import (
    ConsentDecision, ExchangeMatchStatus, ExchangeTenancy, ListingStatus, StaffRole,
)
from cbl.queries import work_queues
from cbl.reports.subject_access import subject_access_archive
from cbl.services import actors
from cbl.services.actors import SYSTEM
from cbl.services.errors import Conflict, InvalidInput, NotFound
from cbl.services.exchange_consent import give_consent, mark_unrefusable, refuse_consent
from cbl.services.exchanges import _propose, matcher_listings, say_interest, save_listing
from tests.support.exchanges import RING, details, list_ring
from tests.support.factories import NOW, PASSWORD_HASH, add_applicant, make_world


@pytest.fixture
def ring(db, scheme):
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=0)
        for reference in RING:
            add_applicant(s, scheme, world, reference)
        s.add(StaffUser(organisation_id=world.provider, email="rha@example.org", name="Rhian", role=StaffRole.PROVIDER,
                        password_hash=PASSWORD_HASH))
    listed = list_ring(db, scheme, world.applicants, NOW)
    with db.transaction() as s:
        homes = [s.get(ExchangeListing, listed[reference]) for reference in RING]
        match = _propose(s, SYSTEM, homes, NOW)
        placed = s.exec(select(ExchangeMember).where(ExchangeMember.match_id == match.id)
                        .order_by(ExchangeMember.position)).all()
        members = {reference: m.id for reference, m in zip(RING, placed, strict=True)}
    return world, match.id, members


def _household(db, world, reference):
    with db.reading() as s:
        return actors.applicant(s.get(Applicant, world.applicants[reference]))


def _staff(db, email):
    with db.reading() as s:
        return actors.staff(s.exec(select(StaffUser).where(StaffUser.email == email)).one())


def _letters(db, template):
    with db.reading() as s:
        return s.exec(select(OutboxMessage).where(OutboxMessage.template == template)
                      .order_by(OutboxMessage.id)).all()


def test_a_household_lists_its_home_and_is_refused_what_it_may_not_list(db, scheme):
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=0)
        add_applicant(s, scheme, world, "HR1")  # one adult: needs 1 bedroom, and 1 to 2 suit (extra_bedrooms 1)
    household = _household(db, world, "HR1")
    with pytest.raises(InvalidInput, match="section 124") as refused:
        db.run(save_listing, household, scheme,
               details("HR1", "ATC", ExchangeTenancy.INTRODUCTORY_OR_STARTER, "Northgate", "Riverside"), NOW)
    assert refused.value.field == "tenancy"
    with pytest.raises(InvalidInput, match="needs 1 bedroom, so a home of 1 to 2 bedrooms suits it"):
        db.run(save_listing, household, scheme, details("HR1", "ATC", ExchangeTenancy.SECURE, "Northgate",
                                                        "Riverside", want_min=3, want_max=4), NOW)
    with pytest.raises(InvalidInput, match="area"):
        db.run(save_listing, household, scheme, details("HR1", "ATC", ExchangeTenancy.SECURE, "Atlantis",
                                                        "Riverside"), NOW)
    with pytest.raises(InvalidInput, match="secure or flexible"):
        db.run(save_listing, household, scheme, details("HR1", "RHA", ExchangeTenancy.SECURE, "Northgate",
                                                        "Riverside"), NOW)
    first = db.run(save_listing, household, scheme, details("HR1", "ATC", ExchangeTenancy.SECURE, "Northgate",
                                                            "Riverside"), NOW)
    again = db.run(save_listing, household, scheme, details("HR1", "ATC", ExchangeTenancy.FLEXIBLE, "Northgate",
                                                            "Old Town", want_min=2), NOW)
    assert again.id == first.id  # a second listing is an edit of the first
    with db.reading() as s:
        assert s.get(ExchangeListing, first.id).want_areas == ["Old Town"]
        actions = s.exec(select(AuditEvent.action).where(AuditEvent.subject_type == "exchange_listing")).all()
    assert actions == ["exchange.listed", "exchange.listing_changed"]


def test_the_proposal_tells_each_household_of_the_other_homes_and_nothing_of_the_other_households(db, ring):
    letters = _letters(db, "exchange_proposed")
    assert len(letters) == 3
    first = letters[0].body  # HRX1 moves into HRX2's Riverside home
    assert "you would move into a 1-bedroom flat in Riverside, rent £95.00 a week." in first
    assert "Castlefields" in first
    assert "HRX2" not in first and "HRX3" not in first and "Road" not in first.split("Dear")[1]


def test_one_household_not_interested_ends_the_match_for_all_and_rests_until_it_saves_its_listing_again(
        db, ring, scheme):
    world, match_id, members = ring
    db.run(say_interest, _household(db, world, "HRX1"), members["HRX1"], True, "", NOW)
    with pytest.raises(NotFound):  # another household's answer is not its to give
        db.run(say_interest, _household(db, world, "HRX1"), members["HRX2"], False, "", NOW)
    db.run(say_interest, _household(db, world, "HRX2"), members["HRX2"], False, "Too far from school", NOW)
    with db.reading() as s:
        assert s.get(ExchangeMatch, match_id).status is ExchangeMatchStatus.ENDED
        assert {listing.status for listing in s.exec(select(ExchangeListing))} == {ListingStatus.ACTIVE}
    ended = _letters(db, "exchange_ended")
    assert len(ended) == 3
    with db.reading() as s:
        pool = {int(listing.id) for listing in matcher_listings(s, scheme)}
        listings = {m.applicant_id: m.listing_id for m in s.exec(select(ExchangeMember))}
    # The household that said no rests (the same ring would be proposed again every night); the others do not.
    assert pool == {listings[world.applicants[reference]] for reference in ("HRX1", "HRX3")}
    told = {letter.applicant_id: letter.body for letter in ended}
    assert "we will not look for exchanges for you until you save your listing" in \
        " ".join(told[world.applicants["HRX2"]].split())
    assert "Your home is back on the mutual exchange register" in told[world.applicants["HRX1"]]
    with pytest.raises(Conflict):
        db.run(say_interest, _household(db, world, "HRX3"), members["HRX3"], True, "", NOW)
    # Saved again as it was, a minute later: it is matched again.
    db.run(save_listing, _household(db, world, "HRX2"), scheme, details("HRX2", *RING["HRX2"]),
           NOW + timedelta(minutes=1))
    with db.reading() as s:
        assert listings[world.applicants["HRX2"]] in {int(listing.id) for listing in matcher_listings(s, scheme)}


def _all_interested(db, world, members, at):
    for reference in RING:
        db.run(say_interest, _household(db, world, reference), members[reference], True, "", at)


def test_when_all_are_interested_each_application_is_dated_that_day_and_the_council_queue_has_its_own(db, ring, scheme):
    world, match_id, members = ring
    _all_interested(db, world, members, NOW)
    with db.reading() as s:
        match = s.get(ExchangeMatch, match_id)
        assert match.status is ExchangeMatchStatus.WITH_LANDLORDS and match.applied_on == NOW.date()
        assert {m.consent_by for m in s.exec(select(ExchangeMember))} == {NOW.date() + timedelta(days=42)}
        queue = work_queues.queue(s, "exchanges", work_queues.EVERYONE, work_queues.Today(NOW, scheme))
    assert queue.total == 2  # the two council tenants', not the provider's
    assert {t.reference for t in queue.tasks} == {"HRX1", "HRX3"}
    assert all(t.due == NOW.date() + timedelta(days=42) for t in queue.tasks)
    letter = _letters(db, "exchange_with_landlords")[0].body
    assert "Lead HRX2" in letter and "42 days" in letter  # now the households may know one another


def test_a_landlord_refuses_only_on_a_schedule_3_ground_within_42_days_and_consents_only_on_s92_5_conditions(
        db, ring):
    world, match_id, members = ring
    _all_interested(db, world, members, NOW)
    officer, provider = _staff(db, "officer@example.org"), _staff(db, "rha@example.org")
    with pytest.raises(NotFound):  # the provider sees only its own tenants' applications
        db.run(refuse_consent, provider, members["HRX1"], ["3"], "Too big", NOW)
    with pytest.raises(NotFound):  # and the council decides none of the provider's
        db.run(give_consent, officer, members["HRX2"], [], "", NOW)
    with pytest.raises(InvalidInput, match="s92\\(3\\)"):
        db.run(refuse_consent, officer, members["HRX1"], [], "Arrears", NOW)
    with pytest.raises(InvalidInput, match="s92\\(5\\)"):
        db.run(give_consent, officer, members["HRX1"], ["no_pets"], "No pets", NOW)
    with pytest.raises(Conflict, match="no longer be refused"):
        db.run(refuse_consent, officer, members["HRX1"], ["1"], "Possession order", NOW + timedelta(days=43))
    db.run(refuse_consent, officer, members["HRX3"], ["2A", "1"], "An injunction of 3 November 2026 is in force.",
           NOW + timedelta(days=42))  # the 42nd day: in time
    with db.reading() as s:
        assert s.get(ExchangeMatch, match_id).status is ExchangeMatchStatus.ENDED
        statuses = {m.applicant_id: s.get(ExchangeListing, m.listing_id).status
                    for m in s.exec(select(ExchangeMember))}
    assert statuses == {world.applicants["HRX1"]: ListingStatus.ACTIVE, world.applicants["HRX2"]: ListingStatus.ACTIVE,
                        world.applicants["HRX3"]: ListingStatus.CLOSED}
    refusal = _letters(db, "exchange_refused")[0]
    assert "Ground 1</strong>" in refusal.body and "Ground 2A</strong>" in refusal.body
    assert refusal.body.index("Ground 1<") < refusal.body.index("Ground 2A<")  # in Schedule 3's order
    assert "An injunction of 3 November 2026 is in force." in refusal.body
    assert "section 110 of the Housing Act 1985" in refusal.body
    assert len(_letters(db, "exchange_ended")) == 2  # the others: their homes are back on the register
    with db.transaction() as s:  # the household's subject access archive holds its listing and its answer
        manager = StaffUser(organisation_id=world.council, email="m@example.org", name="Mo", role=StaffRole.MANAGER,
                            password_hash=PASSWORD_HASH)
        s.add(manager)
        s.flush()
        _, archive = subject_access_archive(s, actors.staff(manager), "HRX3", NOW + timedelta(days=42))
    held = json.loads(zipfile.ZipFile(io.BytesIO(archive)).read("mutual_exchange.json"))
    assert held["listings"][0]["area"] == "Castlefields" and held["exchanges"][0]["grounds"] == ["1", "2A"]


def test_the_42_days_ending_without_a_refusal_settle_the_exchange_once(db, ring):
    world, match_id, members = ring
    _all_interested(db, world, members, NOW)
    officer, provider = _staff(db, "officer@example.org"), _staff(db, "rha@example.org")
    db.run(give_consent, officer, members["HRX1"], ["pay_rent"], "Pay the £240 owed.", NOW + timedelta(days=3))
    db.run(give_consent, provider, members["HRX2"], [], "", NOW + timedelta(days=5))
    last_day = NOW.date() + timedelta(days=42)
    assert db.run(mark_unrefusable, SYSTEM, NOW + timedelta(days=42)) == 0  # the last day is not over
    assert db.run(mark_unrefusable, SYSTEM, NOW + timedelta(days=43)) == 1
    assert db.run(mark_unrefusable, SYSTEM, NOW + timedelta(days=43, hours=1)) == 0  # and not again
    with db.reading() as s:
        assert s.get(ExchangeMember, members["HRX3"]).decision is ConsentDecision.UNREFUSABLE
        assert s.get(ExchangeMatch, match_id).status is ExchangeMatchStatus.AGREED
    unrefusable = [m for m in _letters(db, "exchange_consent") if "no longer refuse" in m.subject]
    assert len(unrefusable) == 1 and f"{last_day:%-d %B %Y}" in unrefusable[0].body
    agreed = _letters(db, "exchange_agreed")
    assert len(agreed) == 3 and any("Pay the £240 owed." in m.body for m in agreed)
    assert date(2027, 1, 1) == last_day  # NOW is 20 November 2026: the 42nd day is New Year's Day


def test_the_nightly_job_proposes_the_ring_once_and_a_household_whose_need_grew_is_left_out(db, scheme):
    from zoneinfo import ZoneInfo

    from scheduler import jobs

    with db.transaction() as s:
        world = make_world(s, scheme, adverts=0)
        for reference in RING:
            add_applicant(s, scheme, world, reference)
        add_applicant(s, scheme, world, "HRX4")
        add_applicant(s, scheme, world, "HRX5")
    list_ring(db, scheme, world.applicants, NOW)
    for reference, area, wants in [("HRX4", "Old Town", "Millbrook"), ("HRX5", "Millbrook", "Old Town")]:
        with db.reading() as s:  # a two-way exchange, but for HRX4's need
            actor = actors.applicant(s.get(Applicant, world.applicants[reference]))
        db.run(save_listing, actor, scheme, details(reference, "ATC", ExchangeTenancy.SECURE, area, wants), NOW)
    with db.transaction() as s:  # HRX4's household now needs three bedrooms: nothing it asked for suits it
        s.get(Applicant, world.applicants["HRX4"]).bedroom_need = 3
    jobs.configure(jobs.Runtime(db, scheme, ZoneInfo("Europe/London")))
    try:
        jobs.match_exchanges(NOW)
        jobs.match_exchanges(NOW + timedelta(days=1))  # the ring is out of the pool: nothing proposed twice
    finally:
        jobs._runtime = None
    with db.reading() as s:
        assert len(s.exec(select(ExchangeMatch)).all()) == 1
        placed = {m.applicant_id for m in s.exec(select(ExchangeMember))}
    assert placed == {world.applicants[reference] for reference in RING}
