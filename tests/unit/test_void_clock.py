"""The void clock: milestones as UK dates, the days each stage took, the total and the rent lost."""

from datetime import date, datetime, timezone

import pytest

from cbl.models import Property, Void
from cbl.models.states import PropertyType, VoidStatus
from cbl.reports.dashboard import days_in_period, financial_quarter, period, quarter_name
from cbl.services.errors import InvalidInput
from cbl.services.lettings import void_days
from cbl.services.void_clock import rent_lost_pence, void_clock, weekly_charge_pence

TODAY = date(2026, 2, 20)


def utc(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=timezone.utc)


def let_void(**milestones) -> Void:
    """A void of winter 2026 let on 2 February, with the milestones given (UK time is UTC in winter)."""
    fields = {"tenancy_end_date": date(2026, 1, 5), "status": VoidStatus.LET, "tenancy_start_date": date(2026, 2, 2)}
    fields.update(milestones)
    return Void(property_id=1, **fields)


EVERY_MILESTONE = dict(
    keys_returned_at=utc(2026, 1, 6), works_started_at=utc(2026, 1, 8), works_ended_at=utc(2026, 1, 20),
    ready_to_let_at=utc(2026, 1, 22), advertised_at=utc(2026, 1, 23), shortlisted_at=utc(2026, 1, 27),
    offered_at=utc(2026, 1, 28), accepted_at=utc(2026, 1, 30))


def test_each_stage_runs_from_one_milestone_to_the_next_and_the_stages_add_up_to_the_void_days():
    clock = void_clock(let_void(**EVERY_MILESTONE), 10000, TODAY)
    assert [(stage.key, stage.days) for stage in clock.stages] == [
        ("keys_returned", 1), ("works_started", 2), ("works_ended", 12), ("ready_to_let", 2), ("advertised", 1),
        ("shortlisted", 4), ("offered", 1), ("accepted", 2), ("tenancy_start", 3)]
    assert clock.stages[2].name == "Repair works"
    assert clock.total_days == 28 == void_days(date(2026, 1, 5), date(2026, 2, 2))
    assert sum(stage.days for stage in clock.stages) == clock.total_days
    assert not clock.live and clock.latest.key == "tenancy_start"
    assert [m.on for m in clock.milestones][:2] == [date(2026, 1, 5), date(2026, 1, 6)]


def test_the_day_the_home_fell_vacant_is_not_counted():
    void = let_void(tenancy_start_date=date(2026, 1, 6))
    assert void_clock(void, 7000, TODAY).total_days == 1
    assert void_clock(let_void(tenancy_start_date=date(2026, 1, 5)), 7000, TODAY).total_days == 0


def test_a_missing_milestone_is_skipped_and_its_days_fall_into_the_next_stage_recorded():
    void = let_void(ready_to_let_at=utc(2026, 1, 20), advertised_at=utc(2026, 1, 23), offered_at=utc(2026, 1, 28))
    clock = void_clock(void, 10000, TODAY)
    assert [(stage.start.key, stage.key, stage.days) for stage in clock.stages] == [
        ("tenancy_end", "ready_to_let", 15), ("ready_to_let", "advertised", 3), ("advertised", "offered", 5),
        ("offered", "tenancy_start", 5)]
    assert sum(stage.days for stage in clock.stages) == clock.total_days == 28


def test_a_void_with_no_milestones_but_its_ends_is_one_stage():
    clock = void_clock(let_void(), 10000, TODAY)
    assert [(stage.start.key, stage.key, stage.days) for stage in clock.stages] == [
        ("tenancy_end", "tenancy_start", 28)]


def test_rent_lost_is_the_weekly_rent_and_charges_over_seven_for_each_void_day_to_the_penny():
    home = Property(landlord_id=1, reference="P1", address="1 High Street", postcode="AT1 1AA", area="Northgate",
                    property_type=PropertyType.FLAT, bedrooms=1, weekly_rent_pence=9500, weekly_charges_pence=1500)
    assert weekly_charge_pence(home) == 11000
    assert void_clock(let_void(), weekly_charge_pence(home), TODAY).rent_lost_pence == 44000  # four weeks
    assert rent_lost_pence(11000, 10) == 15714  # 15,714.29p
    assert rent_lost_pence(9999, 9) == 12856  # 12,855.86p rounds up
    assert rent_lost_pence(9500, 0) == 0


def test_a_live_void_counts_its_days_to_today_with_a_stage_still_running():
    void = Void(property_id=1, tenancy_end_date=date(2026, 1, 5), status=VoidStatus.OPEN,
                keys_returned_at=utc(2026, 1, 5, 12), ready_to_let_at=utc(2026, 2, 1))
    clock = void_clock(void, 7000, TODAY)
    assert clock.live and clock.total_days == void_days(date(2026, 1, 5), TODAY) == 46
    assert clock.latest.key == "ready_to_let"
    assert [(stage.key, stage.days) for stage in clock.stages] == [
        ("keys_returned", 0), ("ready_to_let", 27), ("running", 19)]
    assert clock.stages[-1].name == "Since ready to let, so far"
    assert clock.rent_lost_pence == 46000
    assert void_clock(void, 7000, date(2026, 2, 21)).total_days == 47


