"""The CORE lettings return: which lets are ready, what each still needs, and the file to upload."""

from datetime import date

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from cbl.rules.digits import only_digits
from cbl.rules import reporting_periods
from cbl.rules.working_days import local_date
from cbl.reports.core_export import COLLECTION_YEAR
from cbl.database import Database
from cbl.services.actors import staff as staff_actor
from cbl.queries.core_lets import core_return, questions_for
from cbl.services.core_return import record_answers
from cbl.services.errors import DomainError
from cbl.web import forms
from cbl.web.auth import now

from .acting import act
from .guards import current_staff
from cbl.services.rights import Right


def _period(start: str | None, end: str | None) -> tuple[date, date]:
    """The period typed in, or the collection year to date."""
    default = COLLECTION_YEAR[0], min(COLLECTION_YEAR[1], local_date(now()))
    return reporting_periods.period(start, end, default, fields=("start", "end"))


@get("/core", opt={"right": Right.REPORTS_EXPORT}, sync_to_thread=True)
def core_page(db: NamedDependency[Database], request: Request, start: FromQuery[str | None] = None,
              end: FromQuery[str | None] = None) -> Template:
    first, last = _period(start, end)
    with db.reading() as session:
        result, void_ids = core_return(session, staff_actor(current_staff(request)), first, last)
    return Template("admin/core/return.html", context={
        "staff": current_staff(request), "result": result, "void_ids": void_ids, "start": first, "end": last})


@get("/core/return.csv", opt={"right": Right.REPORTS_EXPORT}, sync_to_thread=True)
def core_download(db: NamedDependency[Database], request: Request, start: FromQuery[str | None] = None,
                  end: FromQuery[str | None] = None) -> Response[bytes]:
    first, last = _period(start, end)
    with db.reading() as session:
        result, _ = core_return(session, staff_actor(current_staff(request)), first, last)
    return Response(result.to_bytes(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="core-lettings-{first}-to-{last}.csv"'})


def _questions_page(db: Database, request: Request, void_id: int, error: DomainError | None = None,
                    form: dict | None = None) -> Template:
    with db.reading() as session:
        record, questions = questions_for(session, void_id)
    return Template("admin/core/let.html", status_code=error.status_code if error else 200, context={
        "staff": current_staff(request), "record": record, "questions": questions, "void_id": void_id,
        "error": error, "form": form or {}})


@get("/lets/{void_id:int}/core", opt={"right": Right.OFFER_RECORD}, sync_to_thread=True)
def let_questions(db: NamedDependency[Database], request: Request, void_id: FromPath[int]) -> Template:
    return _questions_page(db, request, void_id)


@post("/lets/{void_id:int}/core", opt={"right": Right.OFFER_RECORD}, sync_to_thread=True)
def let_answers(db: NamedDependency[Database], request: Request, void_id: FromPath[int],
                data: forms.Body) -> Template | Redirect:
    answers = {int(name.removeprefix("field-")): forms.text(data, name, 100) for name in data
               if name.startswith("field-") and only_digits(name.removeprefix("field-"))}
    return act(db, request, lambda s, actor: record_answers(s, actor, void_id, answers, now()),
               lambda error: _questions_page(db, request, void_id, error,
                                             {f"field-{n}": v for n, v in answers.items()}),
               f"/admin/lets/{void_id}/core")
