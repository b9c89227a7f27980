"""An answer the household gave in time, recorded after the lapse job ran (it phoned on its last day; the
officer typed it in the next morning), on both databases: recorded, the lapse undone and audited, while the
home has not moved on; refused, saying why, once it has."""

from datetime import timedelta

import pytest
from sqlmodel import func, select

from cbl.models import Applicant, AuditEvent, Offer, OutboxMessage, Refusal, ShortlistEntry, StaffUser, Void
from cbl.models.states import AnswerChannel, OfferStatus, ShortlistStatus
from cbl.rules.working_days import local_date
from cbl.services import actors
from cbl.services.errors import Conflict
from cbl.services.lettings import judge_refusal, make_offer
from cbl.services.offers import lapse_overdue_offers, record_answer
from cbl.services.pre_offer_checks import record_check
from cbl.services.shortlisting import verify_entry
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in
from tests.support.forms import date_fields


def _officer(db):
    with db.reading() as s:
        return actors.staff(s.exec(select(StaffUser).where(StaffUser.email == "officer@example.org")).one())


def _place(db, world, reference) -> int:
    with db.reading() as s:
        return s.exec(select(ShortlistEntry.id).where(
            ShortlistEntry.applicant_id == world.applicants[reference])).one()


def _offer_to(db, scheme, world, reference) -> int:
    officer, entry = _officer(db), _place(db, world, reference)
    db.run(verify_entry, officer, entry, now())
    db.run(record_check, officer, scheme, entry, "fraud", True, "", now())
    return db.run(make_offer, officer, scheme, entry, now()).id


def _lapsed(db, scheme, offer_id):
    """The offer was made three days ago with yesterday its last day to answer, and the lapse job has run; the
    moment the household phoned (two days ago, in time) is returned."""
    with db.transaction() as s:
        offer = s.get(Offer, offer_id)
        offer.made_at = now() - timedelta(days=3)
        offer.respond_by = local_date(now()) - timedelta(days=1)
    assert db.run(lapse_overdue_offers, actors.SYSTEM, scheme, now()) == [offer_id]
    return now() - timedelta(days=2)


@pytest.fixture
def ready(db, closed):
    with db.transaction() as s:
        for applicant in s.exec(select(Applicant)):
            applicant.verified = True
    return closed


def _record(db, scheme, offer_id, phoned, *, accepted=True):
    return db.run(record_answer, _officer(db), scheme, offer_id, accepted=accepted,
                  reason="" if accepted else "Affordability", detail="", channel=AnswerChannel.PHONE,
                  answered_at=phoned, now=now())


def test_an_acceptance_phoned_in_time_is_recorded_after_the_lapse_and_undoes_it(db, scheme, staff, ready):
    assert scheme.offers.lapse_counts_as_refusal  # the lapse was recorded as a refusal, to be judged
    offer_id = _offer_to(db, scheme, ready, "HR000002")
    phoned = _lapsed(db, scheme, offer_id)
    _record(db, scheme, offer_id, phoned)
    with db.reading() as s:
        offer = s.get(Offer, offer_id)
        assert s.exec(select(func.count()).select_from(Refusal)).one() == 0  # the lapse's refusal is gone
        assert s.get(Void, offer.void_id).accepted_at is not None
        [undone] = s.exec(select(AuditEvent).where(AuditEvent.action == "offer.lapse_undone")).all()
        [letter] = s.exec(select(OutboxMessage).where(OutboxMessage.template == "offer_answer")).all()
        place = s.get(ShortlistEntry, _place(db, ready, "HR000002"))
    assert (offer.status, offer.lapsed_at, offer.answer_channel) == (OfferStatus.ACCEPTED, None, AnswerChannel.PHONE)
    assert undone.details["counted_as_refusal"] is True and undone.actor_id == _officer(db).id
    assert "the offer had lapsed" in letter.body and "disregard" in letter.body
    assert place.status is ShortlistStatus.OFFERED


