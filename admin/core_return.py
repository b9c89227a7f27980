"""The CORE lettings return: which lets are ready, what each still needs, and the file to upload."""

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import urlencode

import wtforms
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template
from sqlmodel import Session
from wtforms.validators import ValidationError

from cbl.rules import reporting_periods
from cbl.rules.working_days import local_date
from cbl.reports.core_export import COLLECTION_YEAR, field_specs
from cbl.database import Database
from cbl.services.actors import Actor
from cbl.services.actors import staff as staff_actor
from cbl.queries.core_lets import core_return, questions_for, return_page
from cbl.services.core_return import ANSWER_LIMIT, record_answers
from cbl.queries.paging import PAGE_MAX
from cbl.web import forms
from cbl.web.auth import now

from . import periods
from .acting import submit
from .guards import current_staff
from cbl.services.rights import Right


def _collection_year_to_date() -> tuple[date, date]:
    return COLLECTION_YEAR[0], min(COLLECTION_YEAR[1], local_date(now()))


def _period(start: str | None, end: str | None) -> tuple[date, date]:
    """The period in the download link (ISO days), or the collection year to date."""
    return reporting_periods.period(start, end, _collection_year_to_date(), fields=("start", "end"))


class ReturnPeriod(periods.Period):
    """The return's period, and the page of its lets shown."""

    page = forms.WholeNumber("Page", low=1, high=PAGE_MAX, message=f"Page must be a whole number from 1 to {PAGE_MAX}")


def _page_link(period: periods.Span) -> Callable[[int], str]:
    """The address of another page of the return for the same period."""
    return lambda number: "/admin/core?" + urlencode({**periods.day_fields(period), "page": number})


@get("/core", opt={"right": Right.REPORTS_EXPORT}, sync_to_thread=True)
def core_page(db: NamedDependency[Database], request: Request) -> Template:
    form, period = periods.read(ReturnPeriod, request, _collection_year_to_date())
    shown = None
    if period is not None:
        with db.reading() as session:
            shown = return_page(session, staff_actor(current_staff(request)), *period, form.page.data or 1)
        periods.reported(form, period)  # the default period shows as its dates
    return Template("admin/core/return.html", status_code=form.status, context={
        "staff": current_staff(request), "form": form, "shown": shown, "period": period,
        "page_link": _page_link(period) if period else None})


@get("/core/return.csv", opt={"right": Right.REPORTS_EXPORT}, sync_to_thread=True)
def core_download(db: NamedDependency[Database], request: Request, start: FromQuery[str | None] = None,
                  end: FromQuery[str | None] = None) -> Response[bytes]:
    first, last = _period(start, end)
    with db.reading() as session:
        result = core_return(session, staff_actor(current_staff(request)), first, last)
    return Response(result.to_bytes(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="core-lettings-{first}-to-{last}.csv"'})


class FreeAnswer(forms.Text):
    """A free answer to one of CORE's questions, in the form the national template accepts."""

    def __init__(self, label: str, *, accepts: Callable[[str], bool], values: str, **kwargs: Any) -> None:
        super().__init__(label, limit=ANSWER_LIMIT, **kwargs)
        self.accepts, self.values = accepts, values

    def pre_validate(self, form: wtforms.Form) -> None:
        super().pre_validate(form)
        if self.data and not self.accepts(self.data):
            raise ValidationError(_not_accepted(self, self.data))


class CodedAnswer(forms.Choice):
    """A coded answer to one of CORE's questions, from the codes the national template lists."""

    def pre_validate(self, form: wtforms.Form) -> None:
        if self.data and self.data not in {value for value, _ in self.options()}:
            raise ValidationError(_not_accepted(self, self.data))
        super().pre_validate(form)


def _not_accepted(field: wtforms.Field, value: str) -> str:
    number = field.name.removeprefix("field-")
    return f"Field {number}: “{value[:60]}” is not an answer CORE accepts ({field_specs()[int(number)].values})."


def _answers_form(questions: list[dict], body: dict | None) -> forms.Form:
    """The let's open questions as a form: a list of codes where CORE has one, else a free answer."""
    specs = field_specs()
    fields = {f"field-{q['number']}": CodedAnswer(f"{q['number']}. {q['question']}", required=None) if q["choices"]
              else FreeAnswer(f"{q['number']}. {q['question']}", accepts=specs[q["number"]].accepts,
                             values=q["values"])
              for q in questions}
    kind = type("CoreAnswers", (forms.Form,), fields)
    return forms.read(kind, body, choices={f"field-{q['number']}": q["choices"] for q in questions if q["choices"]})


def _questions_page(request: Request, void_id: int, record: object, questions: list[dict],
                    form: forms.Form) -> Template:
    return Template("admin/core/let.html", status_code=form.status, context={
        "staff": current_staff(request), "record": record, "questions": questions, "void_id": void_id,
        "form": form})


@get("/lets/{void_id:int}/core", opt={"right": Right.OFFER_RECORD}, sync_to_thread=True)
def let_questions(db: NamedDependency[Database], request: Request, void_id: FromPath[int]) -> Template:
    with db.reading() as session:
        record, questions = questions_for(session, void_id)
    return _questions_page(request, void_id, record, questions, _answers_form(questions, None))


@post("/lets/{void_id:int}/core", opt={"right": Right.OFFER_RECORD}, sync_to_thread=True)
def let_answers(db: NamedDependency[Database], request: Request, void_id: FromPath[int],
                data: forms.Body) -> Template | Redirect:
    with db.reading() as session:
        record, questions = questions_for(session, void_id)

    def record_form(session: Session, actor: Actor, form: forms.Form):  # noqa: ANN202
        answers = {int(field.name.removeprefix("field-")): field.data or "" for field in form}
        return record_answers(session, actor, void_id, answers, now())

    return submit(db, request, _answers_form(questions, data), record_form,
                  lambda form: _questions_page(request, void_id, record, questions, form),
                  f"/admin/lets/{void_id}/core")
