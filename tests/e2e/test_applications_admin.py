"""Taking in applications, keeping households right, the annual review, direct offers, new homes and letters,
all through the real admin."""

import re
from datetime import date, datetime, timedelta, timezone

from sqlmodel import select

from cbl.models import (
    Applicant, AuditEvent, BiddingPreference, DirectOfferRequest, Offer, OutboxMessage, Property, StaffUser,
)
from cbl.models.states import ApplicationStatus, OfferKind, StaffRole
from cbl.rules.working_days import local_date
from cbl.services.actors import SYSTEM
from cbl.services.register_review import close_unanswered
from tests.e2e.conftest import staff_sign_in
from tests.support.forms import date_fields
from tests.support.pages import check_page


def _checked(response):
    """The page, after checking it is well formed (one h1, labels, unique ids, CSRF on its forms)."""
    assert response.status_code == 200, response.status_code
    check_page(response.text)
    return response


def _case_events(db, reference: str) -> list[str]:
    with db.reading() as s:
        applicant_id = s.exec(select(Applicant.id).where(Applicant.reference == reference)).one()
        return [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.applicant_id == applicant_id)
                                         .order_by(AuditEvent.id))]


def test_an_officer_takes_in_an_application_and_the_bedroom_need_follows_the_household(visitor, db, staff, world):
    staff_sign_in(visitor, "officer@example.org")
    _checked(visitor.get("/admin/applicants/new"))
    form = {"name": "Ada Lovelace", "date_of_birth-day": "1", "date_of_birth-month": "13", "date_of_birth-year": "1990",
            "sex": "F", "address": "1 Mill Lane, Anytown",
            "postcode": "at1 2bc", "circumstances": "homeless_duty", "needs": "step_free"}
    wrong = visitor.post("/admin/applicants/new", form, form_page="/admin/applicants/new")
    assert wrong.status_code == 422 and "Date of birth must be a real date" in wrong.text
    assert 'value="Ada Lovelace"' in wrong.text and 'value="1 Mill Lane, Anytown"' in wrong.text  # nothing lost
    created = visitor.post("/admin/applicants/new", {**form, "date_of_birth-month": "3"},
                           form_page="/admin/applicants/new")
    assert created.status_code == 303
    reference = created.headers["location"].rsplit("/", 1)[1]
    case_path = f"/admin/applicants/{reference}"
    with db.reading() as s:
        applicant = s.exec(select(Applicant).where(Applicant.reference == reference)).one()
        assert applicant.status is ApplicationStatus.PENDING and applicant.postcode == "AT1 2BC"
        assert applicant.homeless_duty and applicant.needs == ["step_free"] and applicant.bedroom_need == 1

    def add(person: dict):
        return visitor.post(f"{case_path}/members", person, form_page=case_path)

    assert add({"name": "Sam Partner", **date_fields("date_of_birth", "1989-01-01"), "relationship": "partner",
                "sex": "M"}).status_code == 303
    assert add({"name": "Amy", **date_fields("date_of_birth", "2016-05-01"), "relationship": "child",
                "sex": "F"}).status_code == 303
    assert add({"name": "Ben", **date_fields("date_of_birth", "2012-05-01"), "relationship": "child",
                "sex": "M"}).status_code == 303
    second_partner = add({"name": "Another", **date_fields("date_of_birth", "1980-01-01"), "relationship": "partner"})
    assert second_partner.status_code == 422 and "already has a partner" in second_partner.text
    with db.reading() as s:
        applicant = s.get(Applicant, applicant.id)
        assert (applicant.household_size, applicant.bedroom_need) == (4, 3)  # couple; girl and boy over 10 apart
    page = _checked(visitor.get(case_path))
    ben = re.search(r'action="/admin/applicants/\w+/members/(\d+)"[^>]*>.*?value="Ben"', page.text, re.S)
    ben_id = re.findall(r'/members/(\d+)"', page.text)[-1]
    assert ben  # the page offers a form for each person
    changed = visitor.post(f"{case_path}/members/{ben_id}",
                           {"name": "Ben", **date_fields("date_of_birth", "2017-05-01"), "relationship": "child",
                            "sex": "M"}, form_page=case_path)
    assert changed.status_code == 303
    with db.reading() as s:
        assert s.get(Applicant, applicant.id).bedroom_need == 2  # two children under 10 share
    no_reason = visitor.post(f"{case_path}/members/{ben_id}/removal", {"reason": ""}, form_page=case_path)
    assert no_reason.status_code == 422 and "left the household" in no_reason.text
    assert visitor.post(f"{case_path}/members/{ben_id}/removal", {"reason": "Moved to his father's"},
                        form_page=case_path).status_code == 303
    assert visitor.post(f"{case_path}/members/99999", {"name": "X", **date_fields("date_of_birth", "2000-01-01"),
                                                       "relationship": "child"}, form_page=case_path).status_code == 404
    moved = visitor.post(f"{case_path}/details", {"address": "9 New Road, Anytown", "postcode": "AT9 9ZZ",
                                                  "circumstances": ["homeless_duty", "transfer_tenant"]},
                         form_page=case_path)
    assert moved.status_code == 303
    with db.reading() as s:
        applicant = s.get(Applicant, applicant.id)
        assert applicant.bedroom_need == 2 and applicant.household_size == 3 and applicant.transfer_tenant
        assert applicant.needs == []  # the officer unticked the access need
    events = _case_events(db, reference)
    assert events[:1] == ["application.created"]
    assert events.count("household.member_added") == 3 and "household.member_removed" in events
    timeline = visitor.get(case_path).text.split('id="timeline"')[1]
    assert "previous bedroom need: 3" in timeline and "Moved to his father" in timeline
    assert "9 New Road" not in timeline  # contact details changed, not written into the log


