"""Reading a rendered form as a person sees it: the error summary, each field's error, what each field shows."""

from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser


@dataclass
class RenderedForm:
    summary: dict[str, str] = field(default_factory=dict)  # link target -> message
    beside: dict[str, str] = field(default_factory=dict)  # field id -> message shown beside it
    values: dict[str, list[str]] = field(default_factory=dict)  # field name -> what it shows
    ids: set[str] = field(default_factory=set)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.form = RenderedForm()
        self._link: str | None = None
        self._error: str | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._option: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.form.ids.add(a["id"])
        if tag == "a" and a.get("href", "").startswith("#") and self._in_summary():
            self._link, self._text = a["href"][1:], []
        elif "govuk-error-message" in a.get("class", "") and a.get("id", "").endswith("-error"):
            self._error, self._text = a["id"].removesuffix("-error"), []
        elif tag == "input" and a.get("name") and a.get("type") not in ("hidden", "submit"):
            self._read_input(a)
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), []
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.form.values.setdefault(self._select, []).append(a.get("value", ""))
        if tag == "ul" and "govuk-error-summary__list" in a.get("class", ""):
            self._summary_open = True

    def _read_input(self, a: dict[str, str]) -> None:
        """A radio or checkbox shows its value only when ticked; any other input always."""
        if a.get("type") not in ("radio", "checkbox") or "checked" in a:
            self.form.values.setdefault(a["name"], []).append(a.get("value", ""))

    def _in_summary(self) -> bool:
        return getattr(self, "_summary_open", False)

    def handle_endtag(self, tag: str) -> None:
        text = " ".join("".join(self._text).split())
        if tag == "a" and self._link is not None:
            self.form.summary[self._link] = text
            self._link = None
        elif tag == "p" and self._error is not None:
            self.form.beside[self._error] = text.removeprefix("Error:").strip()
            self._error = None
        elif tag == "textarea" and self._textarea:
            self.form.values.setdefault(self._textarea, []).append("".join(self._text).lstrip("\n"))
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "ul":
            self._summary_open = False

    def handle_data(self, data: str) -> None:
        self._text.append(data)


def read_form(html: str) -> RenderedForm:
    reader = _Reader()
    reader.feed(html)
    return reader.form


def assert_every_error_shown(html: str, expected: dict[str, str]) -> RenderedForm:
    """Each field id in `expected` has a summary line linking to it and its error beside it, both
    containing the expected words; and the link's target is on the page."""
    form = read_form(html)
    for field_id, words in expected.items():
        linked = [message for target, message in form.summary.items() if target.startswith(field_id)]
        assert linked and words in linked[0], f"summary lacks {field_id!r}: {form.summary}"
        target = next(t for t in form.summary if t.startswith(field_id))
        assert target in form.ids, f"the summary links to #{target}, which is not on the page"
        assert words in form.beside.get(field_id, ""), f"no error beside {field_id!r}: {form.beside}"
    return form


def date_fields(name: str, day: date | str) -> dict[str, str]:
    """A GOV.UK date input's three fields, as a person fills them in (a date, or the ISO text of one)."""
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


# The scheme's fraud check before an offer, recorded as passed on a shortlist place (POST .../checks).
FRAUD_PASSED = {"kind": "fraud", "result": "passed"}