def test_a_refusal_phoned_in_time_puts_back_the_place_the_lapse_passed_over(db, scheme, staff, ready):
    lenient = scheme.model_copy(update={"offers": scheme.offers.model_copy(update={"lapse_counts_as_refusal": False})})
    offer_id = _offer_to(db, lenient, ready, "HR000002")
    phoned = _lapsed(db, lenient, offer_id)
    assert db.run(lambda s: s.get(ShortlistEntry, _place(db, ready, "HR000002")).skip_reason) == "offer_lapsed"
    _record(db, lenient, offer_id, phoned, accepted=False)
    with db.reading() as s:
        place = s.get(ShortlistEntry, _place(db, ready, "HR000002"))
        [refusal] = s.exec(select(Refusal)).all()
        offer = s.get(Offer, offer_id)
    assert (place.status, place.skip_reason) == (ShortlistStatus.OFFERED, None)
    assert refusal.reason == "Affordability" and refusal.reasonable is None and offer.status is OfferStatus.REFUSED
    # The refusal settles the place as any refusal does: the next household can be offered the home.
    assert _offer_to(db, lenient, ready, "HR000003")


def test_a_late_answer_is_refused_once_the_home_has_moved_on_or_the_answer_came_after_the_deadline(
        db, scheme, staff, ready):
    offer_id = _offer_to(db, scheme, ready, "HR000002")
    phoned = _lapsed(db, scheme, offer_id)
    with pytest.raises(Conflict, match="lapsed on .*only an answer given by then"):
        _record(db, scheme, offer_id, now() - timedelta(minutes=5))  # phoned today: after the deadline
    with db.reading() as s:
        refusal_id = s.exec(select(Refusal.id)).one()
    db.run(judge_refusal, _officer(db), scheme, offer_id, True, "Was in hospital", now())
    with pytest.raises(Conflict, match="judged as a refusal"):
        _record(db, scheme, offer_id, phoned)
    with db.reading() as s:
        assert s.get(Refusal, refusal_id) is not None and s.get(Offer, offer_id).status is OfferStatus.LAPSED


def test_a_late_answer_is_refused_once_the_next_household_has_been_offered_the_home(db, scheme, staff, ready):
    lenient = scheme.model_copy(update={"offers": scheme.offers.model_copy(update={"lapse_counts_as_refusal": False})})
    offer_id = _offer_to(db, lenient, ready, "HR000002")
    phoned = _lapsed(db, lenient, offer_id)
    next_offer = _offer_to(db, lenient, ready, "HR000003")
    with pytest.raises(Conflict, match=f"offered again since this offer lapsed \\(offer {next_offer}\\)"):
        _record(db, lenient, offer_id, phoned)
    with db.reading() as s:
        assert s.get(Offer, offer_id).status is OfferStatus.LAPSED
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "offer.lapse_undone")).first() is None


def test_the_officer_records_the_late_answer_on_the_offer_page(visitor, db, scheme, staff, ready):
    offer_id = _offer_to(db, scheme, ready, "HR000002")
    phoned = _lapsed(db, scheme, offer_id)
    staff_sign_in(visitor, "officer@example.org")
    page = "/admin/adverts/AD1/shortlist"
    assert "Record an answer the household gave in time, before the offer lapsed" in visitor.get(page).text
    typed = {"answer": "accept", "channel": "phone", **date_fields("answered_on", local_date(phoned)),
             "answered_time": "09:00"}
    assert visitor.post(f"/admin/offers/{offer_id}/answer", typed, form_page=page).status_code == 303
    with db.reading() as s:
        assert s.get(Offer, offer_id).status is OfferStatus.ACCEPTED
    assert "record the tenancy start" in visitor.get(page).text


def test_a_late_answer_is_refused_once_other_households_are_invited_to_view_the_home(db, scheme, staff, ready):
    from cbl.services.viewings import arrange_block_viewing

    lenient = scheme.model_copy(update={"offers": scheme.offers.model_copy(update={"lapse_counts_as_refusal": False})})
    offer_id = _offer_to(db, lenient, ready, "HR000002")
    phoned = _lapsed(db, lenient, offer_id)
    db.run(arrange_block_viewing, _officer(db), "AD1", 2, now() + timedelta(days=2), "", True, now())
    with pytest.raises(Conflict, match="invited to view the home since this offer lapsed"):
        _record(db, lenient, offer_id, phoned)
