"""A household applies online: an account confirmed by a code, the questions page by page, evidence, check your
answers, a declaration; the application joins the officers' queue as a pending application."""

import json
import re

import pytest
from sqlmodel import select

from cbl.models import (
    Applicant, EqualityAnswers, EvidenceFile, HouseholdAccount, HouseholdMember, OnlineApplication, OutboxMessage,
)
from cbl.models.states import ApplicationStatus, OnlineStatus
from tests.support.factories import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(20)


def latest_code(db, contact: str) -> str:
    with db.reading() as s:
        message = s.exec(select(OutboxMessage).where(OutboxMessage.recipient == contact,
                                                     OutboxMessage.template == "account_code")
                         .order_by(OutboxMessage.id.desc())).first()
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def make_account(visitor, db, contact="ada@example.net"):
    made = visitor.post("/apply/account", {"contact": contact, "password": PASSWORD, "confirmation": PASSWORD},
                        form_page="/apply/account")
    assert made.status_code == 303 and made.headers["location"] == "/apply/confirm", made.text
    return made


def confirm(visitor, db, contact="ada@example.net"):
    wanted = contact if "@" in contact else "44" + contact.replace(" ", "")[1:]
    confirmed = visitor.post("/apply/confirm", {"code": latest_code(db, wanted)})
    assert confirmed.headers["location"] == "/apply/application"


def day(prefix, when):
    y, m, d = when.split("-")
    return {f"{prefix}-day": d, f"{prefix}-month": m, f"{prefix}-year": y}


ANSWERS = [
    ("lead", {"name": "Ada Online", **day("date_of_birth", "1990-04-02"), "national_insurance_number": "jg 10 37 59 a",
              "sex": "F"}),
    ("joint", {"joint": "no"}),
    ("members", {"more": "yes"}),
    ("member", {"name": "Byron Online", "relationship": "child", **day("date_of_birth", "2016-05-01"), "sex": "M"}),
    ("members", {"more": "no"}),
    ("address", {"address": "1 Flat Lane, Anytown", "postcode": "at1 2bc"}),
    ("tenure", {"tenure": "private_tenant"}),
    ("area", {"years": "5"}),
    ("immigration", {"british_or_irish": "yes", "resident": "yes"}),
    ("circumstances", {"priorities": ["overcrowding"], "detail": "Two of us in one room."}),
    ("money", {"income": "18,500", "savings": "400"}),
    ("contact", {"ways": ["by_email"]}),
]


def answer_everything(visitor, answers=ANSWERS, base="/apply/application"):
    for page, fields in answers:
        assert visitor.get(f"{base}/{page}").status_code == 200, page
        answered = visitor.post(f"{base}/{page}", fields)
        assert answered.status_code == 303, (page, answered.status_code, answered.text[:3000])
    return answered


def upload(visitor, name, content, shows="identity", base="/apply/application"):
    return visitor.post(f"{base}/evidence", {"shows": shows, "action": "upload"},
                        files={"file": (name, content, "application/pdf")})


