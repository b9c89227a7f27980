"""Downsizing and decants through the admin site: a household under-occupying its home is marked as downsizing (its
band changes, a letter goes); a regeneration scheme decants two households; an officer asks for a home loss payment and
a disturbance claim with its receipt; whoever asked cannot approve it; another manager approves with a rent arrears
offset; it is recorded paid; each step's letter is in the outbox, and the figures show the totals."""

import io
import json
import zipfile
from datetime import date

from sqlmodel import select

from cbl.models import Applicant, MovePayment, OutboxMessage, PaymentReceipt, StaffUser
from cbl.models.moves import PaymentKind
from cbl.models.states import StaffRole
from cbl.rules.working_days import local_date
from cbl.web.auth import now
from tests.e2e.conftest import Browser, staff_sign_in
from tests.support.factories import PASSWORD_HASH
from tests.support.forms import assert_every_error_shown, date_fields

PDF = b"%PDF-1.4\n%%EOF\n"
CASE = "/admin/applicants/HR000001/moves"
DISPLACED = date(2024, 6, 3)  # under the 2023 regulations' amounts (in force from 1 October 2023): £8,100


def _band(db, reference: str) -> str:
    with db.reading() as s:
        return s.exec(select(Applicant.band).where(Applicant.reference == reference)).one()


def _letters(db, reference: str) -> list[tuple[str, str]]:
    with db.reading() as s:
        return [(m.template, m.subject) for m in s.exec(
            select(OutboxMessage).join(Applicant, Applicant.id == OutboxMessage.applicant_id)
            .where(Applicant.reference == reference).order_by(OutboxMessage.id))]


def _payments(db) -> dict[PaymentKind, MovePayment]:
    """HR000001's payments by kind."""
    with db.reading() as s:
        return {p.kind: p for p in s.exec(select(MovePayment).join(Applicant, Applicant.id == MovePayment.applicant_id)
                                          .where(Applicant.reference == "HR000001"))}


