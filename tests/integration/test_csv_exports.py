"""Every CSV export goes through the one writer: a name typed as a formula reaches a spreadsheet as text.

(The compliance report's and the CORE file's own tests check theirs: tests/integration/test_compliance.py
and tests/unit/test_core_export.py.)"""

import csv
import io
import zipfile
from datetime import date, datetime, timezone

import pytest
from sqlmodel import select

from cbl.models import Applicant, Bid, ShortlistEntry, StaffUser
from cbl.models.states import StaffRole
from cbl.reports.csv_files import csv_text, records_csv, safe_cell, sections_csv
from cbl.reports.dashboard import Table, table_csv
from cbl.reports.review_report import ReviewReport, Tally, report_csv
from cbl.reports.subject_access import subject_access_archive
from cbl.services import actors
from tests.support.factories import add_applicant, make_world

FORMULA = '=HYPERLINK("http://x")'


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("text", [FORMULA, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tname", "\rname"])
def test_a_cell_that_a_spreadsheet_would_run_is_written_as_text(text):
    assert safe_cell(text) == "'" + text
    assert _rows(csv_text([[text, "next"]])) == [["'" + text, "next"]]  # still one cell, quoted as needed


@pytest.mark.parametrize("value, written", [(-5, "-5"), ("-5", "-5"), ("-2.5", "-2.5"), (0, "0"), (None, ""),
                                            (date(2026, 4, 1), "2026-04-01"), ("Anytown", "Anytown")])
def test_numbers_dates_and_plain_text_are_written_as_they_are(value, written):
    assert safe_cell(value) == written


def test_sections_are_separated_by_a_blank_line_and_records_keep_their_keys():
    assert _rows(sections_csv([["a", 1]], [["b", 2]])) == [["a", "1"], [], ["b", "2"]]
    assert _rows(records_csv([{"name": FORMULA, "bids": 3}])) == [["name", "bids"], ["'" + FORMULA, "3"]]


def test_the_dashboard_csv_writes_a_landlord_named_as_a_formula_as_text():
    table = Table("void_days", "Void days by landlord", ("Landlord", "Lets", "Days"), ((FORMULA, "3", "-1"),),
                  ((FORMULA, 3.0),), "days")
    assert _rows(table_csv(table)) == [["Landlord", "Lets", "Days"], ["'" + FORMULA, "3", "-1"]]


def test_the_review_report_csv_writes_a_decision_maker_named_as_a_formula_as_text():
    tally = Tally(received=2, decided=2, in_time=0, overturned=1)
    report = ReviewReport(date(2026, 4, 1), date(2026, 6, 30), {"2026-04": tally}, {"bedroom_need": tally},
                          {FORMULA: tally}, {}, tally)
    rows = _rows(report_csv(report))
    maker = next(row for row in rows if row and row[0].endswith(FORMULA))
    assert maker[0] == "'" + FORMULA
    assert maker[4] == "0"  # none decided in time is 0%, not an empty cell


def test_the_subject_access_csvs_write_what_was_typed_as_a_formula_as_text(db, scheme):
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=1)
        applicant = add_applicant(s, scheme, world, "HR000001")
        bid = Bid(advert_id=1, applicant_id=applicant.id, cycle_id=world.cycle, preference=1)
        s.add(bid)
        s.flush()
        s.add(ShortlistEntry(advert_id=1, applicant_id=applicant.id, bid_id=bid.id, position=1, eligible=True,
                             skip_note=FORMULA))
        s.add(StaffUser(organisation_id=world.council, email="manager@example.org", name="Mo Manager",
                        role=StaffRole.MANAGER, password_hash="x"))
    with db.transaction() as s:
        manager = actors.staff(s.exec(select(StaffUser).where(StaffUser.role == StaffRole.MANAGER)).one())
        assert s.exec(select(Applicant)).one().reference == "HR000001"
        _, archive = subject_access_archive(s, manager, "HR000001", datetime(2026, 11, 20, tzinfo=timezone.utc))
    rows = _rows(zipfile.ZipFile(io.BytesIO(archive)).read("shortlists.csv").decode())
    assert rows[1][rows[0].index("skip_note")] == "'" + FORMULA
