"""The household's own equality monitoring answers, once its application is on the register: to see, change or
delete (/account/equality). Only the household reaches them: no member of staff's page shows them."""

import anyio
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from cbl.database import Database
from cbl.services import equality
from cbl.services.errors import DomainError
from cbl.web import forms
from cbl.web.auth import Viewer, applicant_actor, now, signed_in_applicant
from cbl.web.equality_forms import EqualityForm, answers, read_equality

SAVED = {"saved": "Your answers have been saved.", "deleted": "Your answers have been deleted."}


def _page(viewer: Viewer | None, form: EqualityForm, held: bool, done: str | None = None) -> Template:
    return Template("public/apply/equality.html", status_code=form.status, context={
        "viewer": viewer, "form": form, "action": "/account/equality", "back": "/account",
        "saved": SAVED.get(done or ""),
        "changing": "Change any answer and save. To take back all your answers, delete them below.",
        "save_text": "Save my answers", "skip_text": None, "may_delete": held})


def _own_page(db: Database, viewer: Viewer | None, request: Request, done: str | None) -> Template:
    applicant = signed_in_applicant(viewer, db, request)
    with db.reading() as session:
        kept = equality.own_answers(session, applicant_actor(applicant),
                                    equality.Household(applicant_id=applicant.id))
    return _page(viewer, read_equality(None, kept), kept is not None, done)


# Async, doing its work in a thread, for the reason given beside account.preferences_page.
@get("/account/equality")
async def own_equality_page(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
                            done: FromQuery[str | None] = None) -> Template:
    return await anyio.to_thread.run_sync(_own_page, db, viewer, request, done)


@post("/account/equality", sync_to_thread=True)
def own_equality_submit(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
                        data: forms.Body) -> Template | Redirect:
    """Save the answers (action=save), or delete them all (action=delete)."""
    applicant = signed_in_applicant(viewer, db, request)
    whose, actor = equality.Household(applicant_id=applicant.id), applicant_actor(applicant)
    if data.get("action") == "delete":
        db.run(equality.forget_own, actor, whose, now())
        return Redirect("/account/equality?done=deleted", status_code=303)
    form = read_equality(data)
    if form.validate():
        try:
            db.run(equality.record_own, actor, whose, answers(form), now())
            return Redirect("/account/equality?done=saved", status_code=303)
        except DomainError as error:
            form.refuse(error)
    with db.reading() as session:
        held = equality.own_answers(session, actor, whose) is not None
    return _page(viewer, form, held)


ROUTES = [own_equality_page, own_equality_submit]
