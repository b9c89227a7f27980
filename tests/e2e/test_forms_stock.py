"""Homes, voids, adverts, shortlists and offers: each form shows every mistake at once beside its field, gives
back what was typed and saves nothing; the pages with a form per line show the refused line's form filled."""

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import func, select

from cbl.models import (
    Advert, Applicant, DirectOfferRequest, Offer, Property, ShortlistEntry, StaffUser, Viewing, Void,
)
from cbl.models.states import ShortlistStatus, StaffRole
from cbl.services import actors
from cbl.services.errors import InvalidInput
from cbl.services.stock import advertise, log_void
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in
from tests.support.forms import FRAUD_PASSED, assert_every_error_shown, date_fields, read_form


def _count(db, model) -> int:
    with db.reading() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_adding_a_home_with_several_mistakes_shows_them_all_keeps_what_was_typed_and_saves_nothing(
        visitor, db, staff, world):
    staff_sign_in(visitor, "officer@example.org")
    before = _count(db, Property)
    address = "7 Adapted Close, Anytown," * 20  # 500 characters: refused, not cut to 400
    typed = {"landlord": "ATC", "reference": "ATC-7002", "address": address, "postcode": "AT7 1AA", "area": "",
             "property_type": "castle", "bedrooms": "lots", "floor": "2", "rent": "cheap", "charges": "12.50",
             "features": ["step_free", "moat"]}
    page = visitor.post("/admin/stock/new", typed, form_page="/admin/stock/new")
    assert page.status_code == 422
    form = assert_every_error_shown(page.text, {
        "address": "Address must be 400 characters or fewer (you entered 500)",
        "area": "Enter the area the home is in",
        "property_type": "Choose type of home from the list",
        "bedrooms": "Bedrooms must be from 0 (a bedsit) to 10",
        "features": "not on the list: moat",
        "rent": "Weekly rent (£) must be an amount in pounds"})
    assert form.values["address"] == [address] and form.values["reference"] == ["ATC-7002"]
    assert form.values["landlord"] == ["ATC"] and form.values["bedrooms"] == ["lots"]
    assert form.values["rent"] == ["cheap"] and form.values["charges"] == ["12.50"]
    assert form.values["features"] == ["step_free"] and form.values["floor"] == ["2"]
    assert _count(db, Property) == before

    good = {**typed, "address": "7 Adapted Close, Anytown", "area": "Northgate", "property_type": "bungalow",
            "bedrooms": "2", "rent": "£101.50", "features": ["step_free"]}
    assert visitor.post("/admin/stock/new", good, form_page="/admin/stock/new").status_code == 303
    with db.reading() as s:
        home = s.exec(select(Property).where(Property.reference == "ATC-7002")).one()
        assert (home.weekly_rent_pence, home.weekly_charges_pence, home.floor) == (10150, 1250, 2)
        assert home.step_free and home.area == "Northgate"


def test_logging_a_void_with_a_half_date_and_an_over_long_reason_shows_both_and_logs_nothing(visitor, db, staff,
                                                                                            world):
    with db.transaction() as s:
        s.add(Property(landlord_id=world.council, reference="P-VOID", address="3 Ash Row", postcode="AT2 2BB",
                       area="Riverside", property_type="flat", bedrooms=1, weekly_rent_pence=9000))
    staff_sign_in(visitor, "officer@example.org")
    page = "/admin/stock/P-VOID"
    reason = "Tenant moved to a care home. " * 8  # 232 characters
    answer = visitor.post(f"{page}/voids", {"tenancy_end-day": "14", "tenancy_end-year": "2026", "reason": reason,
                                            "first_let": "yes"}, form_page=page)
    assert answer.status_code == 422
    form = assert_every_error_shown(answer.text, {"tenancy_end": "Date the tenancy ended must include a month",
                                                  "reason": "Reason must be 200 characters or fewer"})
    assert form.values["tenancy_end-day"] == ["14"] and form.values["tenancy_end-month"] == [""]
    assert form.values["reason"] == [reason] and form.values["first_let"] == ["yes"]
    with db.reading() as s:
        assert s.exec(select(Void).join(Property).where(Property.reference == "P-VOID")).first() is None

    ended = now().date() - timedelta(days=2)
    assert visitor.post(f"{page}/voids", {**date_fields("tenancy_end", ended), "reason": "Tenant moved"},
                        form_page=page).status_code == 303
    with db.reading() as s:
        void = s.exec(select(Void).join(Property).where(Property.reference == "P-VOID")).one()
        assert void.tenancy_end_date == ended and void.reason == "Tenant moved"
    # The works form then shows, and a mistake there is shown beside it, with the other forms still empty.
    works = visitor.post(f"/admin/voids/{void.id}/works", {"works_started-day": "31", "works_started-month": "2",
                                                         "works_started-year": "2026"}, form_page=page)
    assert works.status_code == 422
    shown = assert_every_error_shown(works.text, {"works_started": "Works started on must be a real date"})
    assert shown.values["works_started-day"] == ["31"] and shown.values["reason"] == ["", ""]


