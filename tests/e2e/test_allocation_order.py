"""Allocation follows the scheme (Housing Act 1996 s167(8)): an offer or a nomination for shortlist place N is
refused while an eligible place above it has neither been offered and answered nor skipped with a reason,
through the real admin on both databases."""

import threading

from sqlmodel import func, select

from cbl.models import Advert, Applicant, AuditEvent, Nomination, Offer, ShortlistEntry, StaffUser
from cbl.models.states import OfferStatus, ShortlistStatus
from cbl.services.actors import staff as staff_actor
from cbl.services.errors import Conflict
from cbl.services.lettings import make_offer
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in
from tests.e2e.test_nominations import nominated_shortlist  # noqa: F401 (a fixture)
from tests.support.factories import fraud_checked
from tests.support.forms import FRAUD_PASSED, read_form

PAGE = "/admin/adverts/AD1/shortlist"


def _places(db, world, advert: str = "AD1") -> dict[int, int]:
    """Entry ids by place."""
    with db.transaction() as s:
        for applicant in s.exec(select(Applicant)):
            applicant.verified = True
        entries = s.exec(select(ShortlistEntry).join(Advert, Advert.id == ShortlistEntry.advert_id)
                         .where(Advert.reference == advert, ShortlistEntry.eligible))
        return {entry.position: entry.id for entry in entries}


def _offers(db) -> int:
    with db.reading() as s:
        return s.exec(select(func.count()).select_from(Offer)).one()


def _refused_and_judged(visitor, other_visitor, db, entry_id: int, reference: str) -> None:
    """The household at this place is verified, offered the home, refuses it, and the refusal is judged."""
    assert visitor.post(f"{PAGE}/{entry_id}/verify", form_page=PAGE).status_code == 303
    assert visitor.post(f"{PAGE}/{entry_id}/checks", FRAUD_PASSED, form_page=PAGE).status_code == 303
    assert visitor.post(f"{PAGE}/{entry_id}/offer", {}, form_page=PAGE).status_code == 303
    with db.reading() as s:
        offer = s.exec(select(Offer).where(Offer.status == OfferStatus.MADE)).one()
    other_visitor.client.cookies.clear()
    other_visitor.sign_in(reference)
    assert other_visitor.post(f"/account/offers/{offer.id}/refuse", {"reason": "Area does not meet our needs"},
                              form_page="/account/offers").status_code == 303
    assert visitor.post(f"/admin/offers/{offer.id}/judge", {"reasonable": "yes"}, form_page=PAGE).status_code == 303


def test_place_3_waits_for_place_2_untouched_and_goes_once_place_2_is_skipped_with_a_reason(
        visitor, other_visitor, db, staff, closed):
    places = _places(db, closed)
    staff_sign_in(visitor, "officer@example.org")
    _refused_and_judged(visitor, other_visitor, db, places[1], "HR000002")
    assert visitor.post(f"{PAGE}/{places[3]}/verify", form_page=PAGE).status_code == 303
    assert visitor.post(f"{PAGE}/{places[3]}/checks", FRAUD_PASSED, form_page=PAGE).status_code == 303

    # Place 3 is verified, place 2 untouched: the offer is refused, naming place 2, and nothing is saved.
    page = visitor.get(PAGE).text
    assert f'action="{PAGE}/{places[3]}/offer"' not in page and "After place 2 (HR000003)" in page
    before = _offers(db)
    refused = visitor.post(f"{PAGE}/{places[3]}/offer", {}, form_page=PAGE)
    assert refused.status_code == 409
    assert "Place 2 (HR000003) comes before place 3" in " ".join(read_form(refused.text).summary.values())
    assert _offers(db) == before
    with db.reading() as s:
        assert s.get(ShortlistEntry, places[3]).status is ShortlistStatus.VERIFIED

    # Place 2 verified but not offered still holds place 3 up; skipped with a reason, it does not.
    assert visitor.post(f"{PAGE}/{places[2]}/verify", form_page=PAGE).status_code == 303
    assert visitor.post(f"{PAGE}/{places[2]}/checks", FRAUD_PASSED, form_page=PAGE).status_code == 303
    assert visitor.post(f"{PAGE}/{places[3]}/offer", {}, form_page=PAGE).status_code == 409
    assert visitor.post(f"{PAGE}/{places[2]}/skip", {"reason": "no_contact", "note": "Three calls, two letters"},
                        form_page=PAGE).status_code == 303
    assert "Next to work: <strong>HR000001</strong>, place 3: make the offer" in visitor.get(PAGE).text
    assert visitor.post(f"{PAGE}/{places[3]}/offer", {}, form_page=PAGE).status_code == 303
    with db.reading() as s:
        assert s.exec(select(Offer).where(Offer.status == OfferStatus.MADE)).one().applicant_id == \
            closed.applicants["HR000001"]


