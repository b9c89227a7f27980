"""The one way HTML forms are declared, read, checked and shown again (docs/decisions/0002-forms.md).

A form is a WTForms class built from the fields here: each free-text field declares its maximum,
each list accepts only the values it is given, dates are GOV.UK date inputs and times read as people
write them. `read` fills a form from a submitted body; a handler checks `form.validate()`, calls its
service, hands a refused service call back with `form.refuse(error)`, and renders the same page with
the form, which `components/forms.html` draws with the GOV.UK Frontend macros: every error in the
summary, each beside its field, everything typed shown again.
"""

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timezone, tzinfo
from typing import Any, TypeVar

import wtforms
from litestar.params import URLEncodedBody
from wtforms.validators import StopValidation, ValidationError

from cbl.rules.digits import only_digits
from cbl.rules.times_of_day import read_time
from cbl.services.errors import DomainError

# A submitted HTML form: each field one string, or a list when the field repeats (checkboxes).
Body = URLEncodedBody[dict[str, Any]]


class _Submitted:
    """A submitted body as WTForms reads it (`getlist`), from the mapping Litestar parses."""

    def __init__(self, body: dict[str, Any]) -> None:
        self._body = body

    def __contains__(self, name: object) -> bool:
        return name in self._body

    def __iter__(self) -> Iterator[str]:
        return iter(self._body)

    def __len__(self) -> int:
        return len(self._body)

    def getlist(self, name: str) -> list[str]:
        value = self._body.get(name, [])
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class _Required:
    """A field that must be answered, with the message GOV.UK's pattern gives for it."""

    field_flags = {"required": True}

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: wtforms.Form, field: wtforms.Field) -> None:
        if not field.raw_data or not any(str(v).strip() for v in field.raw_data):
            field.errors[:] = []
            raise StopValidation(self.message)


class Text(wtforms.StringField):
    """Free text with a declared maximum: a longer entry is refused, never cut."""

    def __init__(self, label: str, *, limit: int, required: str | None = None, **kwargs: Any) -> None:
        checks = [_Required(required)] if required else [wtforms.validators.Optional()]
        super().__init__(label, validators=checks, filters=[_strip], **kwargs)
        self.limit = limit

    def pre_validate(self, form: wtforms.Form) -> None:
        if self.data and "\x00" in self.data:  # PostgreSQL stores no NUL character; no one types one
            raise ValidationError(f"{self.label.text} has a character that cannot be stored: remove it")
        if self.data and len(self.data) > self.limit:
            raise ValidationError(f"{self.label.text} must be {self.limit:,} characters or fewer "
                                  f"(you entered {len(self.data):,})")

    def _value(self) -> str:
        return self.raw_data[0] if self.raw_data else (self.data or "")


class Password(Text):
    def _value(self) -> str:
        return ""  # never sent back to the browser


class Choice(wtforms.SelectField):
    """One of a list the scheme or the page gives (`choices` set before validating)."""

    data: str | None  # what was chosen, as submitted; "" when an optional list is left unanswered

    def __init__(self, label: str, *, required: str | None, **kwargs: Any) -> None:
        super().__init__(label, validators=[_Required(required)] if required else [], choices=[], **kwargs)
        self.required = required

    def pre_validate(self, form: wtforms.Form) -> None:
        if not self.required and not self.data:
            self.data = ""
            return
        if self.data not in {str(value) for value, _ in self.options()}:
            raise ValidationError(f"Choose {self.label.text.lower()} from the list")

    def options(self) -> list[tuple[str, str]]:
        return [(c, c) if isinstance(c, str) else (str(c[0]), c[1]) for c in self.choices or []]


