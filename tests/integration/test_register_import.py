"""Importing an existing register (households, members, homes) from CSV files, and exporting it again: every
problem reported and nothing written, a second run changing nothing, the round trip, and memory that does not
grow with the file."""

import csv
import io
import tracemalloc
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlmodel import func, select

from cbl.models import Applicant, AuditEvent, BandAssessment, HouseholdMember, Property
from cbl.models.states import ActorKind, ApplicationStatus, Relationship, StaffRole
from cbl.services.actors import Actor
from cbl.services.errors import NotAllowed
from cbl.services.imports import EXAMPLES, export_file, import_file, staging
from tests.support.factories import make_world

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
IMPORTER = Actor(ActorKind.SYSTEM, None, "test import")
HOUSEHOLDS = ("reference,given_name,family_name,date_of_birth,ni_number,email,phone,address,postcode,band,band_date,"
              "registration_date,status,homeless_duty,transfer,local_connection,needs")
MEMBERS = "reference,given_name,family_name,date_of_birth,sex,relationship"


@pytest.fixture
def world(db, scheme):
    with db.transaction() as s:
        return make_world(s, scheme, adverts=2)


def run(db, scheme, kind, path, *, write=True, actor=IMPORTER):
    problems = []
    outcome = db.run_keeping(lambda done: done.written, import_file, actor, scheme, kind, Path(path), NOW,
                             write=write, report=problems.append, writes=write)
    return outcome, problems


def count(db, model, *where):
    with db.reading() as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


def write(tmp_path, name, text, *, encoding="utf-8", newline="\n"):
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def household(reference, given="Ann", family="Smith", born="1980-01-01", **fields):
    values = {"ni_number": "", "email": "", "phone": "", "address": "1 High Street", "postcode": "AT1 1AA",
              "band": "C", "band_date": "2024-01-01", "registration_date": "2023-06-01", "status": "active",
              "homeless_duty": "no", "transfer": "no", "local_connection": "", "needs": ""} | fields
    cells = [reference, given, family, born, *values.values()]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


def test_the_shipped_examples_import_in_order_and_a_second_run_changes_nothing(db, scheme, world):
    for kind, added in (("homes", 3), ("households", 3), ("members", 4)):
        outcome, problems = run(db, scheme, kind, EXAMPLES / f"{kind}.csv")
        assert problems == [] and outcome.written, problems
        assert (outcome.added, outcome.changed, outcome.unchanged) == (added, 0, 0)
    with db.reading() as s:
        hassan = s.exec(select(Applicant).where(Applicant.reference == "HR-10001")).one()
        assert (hassan.household_size, hassan.bedroom_need) == (4, 3)  # a couple, a girl of 11 and a boy of 7
        assert hassan.lead_date_of_birth == date(1988, 2, 14)
        assert s.exec(select(HouseholdMember.national_insurance_number).where(
            HouseholdMember.applicant_id == hassan.id, HouseholdMember.relationship == Relationship.LEAD)).one() == (
            "AB123456C")
        assert s.exec(select(BandAssessment.band).where(BandAssessment.applicant_id == hassan.id)).all() == ["B"]
        mensah = s.exec(select(HouseholdMember.name).join(Applicant).where(Applicant.reference == "HR-10003")).one()
        assert mensah == "Grace Mensah, née Owusu"
        rent = s.exec(select(Property.weekly_rent_pence).where(Property.reference == "ATC-0001")).one()
        assert rent == 11240
    events = count(db, AuditEvent, AuditEvent.action.like("import.%"))
    assert events == 10 + 3  # one for each row written, one for each run

    for kind in ("homes", "households", "members"):
        outcome, problems = run(db, scheme, kind, EXAMPLES / f"{kind}.csv")
        assert problems == [] and (outcome.added, outcome.changed) == (0, 0) and outcome.unchanged > 0
        assert "0 added, 0 changed" in outcome.summary(kind, dry_run=False)
    assert count(db, AuditEvent, AuditEvent.action.like("import.%")) == events + 3  # the runs alone
    assert count(db, BandAssessment) == 2


def test_an_import_of_an_export_changes_nothing(db, scheme, world, tmp_path):
    for kind in ("homes", "households", "members"):
        run(db, scheme, kind, EXAMPLES / f"{kind}.csv")
    for kind in ("homes", "households", "members"):
        written = db.run_keeping(lambda _: False, export_file, IMPORTER, kind, tmp_path / f"{kind}.csv", writes=False)
        assert written > 0
        outcome, problems = run(db, scheme, kind, tmp_path / f"{kind}.csv")
        assert problems == [] and (outcome.added, outcome.changed) == (0, 0), (kind, problems)
    exported = (tmp_path / "households.csv").read_bytes().decode()
    assert exported.startswith(HOUSEHOLDS + "\r\n")  # the format's own header, Windows line ends (RFC 4180)
    assert '"Flat 2, 5 Station Road, Anytown"' in exported