@pytest.fixture
def ready_void(db, world):
    with db.transaction() as s:
        home = Property(landlord_id=world.council, reference="P-READY", address="5 Oak Lane", postcode="AT3 3CC",
                        area="Riverside", property_type="house", bedrooms=3, weekly_rent_pence=12000)
        s.add(home)
        s.flush()
        void = Void(property_id=home.id, tenancy_end_date=date(2026, 10, 1), ready_to_let_at=now())
        s.add(void)
        s.flush()
        return void.id


def test_an_advert_with_several_mistakes_shows_them_all_keeps_what_was_typed_and_advertises_nothing(
        visitor, db, staff, world, ready_void):
    staff_sign_in(visitor, "officer@example.org")
    page = f"/admin/voids/{ready_void}/advert"
    adverts = _count(db, Advert)
    description = "A bright house by the park." * 150  # 4,050 characters
    typed = {"cycle": "", "description": description, "min_bedroom_need": "two", "max_bedroom_need": "3",
             "min_age": "5", "wheelchair_only": "yes", "preference_groups": "local:Riverside", "action": "advertise"}
    answer = visitor.post(page, typed, form_page=page)
    assert answer.status_code == 422
    form = assert_every_error_shown(answer.text, {
        "cycle": "Choose the cycle to advertise in",
        "description": "Description must be 4,000 characters or fewer (you entered 4,050)",
        "min_bedroom_need": "Lowest bedroom need must be a whole number",
        "min_age": "Minimum age must be a whole number from 16 to 120"})
    assert form.values["description"] == [description] and form.values["min_bedroom_need"] == ["two"]
    assert form.values["max_bedroom_need"] == ["3"] and form.values["wheelchair_only"] == ["yes"]
    assert form.values["preference_groups"] == ["local:Riverside"]
    assert _count(db, Advert) == adverts
    # A refusal from the service (groups it cannot read) goes beside its field too, the rest kept.
    unread = visitor.post(page, {**typed, "cycle": str(world.cycle), "description": "A house", "min_bedroom_need": "2",
                                 "min_age": "", "preference_groups": "everyone"}, form_page=page)
    assert unread.status_code == 422
    assert_every_error_shown(unread.text, {"preference_groups": "is not a preference group"})
    done = visitor.post(page, {**typed, "cycle": str(world.cycle), "description": "A house", "min_bedroom_need": "2",
                               "min_age": ""}, form_page=page)
    assert done.status_code == 303
    with db.reading() as s:
        advert = s.exec(select(Advert).where(Advert.void_id == ready_void)).one()
        assert (advert.min_bedroom_need, advert.max_bedroom_need, advert.wheelchair_only) == (2, 3, True)


def _entries(db, world) -> dict[str, int]:
    with db.reading() as s:
        return {ref: s.exec(select(ShortlistEntry.id).where(ShortlistEntry.applicant_id == applicant_id)).one()
                for ref, applicant_id in world.applicants.items()}


def test_a_skip_with_an_unknown_reason_and_an_over_long_note_is_shown_on_its_own_line_filled(visitor, db, staff,
                                                                                            closed):
    entries = _entries(db, closed)
    staff_sign_in(visitor, "officer@example.org")
    page = "/admin/adverts/AD1/shortlist"
    top, second = entries["HR000002"], entries["HR000003"]
    assert visitor.post(f"{page}/{top}/verify", form_page=page).status_code == 303  # two lines now have forms
    note = "Called three times and wrote twice." * 60  # 2,100 characters
    answer = visitor.post(f"{page}/{second}/skip", {"reason": "tired", "note": note}, form_page=page)
    assert answer.status_code == 422
    form = assert_every_error_shown(answer.text, {
        f"reason-entry-{second}": "Choose skip reason from the list",
        f"note-entry-{second}": "Note must be 2,000 characters or fewer (you entered 2,100)"})
    assert form.values["note"] == ["", note]  # the verified line's form empty, the refused line's filled
    assert f"reason-entry-{top}-error" not in form.ids
    with db.reading() as s:
        assert s.get(ShortlistEntry, second).status is ShortlistStatus.PENDING
    assert visitor.post(f"{page}/{second}/skip", {"reason": "no_contact", "note": note[:1000]},
                        form_page=page).status_code == 303
    with db.reading() as s:
        assert s.get(ShortlistEntry, second).skip_note == note[:1000].strip()
    # A button with nothing to fill in: its refusal is in the summary.
    again = visitor.post(f"{page}/{second}/verify", form_page=page)
    assert again.status_code == 409 and "already been skipped" in read_form(again.text).summary["main-content"]


