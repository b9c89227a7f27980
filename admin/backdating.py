"""Back-dated registrations: asked for by the officer taking an application in, decided by a manager."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import Session

from cbl.database import Database
from cbl.queries import register
from cbl.services.actors import Actor
from cbl.services.actors import staff as staff_actor
from cbl.services.backdating import decide_backdating
from cbl.services.rights import Right
from cbl.web import forms
from cbl.web.auth import now

from .acting import submit
from .guards import current_staff
from .line_forms import PerLine, Submitted

PAGE = "/admin/registration-backdating"


class Decision(forms.Form):
    approve = forms.Choice("Approve the earlier registration date?",
                           required="Say whether you approve the earlier registration date")
    note = forms.Text("Note", limit=2000)


def _decisions(submitted: Submitted | None = None) -> PerLine[Decision]:
    return PerLine(Decision, "backdating", submitted=submitted, choices={
        "approve": [("yes", "Approve: the application takes the earlier date"), ("no", "Turn it down")]})


def _page(db: Database, request: Request, submitted: Submitted | None = None) -> Template:
    with db.reading() as session:
        rows = register.backdating_requests(session)
    return Template("admin/applicants/backdating.html", status_code=submitted[1].status if submitted else 200,
                    context={"staff": current_staff(request), "rows": rows, "decisions": _decisions(submitted),
                             "submitted": submitted[1] if submitted else None,
                             "may_decide": staff_actor(current_staff(request)).may(Right.REGISTRATION_BACKDATE)})


@get("/registration-backdating", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def backdating_requests(db: NamedDependency[Database], request: Request) -> Template:
    return _page(db, request)


@post("/registration-backdating/{request_id:int}/decision", opt={"right": Right.REGISTRATION_BACKDATE},
      sync_to_thread=True)
def backdating_decision(db: NamedDependency[Database], request: Request, request_id: FromPath[int],
                        data: forms.Body) -> Template | Redirect:

    def decide(session: Session, actor: Actor, form: Decision):  # noqa: ANN202
        return decide_backdating(session, actor, request_id, form.approve.data == "yes", form.note.data or "",
                                 now())

    return submit(db, request, _decisions().read(request_id, data), decide,
                  lambda form: _page(db, request, (request_id, form)), PAGE)