def test_a_byte_order_mark_windows_line_ends_quoted_commas_and_uk_dates_are_read(db, scheme, world, tmp_path):
    text = HOUSEHOLDS + "\n" + household("hr-1", family="Smith, Jr", born="09/03/1981",
                                         address='Flat "B", 3 Mill Lane\nAnytown', band_date="31/12/2024")
    path = write(tmp_path, "households.csv", text, encoding="utf-8-sig", newline="\r\n")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    outcome, problems = run(db, scheme, "households", path)
    assert problems == [] and outcome.added == 1
    with db.reading() as s:
        applicant = s.exec(select(Applicant).where(Applicant.reference == "HR-1")).one()
        lead = s.exec(select(HouseholdMember).where(HouseholdMember.applicant_id == applicant.id)).one()
    assert lead.name == "Ann Smith, Jr" and lead.date_of_birth == date(1981, 3, 9)
    assert applicant.address == 'Flat "B", 3 Mill Lane\r\nAnytown' and applicant.band_date == date(2024, 12, 31)


def test_a_file_with_problems_in_many_rows_reports_every_one_and_writes_nothing(db, scheme, world, tmp_path):
    rows, bad = [], {}
    for number in range(300):
        row = number + 2  # the header is row 1
        if number % 3 == 0:
            rows.append(household(f"HR-{number}", born="31/02/1980"))
            bad[row] = "date_of_birth"
        elif number % 3 == 1:
            rows.append(household(f"HR-{number}", band="Z"))
            bad[row] = "band"
        else:
            rows.append(household(f"HR-{number}", given=f"Person{number}"))
    path = write(tmp_path, "households.csv", HOUSEHOLDS + "\n" + "".join(rows))
    before = count(db, Applicant)
    outcome, problems = run(db, scheme, "households", path)
    assert not outcome.written and outcome.problems == len(bad) == 200
    assert {(p.row, p.column) for p in problems} == set(bad.items())
    assert [p.row for p in problems] == sorted(p.row for p in problems)
    assert problems[0].line("households.csv") == ("households.csv:2: date_of_birth: “31/02/1980” is not a real "
                                                  "date")
    assert count(db, Applicant) == before and count(db, AuditEvent, AuditEvent.action.like("import.%")) == 0


def test_an_extra_or_missing_column_is_a_problem_naming_it(db, scheme, world, tmp_path):
    path = write(tmp_path, "members.csv", MEMBERS + ",nickname\nHR-1,Ann,Smith,2010-01-01,F,child,Annie\n")
    outcome, problems = run(db, scheme, "members", path)
    assert [(p.row, p.column) for p in problems] == [(1, "nickname")] and not outcome.written
    assert "not a column of members.csv" in problems[0].message
    path = write(tmp_path, "members.csv", "reference,given_name,family_name,date_of_birth,relationship\n")
    _, problems = run(db, scheme, "members", path)
    assert [(p.row, p.column, p.message) for p in problems] == [(1, "sex", "this column is missing from the header")]


def test_the_same_reference_or_person_twice_and_a_member_of_no_household_are_problems(db, scheme, world, tmp_path):
    path = write(tmp_path, "households.csv", HOUSEHOLDS + "\n" + household("HR-1") + household("HR-2", given="Bo")
                 + household("HR-1", given="Cy") + household("HR-3", given=" ANN ", family="smith"))
    outcome, problems = run(db, scheme, "households", path)
    assert [(p.row, p.column, p.message) for p in problems] == [
        (4, "reference", "HR-1 is also on row 2"),
        (5, "family_name", "the same person (name and date of birth) leads household HR-1 on row 2")]
    assert count(db, Applicant) == 0

    run(db, scheme, "households", write(tmp_path, "households.csv", HOUSEHOLDS + "\n" + household("HR-1")
                                        + household("HR-2", given="Bo")))
    path = write(tmp_path, "members.csv", MEMBERS + "\n" + "\n".join([
        "HR-1,Dee,Smith,2012-05-05,F,child", "HR-2,Dee,Smith,05/05/2012,F,child", "HR-9,Eve,Smith,2013-01-01,F,child",
        "HR-1,Fay,Smith,1981-01-01,F,partner", "HR-1,Gus,Smith,1982-01-01,M,partner", "HR-2,Ann,Smith,1980-01-01,,"
        "other_adult", "HR-1,Ann,Smith,1980-01-01,F,other_adult", "HR-2,Hal,Jones,2011-01-01,M,lead"]) + "\n")
    outcome, problems = run(db, scheme, "members", path)
    assert [(p.row, p.column, p.message) for p in problems] == [
        (3, "family_name", "the same person (name and date of birth) is in household HR-1: see row 2"),
        (4, "reference", "there is no household HR-9 on the register (import households.csv first)"),
        (6, "relationship", "household HR-1 has a partner on row 5 already"),
        (7, "family_name", "the same person (name and date of birth) is in household HR-1 on the register"),
        (8, "family_name", "the same person (name and date of birth) is in household HR-2: see row 7"),
        (8, "family_name", "this is the lead applicant of HR-1, whose details are in households.csv"),
        (9, "relationship", "the lead applicant is in households.csv, not members.csv")]
    assert count(db, HouseholdMember) == 2  # the leads alone


