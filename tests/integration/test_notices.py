"""What households hear of, by the channels they chose: shortlist places, offers with their deadline and a
reminder, bids placed for them, new homes, and letters by post unless e-mail consent is recorded."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from cbl.messages.letters import issue_letter
from cbl.models.states import ReviewType
from cbl.rules.decision_types import review_rights
from cbl.messages.notices import new_homes, offer_reminders
from cbl.models import (
    Applicant, BiddingPreference, ContactPreference, Cycle, Offer, OutboxMessage, ShortlistEntry, StaffUser,
)
from cbl.models.states import Channel, OutboxStatus, ShortlistStatus
from cbl.rules.working_days import add_working_days, local_date
from cbl.services import actors
from cbl.services.actors import SYSTEM
from cbl.services.auto_bid import auto_bid_cycle
from cbl.services.bidding import place_bid
from cbl.services.cycles import close_cycle
from cbl.services.lettings import make_offer
from tests.support.factories import NOW, add_applicant, fraud_checked, make_world

CONFIRMED = "447700900123"


@pytest.fixture
def world(db, scheme):
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=3)
        add_applicant(s, scheme, world, "HR000001", band="C", email="ann@example.org")
        add_applicant(s, scheme, world, "HR000002", band="A", email="bo@example.org")
        add_applicant(s, scheme, world, "HR000003", band="B")  # no e-mail, no mobile
        s.add(ContactPreference(applicant_id=world.applicants["HR000002"], by_email=True, by_text=True,
                                confirmed_mobile=CONFIRMED, mobile_confirmed_at=NOW))
    return world


def messages(db, template: str, applicant_id: int | None = None) -> list[OutboxMessage]:
    with db.reading() as s:
        query = select(OutboxMessage).where(OutboxMessage.template == template)
        if applicant_id is not None:
            query = query.where(OutboxMessage.applicant_id == applicant_id)
        return list(s.exec(query.order_by(OutboxMessage.id)))


def close(db, scheme, world) -> None:
    for reference in ("HR000001", "HR000002", "HR000003"):
        with db.reading() as s:
            actor = actors.applicant(s.get(Applicant, world.applicants[reference]))
        db.run(place_bid, actor, scheme, world.applicants[reference], "AD1", NOW)
    with db.reading() as s:
        closes_at = s.get(Cycle, world.cycle).closes_at
    assert db.run(close_cycle, SYSTEM, scheme, world.cycle, closes_at + timedelta(minutes=1))


def test_each_household_on_a_shortlist_hears_its_place_by_the_ways_it_chose(db, scheme, world):
    close(db, scheme, world)
    first = messages(db, "shortlisted", world.applicants["HR000002"])
    assert {m.channel for m in first} == {Channel.EMAIL, Channel.SMS}
    assert all("1st" in m.subject for m in first) and first[1].recipient == CONFIRMED
    assert [m.subject for m in messages(db, "shortlisted", world.applicants["HR000001"])] == [
        "You are 3rd on the shortlist for AD1"]
    assert messages(db, "shortlisted", world.applicants["HR000003"]) == []  # nothing to send to


def test_an_offer_is_texted_and_emailed_with_its_deadline_and_reminded_once_the_day_before(db, scheme, world):
    close(db, scheme, world)
    with db.transaction() as s:
        entry = s.exec(select(ShortlistEntry).where(ShortlistEntry.applicant_id == world.applicants["HR000002"])).one()
        entry.status = ShortlistStatus.VERIFIED
        fraud_checked(s, entry.id)
        s.get(Applicant, world.applicants["HR000002"]).verified = True
        officer = actors.staff(s.get(StaffUser, world.officer))
    made_at = datetime.now(timezone.utc)
    offer = db.run(make_offer, officer, scheme, entry.id, made_at)
    deadline = f"{offer.respond_by:%-d %B %Y}"
    made = messages(db, "offer_made", world.applicants["HR000002"])
    assert {m.channel for m in made} == {Channel.EMAIL, Channel.SMS}
    assert all(deadline in m.body for m in made)
    assert db.run(offer_reminders, made_at) == 0  # not due yet
    # The morning of the working day before the answer is due:
    day_before = next(made_at + timedelta(days=n) for n in range(1, 20)
                      if add_working_days(local_date(made_at + timedelta(days=n)), 1) >= offer.respond_by)
    assert db.run(offer_reminders, day_before) == 1
    assert db.run(offer_reminders, day_before + timedelta(hours=1)) == 0  # once
    reminders = messages(db, "offer_reminder", world.applicants["HR000002"])
    assert len(reminders) == 2 and all(deadline in m.body for m in reminders)
    with db.reading() as s:
        assert s.get(Offer, offer.id).reminder_sent_at is not None


def test_auto_bid_tells_the_household_what_was_bid_for_it(db, scheme, world):
    with db.transaction() as s:
        s.add(BiddingPreference(applicant_id=world.applicants["HR000001"], auto_bid=True))
    assert db.run(auto_bid_cycle, SYSTEM, scheme, world.cycle, NOW) >= 1
    told = messages(db, "bid_placed", world.applicants["HR000001"])
    assert told and "Auto-bid" in told[0].body and told[0].channel is Channel.EMAIL


def test_the_weekly_alert_lists_the_homes_that_fit_for_those_who_asked(db, scheme, world):
    with db.transaction() as s:
        s.add(ContactPreference(applicant_id=world.applicants["HR000001"], by_email=True, new_homes_alert=True))
    assert db.run(new_homes, scheme, world.cycle, NOW) == 1
    [alert] = messages(db, "new_homes")
    assert alert.applicant_id == world.applicants["HR000001"] and "AD1" in alert.body


def test_a_letter_is_posted_unless_the_household_consented_to_notices_by_email(db, scheme, world):
    ann, bo = world.applicants["HR000001"], world.applicants["HR000002"]
    with db.transaction() as s:
        s.add(ContactPreference(applicant_id=ann, by_email=True, by_post=False, email_consent_at=NOW,
                                large_print=True))
        rights = review_rights(ReviewType.SUSPENSION, scheme.reviews, NOW.date())
        by_email = issue_letter(s, ann, "suspension", "Your application is suspended", NOW, reason="R.", until=None,
                                rights=rights)
        posted = issue_letter(s, bo, "suspension", "Your application is suspended", NOW, reason="R.", until=None,
                              rights=rights)
    with db.reading() as s:
        by_email, posted = s.get(OutboxMessage, by_email.id), s.get(OutboxMessage, posted.id)
    assert by_email.status is OutboxStatus.SENT and by_email.carrier == "account" and by_email.large_print
    assert posted.status is OutboxStatus.PENDING  # no consent recorded: it goes by post
    [email_notice] = [m for m in messages(db, "letter", ann) if m.channel is Channel.EMAIL]
    assert "Your application is suspended" in email_notice.body and "posted" not in email_notice.body
    copies = messages(db, "letter", bo)
    assert {m.channel for m in copies} == {Channel.EMAIL, Channel.SMS}
    assert "We have also posted this letter" in next(m.body for m in copies if m.channel is Channel.EMAIL)
