"""Reading form fields safely: one value or many, trimmed and bounded, never an exception."""

from datetime import date, datetime, timezone, tzinfo
from typing import Any

from litestar.params import URLEncodedBody

from cbl.rules.digits import only_digits
from cbl.services.errors import InvalidInput

# A submitted HTML form: each field one string, or a list when the field repeats (checkboxes).
Form = URLEncodedBody[dict[str, Any]]

MAX_FIELD = 5000


def text(form: dict[str, Any], name: str, limit: int = MAX_FIELD) -> str:
    value = form.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip()[:limit]


def many(form: dict[str, Any], name: str, limit: int = 200) -> list[str]:
    value = form.get(name, [])
    values = value if isinstance(value, list) else [value]
    return [str(v).strip()[:limit] for v in values if str(v).strip()]


def ticked(form: dict[str, Any], name: str) -> bool:
    return text(form, name) in {"yes", "on", "true", "1"}


def safe_next(path: str | None, default: str) -> str:
    """Only a path on this site: never an address elsewhere (open redirect)."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return default


def day(form: dict[str, Any], name: str, *, optional: bool = False) -> date | None:
    """A date field as YYYY-MM-DD; an unreadable one is the user's to correct, with a message by the field."""
    value = text(form, name, 10)
    if optional and not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("Enter a real date, like 2026-11-20.", field=name) from None


def pence(form: dict[str, Any], name: str, *, optional: bool = False) -> int:
    """A sum of money in pounds, like 95.50 or £1,095, as pence."""
    value = text(form, name, 20).lstrip("£").replace(",", "")
    if optional and not value:
        return 0
    pounds, _, fraction = value.partition(".")
    if not only_digits(pounds) or (fraction and (not only_digits(fraction) or len(fraction) > 2)) or int(pounds) > 100_000:
        raise InvalidInput("Enter an amount in pounds, like 95.50.", field=name)
    return int(pounds) * 100 + int(fraction.ljust(2, "0") if fraction else 0)


def whole_number(form: dict[str, Any], name: str, low: int, high: int, message: str, default: int | None = None) -> int:
    value = text(form, name, 6)
    if not value and default is not None:
        return default
    if not only_digits(value.lstrip("-")) or not low <= int(value) <= high:
        raise InvalidInput(message, field=name)
    return int(value)


def local_moment(form: dict[str, Any], zone: tzinfo, *, field: str = "viewing_at") -> datetime:
    """A date and a time typed as UK people read them (fields `day` and `time`), as a UTC moment."""
    try:
        local = datetime.fromisoformat(f"{text(form, 'day', 10)}T{text(form, 'time', 5)}")
    except ValueError:
        raise InvalidInput("Enter the date and time, like 2026-12-01 and 14:30.", field=field) from None
    return local.replace(tzinfo=zone).astimezone(timezone.utc)
