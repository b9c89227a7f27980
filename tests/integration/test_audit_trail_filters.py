"""The audit trail as auditors and managers read it (cbl/queries/audit_trail.py): each filter narrows the events,
the lists to choose from are the trail's own, a count stops at the CSV's maximum, and the CSV holds the events
chosen with every would-be formula made harmless."""

import csv
import io
from datetime import date, datetime, timezone

import pytest

from cbl.models import Applicant, AuditEvent, StaffUser
from cbl.models.states import ActorKind, ApplicationStatus, StaffRole
from cbl.queries import audit_trail
from cbl.queries.audit_trail import Filters
from cbl.reports.csv_files import csv_chunks
from cbl.database import Database
from tests.conftest import copy_of_migrated
from tests.support.databases import database, postgres_reachable
from tests.support.factories import PASSWORD_HASH


def _utc(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=timezone.utc)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request, migrated):
    """One database of each kind for the module: its tests only read the trail."""
    if request.param == "postgresql" and not postgres_reachable():
        pytest.skip("no PostgreSQL server answers at CBL_TEST_POSTGRES_URL")
    with database(request.param) as url:
        copy_of_migrated(url, migrated(request.param))
        made = Database(url)
        yield made
        made.dispose()


@pytest.fixture(scope="module")
def trail(db):
    """Six events: two officers', the scheduler's, a household's; on a case or not; in June (UK summer time, an
    hour ahead of UTC) and July. Returns (ids by name, the officer's id, the case's id)."""
    with db.transaction() as s:
        from cbl.models import Organisation
        from cbl.models.states import OrganisationKind

        council = Organisation(code="ATC", name="Anytown Council", kind=OrganisationKind.COUNCIL)
        s.add(council)
        s.flush()
        olu = StaffUser(organisation_id=council.id, email="olu@example.org", name="Olu", role=StaffRole.OFFICER,
                        password_hash=PASSWORD_HASH)
        mo = StaffUser(organisation_id=council.id, email="mo@example.org", name='=HYPERLINK("http://x")',
                       role=StaffRole.OFFICER, password_hash=PASSWORD_HASH)
        case = Applicant(reference="HR000123", status=ApplicationStatus.ACTIVE, band="B", band_date=date(2024, 1, 1),
                         registration_date=date(2024, 1, 1))
        s.add_all([olu, mo, case])
        s.flush()
        staff, system = ActorKind.STAFF, ActorKind.SYSTEM
        rows = {
            # 23:00 UTC on 30 June is midnight on 1 July in the UK: a July event.
            "band": (staff, olu.id, "Olu", "band.set", "applicant", case.id, case.id, _utc(6, 30, 23)),
            "note": (staff, olu.id, "Olu", "case.note", "case_note", 7, case.id, _utc(6, 10, 9)),
            "advert": (staff, mo.id, mo.name, "advert.created", "advert", 3, None, _utc(7, 2, 9)),
            "closed": (system, None, "system", "cycle.closed", "cycle", 5, None, _utc(7, 6, 22)),
            "planned": (system, None, "system", "cycle.planned", "cycle", 6, None, _utc(6, 30, 22)),
            "bid": (ActorKind.APPLICANT, case.id, "HR000123", "bid.placed", "bid", 9, case.id, _utc(7, 3, 8)),
        }
        events = {name: AuditEvent(actor_kind=kind, actor_id=actor, actor_name=actor_name, action=action,
                                   subject_type=table, subject_id=subject, applicant_id=on_case, at=at,
                                   details={"reason": "-1+1" if name == "advert" else "kept"})
                  for name, (kind, actor, actor_name, action, table, subject, on_case, at) in rows.items()}
        s.add_all(events.values())
        s.flush()
        return {name: event.id for name, event in events.items()}, olu.id, case.id


def _found(db, **filters) -> set[int]:
    with db.reading() as s:
        found = audit_trail.page(s, Filters(**filters), 1)
    assert not found.more and found.page.total == len(found.page.rows)
    return {row.event.id for row in found.page.rows}


