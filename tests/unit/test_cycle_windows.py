"""Cycle windows keep their local times (Thursday 00:01 to Monday 23:59) across clock changes."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from cbl.rules.cycle_windows import current_or_next_window

LONDON = ZoneInfo("Europe/London")


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def test_the_window_spanning_the_march_clock_change_closes_at_2359_british_summer_time(scheme):
    opens, closes = current_or_next_window(_utc("2026-03-27T12:00"), scheme.cycle, LONDON)
    assert opens == _utc("2026-03-26T00:01")  # GMT
    assert closes == _utc("2026-03-30T22:59")  # 23:59 BST
    assert closes.astimezone(LONDON).strftime("%A %H:%M") == "Monday 23:59"


def test_the_window_spanning_the_october_clock_change_opens_at_0001_bst_and_closes_at_2359_gmt(scheme):
    opens, closes = current_or_next_window(_utc("2026-10-24T12:00"), scheme.cycle, LONDON)
    assert opens == _utc("2026-10-21T23:01")  # Thursday 00:01 BST
    assert closes == _utc("2026-10-26T23:59")  # Monday 23:59 GMT


def test_between_windows_the_next_one_is_given(scheme):
    opens, closes = current_or_next_window(_utc("2026-11-25T10:00"), scheme.cycle, LONDON)
    assert opens == _utc("2026-11-26T00:01")
    assert closes == _utc("2026-11-30T23:59")


def test_a_minute_before_close_is_still_the_open_window(scheme):
    opens, closes = current_or_next_window(_utc("2026-11-23T23:58"), scheme.cycle, LONDON)
    assert closes == _utc("2026-11-23T23:59")