def test_an_officer_switches_on_auto_bid_for_a_household_that_cannot_bid(visitor, db, staff, world):
    staff_sign_in(visitor, "officer@example.org")
    path = "/admin/applicants/HR000001"
    bad = visitor.post(f"{path}/preferences", {"max_floor": "top"}, form_page=path)
    assert bad.status_code == 422 and "Highest floor" in bad.text
    saved = visitor.post(f"{path}/preferences", {"areas": "Northgate", "property_types": ["flat", "house"],
                                                 "max_floor": "2", "wishes": ["needs_lift", "auto_bid"]},
                         form_page=path)
    assert saved.status_code == 303
    with db.reading() as s:
        preference = s.get(BiddingPreference, world.applicants["HR000001"])
        officer = s.exec(select(StaffUser).where(StaffUser.email == "officer@example.org")).one()
        assert preference.auto_bid and preference.needs_lift and preference.max_floor == 2
        assert preference.property_types == ["flat", "house"] and preference.set_by_id == officer.id


def test_the_annual_review_writes_closes_with_notice_and_reinstates_with_the_original_dates(visitor, db, scheme,
                                                                                             staff, world):
    today = datetime.now(timezone.utc).date()
    with db.transaction() as s:
        for reference in ("HR000001", "HR000002"):
            s.get(Applicant, world.applicants[reference]).review_due = today - timedelta(days=3)
    staff_sign_in(visitor, "officer@example.org")
    page = _checked(visitor.get("/admin/register-review"))
    assert "Due for review (2)" in page.text
    none = visitor.post("/admin/register-review/letters", {}, form_page="/admin/register-review")
    assert none.status_code == 422 and "Choose the households" in none.text
    ids = [str(world.applicants["HR000001"]), str(world.applicants["HR000002"])]
    sent = visitor.post("/admin/register-review/letters", {"applicant": ids}, form_page="/admin/register-review")
    assert sent.status_code == 200 and "2 review letters issued" in sent.text
    again = visitor.post("/admin/register-review/letters", {"applicant": ids}, form_page="/admin/register-review")
    assert "0 review letters issued" in again.text  # a second click writes to nobody twice
    with db.reading() as s:
        first = s.get(Applicant, world.applicants["HR000001"])
        registered, band_date, answer_by = first.registration_date, first.band_date, first.review_answer_by
        assert answer_by >= today + timedelta(days=scheme.housing_register.review_response_days)
        letter = s.exec(select(OutboxMessage).where(OutboxMessage.template == "register_review",
                                                    OutboxMessage.applicant_id == first.id)).one()
        assert f"{answer_by:%-d %B %Y}" in letter.body

    # HR000002 answers and stays; HR000001 says nothing.
    path = "/admin/applicants/HR000002"
    assert visitor.post(f"{path}/register-review", {"stays": "yes"}, form_page=path).status_code == 303
    after_deadline = datetime.combine(answer_by + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc) \
        + timedelta(hours=12)
    assert db.run(close_unanswered, SYSTEM, scheme, after_deadline) == 1
    assert db.run(close_unanswered, SYSTEM, scheme, after_deadline) == 0
    with db.reading() as s:
        closed, stayed = s.get(Applicant, world.applicants["HR000001"]), s.get(Applicant, world.applicants["HR000002"])
        assert closed.status is ApplicationStatus.CLOSED and closed.closed_from is ApplicationStatus.ACTIVE
        assert stayed.status is ApplicationStatus.ACTIVE and stayed.review_due > today + timedelta(days=300)
        notice = s.exec(select(OutboxMessage).where(OutboxMessage.template == "application_closed")).one()
        assert notice.applicant_id == closed.id and "reopen your application" in notice.body
    # A closure is a decision: the review under s166A(9), its last day (the scheme's 21 days beginning with the
    # day of the letter) and the route after it, the Local Government and Social Care Ombudsman.
    review_by = local_date(after_deadline) + timedelta(days=20)
    told = " ".join(notice.body.split())
    for sentence in ("(section 166A(9) of the Housing Act 1996)", f"Please ask by <strong>{review_by:%-d %B %Y}",
                     "Local Government and Social Care Ombudsman"):
        assert sentence in told, sentence

    # Reinstated within the scheme's period: as it was, with its dates.
    path = "/admin/applicants/HR000001"
    assert "Reinstate the closed application" in visitor.get(path).text
    assert visitor.post(f"{path}/reopening", {"reason": ""}, form_page=path).status_code == 422
    assert visitor.post(f"{path}/reopening", {"reason": "Was in hospital; phoned today"},
                        form_page=path).status_code == 303
    with db.reading() as s:
        back = s.get(Applicant, world.applicants["HR000001"])
        assert back.status is ApplicationStatus.ACTIVE
        assert (back.registration_date, back.band_date) == (registered, band_date)
    assert "application.closed" in _case_events(db, "HR000001")


