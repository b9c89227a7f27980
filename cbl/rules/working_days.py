"""Working days and local time. Statutory and agreement deadlines count UK working days."""

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")


@lru_cache(maxsize=8)
def _bank_holidays(subdivision: str) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv=subdivision)


def is_working_day(day: date, subdivision: str = "ENG") -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(subdivision)


def add_working_days(start: date, days: int, subdivision: str = "ENG") -> date:
    """The date `days` working days after `start` (the day itself not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    while days:
        day += timedelta(days=1)
        if is_working_day(day, subdivision):
            days -= 1
    return day


def working_days_between(start: date, end: date, subdivision: str = "ENG") -> int:
    """Working days after `start` up to and including `end` (0 if end is not after start)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        count += is_working_day(day, subdivision)
    return count


def local_date(moment: datetime, zone: ZoneInfo = LONDON) -> date:
    return moment.astimezone(zone).date()


def uk_midnight(day: date) -> datetime:
    """The moment a UK day begins (a clock change moves it in UTC): a period of days is [midnight of its first,
    midnight of the day after its last)."""
    return datetime.combine(day, time(0), tzinfo=LONDON)


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: say which zone it is in")
    return moment.astimezone(timezone.utc)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), or the month's last day if it has no such day."""
    import calendar

    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def on_or_after_working_day(day: date, subdivision: str = "ENG") -> date:
    """A period of calendar days that ends on a weekend or bank holiday runs to the next working day."""
    while not is_working_day(day, subdivision):
        day += timedelta(days=1)
    return day
