"""The managers' dashboard from a handful of voids and lets, and recording the works on a void."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import pytest
from sqlmodel import select

from cbl.models import (
    Advert, AuditEvent, Bid, Cycle, Nomination, Offer, Organisation, Property, StaffUser, Void,
)
from cbl.models.states import (
    AdvertStatus, BidStatus, CycleStatus, NominationStatus, OfferStatus, PropertyType, StaffRole, VoidStatus,
)
from cbl.services import actors
from cbl.reports.dashboard import dashboard, table_csv
from cbl.services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from cbl.services.void_clock import record_works_finished, record_works_started
from tests.support.factories import add_applicant, make_world

Q1 = (date(2026, 4, 1), date(2026, 6, 30))  # the first quarter of the financial year 2026/27
TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 10, tzinfo=timezone.utc)


def bst(day: date, hour: int = 10) -> datetime:
    """A moment on a UK summer day (British Summer Time is UTC+1)."""
    return datetime(day.year, day.month, day.day, hour - 1, tzinfo=timezone.utc)


@dataclass
class Homes:
    world: object
    voids: dict[str, int] = field(default_factory=dict)


def home(s, world, name: str, *, landlord: int, area: str = "Northgate", kind: PropertyType = PropertyType.FLAT,
         charges: int = 0) -> Property:
    """£70 a week: £10 a day, so rent lost reads as void days × 1000p (plus any charges)."""
    row = Property(landlord_id=landlord, reference=f"P-{name}", address=f"{name} Mill Lane", postcode="AT2 2BB",
                   area=area, property_type=kind, bedrooms=2, weekly_rent_pence=7000, weekly_charges_pence=charges)
    s.add(row)
    s.flush()
    return row


def void(s, homes: Homes, name: str, *, landlord: int, ended: date, let_on: date | None = None,
         status: VoidStatus | None = None, area: str = "Northgate", kind: PropertyType = PropertyType.FLAT,
         charges: int = 0, **milestones: date) -> Void:
    row = Void(property_id=home(s, homes.world, name, landlord=landlord, area=area, kind=kind, charges=charges).id,
               tenancy_end_date=ended, tenancy_start_date=let_on,
               status=status or (VoidStatus.LET if let_on else VoidStatus.OPEN),
               **{f"{key}_at": bst(on) for key, on in milestones.items()})
    s.add(row)
    s.flush()
    homes.voids[name] = row.id
    return row


def advert(s, row: Void, reference: str, cycle: int, status: AdvertStatus = AdvertStatus.LET) -> Advert:
    item = Advert(reference=reference, cycle_id=cycle, void_id=row.id, property_id=row.property_id, status=status)
    s.add(item)
    s.flush()
    return item


@pytest.fixture
def homes(db, scheme) -> Homes:
    with db.transaction() as s:
        world = make_world(s, scheme, adverts=0)
        homes = Homes(world)
        council, provider = world.council, world.provider
        # Three lets in the quarter: 20, 30 and 14 void days.
        a = void(s, homes, "A", landlord=council, ended=date(2026, 3, 31), let_on=date(2026, 4, 20),
                 works_started=date(2026, 4, 1), works_ended=date(2026, 4, 10), ready_to_let=date(2026, 4, 12),
                 advertised=date(2026, 4, 13), shortlisted=date(2026, 4, 16), offered=date(2026, 4, 17),
                 accepted=date(2026, 4, 18))
        b = void(s, homes, "B", landlord=council, ended=date(2026, 4, 10), let_on=date(2026, 5, 10), area="Riverside",
                 kind=PropertyType.HOUSE, charges=700, works_started=date(2026, 4, 11), works_ended=date(2026, 5, 1),
                 ready_to_let=date(2026, 5, 2), advertised=date(2026, 5, 3), offered=date(2026, 5, 6),
                 accepted=date(2026, 5, 7))
        c = void(s, homes, "C", landlord=provider, ended=date(2026, 5, 1), let_on=date(2026, 5, 15), area="Riverside",
                 advertised=date(2026, 5, 5), offered=date(2026, 5, 10))
        # Lets outside the quarter: one in March, one whose tenancy starts in July.
        void(s, homes, "E", landlord=council, ended=date(2026, 2, 20), let_on=date(2026, 3, 20))
        void(s, homes, "D", landlord=provider, ended=date(2026, 6, 10), let_on=date(2026, 7, 5))
        # Homes empty today: 3, 14, 45 and 106 days; and one taken out of letting.
        void(s, homes, "L1", landlord=council, ended=date(2026, 6, 12), keys_returned=date(2026, 6, 12))
        void(s, homes, "L2", landlord=council, ended=date(2026, 6, 1), ready_to_let=date(2026, 6, 5))
        void(s, homes, "L3", landlord=provider, ended=date(2026, 5, 1), ready_to_let=date(2026, 5, 20),
             advertised=date(2026, 5, 21))
        void(s, homes, "L4", landlord=council, ended=date(2026, 3, 1), works_started=date(2026, 3, 10))
        void(s, homes, "W", landlord=council, ended=date(2026, 5, 1), status=VoidStatus.WITHDRAWN)

        # A cycle closing in the quarter (23:59 UK time on 13 April), one closing just after it (00:30 UK time
        # on 1 July) and one that has not opened yet.
        cycle = Cycle(name="April week 2", opens_at=bst(date(2026, 4, 9), 1), closes_at=bst(date(2026, 4, 13), 23),
                      status=CycleStatus.CLOSED)
        late = Cycle(name="End of June", opens_at=bst(date(2026, 6, 25)),
                     closes_at=datetime(2026, 6, 30, 23, 30, tzinfo=timezone.utc), status=CycleStatus.OPEN)
        future = Cycle(name="Late June", opens_at=bst(date(2026, 6, 20)), closes_at=bst(date(2026, 6, 24)))
        s.add_all([cycle, late, future])
        s.flush()
        ada, adb = advert(s, a, "ADA", cycle.id), advert(s, b, "ADB", cycle.id)
        adc = advert(s, c, "ADC", late.id)
        advert(s, s.get(Void, homes.voids["W"]), "ADW", cycle.id, AdvertStatus.WITHDRAWN)
        households = [add_applicant(s, scheme, world, f"HR{number:06d}", band=band, registered=registered)
                      for number, (band, registered) in enumerate(
                          [("A", date(2025, 4, 20)), ("B", date(2024, 5, 10)), ("B", date(2025, 5, 15)),
                           ("C", date(2023, 1, 1))], start=1)]
        # Four bids stand in April's cycle (three for ADA, one for ADB); one for ADB was withdrawn.
        for preference, (item, household, status) in enumerate(
                [(ada, 0, BidStatus.ACTIVE), (ada, 1, BidStatus.ACTIVE), (ada, 3, BidStatus.ACTIVE),
                 (adb, 1, BidStatus.ACTIVE), (adb, 3, BidStatus.WITHDRAWN)], start=1):
            s.add(Bid(advert_id=item.id, applicant_id=households[household].id, cycle_id=cycle.id,
                      preference=preference, status=status))
        # A and B were let by offers of council homes, C by a nomination to the provider.
        s.add_all([
            Offer(applicant_id=households[0].id, void_id=a.id, advert_id=ada.id, status=OfferStatus.LET,
                  respond_by=date(2026, 4, 20), tenancy_start_date=a.tenancy_start_date),
            Offer(applicant_id=households[1].id, void_id=b.id, advert_id=adb.id, status=OfferStatus.LET,
                  respond_by=date(2026, 5, 10), tenancy_start_date=b.tenancy_start_date),
            Nomination(advert_id=adc.id, applicant_id=households[2].id, agreement_id=world.agreement,
                       provider_id=provider, status=NominationStatus.LET, respond_by=date(2026, 5, 12),
                       tenancy_start_date=c.tenancy_start_date),
        ])
        return homes


def figures(db, start: date = Q1[0], end: date = Q1[1], landlord: str | None = None, today: date = TODAY):
    with db.reading() as s:
        return dashboard(s, start, end, today, landlord)


def rows(report, key: str) -> dict[str, tuple[str, ...]]:
    return {row[0]: row[1:] for row in report.tables[key].rows}


def test_the_average_re_let_time_of_the_quarter_by_landlord_month_type_and_area(db, homes):
    report = figures(db)
    assert report.lets == 3 and report.average_relet_text == "21.3"  # (20 + 30 + 14) / 3
    assert rows(report, "relet-by-landlord") == {"Anytown Council": ("2", "25.0", "30"),
                                                 "Riverside Housing Association": ("1", "14.0", "14")}
    assert list(rows(report, "relet-by-month").items()) == [("April 2026", ("1", "20.0", "20")),
                                                            ("May 2026", ("2", "22.0", "30"))]
    assert rows(report, "relet-by-type") == {"Flat": ("2", "17.0", "20"), "House": ("1", "30.0", "30")}
    assert rows(report, "relet-by-area") == {"Northgate": ("1", "20.0", "20"), "Riverside": ("2", "22.0", "30")}
    assert report.tables["relet-by-landlord"].bars == (("Anytown Council", 25.0),
                                                       ("Riverside Housing Association", 14.0))


def test_where_the_days_go_adds_up_to_the_average_and_names_the_bottleneck(db, homes):
    report = figures(db)
    stages = rows(report, "stage-days")
    assert stages["Repair works"] == ("9.7", "45.3%")  # (9 + 20 + 0) / 3 lets; 29 of 64 days
    assert stages["Waiting to be advertised"] == ("2.0", "9.4%")  # A 1, B 1, C 4
    assert stages["Getting the keys back"] == ("0.0", "0.0%")
    assert report.bottleneck[0] == "Repair works"
    assert report.bottleneck_text == "Repair works: 9.7 days a let (45.3% of the re-let time)"
    total = sum(value for _, value in report.tables["stage-days"].bars)
    assert abs(total - 64 / 3) < 0.01


def test_homes_empty_now_by_age_band_and_latest_milestone(db, homes):
    report = figures(db)
    assert report.live_voids == 4  # the withdrawn home is not empty-to-let
    assert list(rows(report, "live-by-age").items()) == [
        ("0 to 7 days", ("1",)), ("8 to 14 days", ("1",)), ("15 to 28 days", ("0",)), ("29 to 56 days", ("1",)),
        ("57 days or more", ("1",))]
    stages = rows(report, "live-by-stage")
    assert stages["Keys returned"] == ("1", "3.0")
    assert stages["Ready to let"] == ("1", "14.0")
    assert stages["Advertised"] == ("1", "45.0")
    assert stages["Works started"] == ("1", "106.0")
    assert stages["Tenancy ended"] == ("0", "")


def test_cycle_figures_and_the_households_housed(db, homes):
    report = figures(db)
    assert report.tables["cycles"].rows == (("April week 2", "13 April 2026", "2", "4", "2.0"),)
    assert rows(report, "housed-by-band") == {"A": ("1", "365.0", "365"), "B": ("2", "547.5", "730")}


def test_rent_lost_counts_the_void_days_in_the_period_with_charges(db, homes):
    report = figures(db)
    # Council: A 20, B 30 (with £1 a day charges), L1 3, L2 14, L4 76 days; provider: C 14, L3 45, D 5.
    assert rows(report, "rent-lost") == {"Anytown Council": ("143", "1460.00"),
                                         "Riverside Housing Association": ("64", "640.00")}
    assert report.rent_lost_pence == 210000


def test_a_landlord_filter_keeps_only_its_homes(db, homes):
    report = figures(db, landlord="RHA")
    assert report.landlord_name == "Riverside Housing Association"
    assert report.lets == 1 and report.average_relet_text == "14.0"
    assert list(rows(report, "relet-by-landlord")) == ["Riverside Housing Association"]
    assert report.live_voids == 1 and rows(report, "live-by-age")["29 to 56 days"] == ("1",)
    assert report.tables["cycles"].rows == (("April week 2", "13 April 2026", "0", "0", ""),)
    assert rows(report, "housed-by-band") == {"B": ("1", "365.0", "365")}
    assert report.rent_lost_pence == 64000
    with pytest.raises(InvalidInput) as refused:
        figures(db, landlord="NOPE")
    assert refused.value.field == "landlord"


def test_a_period_filter_chooses_the_lets_by_their_tenancy_start(db, homes):
    april = figures(db, date(2026, 4, 1), date(2026, 4, 30))
    assert april.lets == 1 and april.average_relet_text == "20.0"
    march = figures(db, date(2026, 3, 1), date(2026, 3, 31))
    assert march.lets == 1 and march.average_relet_text == "28.0"
    assert rows(march, "stage-days")["Accepted to tenancy start"] == ("28.0", "100.0%")
    empty = figures(db, date(2025, 4, 1), date(2025, 6, 30))
    assert empty.lets == 0 and empty.average_relet_text == "no lets" and empty.bottleneck is None
    assert empty.tables["relet-by-month"].rows == () and empty.tables["cycles"].rows == ()


def test_each_table_downloads_as_csv_cell_for_cell(db, homes):
    report = figures(db)
    for table in report.tables.values():
        read = list(csv.reader(io.StringIO(table_csv(table))))
        assert read[0] == list(table.headings)
        assert [tuple(row) for row in read[1:]] == list(table.rows)


# --- recording the works ---------------------------------------------------------------------

def staff_actor(db, role: StaffRole):
    with db.transaction() as s:
        if role is StaffRole.OFFICER:  # the factory's officer
            return actors.staff(s.exec(select(StaffUser).where(StaffUser.role == role)).one())
        council = s.exec(select(Organisation).where(Organisation.code == "ATC")).one()
        user = StaffUser(organisation_id=council.id, email=f"{role.value}@example.org", name=role.value,
                         role=role, password_hash="x")
        s.add(user)
        s.flush()
        return actors.staff(user)


def test_an_officer_records_the_works_and_the_stage_shows_on_the_dashboard(db, homes):
    officer = staff_actor(db, StaffRole.OFFICER)
    l1 = homes.voids["L1"]  # empty since 12 June, its keys back
    db.run(record_works_started, officer, l1, date(2026, 6, 13), NOW)
    db.run(record_works_started, officer, l1, date(2026, 6, 13), NOW)  # again: nothing changes
    db.run(record_works_finished, officer, l1, date(2026, 6, 15), NOW)  # today: stamped no later than now
    with db.reading() as s:
        row = s.get(Void, l1)
        events = s.exec(select(AuditEvent.action, AuditEvent.details, AuditEvent.actor_name)
                        .where(AuditEvent.subject_type == "void", AuditEvent.subject_id == l1)
                        .order_by(AuditEvent.id)).all()
    assert row.works_started_at == datetime(2026, 6, 13, 11, tzinfo=timezone.utc)  # midday BST
    assert row.works_ended_at == NOW
    assert [action for action, _, _ in events] == ["void.works_started", "void.works_finished"]
    assert events[0][1:] == ({"on": "2026-06-13", "previous": None}, "Olu Officer")
    stages = rows(figures(db), "live-by-stage")
    assert stages["Works finished"] == ("1", "3.0") and stages["Keys returned"] == ("0", "")
    db.run(record_works_started, officer, l1, date(2026, 6, 14), NOW)  # a correction
    with db.reading() as s:
        last = s.exec(select(AuditEvent.details).order_by(AuditEvent.id.desc())).first()
    assert last == {"on": "2026-06-14", "previous": "2026-06-13"}


@pytest.mark.parametrize(("started", "finished", "error", "field"), [
    (date(2026, 5, 31), None, InvalidInput, "works_started"),  # before the tenancy ended
    (date(2026, 6, 16), None, InvalidInput, "works_started"),  # tomorrow
    (date(2026, 6, 5), date(2026, 6, 4), InvalidInput, "works_finished"),  # finished before they started
    (date(2026, 6, 5), date(2026, 6, 16), InvalidInput, "works_finished"),
    (None, date(2026, 6, 5), Conflict, None),  # no start recorded
])
def test_works_dates_that_cannot_be_right_are_refused(db, homes, started, finished, error, field):
    officer = staff_actor(db, StaffRole.OFFICER)
    l2 = homes.voids["L2"]
    with pytest.raises(error) as refused:
        if started:
            db.run(record_works_started, officer, l2, started, NOW)
        db.run(record_works_finished, officer, l2, finished, NOW)
    assert refused.value.field == field


def test_works_can_start_no_later_than_they_finished(db, homes):
    officer = staff_actor(db, StaffRole.OFFICER)
    l2 = homes.voids["L2"]
    db.run(record_works_started, officer, l2, date(2026, 6, 2), NOW)
    db.run(record_works_finished, officer, l2, date(2026, 6, 4), NOW)
    with pytest.raises(InvalidInput) as refused:
        db.run(record_works_started, officer, l2, date(2026, 6, 5), NOW)
    assert refused.value.field == "works_started"


def test_who_may_record_the_works(db, homes):
    manager = staff_actor(db, StaffRole.MANAGER)
    with pytest.raises(NotAllowed):
        db.run(record_works_started, manager, homes.voids["L2"], date(2026, 6, 2), NOW)
    with db.reading() as s:
        provider = s.exec(select(Organisation).where(Organisation.code == "RHA")).one()
    system = actors.provider_system(provider)
    db.run(record_works_started, system, homes.voids["L3"], date(2026, 5, 2), NOW)  # its own home
    with pytest.raises(NotFound):
        db.run(record_works_started, system, homes.voids["L2"], date(2026, 6, 2), NOW)  # the council's
    officer = staff_actor(db, StaffRole.OFFICER)
    with pytest.raises(Conflict):
        db.run(record_works_started, officer, homes.voids["A"], date(2026, 4, 1), NOW)  # let: the void is closed
    with pytest.raises(NotFound):
        db.run(record_works_started, officer, 999_999, date(2026, 4, 1), NOW)
    with db.reading() as s:
        assert s.get(Void, homes.voids["L3"]).works_started_at is not None



def test_the_clock_summed_by_the_database_is_the_void_clock(db, homes):
    """The dashboard sums the void clock in SQL (`clock_columns`); each void's days there are `void_clock`'s,
    for milestones recorded out of order, skipped, or late on a summer evening (UTC's day before the UK's)."""
    from cbl.services.void_clock import CLOCK, void_clock

    late_evening = datetime(2026, 4, 14, 23, 30, tzinfo=timezone.utc)  # 15 April in the UK
    with db.transaction() as s:
        world = homes.world
        void(s, homes, "X1", landlord=world.council, ended=date(2026, 4, 1), let_on=date(2026, 5, 1),
             advertised=date(2026, 4, 5), works_started=date(2026, 4, 20), offered=date(2026, 6, 1))
        row = void(s, homes, "X2", landlord=world.council, ended=date(2026, 4, 1), let_on=date(2026, 4, 30),
                   accepted=date(2026, 4, 28))
        row.keys_returned_at, row.keys_given_on = late_evening, date(2026, 4, 29)
        live = void(s, homes, "X3", landlord=world.council, ended=date(2026, 4, 1), advertised=date(2026, 4, 3))
        live.ready_to_let_at, live.keys_given_on = late_evening, date(2026, 4, 20)
    clock = CLOCK
    with db.reading() as s:
        for name, void_id in homes.voids.items():
            found = s.exec(select(clock.total_days, clock.latest, *clock.stage_days.values())
                           .where(Void.id == void_id), params={"clock_today": TODAY}).one()
            row = s.get(Void, void_id)
            expected = void_clock(row, 0, TODAY)
            assert found[0] == expected.total_days, name
            if expected.live:
                assert found[1] == expected.latest.key, name
            if row.status is VoidStatus.LET:
                stages = dict.fromkeys(clock.stage_days, 0)
                for stage in expected.stages:
                    stages[stage.key] += stage.days
                assert dict(zip(clock.stage_days, found[2:], strict=True)) == stages, name
