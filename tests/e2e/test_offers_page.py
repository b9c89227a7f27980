"""A household answers an offer on the public site: accept, or refuse with a reason, before the deadline."""

from datetime import date, timedelta

from sqlmodel import select

from cbl.models import Advert, AuditEvent, Offer, Refusal, Void
from cbl.models.states import OfferStatus
from cbl.web.auth import now


def _offer(db, world, reference, advert="AD1", respond_by=None, final=False):
    with db.transaction() as s:
        void_id = s.exec(select(Advert.void_id).where(Advert.reference == advert)).one()
        offer = Offer(applicant_id=world.applicants[reference], void_id=void_id,
                      respond_by=respond_by or now().date() + timedelta(days=3), final_offer=final)
        s.add(offer)
        s.flush()
        return offer.id


def test_accepting_an_offer_records_it_and_starts_the_let(visitor, db, world):
    offer_id = _offer(db, world, "HR000001")
    visitor.sign_in("HR000001")
    page = visitor.get("/account/offers").text
    assert "Accept this home" in page and "Please answer by the end of" in page
    assert visitor.post(f"/account/offers/{offer_id}/accept", form_page="/account/offers").status_code == 303
    with db.reading() as s:
        offer = s.get(Offer, offer_id)
        assert offer.status is OfferStatus.ACCEPTED and offer.answered_at is not None
        assert s.get(Void, offer.void_id).accepted_at is not None
        accepted = s.exec(select(AuditEvent).where(AuditEvent.action == "offer.accepted")).one()
        assert accepted.actor_id == world.applicants["HR000001"]


def test_refusing_needs_a_reason_from_the_schemes_list(visitor, db, world):
    offer_id = _offer(db, world, "HR000001", final=True)
    visitor.sign_in("HR000001")
    assert "This is a final offer" in visitor.get("/account/offers").text
    missing = visitor.post(f"/account/offers/{offer_id}/refuse", {"reason": ""}, form_page="/account/offers")
    assert missing.status_code == 422 and "Choose the main reason" in missing.text
    done = visitor.post(f"/account/offers/{offer_id}/refuse", {"reason": "Affordability", "detail": "Rent too high"},
                        form_page="/account/offers")
    assert done.status_code == 303
    with db.reading() as s:
        assert s.get(Offer, offer_id).status is OfferStatus.REFUSED
        assert s.exec(select(Refusal.reason)).one() == "Affordability: Rent too high"


def test_an_offer_cannot_be_answered_after_its_deadline_or_by_someone_else(visitor, other_visitor, db, world):
    late = _offer(db, world, "HR000001", respond_by=date(2026, 1, 5))
    visitor.sign_in("HR000001")
    answer = visitor.post(f"/account/offers/{late}/accept", form_page="/account/offers")
    assert answer.status_code == 409 and "5 January 2026" in answer.text
    theirs = _offer(db, world, "HR000002", advert="AD2")
    assert visitor.post(f"/account/offers/{theirs}/accept", form_page="/account/offers").status_code == 404
    with db.reading() as s:
        assert s.get(Offer, theirs).status is OfferStatus.MADE
