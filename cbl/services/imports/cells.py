"""Reading one value of a file: dates, yes or no, lists, money, whole numbers and text with a limit.

Every reader takes the cell's text (already trimmed) and gives the value, or raises CellError saying
what is wrong in words a data officer can act on. Empty means none: readers of optional values give
None, an empty list or False for it.
"""

import re
from collections.abc import Collection
from datetime import date

from cbl.rules.digits import only_digits

from .problems import CellError

OLDEST = date(1900, 1, 1)
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_UK_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_MONEY = re.compile(r"£?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?")
MAX_PENCE = 10_000_000  # £100,000 a week: more than any home's rent, so a slip of the decimal point is caught


def text(cell: str, limit: int, *, required: bool = False) -> str:
    """Free text up to its declared limit: a longer value is refused, never cut."""
    if "\x00" in cell:
        raise CellError("has a NUL character, which cannot be stored: remove it")
    if required and not cell:
        raise CellError("is empty: it must be given")
    if len(cell) > limit:
        raise CellError(f"must be {limit:,} characters or fewer (it has {len(cell):,})")
    return cell


def day(cell: str, *, required: bool = False) -> date | None:
    """A date written YYYY-MM-DD or DD/MM/YYYY, from 1900 on."""
    if not cell:
        if required:
            raise CellError("is empty: give a date as YYYY-MM-DD or DD/MM/YYYY")
        return None
    iso, uk = _ISO_DAY.fullmatch(cell), _UK_DAY.fullmatch(cell)
    if iso:
        year, month, day_of_month = (int(part) for part in iso.groups())
    elif uk:
        day_of_month, month, year = (int(part) for part in uk.groups())
    else:
        raise CellError(f"“{cell[:40]}” is not a date: write it as YYYY-MM-DD or DD/MM/YYYY")
    try:
        found = date(year, month, day_of_month)
    except ValueError:
        raise CellError(f"“{cell[:40]}” is not a real date") from None
    if found < OLDEST:
        raise CellError(f"“{cell[:40]}” is before 1900")
    return found


def yes_no(cell: str) -> bool:
    """yes or no (in any case); empty is no."""
    answer = cell.lower()
    if answer not in ("yes", "no", ""):
        raise CellError(f"“{cell[:40]}” is not yes or no")
    return answer == "yes"


def one_of(cell: str, allowed: Collection[str], *, required: bool = True) -> str:
    """One of a known list of values, written as listed."""
    if not cell and not required:
        return ""
    if cell not in allowed:
        shown = "empty" if not cell else f"“{cell[:40]}”"
        raise CellError(f"{shown} is not one of {', '.join(allowed)}")
    return cell


def many_of(cell: str, allowed: Collection[str], what: str) -> list[str]:
    """Any number of a known list, separated by semicolons; each once, in order."""
    values = sorted({part.strip() for part in cell.split(";") if part.strip()})
    unknown = [value for value in values if value not in allowed]
    if unknown:
        known = ", ".join(sorted(allowed)) or "none yet"
        raise CellError(f"unknown {what}: {', '.join(v[:40] for v in unknown[:5])} (known: {known})")
    return values


def whole(cell: str, low: int, high: int, *, default: int | None = None) -> int:
    """A whole number from `low` to `high`; empty is `default` where there is one."""
    if not cell and default is not None:
        return default
    digits = cell[1:] if cell.startswith("-") else cell
    if not digits or not only_digits(digits) or len(digits) > 6:
        raise CellError(f"“{cell[:40]}” is not a whole number")
    number = int(cell)
    if not low <= number <= high:
        raise CellError(f"must be from {low} to {high} (it is {number})")
    return number


def money(cell: str, *, required: bool = True) -> int:
    """An amount in pounds with pence (112.40, £1,095.50) as pence."""
    if not cell and not required:
        return 0
    found = _MONEY.fullmatch(cell)
    if not found:
        raise CellError(f"“{cell[:40]}” is not an amount in pounds and pence, like 112.40")
    pounds, pence = found.group(1).replace(",", ""), found.group(2) or "0"
    amount = int(pounds) * 100 + int(pence.ljust(2, "0"))
    if amount > MAX_PENCE:
        raise CellError(f"£{amount / 100:,.2f} a week is more than any home's")
    return amount


def pounds(pence: int) -> str:
    """Pence written the way `money` reads them back: 11240 is 112.40."""
    return f"{pence // 100}.{pence % 100:02d}"


def reference(cell: str) -> str:
    """A reference from the other system: letters, digits and hyphens, up to 32, in capitals (it is part of
    the case's or the home's address on the admin site)."""
    value = cell.upper()
    if not value:
        raise CellError("is empty: every row needs its reference")
    if len(value) > 32 or not value.replace("-", "").isalnum() or not value.isascii():
        raise CellError(f"“{cell[:40]}” is not a reference: up to 32 letters, digits or hyphens")
    return value


def postcode(cell: str) -> str:
    """A postcode written the usual way (capitals, one space)."""
    value = " ".join(cell.upper().split())
    if not 5 <= len(value) <= 8 or not value[0].isalpha():
        raise CellError(f"“{cell[:40]}” is not a postcode, like AT1 2BC")
    return value


def email(cell: str) -> str | None:
    if not cell:
        return None
    if "@" not in cell or len(cell) > 254 or any(c.isspace() for c in cell):
        raise CellError(f"“{cell[:40]}” is not an e-mail address, like name@example.com")
    return cell