class Many(wtforms.SelectMultipleField):
    """Any number of a known list (areas, needs, groups); anything else is refused by name."""

    def __init__(self, label: str, *, required: str | None = None, **kwargs: Any) -> None:
        super().__init__(label, validators=[_Required(required)] if required else [], choices=[], **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = [v.strip() for v in valuelist if v.strip()]

    def pre_validate(self, form: wtforms.Form) -> None:
        known = {str(value) for value, _ in self.options()}
        unknown = [v for v in self.data or [] if v not in known]
        if unknown:
            raise ValidationError(f"{self.label.text} has a value that is not on the list: {unknown[0][:60]}")

    def options(self) -> list[tuple[str, str]]:
        return [(c, c) if isinstance(c, str) else (str(c[0]), c[1]) for c in self.choices or []]


class Ticked(wtforms.BooleanField):
    false_values = (False, "false", "", "no", "off", "0")


class WholeNumber(wtforms.Field):
    """A whole number between two bounds; what was typed comes back as typed."""

    def __init__(self, label: str, *, low: int, high: int, message: str, required: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.low, self.high, self.message, self.required = low, high, message, required

    def process_formdata(self, valuelist: list[str]) -> None:
        typed = valuelist[0].strip() if valuelist else ""
        self.data = int(typed) if typed.lstrip("-") and only_digits(typed.lstrip("-")) and len(typed) < 10 else None

    def pre_validate(self, form: wtforms.Form) -> None:
        typed = self._value()
        if not typed and not self.required:
            return
        if self.data is None or not self.low <= self.data <= self.high:
            raise StopValidation(self.message)

    def _value(self) -> str:
        return self.raw_data[0].strip() if self.raw_data else ("" if self.data is None else str(self.data))


class Money(wtforms.Field):
    """A sum in pounds (95.50, £1,095) kept as pence."""

    def __init__(self, label: str, *, required: bool = True, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.required = required

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = _pence(valuelist[0] if valuelist else "")

    def pre_validate(self, form: wtforms.Form) -> None:
        if not self._value() and not self.required:
            self.data = 0
        elif not self._value():
            raise StopValidation(f"Enter the {self.label.text.lower()}")
        elif self.data is None:
            raise StopValidation(f"{self.label.text} must be an amount in pounds, like 95.50")

    def _value(self) -> str:
        return self.raw_data[0].strip() if self.raw_data else ("" if self.data is None else f"{self.data / 100:.2f}")


def _pence(typed: str) -> int | None:
    value = typed.strip().lstrip("£").replace(",", "")
    pounds, _, fraction = value.partition(".")
    if (not only_digits(pounds) or len(pounds) > 6 or int(pounds) > 100_000
            or (fraction and (not only_digits(fraction) or len(fraction) > 2))):
        return None
    return int(pounds) * 100 + int(fraction.ljust(2, "0") if fraction else 0)


class Day(wtforms.Field):
    """A GOV.UK date input: fields NAME-day, NAME-month and NAME-year, with the pattern's messages."""

    PARTS = ("day", "month", "year")

    def __init__(self, label: str, *, required: bool = True, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.required = required
        self.parts: dict[str, str] = dict.fromkeys(self.PARTS, "")
        self.wrong: tuple[str, ...] = ()

    def process(self, formdata: Any, data: Any = wtforms.utils.unset_value, extra_filters: Any = None) -> None:
        self.process_errors: list[str] = []
        self.data = None if data is wtforms.utils.unset_value else data
        if isinstance(self.data, date):
            self.parts = {"day": str(self.data.day), "month": str(self.data.month), "year": str(self.data.year)}
        if formdata is None:
            return
        typed = {part: (formdata.getlist(f"{self.name}-{part}") or [""])[0].strip()[:10] for part in self.PARTS}
        self.raw_data = [typed[part] for part in self.PARTS] if any(typed.values()) else []
        self.parts = typed
        self.data = None

    def pre_validate(self, form: wtforms.Form) -> None:
        if not any(self.parts.values()):
            if self.required:
                self.wrong = self.PARTS
                raise StopValidation(f"Enter {self.label.text.lower()}")
            return
        self.wrong = tuple(part for part in self.PARTS if not self.parts[part])
        if self.wrong:
            raise StopValidation(f"{self.label.text} must include a {' and a '.join(self.wrong)}")
        try:
            self.data = date(*(int(self.parts[p]) for p in ("year", "month", "day")))
            if not 1900 <= self.data.year <= 2200:
                raise ValueError
        except ValueError:
            self.wrong = self.PARTS
            raise StopValidation(f"{self.label.text} must be a real date") from None

    @property
    def first_id(self) -> str:
        return f"{self.id}-{(self.wrong or self.PARTS)[0]}"


class TimeOfDay(wtforms.Field):
    """A time as people write it: 2pm, 2:30pm, 14:30, 14.30, noon, midday."""

    def __init__(self, label: str, *, required: str, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.required = required

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = read_time(valuelist[0][:20]) if valuelist else None

    def pre_validate(self, form: wtforms.Form) -> None:
        if not self._value():
            raise StopValidation(self.required)
        if self.data is None:
            raise StopValidation(f"{self.label.text} must be a real time, like 2pm or 14:30")

    def _value(self) -> str:
        return self.raw_data[0].strip() if self.raw_data else (self.data.strftime("%H:%M") if self.data else "")


class Upload(wtforms.Field):
    """A file to upload. The page reads the file itself (it may be large, so it is never a form value) and
    gives its refusals to this field, to show beside it and in the summary."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = None

    def _value(self) -> str:
        return ""


class Form(wtforms.Form):
    """A page's form: its fields' errors plus what the service refused, in page order."""

    refused_with = 422
    form_errors: list[str]  # set by WTForms; refusals that name none of the fields are added to it

    @property
    def status(self) -> int:
        """The status the page answers with: 200 unless refused (422, or a refusal's own, like 409)."""
        return self.refused_with if self.summary else 200

    def refuse(self, error: DomainError) -> None:
        """Show a refused service call: beside its field when it names one of ours, else in the summary."""
        self.refused_with = error.status_code
        field = self._fields.get(error.field or "")
        if field is not None:
            field.errors = [*field.errors, error.message]
        else:
            self.form_errors = [*self.form_errors, error.message]

    @property
    def summary(self) -> list[dict[str, str]]:
        """The GOV.UK error summary's list: one line per field in page order, linked to the field."""
        lines = [{"text": message, "href": "#main-content"} for message in self.form_errors]
        for field in self:
            if field.errors:
                # GOV.UK radios and checkboxes give the first item the field's own id.
                target = field.first_id if isinstance(field, Day) else field.id
                lines.append({"text": field.errors[0], "href": f"#{target}"})
        return lines

    def validate(self, extra_validators: Any = None) -> bool:
        super().validate(extra_validators)
        return not self.summary


F = TypeVar("F", bound=Form)


def read(kind: type["F"], body: dict[str, Any] | None, *, id_suffix: str = "",
                  choices: dict[str, Iterable[Any]] | None = None, **data: Any) -> "F":
    """A form filled from a submitted body (or, with None, from `data` for a first showing)."""
    form = kind(_Submitted(body) if body is not None else None, data=data or None)
    for name, options in (choices or {}).items():
        form[name].choices = list(options)
    if id_suffix:
        for field in form:
            field.id = f"{field.id}{id_suffix}"
    return form


def moment(on: date, at: time, zone: tzinfo) -> datetime:
    """A date and a time as people in `zone` read them, as a UTC moment."""
    return datetime.combine(on, at).replace(tzinfo=zone).astimezone(timezone.utc)


def safe_next(path: str | None, default: str) -> str:
    """Only a path on this site: never an address elsewhere (open redirect)."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return default


def read_index(typed: object) -> int:
    """A row's number or id sent by a button (remove=3): a whole number, else the row is not found."""
    from cbl.services.errors import NotFound

    text = str(typed).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise NotFound("There is no such item.")
    return int(text)
