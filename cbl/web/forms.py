"""Reading form fields safely: one value or many, trimmed and bounded, never an exception."""

from typing import Any

from litestar.params import URLEncodedBody

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
