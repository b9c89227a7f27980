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
