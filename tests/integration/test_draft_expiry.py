"""Drafts not saved for the scheme's 90 days are deleted with their files, a warning sent 14 days before; the job
is safe to run again, and saving a draft starts its time afresh."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from cbl.models import EqualityAnswers, EvidenceFile, HouseholdAccount, OnlineApplication, OutboxMessage
from cbl.services import applying, evidence
from cbl.services.applying import Owner
from scheduler import jobs
from tests.support.factories import NOW, PASSWORD_HASH

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def configured(db, scheme, tmp_path):
    jobs.configure(jobs.Runtime(db, scheme, ZoneInfo("Europe/London"), uploads=tmp_path / "uploads"))
    yield tmp_path / "uploads"
    jobs._runtime = None


def _draft_with_a_file(db, uploads, contact="ada@example.net"):
    with db.transaction() as s:
        account = HouseholdAccount(email=contact, password_hash=PASSWORD_HASH, confirmed_at=NOW, created_at=NOW)
        s.add(account)
        s.flush()
        owner = Owner(account_id=account.id)
        applying.save_answer(s, owner, "lead", {"name": "Ada", "date_of_birth": "1990-01-01", "sex": ""}, NOW)
        stored = evidence.add_evidence(s, owner, uploads, "passport.pdf", PDF, "identity", NOW).stored_name
        applying.pass_equality_questions(s, owner, {"religion": "none"}, NOW)  # kept apart from the draft
    return owner, stored


def _warnings(db):
    with db.reading() as s:
        return s.exec(select(OutboxMessage).where(OutboxMessage.template == "draft_expiring")).all()


def _drafts(db):
    with db.reading() as s:
        return s.exec(select(OnlineApplication)).all()


def test_a_draft_left_for_90_days_is_warned_of_then_deleted_with_its_file(db, configured):
    uploads = configured
    _, stored = _draft_with_a_file(db, uploads)
    jobs.expire_drafts(NOW + timedelta(days=75, hours=23))
    assert _warnings(db) == [] and len(_drafts(db)) == 1

    jobs.expire_drafts(NOW + timedelta(days=76))
    warning, = _warnings(db)
    assert warning.recipient == "ada@example.net"
    assert "will be deleted on" in warning.subject and "any files you uploaded" in warning.body
    jobs.expire_drafts(NOW + timedelta(days=76, hours=5))  # again: no second warning
    assert len(_warnings(db)) == 1

    jobs.expire_drafts(NOW + timedelta(days=89, hours=23))
    assert len(_drafts(db)) == 1 and (uploads / stored).exists()
    with db.reading() as s:
        assert s.exec(select(EqualityAnswers.religion)).all() == ["none"]
    jobs.expire_drafts(NOW + timedelta(days=90))
    assert _drafts(db) == [] and not (uploads / stored).exists()
    with db.reading() as s:
        assert s.exec(select(EvidenceFile)).all() == [] and s.exec(select(EqualityAnswers)).all() == []
    jobs.expire_drafts(NOW + timedelta(days=91))  # and again: nothing more to do
    assert len(_warnings(db)) == 1


def test_saving_a_draft_again_starts_its_time_afresh_and_a_late_warning_still_gives_14_days(db, configured):
    owner, _ = _draft_with_a_file(db, configured)
    jobs.expire_drafts(NOW + timedelta(days=80))  # warned
    db.run(applying.save_answer, owner, "joint", {"joint": "no"}, NOW + timedelta(days=81))
    jobs.expire_drafts(NOW + timedelta(days=100))  # 19 days since it was saved: nothing
    assert len(_drafts(db)) == 1 and len(_warnings(db)) == 1

    # The scheduler was down past the 90 days: the warning comes first, the deletion 14 days after it.
    jobs.expire_drafts(NOW + timedelta(days=81 + 120))
    assert len(_warnings(db)) == 2 and len(_drafts(db)) == 1
    jobs.expire_drafts(NOW + timedelta(days=81 + 120 + 13))
    assert len(_drafts(db)) == 1
    jobs.expire_drafts(NOW + timedelta(days=81 + 120 + 14))
    assert _drafts(db) == []
