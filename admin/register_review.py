"""The annual review of the register: who is due, letters sent, answers awaited."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from cbl.rules.digits import only_digits
from cbl.rules.working_days import local_date
from cbl.database import Database
from cbl.rules.scheme import Scheme
from cbl.services.actors import staff as staff_actor
from cbl.services.errors import DomainError, InvalidInput
from cbl.services.register_review import awaiting_answer, due_for_review, send_review_letters
from cbl.web import forms
from cbl.web.auth import now

from .guards import current_staff
from cbl.services.rights import Right


def _page(db: Database, request: Request, error: DomainError | None = None, sent: int | None = None) -> Template:
    with db.reading() as session:
        due, waiting = due_for_review(session, local_date(now())), awaiting_answer(session)
    return Template("admin/register_review.html", status_code=error.status_code if error else 200, context={
        "staff": current_staff(request), "due": due, "waiting": waiting, "error": error, "sent": sent})


@get("/register-review", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def register_review(db: NamedDependency[Database], request: Request) -> Template:
    return _page(db, request)


@post("/register-review/letters", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def review_letters(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                   data: forms.Body) -> Template | Redirect:
    chosen = forms.many(data, "applicant", 12)
    try:
        if not chosen:
            raise InvalidInput("Choose the households to write to.", field="applicant")
        if not all(only_digits(value) for value in chosen):
            raise InvalidInput("Choose households from the list.", field="applicant")
        sent = db.run(send_review_letters, staff_actor(current_staff(request)), scheme, [int(v) for v in chosen], now())
    except DomainError as error:
        return _page(db, request, error)
    return _page(db, request, sent=sent)
