"""Equality monitoring on the sites: an officer types in a paper form's answers and never sees them again, not on
the form and not on the case page; the household sees, changes and deletes its own; a manager reads the report
and its CSV (both databases, one app for the module)."""

import re

import pytest
from litestar.testing import TestClient

from cbl.app import create_app
from cbl.database import Database
from cbl.models import StaffUser
from cbl.models.states import StaffRole
from cbl.settings import load_settings
from tests.conftest import copy_of_migrated
from tests.e2e.conftest import Browser, staff_sign_in
from tests.support.databases import database, postgres_reachable
from tests.support.factories import PASSWORD_HASH, add_applicant, make_world
from tests.support.second_factor import KEY

ANSWERS = {"religion": "sikh", "ethnic_group": "white_roma", "sexual_orientation": "bisexual"}
SHOWN = ("Sikh", "Roma", "Bisexual")  # the words of those answers


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app(request, migrated, scheme, tmp_path_factory):
    if request.param == "postgresql" and not postgres_reachable():
        pytest.skip("no PostgreSQL server answers at CBL_TEST_POSTGRES_URL")
    with database(request.param) as url:
        copy_of_migrated(url, migrated(request.param))
        db = Database(url)
        with db.transaction() as s:
            world = make_world(s, scheme, adverts=1)
            add_applicant(s, scheme, world, "HR000001")
            s.add(StaffUser(organisation_id=world.council, email="manager@example.org", name="Mo Manager",
                            role=StaffRole.MANAGER, password_hash=PASSWORD_HASH))
        settings = load_settings({"CBL_DATABASE_URL": url, "CBL_SECRET_KEY": KEY},
                                 workdir=tmp_path_factory.mktemp("app"))
        yield create_app(settings, db=db, scheme=scheme)
        db.dispose()


@pytest.fixture
def visitor(app):
    with TestClient(app) as client:
        yield Browser(client)


def test_an_officer_types_in_a_paper_form_and_never_sees_the_answers_again(visitor):
    officer = visitor
    assert staff_sign_in(officer, "officer@example.org").status_code == 303
    case = officer.get("/admin/applicants/HR000001")
    assert 'href="/admin/applicants/HR000001/equality"' in case.text
    form = officer.get("/admin/applicants/HR000001/equality")
    assert form.status_code == 200 and "Prefer not to say" in form.text and "already held" not in form.text

    refused = officer.post("/admin/applicants/HR000001/equality", {"religion": "jedi", "sex": "robot"},
                           form_page="/admin/applicants/HR000001/equality")
    assert refused.status_code == 422
    assert refused.text.count("from the list") >= 4  # each in the summary and beside its question

    done = officer.post("/admin/applicants/HR000001/equality", ANSWERS, form_page="/admin/applicants/HR000001/equality")
    assert done.headers["location"] == "/admin/applicants/HR000001/equality?done=1"
    again = officer.get(done.headers["location"])
    assert "have been recorded" in again.text and "already held" in again.text
    assert not re.search(r'value="(sikh|white_roma|bisexual)" checked', again.text)  # an empty form, always
    case = officer.get("/admin/applicants/HR000001")
    assert case.status_code == 200 and not any(words in case.text for words in SHOWN)


def test_the_household_sees_changes_and_deletes_its_own_answers(visitor):
    household = visitor
    assert household.sign_in("HR000001").status_code == 303
    page = household.get("/account/equality")
    assert page.status_code == 200
    assert re.search(r'value="sikh" checked', page.text) and "Delete my answers" in page.text
    changed = household.post("/account/equality", {**ANSWERS, "religion": "none"})
    assert changed.headers["location"] == "/account/equality?done=saved"
    assert re.search(r'value="none" checked', household.get("/account/equality?done=saved").text)
    deleted = household.post("/account/equality", {"action": "delete"})
    assert deleted.headers["location"] == "/account/equality?done=deleted"
    after = household.get("/account/equality?done=deleted")
    assert "have been deleted" in after.text and " checked" not in after.text and "Delete my answers" not in after.text


def test_a_manager_reads_the_report_with_its_charts_and_tables_and_downloads_it(visitor):
    manager = visitor
    assert staff_sign_in(manager, "manager@example.org").status_code == 303
    report = manager.get("/admin/reports/equality")
    assert report.status_code == 200
    assert report.text.count("<svg") == 9 and 'id="counts-ethnic_group"' in report.text
    assert 'aria-labelledby="chart-sex-title chart-sex-desc"' in report.text
    assert "Equality</a>" in report.text  # in the navigation
    wrong = manager.get("/admin/reports/equality?start-day=1&start-month=4&start-year=2026&end-day=1&end-month=4"
                        "&end-year=2025")
    assert wrong.status_code == 422 and "The end of the period" in wrong.text
    download = manager.get("/admin/reports/equality.csv?from=2026-04-01&to=2027-03-31")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert "Ethnic group: households at each stage" in download.text
    assert manager.get("/admin/reports/equality.csv?from=2026-04-01&to=2020-01-01").status_code == 422
