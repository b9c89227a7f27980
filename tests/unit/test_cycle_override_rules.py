"""The rules of a manager's early close and reopening (cbl/rules/cycle_overrides.py), at their edges."""

from datetime import datetime, timedelta, timezone

from cbl.models.states import CycleStatus
from cbl.rules.cycle_overrides import Worked, early_close_refused, new_close_refused, reopen_refused, worked_refusal
from cbl.rules.cycle_windows import next_opening
from cbl.rules.scheme import CyclePattern
from cbl.rules.working_days import LONDON

CLOSED = datetime(2026, 11, 23, 23, 59, tzinfo=timezone.utc)  # a Monday night
THURSDAY_TO_MONDAY = CyclePattern.model_validate({"opens": {"weekday": "thursday", "time": "00:01"},
                                                  "closes": {"weekday": "monday", "time": "23:59"}})


def test_a_cycle_can_be_reopened_up_to_the_last_moment_of_the_schemes_window_and_not_after():
    assert reopen_refused(CycleStatus.CLOSED, CLOSED, CLOSED + timedelta(hours=24), 24) is None
    assert "24 hours" in reopen_refused(CycleStatus.CLOSED, CLOSED, CLOSED + timedelta(hours=24, seconds=1), 24)
    assert reopen_refused(CycleStatus.CLOSED, CLOSED, CLOSED + timedelta(hours=30), 36) is None
    assert "does not let" in reopen_refused(CycleStatus.CLOSED, CLOSED, CLOSED, 0)
    for status in (CycleStatus.OPEN, CycleStatus.SCHEDULED, CycleStatus.CLOSING):
        assert "Only a closed cycle" in reopen_refused(status, None, CLOSED, 24)


def test_a_reopened_cycle_closes_again_after_now_and_no_later_than_the_next_cycle_opens():
    thursday = next_opening(CLOSED, THURSDAY_TO_MONDAY, LONDON)
    assert thursday == datetime(2026, 11, 26, 0, 1, tzinfo=timezone.utc)
    assert "in the future" in new_close_refused(CLOSED, CLOSED, thursday, LONDON)
    assert new_close_refused(CLOSED + timedelta(seconds=1), CLOSED, thursday, LONDON) is None
    assert new_close_refused(thursday, CLOSED, thursday, LONDON) is None
    refused = new_close_refused(thursday + timedelta(seconds=1), CLOSED, thursday, LONDON)
    assert "no later than the next cycle opens, Thursday 26 November 2026 at 12:01am" in refused
    assert "within 7 days" in new_close_refused(CLOSED + timedelta(days=7, seconds=1), CLOSED,
                                                CLOSED + timedelta(days=14), LONDON)
    # Closed early on a Friday, while its window still runs: the next to open is the week after's.
    assert next_opening(datetime(2026, 11, 20, 12, tzinfo=timezone.utc), THURSDAY_TO_MONDAY, LONDON) == thursday


def test_only_an_open_cycle_not_yet_due_closes_early():
    opens, closes = CLOSED - timedelta(days=4), CLOSED
    assert early_close_refused(CycleStatus.OPEN, opens, closes, closes - timedelta(seconds=1)) is None
    assert "already due" in early_close_refused(CycleStatus.OPEN, opens, closes, closes)
    assert "not opened" in early_close_refused(CycleStatus.SCHEDULED, opens, closes, opens)
    assert "already closed" in early_close_refused(CycleStatus.CLOSED, opens, closes, opens)
    assert "this moment" in early_close_refused(CycleStatus.OPEN, opens, closes, opens)


def test_any_work_from_the_shortlists_stops_a_reopening_and_is_named():
    assert worked_refusal(Worked()) is None
    refusal = worked_refusal(Worked(offers=2, nominations=1, places=3))
    assert "2 offers, 1 nomination, 3 shortlist places worked on" in refusal
    assert "1 advert withdrawn, advertised again or let" in worked_refusal(Worked(adverts=1))
