"""The annual review of the register: who is due, letters sent, answers awaited."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Template

from cbl.database import Database
from cbl.rules.scheme import Scheme
from cbl.rules.working_days import local_date
from cbl.services.actors import staff as staff_actor
from cbl.services.errors import DomainError
from cbl.services.register_review import awaiting_answer, due_for_review, send_review_letters
from cbl.services.rights import Right
from cbl.web import forms
from cbl.web.auth import now

from .guards import current_staff


class ReviewLetters(forms.Form):
    applicant = forms.Many("Households to write to", required="Choose the households to write to")


def _households(db: Database) -> tuple[list, list]:
    with db.reading() as session:
        return due_for_review(session, local_date(now())), awaiting_answer(session)


def _choices(due: list) -> list[tuple[str, str]]:
    return [(str(applicant.id), f"{applicant.reference}, band {applicant.band or 'not assessed'}, "
                                f"due {applicant.review_due.day} {applicant.review_due:%B %Y}") for applicant in due]


def _page(request: Request, due: list, waiting: list, form: ReviewLetters, sent: int | None = None) -> Template:
    form.applicant.choices = _choices(due)  # only those due are offered
    return Template("admin/register_review.html", status_code=form.status, context={
        "staff": current_staff(request), "due": due, "waiting": waiting, "form": form, "sent": sent})


def _fresh(due: list) -> ReviewLetters:
    return forms.read(ReviewLetters, None, choices={"applicant": _choices(due)},
                      applicant=[str(applicant.id) for applicant in due])


@get("/register-review", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def register_review(db: NamedDependency[Database], request: Request) -> Template:
    due, waiting = _households(db)
    return _page(request, due, waiting, _fresh(due))


@post("/register-review/letters", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def review_letters(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                   data: forms.Body) -> Template:
    due, waiting = _households(db)
    # Households already waiting for an answer are accepted too (a second click on a page shown before
    # the letters went): the service writes to nobody twice.
    form = forms.read(ReviewLetters, data, choices={"applicant": _choices(due) + [
        (str(applicant.id), applicant.reference) for applicant in waiting]})
    if form.validate():
        try:
            sent = db.run(send_review_letters, staff_actor(current_staff(request)), scheme,
                          [int(value) for value in form.applicant.data], now())
            due, waiting = _households(db)
            return _page(request, due, waiting, _fresh(due), sent=sent)
        except DomainError as error:
            form.refuse(error)
    return _page(request, due, waiting, form)
