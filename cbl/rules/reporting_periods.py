"""Reporting periods: UK financial years and quarters, and a period typed into a report's form."""

import re
from datetime import date, timedelta

from cbl.rules.working_days import add_months
from cbl.services.errors import InvalidInput

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_MONTHS = 60  # a report covers five years at most


def financial_year(day: date) -> tuple[date, date]:
    """The financial year (1 April to 31 March) that `day` falls in."""
    year = day.year if day.month >= 4 else day.year - 1
    return date(year, 4, 1), date(year + 1, 3, 31)


def financial_quarter(day: date) -> tuple[date, date]:
    """The UK financial quarter `day` falls in: April–June, July–September, October–December, January–March."""
    first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return first, add_months(first, 3) - timedelta(days=1)


def day_of_period(text: str | None, field: str, which: str) -> date:
    text = (text or "").strip()
    if not text:
        raise InvalidInput(f"Enter the {which} of the period, like 2026-04-01.", field=field)
    if not ISO_DAY.fullmatch(text):
        raise InvalidInput(f"Enter the {which} of the period as year-month-day, like 2026-04-01.", field=field)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"The {which} of the period must be a real date, like 2026-04-01.", field=field) from None


def period(start: str | None, end: str | None, default: tuple[date, date], *,
           fields: tuple[str, str] = ("from", "to")) -> tuple[date, date]:
    """The period typed in (UK dates, both included), or `default` when neither end is given."""
    if not (start or "").strip() and not (end or "").strip():
        return default
    first, last = day_of_period(start, fields[0], "start"), day_of_period(end, fields[1], "end")
    return chosen(first, last, default, fields=fields)


def chosen(first: date | None, last: date | None, default: tuple[date, date], *,
           fields: tuple[str, str] = ("from", "to")) -> tuple[date, date]:
    """The period between two days read already (both included), or `default` when neither is given."""
    if first is None and last is None:
        return default
    if first is None:
        raise InvalidInput("Enter the start of the period.", field=fields[0])
    if last is None:
        raise InvalidInput("Enter the end of the period.", field=fields[1])
    if last < first:
        raise InvalidInput("The end of the period must be the same as or after its start.", field=fields[1])
    if last >= add_months(first, MAX_MONTHS):
        raise InvalidInput("The period can be five years at most: choose a shorter one.", field=fields[1])
    return first, last
