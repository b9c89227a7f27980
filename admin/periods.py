"""The period a staff report covers, chosen on its page with two GOV.UK date inputs (a GET form).

Every report page (dashboard, CORE return, reviews figures, agreement compliance) reads its period
here, so the dates, their messages and the rules for a period (both ends or neither, the end not
before the start, five years at most: cbl/rules/reporting_periods.py) are the same on each.
The CSV downloads keep their ISO `from`/`to` (or `start`/`end`) parameters: they are links the
pages write, not forms people fill in.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any, TypeVar

from litestar import Request

from cbl.rules import reporting_periods
from cbl.services.errors import InvalidInput
from cbl.web import forms

Span = tuple[date, date]


class Period(forms.Form):
    """A report's period: both ends, or neither for the page's default period."""

    start = forms.Day("Start of the period", required=False)
    end = forms.Day("End of the period", required=False)


P = TypeVar("P", bound=Period)


def read(kind: type[P], request: Request, default: Span, *,
         choices: dict[str, Iterable[Any]] | None = None) -> tuple[P, Span | None]:
    """The period form (`Period`, or a page's own with more fields) as filled in the page's query,
    and the period it gives (`default` when neither end is typed), or None when the form has
    mistakes, each then shown beside its field."""
    query = {name: request.query_params.getall(name) for name in request.query_params}
    form = forms.read(kind, query, choices=choices)
    if not form.validate():
        return form, None
    try:
        return form, reporting_periods.chosen(form.start.data, form.end.data, default, fields=("start", "end"))
    except InvalidInput as refused:
        form.refuse(refused)
        return form, None


def reported(form: P, period: Span) -> P:
    """The form showing the period reported on (so the default period shows as dates), the rest as chosen."""
    form.start.process(None, period[0])
    form.end.process(None, period[1])
    return form


def day_fields(period: Span) -> dict[str, str]:
    """The date inputs' query parameters for a period, for a link that opens a page on it."""
    return {f"{name}-{part}": str(getattr(day, part))
            for name, day in zip(("start", "end"), period, strict=True) for part in forms.Day.PARTS}