def test_a_household_makes_an_account_answers_every_page_uploads_and_sends_its_application(visitor, db, app, world):
    assert visitor.get("/apply").status_code == 200
    make_account(visitor, db)
    wrong = visitor.post("/apply/confirm", {"code": "12345x"})
    assert wrong.status_code == 422 and "The code is not right" in wrong.text
    assert visitor.get("/apply/application/lead", follow_redirects=False).headers["location"] == "/apply/confirm"
    confirm(visitor, db)

    first = visitor.get("/apply/application/lead")
    assert first.status_code == 200 and "About you" in first.text
    refused = visitor.post("/apply/application/lead", {"name": "", **day("date_of_birth", "1990-13-02"),
                                                        "national_insurance_number": "JG 10 37"})
    assert refused.status_code == 422
    assert "Enter your full name" in refused.text and "Your date of birth must be a real date" in refused.text
    assert "Enter a National Insurance number in the right format" in refused.text
    assert 'value="JG 10 37"' in refused.text  # kept as typed, to correct
    last = answer_everything(visitor)
    assert last.headers["location"] == "/apply/application/evidence"

    # Come back later: the overview shows what is done, and answers are kept on their pages.
    overview = visitor.get("/apply/application")
    assert "Completed" in overview.text and "Not yet started" in overview.text
    assert 'value="Ada Online"' in visitor.get("/apply/application/lead").text

    assert upload(visitor, "C:\\Users\\ada\\passport.pdf", PDF).headers["location"].endswith("uploaded=1")
    assert visitor.post("/apply/application/evidence", {"action": "continue"}).headers["location"] == \
        "/apply/application/equality"
    # The optional equality questions: a list's answers only, each question may be left; kept apart from the draft.
    equality_page = visitor.get("/apply/application/equality")
    assert equality_page.status_code == 200 and "Prefer not to say" in equality_page.text
    assert visitor.post("/apply/application/equality", {"action": "save", "religion": "jedi"}).status_code == 422
    assert visitor.post("/apply/application/equality", {"action": "save", "religion": "sikh",
                                                        "sexual_orientation": "bisexual"}).headers["location"] == \
        "/apply/application/check"
    check = visitor.get("/apply/application/check")
    assert check.status_code == 200
    for shown in ("Ada Online", "Byron Online", "Renting from a private landlord", "£18,500.00", "passport.pdf"):
        assert shown in check.text
    assert 'href="/apply/application/address"' in check.text  # a change link

    undeclared = visitor.post("/apply/application/check", {})
    assert undeclared.status_code == 422 and "Confirm that the information" in undeclared.text
    sent = visitor.post("/apply/application/check", {"declaration": "yes"})
    assert sent.headers["location"] == "/account?sent=1"

    with db.reading() as s:
        account = s.exec(select(HouseholdAccount).where(HouseholdAccount.email == "ada@example.net")).one()
        applicant = s.get(Applicant, account.applicant_id)
        online = s.exec(select(OnlineApplication).where(OnlineApplication.account_id == account.id)).one()
        members = s.exec(select(HouseholdMember).where(HouseholdMember.applicant_id == applicant.id)).all()
        stored = s.exec(select(EvidenceFile).where(EvidenceFile.online_application_id == online.id)).one()
        given = s.exec(select(EqualityAnswers).where(EqualityAnswers.account_id == account.id)).one()
        told = s.exec(select(OutboxMessage).where(OutboxMessage.applicant_id == applicant.id,
                                                  OutboxMessage.template == "application_received")).all()
    assert applicant.status is ApplicationStatus.PENDING and applicant.postcode == "AT1 2BC"
    assert applicant.email == "ada@example.net" and applicant.bedroom_need == 2
    assert sorted((m.name, m.national_insurance_number) for m in members) == [("Ada Online", "JG103759A"),
                                                                              ("Byron Online", None)]
    assert online.status is OnlineStatus.SUBMITTED and online.applicant_id == applicant.id
    assert online.answers["equality"] == {"seen": True} and "sikh" not in json.dumps(online.answers)
    assert (given.applicant_id, given.religion, given.sexual_orientation, given.sex) == (applicant.id, "sikh",
                                                                                         "bisexual", None)
    assert stored.original_name == "passport.pdf" and stored.content_type == "application/pdf"
    uploads = app.state["settings"].uploads_dir
    assert (uploads / stored.stored_name).read_bytes() == PDF and "passport" not in stored.stored_name
    assert len(told) == 1

    mine = visitor.get("/account?sent=1")
    assert mine.status_code == 200 and applicant.reference in mine.text
    download = visitor.get(f"/apply/evidence/{stored.id}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith('attachment; filename="passport.pdf"')
    assert download.headers["cache-control"] == "no-store"
    # Sent: nothing more to answer, and signing in again leads to the application's own pages.
    assert visitor.get("/apply/application/lead", follow_redirects=False).headers["location"] == "/account"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("notes.pdf", b"These are my notes, not a PDF at all.\n", "must be a PDF, JPEG, PNG or HEIC"),
    ("huge.pdf", b"%PDF-1.4\n" + bytes(10 * 1024 * 1024), "must be smaller than 10 MB"),
    ("empty.pdf", b"", "The selected file is empty"),
])
def test_a_bad_upload_is_refused_with_its_reason_and_nothing_is_kept(visitor, db, app, world, name, content, message):
    make_account(visitor, db)
    confirm(visitor, db)
    answer_everything(visitor, ANSWERS[:1])
    refused = upload(visitor, name, content)
    assert refused.status_code == 422 and message in refused.text
    assert 'href="#file"' in refused.text  # the summary leads to the file field
    with db.reading() as s:
        assert s.exec(select(EvidenceFile)).all() == []
    uploads = app.state["settings"].uploads_dir
    assert not uploads.exists() or not any(uploads.iterdir())


def test_a_png_is_taken_by_its_content_whatever_its_name(visitor, db, world):
    make_account(visitor, db)
    confirm(visitor, db)
    answer_everything(visitor, ANSWERS[:1])
    assert upload(visitor, "scan.pdf", PNG).status_code == 303
    with db.reading() as s:
        assert s.exec(select(EvidenceFile.content_type)).one() == "image/png"


def test_a_household_cannot_reach_another_households_file_and_staff_need_the_right(visitor, other_visitor, db, world):
    make_account(visitor, db)
    confirm(visitor, db)
    answer_everything(visitor, ANSWERS[:1])
    upload(visitor, "passport.pdf", PDF)
    with db.reading() as s:
        file_id = s.exec(select(EvidenceFile.id)).one()
    assert visitor.get(f"/apply/evidence/{file_id}").status_code == 200
    make_account(other_visitor, db, "bob@example.net")
    confirm(other_visitor, db, "bob@example.net")
    assert other_visitor.get(f"/apply/evidence/{file_id}").status_code == 404
