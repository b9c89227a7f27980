"""Viewings, on both databases: several for one offer, each written to the household with its date, time and
place; and block viewings of a new build's home, the top places of its shortlist invited at one time, the
home offered afterwards to the first in order who came and wants it, those before passed over and the others
told; refused where it would jump the order or act on what was not recorded; cancelled with the places kept."""

import threading
from datetime import timedelta

import pytest
from sqlmodel import func, select

from cbl.models import (
    Applicant, AuditEvent, Offer, OutboxMessage, ShortlistEntry, StaffUser, Viewing, ViewingInvitation,
)
from cbl.models.states import OfferStatus, ShortlistStatus, StaffRole
from cbl.queries import shortlists
from cbl.rules.working_days import LONDON
from cbl.services import actors
from cbl.services.errors import Conflict, InvalidInput, NotAllowed
from cbl.services.lettings import make_offer
from cbl.services.pre_offer_checks import record_check
from cbl.services.shortlisting import verify_entry
from cbl.services.viewings import (
    arrange_block_viewing, arrange_viewing, cancel_block_viewing, offer_from_block_viewing, record_attendance,
)
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in
from tests.support.forms import FRAUD_PASSED, assert_every_error_shown, date_fields

PAGE = "/admin/adverts/AD1/shortlist"


def _officer(db, email="officer@example.org"):
    with db.reading() as s:
        return actors.staff(s.exec(select(StaffUser).where(StaffUser.email == email)).one())


def _places(db, world) -> dict[str, int]:
    """AD1's places by household: HR000002 first (band A), HR000003 second, HR000001 third."""
    with db.reading() as s:
        return {ref: s.exec(select(ShortlistEntry.id).where(ShortlistEntry.applicant_id == applicant_id)).one()
                for ref, applicant_id in world.applicants.items()}


def _checked(db, scheme, officer, entry):
    db.run(verify_entry, officer, entry, now())
    db.run(record_check, officer, scheme, entry, "fraud", True, "", now())


def _letters(db, template, applicant_id=None):
    with db.reading() as s:
        query = select(OutboxMessage).where(OutboxMessage.template == template)
        if applicant_id is not None:
            query = query.where(OutboxMessage.applicant_id == applicant_id)
        return s.exec(query.order_by(OutboxMessage.id)).all()


def _held(db, viewing_id, hours=1):
    """The viewing's time comes (as the clock would bring it)."""
    with db.transaction() as s:
        s.get(Viewing, viewing_id).at = now() - timedelta(hours=hours)


def _invitations(db, viewing_id) -> dict[int, ViewingInvitation]:
    with db.reading() as s:
        return {i.applicant_id: i for i in s.exec(select(ViewingInvitation).where(
            ViewingInvitation.viewing_id == viewing_id))}


@pytest.fixture
def ready(db, closed):
    with db.transaction() as s:
        for applicant in s.exec(select(Applicant)):
            applicant.verified = True
    return closed


def test_an_offer_has_as_many_viewings_as_it_needs_each_written_with_date_time_and_place(db, scheme, staff, ready):
    officer = _officer(db)
    top = _places(db, ready)["HR000002"]
    _checked(db, scheme, officer, top)
    offer = db.run(make_offer, officer, scheme, top, now())
    first = db.run(arrange_viewing, officer, offer.id, now() + timedelta(days=1), True, now())
    second = db.run(arrange_viewing, officer, offer.id, now() + timedelta(days=2), False, now(),
                    place="Estate office, 1 Mill Lane")
    household = ready.applicants["HR000002"]
    letters = _letters(db, "viewing", household)
    assert len(letters) == 2
    day = (now() + timedelta(days=2)).astimezone(LONDON)
    assert "Please come to the home itself" in letters[0].body and "show you round" in letters[0].body
    assert "Estate office, 1 Mill Lane" in letters[1].body and f"{day:%H:%M}" in letters[1].body
    assert f"{day.day} {day:%B %Y}" in letters[1].body
    with pytest.raises(Conflict, match="not happened yet"):
        db.run(record_attendance, officer, _invitations(db, first.id)[household].id, True, now())
    _held(db, first.id)
    db.run(record_attendance, officer, _invitations(db, first.id)[household].id, False, now())
    invitations = [_invitations(db, v.id)[household] for v in (first, second)]
    assert [i.attended for i in invitations] == [False, None] and all(i.offer_id == offer.id for i in invitations)
    with pytest.raises(InvalidInput) as past:
        db.run(arrange_viewing, officer, offer.id, now() - timedelta(minutes=5), True, now())
    assert past.value.field == "viewing_at"
    with pytest.raises(NotAllowed):
        db.run(arrange_viewing, _officer(db, staff[StaffRole.MANAGER]), offer.id, now() + timedelta(days=3), True,
               now())