def test_a_dry_run_checks_and_writes_nothing_and_changes_are_updated_and_audited(db, scheme, world, tmp_path):
    first = write(tmp_path, "households.csv", HOUSEHOLDS + "\n" + household("HR-1") + household("HR-2", given="Bo"))
    outcome, problems = run(db, scheme, "households", first, write=False)
    assert problems == [] and outcome.added == 2 and not outcome.written and count(db, Applicant) == 0
    assert "would import" in outcome.summary("households.csv", dry_run=True)
    run(db, scheme, "households", first)
    second = write(tmp_path, "households.csv", HOUSEHOLDS + "\n" + household("HR-1", band="A", band_date="2025-02-01",
                                                                          email="ann@example.com")
                   + household("HR-2", given="Bo", status="closed"))
    outcome, problems = run(db, scheme, "households", second)
    assert (outcome.added, outcome.changed, outcome.unchanged) == (0, 2, 0)
    with db.reading() as s:
        ann = s.exec(select(Applicant).where(Applicant.reference == "HR-1")).one()
        bo = s.exec(select(Applicant).where(Applicant.reference == "HR-2")).one()
        changed = s.exec(select(AuditEvent).where(AuditEvent.action == "import.household_changed")
                         .order_by(AuditEvent.id)).all()
    assert (ann.band, ann.band_date, ann.email) == ("A", date(2025, 2, 1), "ann@example.com")
    assert bo.status is ApplicationStatus.CLOSED and bo.closed_on == date(2026, 11, 20)
    assert changed[0].details["changed"] == ["email", "band", "band_date"] and "email" not in changed[0].details
    assert changed[0].details["band"] == "A" and changed[0].applicant_id == ann.id
    assert count(db, BandAssessment, BandAssessment.applicant_id == ann.id) == 2


def test_the_leads_national_insurance_number_is_kept_with_the_lead_and_one_held_elsewhere_is_a_problem(
        db, scheme, world, tmp_path):
    def numbers():
        with db.reading() as s:
            return dict(s.exec(select(Applicant.reference, HouseholdMember.national_insurance_number).join(Applicant)
                               .where(HouseholdMember.relationship == Relationship.LEAD)).all())

    run(db, scheme, "households", write(tmp_path, "households.csv", HOUSEHOLDS + "\n"
                                        + household("HR-1", ni_number="AB123456C") + household("HR-2", given="Bo")))
    with db.transaction() as s:  # a partner's number, as the case page records it
        bo = s.exec(select(Applicant.id).where(Applicant.reference == "HR-2")).one()
        s.add(HouseholdMember(applicant_id=bo, name="Di Smith", date_of_birth=date(1982, 3, 3),
                              relationship=Relationship.PARTNER, national_insurance_number="JG103759A"))
    assert numbers() == {"HR-1": "AB123456C", "HR-2": None}

    path = write(tmp_path, "households.csv", HOUSEHOLDS + "\n" + household("HR-1", ni_number="ab 12 34 56 c")
                 + household("HR-3", given="Cy", ni_number="jg103759a") + household("HR-4", given="Ed",
                                                                                   ni_number="AB123456C")
                 + household("HR-5", given="Flo", ni_number="QQ123456E"))
    outcome, problems = run(db, scheme, "households", path)
    assert [(p.row, p.column, p.message) for p in problems] == [
        (3, "ni_number", "the same number is held for someone in household HR-2 on the register"),
        (4, "ni_number", "the same number is household HR-1's, on row 2"),
        (5, "ni_number", "“QQ123456E” is not a National Insurance number, like AB123456C")]
    assert not outcome.written

    # Numbers moved between leads in one file: each lead's row gives their own.
    path = write(tmp_path, "households.csv", HOUSEHOLDS + "\n" + household("HR-1", ni_number="CE000000A")
                 + household("HR-2", given="Bo", ni_number="AB123456C"))
    outcome, problems = run(db, scheme, "households", path)
    assert problems == [] and (outcome.added, outcome.changed) == (0, 2)
    assert numbers() == {"HR-1": "CE000000A", "HR-2": "AB123456C"}
    with db.reading() as s:
        changed = s.exec(select(AuditEvent.details).where(AuditEvent.action == "import.household_changed")).all()
    assert [d["changed"] for d in changed] == [["ni_number"], ["ni_number"]]
    assert not any("CE000000A" in str(d) for d in changed)  # personal: the trail says it changed, not to what
    db.run_keeping(lambda _: False, export_file, IMPORTER, "households", tmp_path / "out.csv", writes=False)
    exported = (tmp_path / "out.csv").read_text()
    assert "HR-1,Ann,Smith,1980-01-01,CE000000A," in exported and "HR-2,Bo,Smith,1980-01-01,AB123456C," in exported


