"""`cbl backup` and `cbl restore`: a round trip brings back exactly what was saved, on SQLite and PostgreSQL."""

from sqlmodel import func, select

from cbl import cli
from cbl.models import Applicant, AuditEvent
from tests.support.factories import add_applicant, make_world


def _counts(db) -> tuple[int, int]:
    with db.reading() as s:
        return (s.exec(select(func.count()).select_from(Applicant)).one(),
                s.exec(select(func.count()).select_from(AuditEvent)).one())


def test_a_backup_restores_the_database_as_it_was(db, scheme, tmp_path, monkeypatch, capsys):
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=2)
        add_applicant(s, scheme, world, "HR000001", band="B")
    before = _counts(db)
    monkeypatch.setenv("CBL_DATABASE_URL", db.url)
    monkeypatch.chdir(tmp_path)
    saved = tmp_path / "backups" / "cbl.backup"
    assert cli.main(["backup", str(saved)]) == 0 and saved.stat().st_size > 0

    with db.transaction() as s:  # life goes on after the backup
        add_applicant(s, scheme, world, "HR000002", band="A")
        s.get(Applicant, world.applicants["HR000001"]).band = "D"
    assert _counts(db)[0] == before[0] + 1
    assert cli.main(["restore", str(saved)]) == 2  # refuses without --yes
    db.dispose()
    assert cli.main(["restore", str(saved), "--yes"]) == 0
    assert _counts(db) == before
    with db.reading() as s:
        assert s.exec(select(Applicant.band).where(Applicant.reference == "HR000001")).one() == "B"
        assert s.exec(select(Applicant).where(Applicant.reference == "HR000002")).first() is None
    assert cli.main(["restore", str(tmp_path / "missing.backup"), "--yes"]) == 1
    assert "no backup" in capsys.readouterr().err