def test_milestones_are_uk_dates_so_a_clock_change_neither_adds_nor_loses_a_day():
    # Clocks went forward at 01:00 UTC on Sunday 29 March 2026: 23:30 UTC that evening is 00:30 on the 30th.
    void = Void(property_id=1, tenancy_end_date=date(2026, 3, 27), status=VoidStatus.LET,
                tenancy_start_date=date(2026, 4, 1), advertised_at=utc(2026, 3, 28, 23, 30),
                shortlisted_at=utc(2026, 3, 29, 23, 30))
    clock = void_clock(void, 7000, date(2026, 4, 10))
    assert [m.on for m in clock.milestones] == [date(2026, 3, 27), date(2026, 3, 28), date(2026, 3, 30),
                                                date(2026, 4, 1)]
    # 24 hours apart, but two UK days: the 28th (GMT) and the 30th (BST).
    assert [stage.days for stage in clock.stages] == [1, 2, 2]
    assert clock.total_days == 5  # 28, 29, 30, 31 March and 1 April; the 29th had only 23 hours
    # Clocks went back at 01:00 UTC on Sunday 25 October 2026: 23:30 UTC on the 24th was 00:30 BST on the 25th.
    autumn = Void(property_id=1, tenancy_end_date=date(2026, 10, 23), status=VoidStatus.OPEN,
                  ready_to_let_at=utc(2026, 10, 24, 23, 30))
    clock = void_clock(autumn, 7000, date(2026, 10, 26))
    assert clock.latest.on == date(2026, 10, 25)
    assert [stage.days for stage in clock.stages] == [2, 1] and clock.total_days == 3


def test_a_milestone_recorded_out_of_order_adds_no_days():
    # A provider records the tenancy start days later; the acceptance is stamped when it was recorded.
    void = let_void(offered_at=utc(2026, 1, 20), accepted_at=utc(2026, 2, 6))
    clock = void_clock(void, 7000, TODAY)
    assert [(stage.key, stage.days) for stage in clock.stages] == [
        ("offered", 15), ("accepted", 13), ("tenancy_start", 0)]
    assert sum(stage.days for stage in clock.stages) == clock.total_days == 28


def test_a_void_taken_out_of_letting_stops_at_its_last_milestone():
    void = Void(property_id=1, tenancy_end_date=date(2026, 1, 5), status=VoidStatus.WITHDRAWN,
                keys_returned_at=utc(2026, 1, 9))
    clock = void_clock(void, 7000, TODAY)
    assert not clock.live and clock.total_days == 4


def test_the_default_period_is_the_uk_financial_quarter_of_today():
    assert financial_quarter(date(2026, 5, 17)) == (date(2026, 4, 1), date(2026, 6, 30))
    assert financial_quarter(date(2026, 9, 30)) == (date(2026, 7, 1), date(2026, 9, 30))
    assert financial_quarter(date(2026, 12, 31)) == (date(2026, 10, 1), date(2026, 12, 31))
    assert financial_quarter(date(2027, 2, 28)) == (date(2027, 1, 1), date(2027, 3, 31))
    assert period(None, " ", date(2027, 2, 28)) == (date(2027, 1, 1), date(2027, 3, 31))
    assert quarter_name(date(2027, 1, 1), date(2027, 3, 31)) == "Q4 of 2026 to 2027"
    assert quarter_name(date(2026, 4, 1), date(2026, 6, 30)) == "Q1 of 2026 to 2027"
    assert quarter_name(date(2026, 4, 1), date(2026, 6, 29)) is None


@pytest.mark.parametrize(("start", "end", "field"), [
    ("2026-04-01", "", "to"), ("", "2026-06-30", "from"), ("1/4/2026", "2026-06-30", "from"),
    ("2026-02-30", "2026-06-30", "from"), ("2026-06-30", "2026-04-01", "to"), ("2020-01-01", "2026-01-01", "to"),
])
def test_a_period_that_cannot_be_read_is_refused_with_the_field_to_correct(start, end, field):
    with pytest.raises(InvalidInput) as refused:
        period(start, end, TODAY)
    assert refused.value.field == field


def test_the_void_days_that_fall_in_a_period():
    void = let_void()  # empty 6 January to 2 February
    assert days_in_period(void, date(2026, 1, 1), date(2026, 1, 31), TODAY) == 26
    assert days_in_period(void, date(2026, 2, 1), date(2026, 2, 28), TODAY) == 2
    assert days_in_period(void, date(2026, 3, 1), date(2026, 3, 31), TODAY) == 0
    live = Void(property_id=1, tenancy_end_date=date(2026, 2, 10), status=VoidStatus.OPEN)
    assert days_in_period(live, date(2026, 1, 1), date(2026, 3, 31), TODAY) == 10