def test_a_block_viewing_invites_the_top_places_in_order_and_the_first_who_came_and_wants_it_is_offered(
        db, scheme, staff, ready):
    officer, places = _officer(db), _places(db, ready)
    at = now() + timedelta(days=3)
    viewing = db.run(arrange_block_viewing, officer, "AD1", 3, at, "Show home, Plot 4, Mill Lane", True, now())
    invited = _invitations(db, viewing.id)
    assert {ref: invited[ready.applicants[ref]].position for ref in places} == {
        "HR000002": 1, "HR000003": 2, "HR000001": 3}
    for reference in places:
        [letter] = _letters(db, "viewing", ready.applicants[reference])
        assert "Show home, Plot 4, Mill Lane" in letter.body and f"{at.astimezone(LONDON):%H:%M}" in letter.body
        assert "first household in shortlist order who came to the viewing and wants it" in letter.body
    with db.reading() as s:
        assert s.exec(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "viewing.invited")).one() == 3
    # The home is offered from the viewing, not past it; a second block viewing waits for the first to end.
    _checked(db, scheme, officer, places["HR000002"])
    with pytest.raises(Conflict, match="Several households are invited to view the home"):
        db.run(make_offer, officer, scheme, places["HR000002"], now())
    with pytest.raises(Conflict, match="already arranged"):
        db.run(arrange_block_viewing, officer, "AD1", 2, at, "", True, now())
    with pytest.raises(Conflict, match="not happened yet"):
        db.run(offer_from_block_viewing, officer, scheme, viewing.id, now())

    _held(db, viewing.id)
    by_household = {ref: invited[ready.applicants[ref]].id for ref in places}
    with pytest.raises(InvalidInput) as undecided:
        db.run(record_attendance, officer, by_household["HR000003"], True, now())
    assert undecided.value.field == "wants_home"
    db.run(record_attendance, officer, by_household["HR000002"], False, now())  # place 1 did not come
    with pytest.raises(Conflict, match=r"Record whether HR000003 \(place 2\) came to the viewing first"):
        db.run(offer_from_block_viewing, officer, scheme, viewing.id, now())
    db.run(record_attendance, officer, by_household["HR000003"], True, now(), wants_home=False)
    db.run(record_attendance, officer, by_household["HR000001"], True, now(), wants_home=True)
    # Place 3 came and wants it, but its checks are not done: nothing happens, and the refusal says who and why.
    with pytest.raises(Conflict, match=r"HR000001 \(place 3\) came and wants the home\. .*verification"):
        db.run(offer_from_block_viewing, officer, scheme, viewing.id, now())
    with db.reading() as s:
        assert s.get(Viewing, viewing.id).concluded_at is None
        assert s.get(ShortlistEntry, places["HR000002"]).status is ShortlistStatus.VERIFIED

    _checked(db, scheme, officer, places["HR000001"])
    offer = db.run(offer_from_block_viewing, officer, scheme, viewing.id, now())
    assert offer.applicant_id == ready.applicants["HR000001"] and offer.status is OfferStatus.MADE
    with db.reading() as s:
        first, second = (s.get(ShortlistEntry, places[ref]) for ref in ("HR000002", "HR000003"))
        ended = s.get(Viewing, viewing.id)
        [event] = s.exec(select(AuditEvent).where(AuditEvent.action == "viewing.concluded")).all()
    assert (first.status, first.skip_reason) == (ShortlistStatus.SKIPPED, "missed_viewing")
    assert (second.status, second.skip_reason) == (ShortlistStatus.SKIPPED, "declined_after_viewing")
    assert ended.offer_id == offer.id and ended.concluded_by_id == officer.id
    assert event.details["passed_over"] == ["HR000002", "HR000003"] and event.details["offered_to"] == "HR000001"
    for reference, reason in (("HR000002", "Did not come to the viewing of the home"),
                              ("HR000003", "Did not want the home after viewing it")):
        [letter] = _letters(db, "skip_decision", ready.applicants[reference])
        assert reason in letter.body and "section 166A(9)" in letter.body
    assert _letters(db, "offer", ready.applicants["HR000001"])
    with pytest.raises(Conflict, match="has ended"):
        db.run(record_attendance, officer, by_household["HR000002"], True, now(), wants_home=True)


