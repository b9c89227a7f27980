"""Moments as people read them on GOV.UK pages ("Monday 7 December 2026 at 9am"), in the council's zone."""

from datetime import datetime, timezone

import pytest

from cbl.rules.wording import day_and_time
from cbl.rules.working_days import LONDON


@pytest.mark.parametrize(("utc", "words"), [
    (datetime(2026, 12, 7, 9, 0), "Monday 7 December 2026 at 9am"),  # GMT: London is UTC
    (datetime(2026, 6, 1, 8, 0), "Monday 1 June 2026 at 9am"),  # BST: an hour ahead
    (datetime(2026, 12, 7, 17, 30), "Monday 7 December 2026 at 5:30pm"),
    (datetime(2026, 12, 7, 12, 0), "Monday 7 December 2026 at midday"),
    (datetime(2026, 12, 7, 0, 0), "Monday 7 December 2026 at midnight"),
    (datetime(2026, 6, 1, 23, 15), "Tuesday 2 June 2026 at 12:15am"),  # the next day in London
])
def test_a_moment_reads_as_a_london_day_and_time(utc, words):
    assert day_and_time(utc.replace(tzinfo=timezone.utc), LONDON) == words


def test_a_uk_day_begins_at_midnight_london_time_on_either_side_of_a_clock_change():
    from datetime import date

    from cbl.rules.working_days import uk_midnight

    # 29 March 2026: the clocks go forward at 01:00 GMT, so the day begins in GMT and the next in BST.
    assert uk_midnight(date(2026, 3, 29)).astimezone(timezone.utc) == datetime(2026, 3, 29, 0, tzinfo=timezone.utc)
    assert uk_midnight(date(2026, 3, 30)).astimezone(timezone.utc) == datetime(2026, 3, 29, 23, tzinfo=timezone.utc)
    # 25 October 2026: back to GMT, a day of 25 hours.
    day_long = (uk_midnight(date(2026, 10, 26)).astimezone(timezone.utc)
                - uk_midnight(date(2026, 10, 25)).astimezone(timezone.utc))
    assert day_long.total_seconds() == 25 * 3600