def test_a_closed_application_cannot_be_reinstated_after_the_schemes_period(db, scheme, world):
    from cbl.services.register_review import reinstate_closed
    from cbl.services.errors import Conflict

    long_ago = date(2026, 1, 5)
    with db.transaction() as s:
        applicant = s.get(Applicant, world.applicants["HR000003"])
        applicant.status, applicant.closed_from, applicant.closed_on = (
            ApplicationStatus.CLOSED, ApplicationStatus.ACTIVE, long_ago)
    try:
        db.run(reinstate_closed, SYSTEM, scheme, world.applicants["HR000003"], "asked",
               datetime(2026, 3, 2, 12, tzinfo=timezone.utc))
    except Conflict as refusal:
        assert "apply again" in str(refusal)
    else:
        raise AssertionError("reinstated after the period")


def test_a_new_home_is_added_then_offered_directly_with_a_managers_approval_and_a_letter(visitor, other_visitor,
                                                                                        db, staff, world):
    staff_sign_in(visitor, "officer@example.org")
    _checked(visitor.get("/admin/stock/new"))
    home = {"landlord": "ATC", "reference": "ATC-7001", "address": "7 Adapted Close, Anytown", "postcode": "AT7 1AA",
            "area": "Northgate", "property_type": "bungalow", "bedrooms": "2", "rent": "£101.50",
            "features": ["step_free", "wheelchair_adapted"]}
    bad = visitor.post("/admin/stock/new", {**home, "rent": "lots"}, form_page="/admin/stock/new")
    assert bad.status_code == 422 and "amount in pounds" in bad.text and 'value="7 Adapted Close, Anytown"' in bad.text
    assert visitor.post("/admin/stock/new", home, form_page="/admin/stock/new").status_code == 303
    duplicate = visitor.post("/admin/stock/new", home, form_page="/admin/stock/new")
    assert duplicate.status_code == 422 and "already a home with the reference" in duplicate.text
    with db.reading() as s:
        added = s.exec(select(Property).where(Property.reference == "ATC-7001")).one()
        assert added.weekly_rent_pence == 10150 and added.wheelchair_adapted and not added.garden
    page = "/admin/stock/ATC-7001"
    yesterday = (datetime.now(timezone.utc).date() - timedelta(days=1)).isoformat()
    assert visitor.post(f"{page}/voids", {**date_fields("tenancy_end", yesterday), "reason": "Tenant moved"},
                        form_page=page).status_code == 303
    void_id = re.search(r'/admin/voids/(\d+)/direct-offer', visitor.get(page).text).group(1)

    unverified = visitor.post(f"/admin/voids/{void_id}/direct-offer",
                              {"applicant": "HR000002", "reason_code": "adapted", "reason": "OT recommends"},
                              form_page=page)
    assert unverified.status_code == 409 and "has not been verified" in unverified.text
    with db.transaction() as s:
        s.get(Applicant, world.applicants["HR000002"]).verified = True
    no_reason = visitor.post(f"/admin/voids/{void_id}/direct-offer", {"applicant": "HR000002",
                                                                      "reason_code": "adapted"}, form_page=page)
    assert no_reason.status_code == 422 and "Explain the case" in no_reason.text
    asked = visitor.post(f"/admin/voids/{void_id}/direct-offer",
                         {"applicant": "HR000002", "reason_code": "adapted",
                          "reason": "Wheelchair user; OT assessment of 3 November recommends this bungalow"},
                         form_page=page)
    assert asked.status_code == 303
    with db.reading() as s:
        proposal = s.exec(select(DirectOfferRequest)).one()
        assert s.exec(select(Offer)).all() == []  # nothing offered before a manager approves
    assert visitor.post(f"/admin/direct-offers/{proposal.id}/decision", {"approve": "yes"},
                        form_page="/admin/direct-offers").status_code == 403  # officers cannot approve

    assert staff_sign_in(other_visitor, staff[StaffRole.MANAGER]).status_code == 303
    listing = _checked(other_visitor.get("/admin/direct-offers"))
    assert "OT assessment of 3 November" in listing.text
    no_note = other_visitor.post(f"/admin/direct-offers/{proposal.id}/decision", {"approve": "no"},
                                 form_page="/admin/direct-offers")
    assert no_note.status_code == 422 and "reason for turning" in no_note.text
    assert other_visitor.post(f"/admin/direct-offers/{proposal.id}/decision", {"approve": "yes", "note": "Agreed"},
                              form_page="/admin/direct-offers").status_code == 303
    with db.reading() as s:
        offer = s.exec(select(Offer)).one()
        manager = s.exec(select(StaffUser).where(StaffUser.role == StaffRole.MANAGER)).first()
        assert offer.kind is OfferKind.DIRECT and offer.approved_by_id == manager.id and offer.advert_id is None
        letter = s.exec(select(OutboxMessage).where(OutboxMessage.template == "offer")).one()
    assert "direct offer" in letter.body and "adapted for the household" in letter.body
    offer_page = _checked(visitor.get(f"/admin/offers/{offer.id}"))
    assert "Direct offer" in offer_page.text and "approved by" in offer_page.text
    # The offer is worked from its own page: a viewing in UK time, with its letter.
    viewing = visitor.post(f"/admin/offers/{offer.id}/viewing", {"viewing_at-day": "1", "viewing_at-month": "13",
                                                                 "viewing_at-year": "2026", "viewing_time": "10:00"},
                           form_page=f"/admin/offers/{offer.id}")
    assert viewing.status_code == 422 and "viewing" in viewing.text.lower()
    assert "direct_offer.approved" in _case_events(db, "HR000002")