def test_a_viewing_with_a_wrong_date_and_time_shows_both_beside_that_offer_and_arranges_nothing(visitor, db, staff,
                                                                                               closed):
    with db.transaction() as s:
        for applicant in s.exec(select(Applicant)):
            applicant.verified = True
    entries = _entries(db, closed)
    staff_sign_in(visitor, "officer@example.org")
    page = "/admin/adverts/AD1/shortlist"
    visitor.post(f"{page}/{entries['HR000002']}/verify", form_page=page)
    assert visitor.post(f"{page}/{entries['HR000002']}/checks", FRAUD_PASSED, form_page=page).status_code == 303
    assert visitor.post(f"{page}/{entries['HR000002']}/offer", {}, form_page=page).status_code == 303
    with db.reading() as s:
        offer = s.exec(select(Offer)).one()
    typed = {"viewing_at-day": "30", "viewing_at-month": "2", "viewing_at-year": str(now().year + 1),
             "viewing_time": "teatime", "accompanied": "yes"}
    answer = visitor.post(f"/admin/offers/{offer.id}/viewing", typed, form_page=page)
    assert answer.status_code == 422
    form = assert_every_error_shown(answer.text, {
        f"viewing_at-offer-{offer.id}": "Viewing date must be a real date",
        f"viewing_time-offer-{offer.id}": "Time (UK) must be a real time"})
    assert form.values["viewing_at-day"] == ["30"] and form.values["viewing_time"] == ["teatime"]
    assert form.values["accompanied"] == ["yes"]
    with db.reading() as s:
        assert s.exec(select(Viewing)).first() is None
    summer = {**date_fields("viewing_at", f"{now().year + 1}-07-01"), "viewing_time": "2:30pm"}
    assert visitor.post(f"/admin/offers/{offer.id}/viewing", summer, form_page=page).status_code == 303
    with db.reading() as s:
        assert s.exec(select(Viewing.at)).one() == datetime(now().year + 1, 7, 1, 13, 30, tzinfo=timezone.utc)


def test_a_direct_offer_and_its_decision_show_every_mistake_and_save_nothing(visitor, other_visitor, db, staff,
                                                                             world):
    with db.transaction() as s:
        home = Property(landlord_id=world.council, reference="P-DIRECT", address="2 Birch Way", postcode="AT4 4DD",
                        area="Northgate", property_type="bungalow", bedrooms=2, weekly_rent_pence=10000)
        s.add(home)
        s.flush()
        void = Void(property_id=home.id, tenancy_end_date=date(2026, 10, 1))
        s.add(void)
        s.get(Applicant, world.applicants["HR000002"]).verified = True
        s.flush()
        void_id = void.id
    staff_sign_in(visitor, "officer@example.org")
    page = "/admin/stock/P-DIRECT"
    case = "Wheelchair user; the OT assessment recommends a level-access bungalow." * 30  # 2,100 characters
    answer = visitor.post(f"/admin/voids/{void_id}/direct-offer", {"applicant": "", "reason_code": "whim",
                                                                   "reason": case, "final": "yes"}, form_page=page)
    assert answer.status_code == 422
    form = assert_every_error_shown(answer.text, {
        "applicant-direct": "Enter the application reference",
        "reason_code-direct": "Choose why outside bidding from the list",
        "reason-direct": "The case for it must be 2,000 characters or fewer"})
    assert form.values["reason"] == ["", case]  # the void's reason (empty), then the direct offer's
    assert form.values["final"] == ["yes"]
    assert _count(db, DirectOfferRequest) == 0
    assert visitor.post(f"/admin/voids/{void_id}/direct-offer", {"applicant": "hr000002", "reason_code": "adapted",
                                                                 "reason": case[:500]},
                        form_page=page).status_code == 303
    with db.reading() as s:
        proposal = s.exec(select(DirectOfferRequest)).one()
        assert proposal.reason == case[:500].strip()

    staff_sign_in(other_visitor, staff[StaffRole.MANAGER])
    note = "Not until the adaptations are signed off." * 50  # 2,100 characters
    decided = other_visitor.post(f"/admin/direct-offers/{proposal.id}/decision", {"note": note},
                                 form_page="/admin/direct-offers")
    assert decided.status_code == 422
    shown = assert_every_error_shown(decided.text, {
        f"approve-request-{proposal.id}": "Say whether you approve the direct offer",
        f"note-request-{proposal.id}": "Note must be 2,000 characters or fewer"})
    assert shown.values["note"] == [note]
    with db.reading() as s:
        assert s.get(DirectOfferRequest, proposal.id).decided_at is None
    assert other_visitor.post(f"/admin/direct-offers/{proposal.id}/decision", {"approve": "no", "note": note[:300]},
                              form_page="/admin/direct-offers").status_code == 303


def test_the_services_refuse_over_long_text_rather_than_cut_it(db, world, ready_void):
    with db.reading() as s:
        officer = actors.staff(s.exec(select(StaffUser).where(StaffUser.email == "officer@example.org")).one())
        home_id = s.get(Void, ready_void).property_id
    with pytest.raises(InvalidInput, match="4,000 characters or fewer") as refused:
        db.run(advertise, officer, ready_void, world.cycle, {}, [], "x" * 4001, now())
    assert refused.value.field == "description"
    with db.transaction() as s:  # close the open void so another may be logged
        s.get(Void, ready_void).status = "let"
    with pytest.raises(InvalidInput, match="200 characters or fewer"):
        db.run(log_void, officer, home_id, date(2026, 10, 2), "r" * 201, False, now())
    kept = db.run(log_void, officer, home_id, date(2026, 10, 2), "r" * 200, False, now())
    assert len(kept.reason) == 200
