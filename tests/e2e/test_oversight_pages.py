"""Seeing what the system did, in the admin site: an auditor filters the audit trail and downloads it as CSV, a
manager reads a cycle's close report, reopens the cycle through its form and reads a home's void clock.

The pages are the point here, so they are drawn once, on SQLite: what they show is read by queries and services
tested on both databases (tests/integration/test_audit_trail_filters.py, test_cycle_overrides.py)."""

import csv
import io
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from admin.home import start_page
from cbl.models import AuditEvent, Cycle, Property, StaffUser, Void
from cbl.models.states import ActorKind, StaffRole, VoidStatus
from cbl.queries import audit_trail
from cbl.services import cycle_overrides
from cbl.rules.working_days import local_date
from cbl.web.auth import now
from tests.e2e.conftest import staff_sign_in


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'cbl.sqlite3'}"


def _rows(page: str, table: str) -> list[str]:
    body = page.split(f'id="{table}"', 1)[1].split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', body, re.S)


def test_an_auditor_filters_the_audit_trail_and_downloads_it_as_csv(visitor, db, staff, closed, monkeypatch):
    with db.transaction() as s:  # a name a spreadsheet would run as a formula, on an event of its own
        s.add(AuditEvent(actor_kind=ActorKind.STAFF, actor_id=1, actor_name="=cmd|' /C calc'!A0", action="case.note",
                         subject_type="case_note", subject_id=1, details={"text": "@SUM(1+1)"}))
        auditor = s.exec(select(StaffUser).where(StaffUser.role == StaffRole.AUDITOR)).one()
        assert start_page(auditor) == "/admin/audit"
    assert staff_sign_in(visitor, staff[StaffRole.AUDITOR], next="/admin/audit").status_code == 303
    page = visitor.get("/admin/audit")
    navigation = page.text.split('id="navigation"')[1].split("</ul>")[0]
    assert "Audit trail" in navigation and "Register" not in navigation
    assert len(_rows(page.text, "events")) > 4 and "cycle.closed" in page.text

    closes = visitor.get("/admin/audit?action=cycle.closed")
    assert closes.status_code == 200 and "Showing 1 to 1 of 1 events" in closes.text
    assert len(_rows(closes.text, "events")) == 1 and "bid.placed" not in closes.text.split('id="events"')[1]
    by_system = visitor.get("/admin/audit?actor=system&start-day=1&start-month=1&start-year=2026")
    assert all("(system)" in row for row in _rows(by_system.text, "events"))

    wrong = visitor.get("/admin/audit?action=made.up&end-day=31&end-month=2&end-year=2026&record_id=12")
    assert wrong.status_code == 422 and "There is a problem" in wrong.text
    for message in ("Choose what they did from the list", "To must be a real date",
                    "Choose the kind of record the id is of"):
        assert message in wrong.text, message

    download = visitor.get("/admin/audit.csv?action=case.note")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert download.headers["content-disposition"].startswith('attachment; filename="audit-trail-')
    heading, *rows = list(csv.reader(io.StringIO(download.text)))
    assert heading[:2] == ["Event", "When (UTC)"] and len(rows) == 1
    assert rows[0][5] == "'=cmd|' /C calc'!A0" and rows[0][10] == '{"text": "@SUM(1+1)"}'

    monkeypatch.setattr(audit_trail, "CSV_MAX_ROWS", 2)
    too_many = visitor.get("/admin/audit.csv")
    assert too_many.status_code == 422 and "choose more than 2 events" in too_many.text
    assert "narrow them" in too_many.text and not too_many.headers["content-type"].startswith("text/csv")


def test_a_manager_reads_the_close_report_reopens_the_cycle_and_reads_a_homes_void_clock(visitor, db, staff, closed,
                                                                                        monkeypatch):
    # The cycle closes again two days from now, whatever the day: the next cycle's opening is not this page's point.
    monkeypatch.setattr(cycle_overrides, "next_opening", lambda now, *_: now + timedelta(days=7))
    today = local_date(now())
    at = datetime(2026, 1, 23, 10, tzinfo=timezone.utc)
    with db.transaction() as s:  # P-AD2 at £95 a week: empty for 14 days now, and let last winter after 28
        home = s.exec(select(Property).where(Property.reference == "P-AD2")).one()
        s.exec(select(Void).where(Void.property_id == home.id)).one().tenancy_end_date = today - timedelta(days=14)
        earlier = Void(property_id=home.id, tenancy_end_date=date(2026, 1, 5), tenancy_start_date=date(2026, 2, 2),
                       status=VoidStatus.LET, advertised_at=at, shortlisted_at=at + timedelta(days=4))
        s.add(earlier)
        s.flush()
        earlier_id = earlier.id
    assert staff_sign_in(visitor, staff[StaffRole.MANAGER]).status_code == 303
    report = visitor.get(f"/admin/cycles/{closed.cycle}/close-report")
    assert report.status_code == 200 and "Optimal: proven the best allocation" in report.text
    assert re.search(r'id="proposed-lets">1<', report.text) and re.search(r'id="bids">3<', report.text)
    ad1, = [row for row in _rows(report.text, "proposal") if ">AD1<" in row]
    assert "HR000002" in ad1 and "band A" in ad1 and "1st on the shortlist" in ad1  # band A tops AD1's shortlist
    assert "No quota fell short" in report.text and 'id="timings"' in report.text
    assert f"/admin/cycles/{closed.cycle}/reopen" in report.text
    assert ">Cycles<" in visitor.get("/admin/cycles").text.split('id="navigation"')[1]

    form = f"/admin/cycles/{closed.cycle}/reopen"
    day = local_date(now() + timedelta(days=2))
    when = {"closes_on-day": day.day, "closes_on-month": day.month, "closes_on-year": day.year,
            "closes_time": "11:59pm"}
    refused = visitor.post(form, {"reason": "", **when}, form_page=form)
    assert refused.status_code == 422 and "Give the reason for reopening the cycle" in refused.text
    past = visitor.post(form, {"reason": "Two homes were advertised with the wrong rent",
                               **when, "closes_on-year": 2025}, form_page=form)
    assert past.status_code == 422 and "must be in the future" in past.text
    assert "Two homes were advertised with the wrong rent" in past.text  # what was typed, shown again

    done = visitor.post(form, {"reason": "Two homes were advertised with the wrong rent", **when}, form_page=form)
    assert done.status_code == 303 and done.headers["location"] == f"/admin/cycles/{closed.cycle}/close-report"
    after = visitor.get(done.headers["location"]).text
    assert "This cycle has not closed" in after and "Reason: Two homes were advertised with the wrong rent" in after
    with db.reading() as s:
        assert local_date(s.get(Cycle, closed.cycle).closes_at) == day

    page = visitor.get("/admin/stock/P-AD2").text
    assert "Empty now" in page and "Rent lost so far" in page
    live = re.search(r'id="clock-(\d+)-days">14 days<', page)
    assert live and f'id="clock-{live.group(1)}-rent-lost">£190.00<' in page
    assert f'id="clock-{earlier_id}-days">28 days<' in page and f'id="clock-{earlier_id}-rent-lost">£380.00<' in page
    stages = [re.findall(r"<td[^>]*>(.*?)</td>", row)[::3] for row in _rows(page, f"clock-{earlier_id}-stages")]
    assert stages == [["Waiting to be advertised", "18"], ["Advertised, until the shortlist", "4"],
                      ["Accepted to tenancy start", "6"]]