def test_an_offer_waiting_for_its_answer_holds_up_the_places_below(visitor, db, staff, closed):
    places = _places(db, closed)
    staff_sign_in(visitor, "officer@example.org")
    for place in (1, 2):
        assert visitor.post(f"{PAGE}/{places[place]}/verify", form_page=PAGE).status_code == 303
        assert visitor.post(f"{PAGE}/{places[place]}/checks", FRAUD_PASSED, form_page=PAGE).status_code == 303
    assert visitor.post(f"{PAGE}/{places[1]}/offer", {}, form_page=PAGE).status_code == 303
    second = visitor.post(f"{PAGE}/{places[2]}/offer", {}, form_page=PAGE)
    assert second.status_code == 409 and "still waiting for its answer" in second.text
    assert _offers(db) == 1


def test_ineligible_bids_above_hold_nothing_up(visitor, db, staff, closed):
    places = _places(db, closed)
    with db.transaction() as s:  # places 1 and 2 turn out not to be eligible for the home
        for place in (1, 2):
            s.get(ShortlistEntry, places[place]).eligible = False
    staff_sign_in(visitor, "officer@example.org")
    assert visitor.post(f"{PAGE}/{places[3]}/verify", form_page=PAGE).status_code == 303
    assert visitor.post(f"{PAGE}/{places[3]}/checks", FRAUD_PASSED, form_page=PAGE).status_code == 303
    assert visitor.post(f"{PAGE}/{places[3]}/offer", {}, form_page=PAGE).status_code == 303


def test_a_withdrawal_that_keeps_the_place_puts_the_household_back_in_line(visitor, db, staff, closed):
    places = _places(db, closed)
    staff_sign_in(visitor, "officer@example.org")
    for place in (1, 2):
        assert visitor.post(f"{PAGE}/{places[place]}/verify", form_page=PAGE).status_code == 303
        assert visitor.post(f"{PAGE}/{places[place]}/checks", FRAUD_PASSED, form_page=PAGE).status_code == 303
    assert visitor.post(f"{PAGE}/{places[1]}/offer", {}, form_page=PAGE).status_code == 303
    with db.reading() as s:
        offer = s.exec(select(Offer)).one()
    assert visitor.post(f"/admin/offers/{offer.id}/withdrawal", {"reason": "made_in_error"},
                        form_page=PAGE).status_code == 303
    assert visitor.post(f"{PAGE}/{places[2]}/offer", {}, form_page=PAGE).status_code == 409
    assert "Next to work: <strong>HR000002</strong>, place 1: make the offer" in visitor.get(PAGE).text
    assert visitor.post(f"{PAGE}/{places[1]}/offer", {}, form_page=PAGE).status_code == 303  # offered again


def test_two_officers_offering_at_once_place_1_and_place_2_end_with_one_offer_to_place_1(db, scheme, staff, closed):
    places = _places(db, closed)
    with db.transaction() as s:
        for place in (1, 2):
            s.get(ShortlistEntry, places[place]).status = ShortlistStatus.VERIFIED
            fraud_checked(s, places[place])
        officer = staff_actor(s.exec(select(StaffUser).where(StaffUser.email == "officer@example.org")).one())
    start, results = threading.Barrier(2), {}

    def offer(place: int) -> None:
        start.wait()
        try:
            results[place] = db.run(make_offer, officer, scheme, places[place], now()).id
        except Conflict as refused:
            results[place] = refused.message

    workers = [threading.Thread(target=offer, args=(place,)) for place in (2, 1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert isinstance(results[1], int) and "Place 1 (HR000002) comes before place 2" in results[2]
    with db.reading() as s:
        assert s.exec(select(Offer.applicant_id)).all() == [closed.applicants["HR000002"]]


def test_a_nomination_for_place_2_waits_for_place_1(visitor, db, staff, nominated_shortlist):  # noqa: F811
    page = "/admin/adverts/AD3/shortlist"
    with db.reading() as s:
        by_place = {e.position: e.id for e in s.exec(select(ShortlistEntry).where(
            ShortlistEntry.id.in_(list(nominated_shortlist.values()))))}
    staff_sign_in(visitor, "officer@example.org")
    assert visitor.post(f"{page}/{by_place[2]}/verify", form_page=page).status_code == 303
    refused = visitor.post(f"{page}/{by_place[2]}/nomination", form_page=page)
    assert refused.status_code == 409 and "comes before place 2" in refused.text
    assert "nominate place 1 and have the provider" in refused.text
    with db.reading() as s:
        assert s.exec(select(func.count()).select_from(Nomination)).one() == 0
    assert visitor.post(f"{page}/{by_place[1]}/skip", {"reason": "housing_debt"}, form_page=page).status_code == 303
    assert visitor.post(f"{page}/{by_place[2]}/nomination", form_page=page).status_code == 303
    with db.reading() as s:
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "nomination.sent")).one()
