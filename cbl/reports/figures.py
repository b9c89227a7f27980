"""The reports' shared arithmetic and periods: averages, shares, percentages and their wording, and
whether a day falls in a report's period. Exact (fractions) until the text is written."""

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction

from cbl.rules.reporting_periods import MAX_MONTHS, financial_quarter, financial_year, period  # noqa: F401 - the toolkit
from cbl.rules.working_days import add_months
from cbl.services.errors import InvalidInput


def average(values: Iterable[int]) -> Fraction | None:
    values = list(values)
    return Fraction(sum(values), len(values)) if values else None


def share(part: int, whole: int) -> Fraction | None:
    """`part` as a percentage of `whole`; None when there is no whole to take a share of."""
    return Fraction(100 * part, whole) if whole else None


def share_met(part: int, whole: int, agreed_pct: int) -> bool | None:
    """Whether `part` of `whole` reaches `agreed_pct` percent (exactly, no rounding); None without a whole."""
    return 100 * part >= agreed_pct * whole if whole else None


def whole_percent(part: int, whole: int) -> int | None:
    """`part` of `whole` as a whole percentage; None without a whole."""
    return round(100 * part / whole) if whole else None


def decimal_text(value: Fraction, *, rounding: str = ROUND_HALF_UP, keep_zero: bool = True) -> str:
    """One decimal place (12.5); `keep_zero=False` drops a trailing .0 (12)."""
    text = str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.1"), rounding=rounding))
    return text if keep_zero else text.removesuffix(".0")


def one_decimal(value: Fraction | None, none: str = "no lets") -> str:
    return none if value is None else decimal_text(value)


def percent_text(value: Fraction | None, none: str = "no lets") -> str:
    """Rounded down, so a share just short of an agreed one never reads as meeting it."""
    return none if value is None else f"{decimal_text(value, rounding=ROUND_DOWN, keep_zero=False)}%"


def days_text(value: Fraction | None, none: str) -> str:
    return none if value is None else decimal_text(value, keep_zero=False)


def in_period(day: date | None, start: date, end: date) -> bool:
    return day is not None and start <= day <= end


def check_period(start: date, end: date) -> None:
    """A period given as dates (not typed): refused if backwards or longer than the reports allow."""
    if end < start:
        raise InvalidInput("The end of the period must be the same as or after its start.", field="to")
    if end >= add_months(start, MAX_MONTHS):
        raise InvalidInput("A report can cover five years at most: choose a shorter period.", field="to")