def test_the_households_after_the_one_offered_keep_their_places_and_are_told(db, scheme, staff, ready):
    officer, places = _officer(db), _places(db, ready)
    viewing = db.run(arrange_block_viewing, officer, "AD1", 2, now() + timedelta(days=1), "", False, now())
    invited = _invitations(db, viewing.id)
    assert set(invited) == {ready.applicants["HR000002"], ready.applicants["HR000003"]}  # the top two only
    _held(db, viewing.id)
    for reference in ("HR000002", "HR000003"):
        db.run(record_attendance, officer, invited[ready.applicants[reference]].id, True, now(), wants_home=True)
    _checked(db, scheme, officer, places["HR000002"])
    offer = db.run(offer_from_block_viewing, officer, scheme, viewing.id, now())
    assert offer.applicant_id == ready.applicants["HR000002"]
    [told] = _letters(db, "viewing_outcome")
    assert told.applicant_id == ready.applicants["HR000003"] and "Your place on the shortlist" in told.body
    with db.reading() as s:
        assert s.get(ShortlistEntry, places["HR000003"]).status is ShortlistStatus.PENDING
    assert not _letters(db, "skip_decision")


def test_when_no_one_who_came_wants_the_home_the_places_are_passed_over_and_the_next_comes_up(
        db, scheme, staff, ready):
    officer, places = _officer(db), _places(db, ready)
    viewing = db.run(arrange_block_viewing, officer, "AD1", 2, now() + timedelta(days=1), "", False, now())
    invited = _invitations(db, viewing.id)
    _held(db, viewing.id)
    db.run(record_attendance, officer, invited[ready.applicants["HR000002"]].id, True, now(), wants_home=False)
    db.run(record_attendance, officer, invited[ready.applicants["HR000003"]].id, False, now())
    assert db.run(offer_from_block_viewing, officer, scheme, viewing.id, now()) is None
    with db.reading() as s:
        found = shortlists.shortlist(s, scheme, "AD1")
    assert found.next_up.reference == "HR000001" and found.open_block_viewing is None
    assert len(_letters(db, "skip_decision")) == 2
    _checked(db, scheme, officer, places["HR000001"])
    assert db.run(make_offer, officer, scheme, places["HR000001"], now()).status is OfferStatus.MADE


def test_a_cancelled_block_viewing_keeps_the_places_and_tells_the_households_why(db, scheme, staff, ready):
    officer, places = _officer(db), _places(db, ready)
    viewing = db.run(arrange_block_viewing, officer, "AD1", 3, now() + timedelta(days=1), "", True, now())
    with pytest.raises(InvalidInput) as no_reason:
        db.run(cancel_block_viewing, officer, viewing.id, " ", now())
    assert no_reason.value.field == "reason"
    db.run(cancel_block_viewing, officer, viewing.id, "The builder has not handed the home over", now())
    cancelled = _letters(db, "viewing_cancelled")
    assert len(cancelled) == 3 and all("has not handed the home over" in letter.body for letter in cancelled)
    with pytest.raises(Conflict, match="was cancelled"):
        db.run(offer_from_block_viewing, officer, scheme, viewing.id, now())
    _checked(db, scheme, officer, places["HR000002"])
    assert db.run(make_offer, officer, scheme, places["HR000002"], now()).status is OfferStatus.MADE