def test_each_filter_narrows_the_trail_to_the_events_it_names(db, trail):
    ids, olu, case = trail
    every = set(ids.values())
    named = {value: key for key, value in ids.items()}

    def names(**filters) -> set[str]:
        return {named[i] for i in _found(db, **filters)}

    assert _found(db) == every
    assert names(actor_kind=ActorKind.STAFF, actor_id=olu) == {"band", "note"}
    assert names(actor_kind=ActorKind.SYSTEM) == {"closed", "planned"}
    assert names(actor_kind=ActorKind.APPLICANT) == {"bid"}
    assert names(action="cycle.closed") == {"closed"}
    assert names(subject_type="cycle") == {"closed", "planned"}
    assert names(subject_type="cycle", subject_id=6) == {"planned"}
    assert names(applicant_id=case) == {"band", "note", "bid"}
    # UK days: 30 June 23:00 UTC is already 1 July in the UK; 30 June 22:00 UTC is still 30 June.
    assert names(start=date(2026, 7, 1)) == {"band", "advert", "closed", "bid"}
    assert names(end=date(2026, 6, 30)) == {"note", "planned"}
    assert names(start=date(2026, 7, 2), end=date(2026, 7, 3)) == {"advert", "bid"}
    assert names(actor_kind=ActorKind.STAFF, actor_id=olu, start=date(2026, 7, 1)) == {"band"}
    assert names(action="cycle.closed", subject_type="bid") == set()
    with db.reading() as s:  # newest first
        rows = audit_trail.page(s, Filters(), 1).page.rows
        assert [row.event.at for row in rows] == sorted((row.event.at for row in rows), reverse=True)
        assert {row.case for row in rows if row.event.id == ids["note"]} == {"HR000123"}
        # The lists the filters offer are what the trail holds, in order.
        assert audit_trail.actions(s) == ["advert.created", "band.set", "bid.placed", "case.note", "cycle.closed",
                                          "cycle.planned"]
        assert audit_trail.record_types(s) == ["advert", "applicant", "bid", "case_note", "cycle"]


def test_counts_stop_past_their_maximum_and_the_page_says_there_are_more(db, trail, monkeypatch):
    monkeypatch.setattr(audit_trail, "PAGE_COUNTED", 4)  # of the six events
    monkeypatch.setattr(audit_trail, "CSV_MAX_ROWS", 4)
    with db.reading() as s:
        found = audit_trail.page(s, Filters(), 1, size=2)
        assert found.more and found.page.total == 4 and found.page.pages == 2
        assert not audit_trail.page(s, Filters(actor_kind=ActorKind.SYSTEM), 1).more
    snapshot = db.open_snapshot()
    try:
        assert audit_trail.csv_count(snapshot, Filters()) == 5  # one past the maximum: refused, never cut
    finally:
        snapshot.close()


def test_the_csv_holds_the_events_chosen_and_no_cell_runs_as_a_formula(db, trail):
    ids, olu, case = trail
    snapshot = db.open_snapshot()
    try:
        assert audit_trail.csv_count(snapshot, Filters(actor_kind=ActorKind.STAFF)) == 3
        text = "".join(csv_chunks([audit_trail.CSV_HEADINGS, *audit_trail.csv_rows(
            snapshot, Filters(actor_kind=ActorKind.STAFF))], rows_per_chunk=2))
    finally:
        snapshot.close()
    heading, *rows = list(csv.reader(io.StringIO(text)))
    assert heading[0] == "Event" and len(rows) == 3
    assert [int(row[0]) for row in rows] == [ids["advert"], ids["band"], ids["note"]]  # newest first
    advert = rows[0]
    assert advert[5] == "'=HYPERLINK(\"http://x\")"  # shown as text by a spreadsheet, never run
    assert advert[6:9] == ["advert.created", "advert", "3"] and advert[10] == '{"reason": "-1+1"}'
    band = rows[1]
    assert band[1] == "2026-06-30T23:00:00+00:00" and band[2] == "2026-07-01T00:00:00+01:00"
    assert band[3:6] == ["staff", str(olu), "Olu"] and band[9] == "HR000123"
