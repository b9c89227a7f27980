"""An uploaded file is on disk exactly when its row is: kept once the transaction commits, gone when the
transaction (or the savepoint it was written in) fails after the file was written."""

import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from cbl.models import EvidenceFile, HouseholdAccount
from cbl.services import applying, evidence
from cbl.services.applying import Owner
from tests.support.factories import NOW, PASSWORD_HASH

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def owner(db):
    with db.transaction() as s:
        account = HouseholdAccount(email="ada@example.net", password_hash=PASSWORD_HASH, confirmed_at=NOW)
        s.add(account)
        s.flush()
        owner = Owner(account_id=account.id)
        applying.save_answer(s, owner, "lead", {"name": "Ada", "date_of_birth": "1990-01-01", "sex": ""}, NOW)
    return owner


def _on_disk(uploads):
    return sorted(path.name for path in uploads.iterdir()) if uploads.exists() else []


def _rows(db) -> int:
    with db.reading() as s:
        return s.exec(select(func.count()).select_from(EvidenceFile)).one()


def test_a_file_is_in_place_only_once_its_row_is_committed(db, owner, tmp_path):
    uploads = tmp_path / "uploads"
    with db.transaction() as s:
        stored = evidence.add_evidence(s, owner, uploads, "passport.pdf", PDF, "identity", NOW).stored_name
        assert not (uploads / stored).exists()  # not yet: the row may still fail
    assert _on_disk(uploads) == [stored]
    with db.reading() as s:
        assert evidence.read_file(uploads, s.exec(select(EvidenceFile)).one()) == PDF


def test_a_transaction_that_fails_after_the_file_was_written_leaves_no_file(db, owner, tmp_path, monkeypatch):
    uploads = tmp_path / "uploads"

    def failing(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(evidence, "audit", failing)  # after the file is written, before the commit
    with pytest.raises(RuntimeError):
        db.run(evidence.add_evidence, owner, uploads, "passport.pdf", PDF, "identity", NOW)
    assert _on_disk(uploads) == [] and _rows(db) == 0


def test_a_file_whose_row_the_database_refuses_is_removed_and_the_file_of_that_name_is_untouched(
        db, owner, tmp_path, monkeypatch):
    uploads = tmp_path / "uploads"
    kept = db.run(evidence.add_evidence, owner, uploads, "passport.pdf", PDF, "identity", NOW).stored_name
    monkeypatch.setattr(evidence.secrets, "token_hex", lambda _: kept)  # the same generated name again
    with pytest.raises(sa.exc.IntegrityError):
        db.run(evidence.add_evidence, owner, uploads, "payslip.pdf", b"%PDF-1.7 another\n%%EOF\n", "income", NOW)
    assert _on_disk(uploads) == [kept] and (uploads / kept).read_bytes() == PDF
    assert _rows(db) == 1


def test_a_savepoint_rolled_back_takes_its_file_and_the_transaction_keeps_the_others(db, owner, tmp_path):
    uploads = tmp_path / "uploads"
    with db.transaction() as s:
        with pytest.raises(RuntimeError), s.begin_nested():
            evidence.add_evidence(s, owner, uploads, "first.pdf", PDF, "identity", NOW)
            raise RuntimeError("this part is undone")
        with s.begin_nested():
            second = evidence.add_evidence(s, owner, uploads, "second.pdf", PDF, "identity", NOW).stored_name
        third = evidence.add_evidence(s, owner, uploads, "third.pdf", PDF, "identity", NOW).stored_name
    assert _on_disk(uploads) == sorted([second, third]) and _rows(db) == 2