def test_letters_are_printable_and_come_as_pdf_only_to_staff_who_read_the_register(visitor, other_visitor, db,
                                                                                 scheme, staff, world):
    staff_sign_in(visitor, "officer@example.org")
    path = "/admin/applicants/HR000001"
    assert visitor.post(f"{path}/suspension", {"reason": "Rent arrears of £2,400 with no agreement"},
                        form_page=path).status_code == 303
    with db.reading() as s:
        letter = s.exec(select(OutboxMessage).where(OutboxMessage.template == "suspension")).one()
    case = visitor.get(path).text
    assert f"/admin/letters/{letter.id}" in case.split('id="letters"')[1]
    page = _checked(visitor.get(f"/admin/letters/{letter.id}"))
    assert "Rent arrears of £2,400" in page.text and "section 166A(9)" in page.text
    assert "Lead HR000001" in page.text  # addressed to the lead applicant
    pdf = visitor.get(f"/admin/letters/{letter.id}/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 2000
    assert visitor.get("/admin/letters/99999").status_code == 404
    staff_sign_in(other_visitor, staff[StaffRole.PROVIDER])
    assert other_visitor.get(f"/admin/letters/{letter.id}/pdf").status_code == 403


def test_a_refused_final_offer_judged_unreasonable_ends_the_duty_with_a_letter_giving_review_rights(db, scheme,
                                                                                                    staff, world):
    from cbl.models import Refusal
    from cbl.services import actors
    from cbl.services.direct_offers import decide_direct_offer, request_direct_offer
    from cbl.services.final_offers import assess_suitability
    from cbl.services.lettings import judge_refusal
    from cbl.services.offers import refuse_offer
    from cbl.services.stock import log_void

    now = datetime.now(timezone.utc)
    with db.transaction() as s:
        household = s.get(Applicant, world.applicants["HR000003"])
        household.homeless_duty, household.verified = True, True
        officer = actors.staff(s.exec(select(StaffUser).where(StaffUser.role == StaffRole.OFFICER)).first())
        manager = actors.staff(s.exec(select(StaffUser).where(StaffUser.role == StaffRole.MANAGER)).first())
        home = Property(landlord_id=world.council, reference="ATC-FINAL", address="3 Final Way", postcode="AT3 3AA",
                        area="Northgate", property_type="flat", bedrooms=1, weekly_rent_pence=9000)
        s.add(home)
        s.flush()
        void = log_void(s, officer, home.id, now.date() - timedelta(days=2), "Transfer", False, now)
        # s193(7F): the officer's suitability findings come before any final offer.
        assess_suitability(s, officer, household.id, void.id, {
            "bedrooms": (True, "One bedroom for a need of one"), "access": (True, "No access needs recorded"),
            "affordability": (True, "Rent covered by housing benefit"), "location": (True, "Near her work")},
            True, "A settled home near work", now)
        proposal = request_direct_offer(s, officer, scheme, void.id, "HR000003", "homeless", "Main duty owed since May",
                                        True, now)
    db.run(decide_direct_offer, manager, scheme, proposal.id, True, "", now)
    with db.reading() as s:
        offer = s.exec(select(Offer).where(Offer.applicant_id == world.applicants["HR000003"])).one()
        assert offer.final_offer and "This is a final offer" in s.exec(
            select(OutboxMessage.body).where(OutboxMessage.template == "offer")).one()
        applicant_actor = actors.applicant(s.get(Applicant, world.applicants["HR000003"]))
    db.run(refuse_offer, applicant_actor, scheme, offer.id, scheme.refusals.reasons[0], "Too far from school", now)
    db.run(judge_refusal, officer, scheme, offer.id, False, "A 10-minute bus ride from the school", now)
    with db.reading() as s:
        assert s.exec(select(Refusal)).one().duty_ended
        assert not s.get(Applicant, world.applicants["HR000003"]).homeless_duty
        letter = s.exec(select(OutboxMessage.body).where(OutboxMessage.template == "final_offer_decision")).one()
    assert "has ended" in letter and "section 202" in letter and "21 days beginning" in letter
    assert "homelessness_duty.ended" in _case_events(db, "HR000003")


def test_a_subject_access_export_holds_everything_about_the_household_and_is_recorded(visitor, db, staff, world):
    import io
    import json
    import zipfile

    staff_sign_in(visitor, "officer@example.org")
    path = "/admin/applicants/HR000001"
    visitor.post(f"{path}/notes", {"note": "Called about damp in current home"}, form_page=path)
    visitor.post(f"{path}/suspension", {"reason": "Arrears"}, form_page=path)
    assert visitor.post(f"{path}/subject-access", form_page=path).status_code == 403  # officers cannot export
    staff_sign_in(visitor, staff[StaffRole.MANAGER])
    assert "subject access request" in visitor.get(path).text
    answer = visitor.post(f"{path}/subject-access", form_page=path)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    names = set(archive.namelist())
    assert {"application.json", "household.json", "notes.json", "bids.csv", "audit.csv", "reviews.json"} <= names
    application = json.loads(archive.read("application.json"))
    assert application["reference"] == "HR000001" and "password_hash" not in application
    assert "row_version" not in application  # the database's book-keeping, nothing about the household
    assert "damp" in archive.read("notes.json").decode()
    assert any(n.startswith("letters/") and n.endswith("-suspension.html") for n in names)
    assert "note.added" in archive.read("audit.csv").decode()
    assert "subject_access.exported" in _case_events(db, "HR000001")