def test_downsizing_decants_and_payments_run_end_to_end_with_their_letters(app, db, staff, world, other_visitor):
    with db.transaction() as s:
        council = s.exec(select(StaffUser.organisation_id).where(StaffUser.email == "officer@example.org")).one()
        s.add(StaffUser(organisation_id=council, email="second.manager@example.org", name="Sol Second",
                        role=StaffRole.MANAGER, password_hash=PASSWORD_HASH))
    officer = other_visitor
    staff_sign_in(officer, "officer@example.org")
    today = local_date(now())
    assert 'href="/admin/applicants/HR000001/moves"' in officer.get("/admin/applicants/HR000001").text

    # A form refused shows every error at once, and keeps what was typed.
    refused = officer.post(f"{CASE}/tenancy", {"landlord": "", "bedrooms": "lots", "address": "1 Low Road"},
                           form_page=CASE)
    assert refused.status_code == 422
    shown = assert_every_error_shown(refused.text, {"landlord": "Enter the landlord", "bedrooms": "whole number",
                                                    "tenancy_start": "Enter date the tenancy began"})
    assert shown.values["address"] == ["1 Low Road"] and shown.values["bedrooms"] == ["lots"]

    saved = officer.post(f"{CASE}/tenancy", {"landlord": "Anytown Council", "bedrooms": "3", "address": "1 Low Road",
                                             **date_fields("tenancy_start", date(2020, 1, 6))}, form_page=CASE)
    assert saved.status_code == 303
    assert _band(db, "HR000001") == "C"
    assert officer.post(f"{CASE}/downsizing", {}, form_page=CASE).status_code == 303
    assert _band(db, "HR000001") == "B"  # the scheme's downsizing band, from today
    assert _letters(db, "HR000001")[-1][0] == "downsizing_decision"
    again = officer.post(f"{CASE}/downsizing", {}, form_page=CASE)
    assert again.status_code == 409 and "already marked as downsizing" in again.text

    # The incentive: 2 bedrooms released at £1,000 each, removal costs of £600 paid up to their £500 maximum.
    asked = officer.post(f"{CASE}/downsizing-payment", {"new_bedrooms": "1", "removal": "600"}, form_page=CASE)
    assert asked.status_code == 303
    found = _payments(db)
    assert found[PaymentKind.DOWNSIZING_INCENTIVE].claimed_pence == 200_000
    assert found[PaymentKind.REMOVAL_COSTS].claimed_pence == 50_000

    # A regeneration scheme decanting two households.
    created = officer.post("/admin/regeneration-schemes", {"name": "Northgate Estate", "area": "Blocks A to D",
                                                           **date_fields("decant_date", date(2027, 3, 31))},
                           form_page="/admin/regeneration-schemes")
    assert created.status_code == 303
    scheme_page = "/admin/regeneration-schemes/1"
    for reference in ("HR000001", "HR000003"):
        added = officer.post(f"{scheme_page}/households", {"reference": reference}, form_page=scheme_page)
        assert added.status_code == 303, added.text
    assert _band(db, "HR000001") == "A" and _band(db, "HR000003") == "A"  # the decants band beats both
    assert _letters(db, "HR000003")[-1][0] == "decant_decision"
    twice = officer.post(f"{scheme_page}/households", {"reference": "HR000003"}, form_page=scheme_page)
    assert twice.status_code == 409 and "in this regeneration scheme already" in twice.text
    listed = officer.get(scheme_page)
    assert "HR000001" in listed.text and "HR000003" in listed.text

    # Home loss: the amount in force on the date of displacement; a date past the scheme's newest amounts is refused.
    stale = officer.post(f"{CASE}/home-loss", {"regeneration": "1", **date_fields("displaced_on", today)},
                         form_page=CASE)
    assert stale.status_code == 422 and "add their amounts" in stale.text
    loss = officer.post(f"{CASE}/home-loss", {"regeneration": "1", **date_fields("displaced_on", DISPLACED)},
                        form_page=CASE)
    assert loss.status_code == 303
    assert _payments(db)[PaymentKind.HOME_LOSS].claimed_pence == 810_000

    # A disturbance claim needs its receipt; with one it is taken.
    claim = {"regeneration": "1", **date_fields("displaced_on", DISPLACED), "claimed": "450.00",
             "what": "Removal van and reconnecting the cooker"}
    no_receipt = officer.post(f"{CASE}/disturbance", claim, form_page=CASE)
    assert no_receipt.status_code == 422 and "Upload at least one receipt" in no_receipt.text
    assert "Removal van and reconnecting the cooker" in no_receipt.text  # nothing typed is lost
    sent = officer.post(f"{CASE}/disturbance", claim, form_page=CASE,
                        files=[("file", ("van receipt.pdf", PDF, "application/pdf")),
                               ("file", ("cooker.pdf", PDF, "application/pdf"))])
    assert sent.status_code == 303
    disturbance = _payments(db)[PaymentKind.DISTURBANCE]
    assert "with 2 receipts" in disturbance.worked_out
    with db.reading() as s:
        receipt = s.exec(select(PaymentReceipt).order_by(PaymentReceipt.id)).first()
    assert officer.get(f"/admin/move-payments/{disturbance.id}/receipts/{receipt.id}").content == PDF

    # An officer cannot approve; a manager cannot approve what they asked for; another manager can.
    home_loss = _payments(db)[PaymentKind.HOME_LOSS]
    decision = f"/admin/move-payments/{home_loss.id}/decision"
    assert officer.post(decision, {"approve": "yes"}, form_page="/admin/move-payments").status_code == 403
    with app_client(app) as first_manager:  # a manager asks for a payment: another manager decides it
        staff_sign_in(first_manager, "manager@example.org")
        case3 = "/admin/applicants/HR000003/moves"
        assert first_manager.post(f"{case3}/tenancy", {"landlord": "Anytown Council", "bedrooms": "2",
                                                       **date_fields("tenancy_start", date(2019, 4, 1))},
                                  form_page=case3).status_code == 303
        assert first_manager.post(f"{case3}/home-loss", {"regeneration": "1",
                                                         **date_fields("displaced_on", DISPLACED)},
                                  form_page=case3).status_code == 303
        with db.reading() as s:
            theirs = s.exec(select(MovePayment.id).join(Applicant, Applicant.id == MovePayment.applicant_id)
                            .where(Applicant.reference == "HR000003")).one()
        refused_own = first_manager.post(f"/admin/move-payments/{theirs}/decision", {"approve": "yes"},
                                         form_page="/admin/move-payments")
        assert refused_own.status_code == 403
        assert "You asked for this payment; another manager must decide it." in refused_own.text

    with app_client(app) as manager:
        staff_sign_in(manager, "second.manager@example.org")
        work = manager.get("/admin")
        assert "Payments to approve" in work.text
        assert "Home loss payment of £8,100.00: approve or refuse it" in work.text
        wrong = manager.post(decision, {"approve": "yes", "approved": "8000", "arrears": "100",
                                        "arrears_note": ""}, form_page="/admin/move-payments")
        assert wrong.status_code == 422
        assert "prescribes" in wrong.text
        approved = manager.post(decision, {"approve": "yes", "arrears": "100.00",
                                           "arrears_note": "Rent account 1234, arrears to 31 May 2024"},
                                form_page="/admin/move-payments")
        assert approved.status_code == 303
        less = manager.post(f"/admin/move-payments/{disturbance.id}/decision",
                            {"approve": "yes", "approved": "400", "note": "The van hire's reasonable cost is £400."},
                            form_page="/admin/move-payments")
        assert less.status_code == 303
        report = manager.get("/admin/reports/move-payments")
        assert report.status_code == 200
        # Asked for: £2,000 + £500 + £8,100 + £450 (HR000001) + £8,100 (HR000003); approved: £8,100 + £400.
        assert "5: £19,150.00" in report.text and "2: £8,500.00" in report.text
        csv = manager.get("/admin/reports/move-payments.csv")
        assert csv.status_code == 200 and "Northgate Estate" in csv.text
        archive = manager.post("/admin/applicants/HR000001/subject-access", {}, form_page="/admin/applicants/HR000001")
        with zipfile.ZipFile(io.BytesIO(archive.content)) as opened:
            held = json.loads(opened.read("moves.json"))
        assert held["social_home"]["bedrooms"] == 3 and len(held["payments"]) == 4
        assert held["receipts"][0]["original_name"] == "van receipt.pdf" and "stored_name" not in held["receipts"][0]

    with db.reading() as s:
        found = {p.kind: p for p in s.exec(select(MovePayment).join(Applicant, Applicant.id == MovePayment.applicant_id)
                                           .where(Applicant.reference == "HR000001"))}
    assert found[PaymentKind.HOME_LOSS].to_pay_pence == 800_000
    assert found[PaymentKind.DISTURBANCE].approved_pence == 40_000
    for payment in (found[PaymentKind.HOME_LOSS], found[PaymentKind.DISTURBANCE]):
        done = officer.post(f"/admin/move-payments/{payment.id}/paid", date_fields("paid_on", today),
                            form_page="/admin/move-payments")
        assert done.status_code == 303
    assert officer.post(f"/admin/move-payments/{found[PaymentKind.HOME_LOSS].id}/paid",
                        date_fields("paid_on", today), form_page="/admin/move-payments").status_code == 409

    timeline = officer.get("/admin/applicants/HR000001")
    assert timeline.status_code == 200 and "moves.payment_paid" in timeline.text
    letters = _letters(db, "HR000001")
    subjects = [subject for template, subject in letters if template == "move_payment"]
    assert "Your home loss payment is approved" in subjects and "We have paid your disturbance payment" in subjects
    with db.reading() as s:
        paid_letter = s.exec(select(OutboxMessage.body).where(
            OutboxMessage.subject == "We have paid your home loss payment")).one()
    assert "£100.00" in paid_letter and "£8,000.00" in paid_letter and "section 30(2)" in paid_letter
    with db.reading() as s:
        disturbance_letter = s.exec(select(OutboxMessage.body).where(
            OutboxMessage.subject == "Your disturbance payment is approved")).one()
    assert "Upper Tribunal (Lands Chamber)" in disturbance_letter and "£400.00" in disturbance_letter


class app_client:  # noqa: N801 - used as a context manager, like TestClient itself
    """Another signed-in visitor on the same app."""

    def __init__(self, app) -> None:
        from litestar.testing import TestClient

        self.client = TestClient(app)

    def __enter__(self) -> Browser:
        return Browser(self.client.__enter__())

    def __exit__(self, *exc) -> None:
        self.client.__exit__(*exc)