def test_two_officers_ending_one_block_viewing_at_once_make_one_offer(db, scheme, staff, ready):
    officer, places = _officer(db), _places(db, ready)
    with db.transaction() as s:
        s.add(StaffUser(organisation_id=ready.council, email="officer2@example.org", name="Second Officer",
                        role=StaffRole.OFFICER, grade=3, password_hash="x"))
    second = _officer(db, "officer2@example.org")
    viewing = db.run(arrange_block_viewing, officer, "AD1", 2, now() + timedelta(days=1), "", True, now())
    _held(db, viewing.id)
    for invitation in _invitations(db, viewing.id).values():
        db.run(record_attendance, officer, invitation.id, True, now(), wants_home=True)
    _checked(db, scheme, officer, places["HR000002"])
    start, results = threading.Barrier(2), []

    def end(actor):
        start.wait()
        try:
            results.append(db.run(offer_from_block_viewing, actor, scheme, viewing.id, now()))
        except Conflict as error:
            results.append(error)

    workers = [threading.Thread(target=end, args=(actor,)) for actor in (officer, second)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Offer"], results
    with db.reading() as s:
        assert s.exec(select(func.count()).select_from(Offer)).one() == 1
    assert len(_letters(db, "viewing_outcome")) == 1


def test_an_officer_arranges_a_block_viewing_on_the_shortlist_and_offers_from_its_page(visitor, db, staff, ready):
    places = _places(db, ready)
    staff_sign_in(visitor, "officer@example.org")
    assert "Invite several households to view the home at one time" in visitor.get(PAGE).text
    typed = {"households": "30", "viewing_at-day": "31", "viewing_at-month": "2", "viewing_at-year": "2030",
             "viewing_time": "teatime", "place": "Site office"}
    wrong = visitor.post("/admin/adverts/AD1/block-viewing", typed, form_page=PAGE)
    assert wrong.status_code == 422
    form = assert_every_error_shown(wrong.text, {"households-block": "from 2 to 20",
                                                 "viewing_at-block": "must be a real date",
                                                 "viewing_time-block": "must be a real time"})
    assert form.values["place"] == ["Site office"] and form.values["households"] == ["30"]
    later = now().astimezone(LONDON) + timedelta(days=7)
    good = {"households": "2", **date_fields("viewing_at", later.date()), "viewing_time": "10:30",
            "place": "Site office", "accompanied": "yes"}
    assert visitor.post("/admin/adverts/AD1/block-viewing", good, form_page=PAGE).status_code == 303
    with db.reading() as s:
        viewing = s.exec(select(Viewing)).one()
    shortlist = visitor.get(PAGE).text
    assert f'href="/admin/viewings/{viewing.id}"' in shortlist and "record who came to the block viewing" in shortlist
    assert "Invite several households" not in shortlist

    page = f"/admin/viewings/{viewing.id}"
    assert "After the viewing" in visitor.get(page).text  # nothing to record before it
    _held(db, viewing.id)
    invited = _invitations(db, viewing.id)
    top = invited[ready.applicants["HR000002"]].id
    undecided = visitor.post(f"{page}/attendance/{top}", {"attended": "yes"}, form_page=page)
    assert_every_error_shown(undecided.text, {f"wants_home-invitation-{top}": "wants the home"})
    assert visitor.post(f"{page}/attendance/{top}", {"attended": "yes", "wants_home": "yes"},
                        form_page=page).status_code == 303
    assert visitor.post(f"{page}/attendance/{invited[ready.applicants['HR000003']].id}", {"attended": "no"},
                        form_page=page).status_code == 303
    refused = visitor.post(f"{page}/offer", {}, form_page=page)
    assert refused.status_code == 409 and "HR000002 (place 1) came and wants the home" in refused.text
    assert visitor.post(f"{PAGE}/{places['HR000002']}/verify", form_page=PAGE).status_code == 303
    assert visitor.post(f"{PAGE}/{places['HR000002']}/checks", FRAUD_PASSED, form_page=PAGE).status_code == 303
    assert visitor.post(f"{page}/offer", {}, form_page=page).status_code == 303
    ended = visitor.get(page).text
    assert "the home was" in ended and "offered (offer" in ended
    assert visitor.post(f"{page}/attendance/99999", {"attended": "no"}, form_page=page).status_code == 404


def test_a_households_viewings_and_checks_are_in_its_subject_access_archive(db, scheme, staff, ready):
    import io
    import json
    import zipfile

    from cbl.reports.subject_access import subject_access_archive

    officer, top = _officer(db), _places(db, ready)["HR000002"]
    _checked(db, scheme, officer, top)
    offer = db.run(make_offer, officer, scheme, top, now())
    db.run(arrange_viewing, officer, offer.id, now() + timedelta(days=1), True, now(), place="Estate office")
    _, archive = db.run(subject_access_archive, _officer(db, staff[StaffRole.MANAGER]), "HR000002", now())
    with zipfile.ZipFile(io.BytesIO(archive)) as files:
        [viewing] = json.loads(files.read("viewings.json"))
        checks = json.loads(files.read("checks_before_offers.json"))
    assert viewing["place"] == "Estate office" and viewing["offer_id"] == offer.id and viewing["at"]
    assert sorted(check["kind"] for check in checks) == ["fraud", "verification"]
