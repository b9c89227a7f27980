"""A full disk or a read-only database file: a clear 503 that says nothing was saved, and a database that
is still whole afterwards."""

import sqlite3
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from litestar.testing import TestClient
from sqlmodel import func, select

from cbl.app import create_app
from cbl.database import Database, upgrade
from cbl.settings import load_settings
from tests.e2e.conftest import Browser
from tests.support.factories import add_applicant, make_world


@pytest.fixture
def sqlite_file(tmp_path, scheme):
    path = tmp_path / "cbl.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    db = Database(url)
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=2, now=datetime.now(timezone.utc))
        add_applicant(s, scheme, world, "HR000001", band="B")
    db.dispose()
    return path


def _whole(path) -> bool:
    with sqlite3.connect(path) as check:
        return check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_read_only_database_answers_a_clear_503_and_keeps_what_it_had(sqlite_file, scheme, tmp_path):
    db = Database(f"sqlite:///file:{sqlite_file}?mode=ro&uri=true")
    try:
        settings = load_settings({"CBL_DATABASE_URL": db.url, "CBL_SECRET_KEY": "k" * 40}, workdir=tmp_path)
        with TestClient(create_app(settings, db=db, scheme=scheme)) as client:
            assert client.get("/adverts").status_code == 200  # reading still works
            answer = client.post("/api/v1/tokens", json={"reference": "HR000001", "password": "whatever pass"})
            assert answer.status_code == 503
            assert "cannot save anything" in answer.json()["error"]["message"]
            page = Browser(client).post("/sign-in", {"reference": "HR000001", "password": "x" * 12})
            assert page.status_code == 503 and "Nothing was changed" in page.text
    finally:
        db.dispose()
    assert _whole(sqlite_file)


def test_a_full_disk_refuses_the_write_whole_and_the_database_stays_sound(sqlite_file, scheme, tmp_path):
    from cbl.models import CaseNote
    from tests.e2e.conftest import staff_sign_in

    db = Database(f"sqlite:///{sqlite_file}")
    disk = {"full": False}

    @sa.event.listens_for(db.engine, "checkout")
    def _fill(connection, _record, _proxy):  # once full, no page beyond those in use
        if disk["full"]:
            pages = connection.execute("PRAGMA page_count").fetchone()[0]
            connection.execute(f"PRAGMA max_page_count = {pages}")

    try:
        settings = load_settings({"CBL_DATABASE_URL": db.url, "CBL_SECRET_KEY": "k" * 40}, workdir=tmp_path)
        with TestClient(create_app(settings, db=db, scheme=scheme)) as client:
            officer = Browser(client)
            assert staff_sign_in(officer, "officer@example.org").status_code == 303
            case = "/admin/applicants/HR000001"
            token = officer.token(case)
            db.engine.dispose()
            with sqlite3.connect(sqlite_file) as packed:
                packed.execute("VACUUM")  # no free pages left inside the file (migrations drop indexes)
            disk["full"] = True  # every connection from now on sees the full disk
            answer = client.post(f"{case}/notes", data={"note": "A long note. " * 600, "_csrf_token": token},
                                 follow_redirects=False)
            assert answer.status_code == 503 and "cannot save anything" in answer.text
        with db.reading() as s:
            assert s.exec(select(func.count()).select_from(CaseNote)).one() == 0  # nothing half-written
    finally:
        db.dispose()
    assert _whole(sqlite_file)
