"""Bidding cycle windows from the scheme's weekly pattern, in local time."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from cbl.rules.scheme import CyclePattern


def _local(day: date, moment: time, zone: ZoneInfo) -> datetime:
    # zoneinfo resolves the clock-change days: the same wall-clock time, whatever the offset.
    return datetime.combine(day, moment, tzinfo=zone).astimezone(timezone.utc)


def window_opening_on(day: date, pattern: CyclePattern, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The (opens_at, closes_at) in UTC of the cycle that opens on local date `day`."""
    length = (pattern.closes.weekday_index - pattern.opens.weekday_index) % 7
    if length == 0 and pattern.closes.time <= pattern.opens.time:
        length = 7
    return _local(day, pattern.opens.time, zone), _local(day + timedelta(days=length), pattern.closes.time, zone)


def next_opening(now: datetime, pattern: CyclePattern, zone: ZoneInfo) -> datetime:
    """When the pattern's next window opens after `now` (the week after, if one is open now)."""
    opens_at, closes_at = current_or_next_window(now, pattern, zone)
    return opens_at if opens_at > now else current_or_next_window(closes_at, pattern, zone)[0]


def current_or_next_window(now: datetime, pattern: CyclePattern, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The window open at `now`, or failing that the next one to open."""
    today = now.astimezone(zone).date()
    opening_day = today - timedelta(days=(today.weekday() - pattern.opens.weekday_index) % 7)
    for weeks in (-1, 0, 1):
        opens_at, closes_at = window_opening_on(opening_day + timedelta(weeks=weeks), pattern, zone)
        if closes_at > now:
            return opens_at, closes_at
    raise AssertionError("a weekly window always closes within two weeks")  # pragma: no cover
