"""A manager imports files on the admin site: upload, the check's report, confirm, and the import run in the
background with its progress page; a file over the configured limit is refused with a message."""

import csv
import io
import time

import pytest
from litestar.testing import TestClient
from sqlmodel import func, select

from cbl.app import create_app
from cbl.models import Property
from cbl.models.states import StaffRole
from cbl.services.imports import EXAMPLES
from cbl.settings import load_settings
from tests.e2e.conftest import Browser, staff_sign_in

LIMIT = 4096


@pytest.fixture
def app(db, scheme, tmp_path):
    settings = load_settings({"CBL_DATABASE_URL": db.url, "CBL_SECRET_KEY": "test-secret-key-" * 3,
                              "CBL_IMPORT_MAX_BYTES": str(LIMIT), "CBL_IMPORT_DIR": str(tmp_path / "imports")},
                             workdir=tmp_path)
    return create_app(settings, db=db, scheme=scheme)


@pytest.fixture
def manager(app, staff):
    with TestClient(app) as client:
        browser = Browser(client)
        assert staff_sign_in(browser, staff[StaffRole.MANAGER]).status_code == 303
        yield browser


def upload(browser, kind, name, content: bytes):
    return browser.post("/admin/imports/upload", {"kind": kind}, form_page="/admin/imports",
                        files={"file": (name, content, "text/csv")})


def settled(browser, page):
    """The run's page once the background work is over (it refreshes itself until then)."""
    for _ in range(300):
        answer = browser.get(page)
        if 'http-equiv="refresh"' not in answer.text:
            return answer.text
        time.sleep(0.1)
    raise AssertionError(f"{page} still working")


def homes(db):
    with db.reading() as s:
        return s.exec(select(func.count()).select_from(Property)).one()


def test_a_manager_uploads_reads_the_check_confirms_and_the_file_is_imported(manager, db):
    assert 'href="/admin/imports"' in manager.get("/admin/imports").text  # in the navigation
    before = homes(db)
    answer = upload(manager, "homes", "homes.csv", (EXAMPLES / "homes.csv").read_bytes())
    assert answer.status_code == 303
    page = answer.headers["location"]
    checked = settled(manager, page)
    assert "none with a problem" in checked and "Would be added" in checked and homes(db) == before
    assert manager.post(f"{page}/confirm", form_page=page).status_code == 303
    done = settled(manager, page)
    assert "Imported: every row has been written" in done and homes(db) == before + 3
    again = manager.post(f"{page}/confirm", form_page=page)
    assert again.status_code == 409 and "only a checked file can be imported" in again.text


def test_the_check_reports_the_problems_and_lists_them_all_as_csv(manager, db):
    rows = "reference,uprn,landlord,address,postcode,area,type,bedrooms,floor,features,weekly_rent,weekly_charges\n"
    rows += "".join(f"=H{n},,ATC,1 Road,AT1 1AA,Northgate,castle,1,0,,95.00,\n" for n in range(30))
    answer = upload(manager, "homes", "homes.csv", rows.encode())
    page = answer.headers["location"]
    report = settled(manager, page)
    assert "The check found 60 problems in 30 rows" in report and "castle" in report
    assert f'action="{page}/confirm"' not in report
    listed = list(csv.reader(io.StringIO(manager.get(f"{page}/problems.csv").text)))
    assert listed[0] == ["row", "column", "problem"] and len(listed) == 61
    assert listed[1] == ["2", "reference", "“=H0” is not a reference: up to 32 letters, digits or hyphens"]
    assert listed[2] == ["2", "type", "“castle” is not one of flat, house, bungalow, maisonette, bedsit"]
    assert manager.post(f"{page}/confirm", form_page=page).status_code == 409


def test_a_file_over_the_limit_or_no_file_is_refused_with_a_message(manager):
    too_big = upload(manager, "homes", "homes.csv", b"x" * (LIMIT + 1))
    assert too_big.status_code == 413 and "The file is larger than 4,096 bytes" in too_big.text
    nothing = manager.post("/admin/imports/upload", {"kind": "homes"}, form_page="/admin/imports")
    assert nothing.status_code == 422 and "Choose the CSV file to import" in nothing.text
    far_too_big = upload(manager, "homes", "homes.csv", b"x" * (LIMIT + 70 * 1024))
    assert far_too_big.status_code == 413


def test_the_page_of_a_run_shows_how_far_it_has_got_and_says_when_it_was_stopped(manager, db, staff, monkeypatch):
    from datetime import datetime, timedelta, timezone

    from cbl.models import ImportRun, StaffUser
    from cbl.models.states import ImportStatus
    from cbl.services.imports import jobs

    with db.transaction() as s:
        by = s.exec(select(StaffUser.id).where(StaffUser.email == staff[StaffRole.MANAGER])).one()
        running = ImportRun(kind="members", file_name="members.csv", stored_as="/nowhere/a.csv", size_bytes=10,
                            status=ImportStatus.IMPORTING, uploaded_by_id=by)
        stopped = ImportRun(kind="members", file_name="members.csv", stored_as="/nowhere/b.csv", size_bytes=10,
                            status=ImportStatus.CHECKING, uploaded_by_id=by,
                            uploaded_at=datetime.now(timezone.utc) - timedelta(hours=3))
        s.add_all([running, stopped])
        s.flush()
        ids = running.id, stopped.id
    monkeypatch.setitem(jobs._progress, ids[0], ("writing", 12000, 250000))
    page = manager.get(f"/admin/imports/{ids[0]}").text
    assert "Writing: 12,000 of 250,000 rows." in page and 'http-equiv="refresh"' in page
    page = manager.get(f"/admin/imports/{ids[1]}").text
    assert "it was stopped" in page and 'http-equiv="refresh"' not in page
