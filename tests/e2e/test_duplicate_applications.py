"""Taking an application in: the same person already on the register is flagged before anything is saved, and
a registration date before the day the application is received is a manager's decision, with its reason."""

from datetime import date, timedelta

from sqlmodel import func, select

from cbl.models import Applicant, AuditEvent, HouseholdMember, OutboxMessage, RegistrationBackdating, StaffUser
from cbl.models.states import Relationship, StaffRole
from cbl.rules.working_days import local_date
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in
from tests.support.forms import assert_every_error_shown, date_fields, read_form

NEW = "/admin/applicants/new"
BACKDATING = "/admin/registration-backdating"


def _household(name: str, born: str = "1990-05-01", **more) -> dict:
    return {"name": name, **date_fields("date_of_birth", born), "sex": "F", "address": "1 Mill Lane, Anytown",
            "postcode": "AT1 2BC", **more}


def _count(db, table=Applicant) -> int:
    with db.reading() as s:
        return s.exec(select(func.count()).select_from(table)).one()


def test_the_same_person_by_name_and_date_of_birth_is_flagged_until_the_officer_confirms_another_household(
        visitor, db, staff, world):
    staff_sign_in(visitor, "officer@example.org")
    before = _count(db)
    # The factory's HR000002 is led by "Lead HR000002", born 1 May 1990: here typed in other case and spacing.
    typed = _household("  lead   hr000002 ", email="lead@example.org")
    flagged = visitor.post(NEW, typed, form_page=NEW)
    assert flagged.status_code == 409
    form = assert_every_error_shown(flagged.text, {"different_household": "may already be on the register (HR000002)"})
    assert '<a class="govuk-link" href="/admin/applicants/HR000002">HR000002</a>' in flagged.text
    assert form.values["name"] == ["  lead   hr000002 "] and form.values["email"] == ["lead@example.org"]
    assert _count(db) == before

    # Spaces taken out altogether, and a household member rather than a lead, are found too.
    born = local_date(now()) - timedelta(days=40 * 365)
    with db.transaction() as s:
        s.add(HouseholdMember(applicant_id=world.applicants["HR000003"], name="Mary Ann Jones", date_of_birth=born,
                              relationship=Relationship.PARTNER))
    again = visitor.post(NEW, _household("MARYANN JONES", str(born)), form_page=NEW)
    assert again.status_code == 409 and "HR000003" in again.text and "partner on an application" in again.text

    # Another date of birth is another person: saved without a question.
    assert visitor.post(NEW, _household("Lead HR000002", "1990-05-02"), form_page=NEW).status_code == 303

    # Confirmed as a different household, it is saved, and the audit event says who it was checked against.
    confirmed = visitor.post(NEW, {**typed, "different_household": "yes"}, form_page=NEW)
    assert confirmed.status_code == 303
    reference = confirmed.headers["location"].rsplit("/", 1)[1]
    with db.reading() as s:
        applicant = s.exec(select(Applicant).where(Applicant.reference == reference)).one()
        event = s.exec(select(AuditEvent).where(AuditEvent.applicant_id == applicant.id,
                                                AuditEvent.action == "application.created")).one()
    assert event.details["possible_duplicates"] == ["HR000002"]
    assert event.details["different_household_confirmed"] is True


def test_the_same_national_insurance_number_under_another_name_is_flagged_and_a_malformed_one_refused(
        visitor, db, staff, world):
    staff_sign_in(visitor, "officer@example.org")
    first = visitor.post(NEW, _household("Joan Green", national_insurance_number="jg 10 37 59 a"), form_page=NEW)
    assert first.status_code == 303
    with db.reading() as s:
        assert s.exec(select(HouseholdMember.national_insurance_number)
                      .where(HouseholdMember.name == "Joan Green")).one() == "JG103759A"  # as held
    case = visitor.get(first.headers["location"]).text  # and shown in the lead's form, so a change keeps it
    assert "JG103759A" in read_form(case).values["national_insurance_number"]
    before = _count(db)
    # Another name and another date of birth, but the same number: the same person, flagged before saving.
    flagged = visitor.post(NEW, _household("Joanne Greene", "1991-06-02", national_insurance_number="JG103759A"),
                           form_page=NEW)
    assert flagged.status_code == 409 and "(same National Insurance number)" in flagged.text
    wrong = visitor.post(NEW, _household("Ann Other", national_insurance_number="QQ 12 34 56 E"), form_page=NEW)
    assert wrong.status_code == 422
    assert_every_error_shown(wrong.text, {"national_insurance_number": "in the right format, like JG 10 37 59 A"})
    assert read_form(wrong.text).values["national_insurance_number"] == ["QQ 12 34 56 E"]
    assert _count(db) == before