def test_a_home_is_matched_by_its_uprn_when_its_reference_changed(db, scheme, world, tmp_path):
    header = "reference,uprn,landlord,address,postcode,area,type,bedrooms,floor,features,weekly_rent,weekly_charges\n"
    run(db, scheme, "homes", write(tmp_path, "homes.csv", header + "H-1,123,ATC,1 Road,AT1 1AA,Northgate,flat,1,,"
                                                                    ",95.00,\n"))
    outcome, problems = run(db, scheme, "homes", write(tmp_path, "homes.csv", header + "H-1A,123,ATC,1 Road,AT1 1AA,"
                                                                                     "Northgate,flat,1,0,,£95,0\n"))
    assert problems == [] and (outcome.added, outcome.changed) == (0, 1)
    assert count(db, Property, Property.reference == "H-1A") == 1 and count(db, Property, Property.uprn == "123") == 1
    outcome, problems = run(db, scheme, "homes", write(tmp_path, "homes.csv", header + "H-2,123,XYZ,2 Road,AT1 1AA,"
                                                                                     "Northgate,flat,1,0,,95,0\n"))
    assert [(p.column, p.message.split(" (")[0]) for p in problems] == [
        ("landlord", "no organisation has the code “XYZ”")]


def test_only_those_with_the_right_may_import(db, scheme, world):
    officer = Actor(ActorKind.STAFF, world.officer, "Olu Officer", StaffRole.OFFICER)
    with pytest.raises(NotAllowed):
        run(db, scheme, "homes", EXAMPLES / "homes.csv", actor=officer)


def _peak_of_a_dry_run(db, scheme, path) -> int:
    tracemalloc.start()
    try:
        outcome, problems = run(db, scheme, "households", path, write=False)
        assert problems == [] and outcome.added > 0
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # a property of the code: one database will do
def test_the_import_streams_its_file_so_memory_does_not_grow_with_its_size(db, scheme, world, tmp_path, monkeypatch):
    def households(rows: int) -> Path:
        return write(tmp_path, f"households-{rows}.csv", HOUSEHOLDS + "\n" + "".join(
            household(f"HR-{n}", given=f"Person{n}") for n in range(rows)))

    # Rows are read, checked and matched a chunk at a time (smaller here, to keep the test quick): from two
    # chunks on, the peak stays where it is.
    monkeypatch.setattr(staging, "CHUNK", 400)
    _peak_of_a_dry_run(db, scheme, households(100))  # the first run imports modules and fills caches
    small, large = _peak_of_a_dry_run(db, scheme, households(800)), _peak_of_a_dry_run(db, scheme, households(4_000))
    assert large < small * 1.25, (small, large)  # five times the rows, not five times the memory


def test_the_command_prints_each_problem_as_file_row_column_and_exits_1_having_written_nothing(
        db, scheme, world, tmp_path, monkeypatch, capsys):
    from cbl.cli import main

    monkeypatch.setenv("CBL_DATABASE_URL", db.url)
    monkeypatch.chdir(tmp_path)
    bad = write(tmp_path, "households.csv", HOUSEHOLDS + "\n" + household("HR-1", band="Z") + household(
        "HR-2", given="Bo", born="1980-13-01", status="gone"))
    assert main(["import", "households", str(bad)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [f"{bad}:2: band: “Z” is not one of A, B, C, D",
                         f"{bad}:3: date_of_birth: “1980-13-01” is not a real date",
                         f"{bad}:3: status: “gone” is not one of pending, active, suspended, housed, closed"]
    assert lines[3] == f"3 problems in {bad}: nothing was written. Put them right and run the import again."
    assert count(db, Applicant) == 0

    assert main(["import", "homes", str(EXAMPLES / "homes.csv"), "--dry-run"]) == 0
    assert "would import: 3 rows, 3 added" in capsys.readouterr().out and count(db, Property) == 2
    assert main(["import", "homes", str(EXAMPLES / "homes.csv")]) == 0
    assert count(db, Property) == 5
    assert main(["export", "homes", str(tmp_path / "out.csv")]) == 0
    assert "Exported 5 homes" in capsys.readouterr().out
    assert main(["import", "homes", str(tmp_path / "out.csv")]) == 0
    assert "0 added, 0 changed, 5 unchanged" in capsys.readouterr().out
    assert main(["import", "homes", str(tmp_path / "missing.csv")]) == 1