def test_an_earlier_registration_date_needs_a_reason_and_a_manager_who_did_not_ask(
        visitor, other_visitor, db, staff, world):
    staff_sign_in(visitor, "officer@example.org")
    today = local_date(now())
    earlier = today - timedelta(days=45)
    before = _count(db)

    # An earlier date with no reason is shown with the form's other mistakes, all at once; nothing is saved.
    typed = {**_household("Grace Hopper", "1986-12-09"), "postcode": "", **date_fields("registration_date", earlier)}
    page = visitor.post(NEW, typed, form_page=NEW)
    assert page.status_code == 422
    form = assert_every_error_shown(page.text, {"postcode": "Enter the postcode",
                                                "backdating_reason": "Give the reason for registering from an earlier"})
    assert form.values["registration_date-day"] == [str(earlier.day)] and form.values["name"] == ["Grace Hopper"]
    too_long = visitor.post(NEW, {**typed, "postcode": "AT1 2BC", "backdating_reason": "x" * 2001}, form_page=NEW)
    assert too_long.status_code == 422 and "must be 2,000 characters or fewer" in too_long.text
    future = visitor.post(NEW, {**typed, "postcode": "AT1 2BC", **date_fields("registration_date",
                                                                               today + timedelta(days=1))},
                          form_page=NEW)
    assert future.status_code == 422 and "cannot be in the future" in future.text
    assert _count(db) == before

    # With the reason: registered today, the earlier date waiting for a manager, who is written to.
    reason = "Paper application received at the Civic Centre, scanned late"
    created = visitor.post(NEW, {**typed, "postcode": "AT1 2BC", "backdating_reason": reason}, form_page=NEW)
    assert created.status_code == 303
    reference = created.headers["location"].rsplit("/", 1)[1]
    with db.reading() as s:
        applicant = s.exec(select(Applicant).where(Applicant.reference == reference)).one()
        asked = s.exec(select(RegistrationBackdating)).one()
        assert applicant.registration_date == today
        assert (asked.registered_on, asked.received_on, asked.reason, asked.approved) == (earlier, today, reason, None)
        assert s.exec(select(OutboxMessage).where(OutboxMessage.template == "registration_backdating")).first()

    # The case says the earlier date is waiting, so nobody takes the registration date shown as settled.
    case = visitor.get(f"/admin/applicants/{reference}")
    assert f"Back-dating to {earlier:%-d %B %Y} asked" in case.text and "waiting for a manager's decision" in case.text

    # The officer may see it but not decide it; a manager turning it down must say why.
    listed = visitor.get(BACKDATING)
    assert listed.status_code == 200 and reference in listed.text and "Waiting for a manager" in listed.text
    decision = f"{BACKDATING}/{asked.id}/decision"
    assert visitor.post(decision, {"approve": "yes"}, form_page=BACKDATING).status_code == 403
    staff_sign_in(other_visitor, staff[StaffRole.MANAGER])
    no_reason = other_visitor.post(decision, {"approve": "no"}, form_page=BACKDATING)
    assert no_reason.status_code == 422 and "Give the reason for turning the back-dating down" in no_reason.text
    nothing = other_visitor.post(decision, {}, form_page=BACKDATING)
    assert nothing.status_code == 422 and "Say whether you approve" in nothing.text

    # Approved: the application takes the earlier date, and the audit trail has the decision with its reason.
    assert other_visitor.post(decision, {"approve": "yes", "note": "Seen the date stamp"},
                              form_page=BACKDATING).status_code == 303
    with db.reading() as s:
        assert s.get(Applicant, applicant.id).registration_date == earlier
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "registration.backdated")).one()
        assert event.applicant_id == applicant.id and event.details["reason"] == reason
        assert event.details["was"] == today.isoformat() and event.details["registered_on"] == earlier.isoformat()
    case = other_visitor.get(f"/admin/applicants/{reference}")
    assert f"Back-dating to {earlier:%-d %B %Y} approved" in case.text and "waiting for a manager" not in case.text
    twice = other_visitor.post(decision, {"approve": "no", "note": "Changed my mind"}, form_page=BACKDATING)
    assert twice.status_code == 409 and "already been decided" in twice.text


def test_a_turned_down_backdating_leaves_the_date_the_application_was_received(visitor, other_visitor, db, staff,
                                                                                world):
    staff_sign_in(visitor, "officer@example.org")
    today = local_date(now())
    created = visitor.post(NEW, {**_household("Alan Turing", "1980-06-23"),
                                 **date_fields("registration_date", today - timedelta(days=400)),
                                 "backdating_reason": "Says he applied last year"}, form_page=NEW)
    assert created.status_code == 303
    with db.reading() as s:
        asked = s.exec(select(RegistrationBackdating)).one()
    staff_sign_in(other_visitor, staff[StaffRole.MANAGER])
    assert other_visitor.post(f"{BACKDATING}/{asked.id}/decision", {"approve": "no", "note": "No record of it"},
                              form_page=BACKDATING).status_code == 303
    with db.reading() as s:
        assert s.get(Applicant, asked.applicant_id).registration_date == today
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "registration.backdating_turned_down")).one()
    page = read_form(other_visitor.get(BACKDATING).text)
    assert not page.summary


def test_a_manager_cannot_decide_a_backdating_they_asked_for(other_visitor, db, staff, world):
    """Should a manager ever ask (a role holding both rights), another manager decides."""
    with db.transaction() as s:
        manager = s.exec(select(StaffUser).where(StaffUser.email == staff[StaffRole.MANAGER])).one()
        asked = RegistrationBackdating(applicant_id=world.applicants["HR000001"], registered_on=date(2022, 6, 1),
                                       received_on=date(2023, 1, 1), reason="Found in the post room",
                                       requested_by_id=manager.id)
        s.add(asked)
        s.flush()
        asked_id = asked.id
    staff_sign_in(other_visitor, staff[StaffRole.MANAGER])
    own = other_visitor.post(f"{BACKDATING}/{asked_id}/decision", {"approve": "yes"}, form_page=BACKDATING)
    assert own.status_code == 403 and "another manager must decide it" in own.text
    with db.reading() as s:
        assert s.get(Applicant, world.applicants["HR000001"]).registration_date == date(2023, 1, 1)
        assert s.get(RegistrationBackdating, asked_id).decided_at is None
