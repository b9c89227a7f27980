"""Registered providers' details: where each provider's nominations are e-mailed."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlmodel import Session

from cbl.database import Database
from cbl.models import Organisation
from cbl.services.actors import Actor
from cbl.services.providers import EMAIL_LIMIT, provider, set_lettings_email
from cbl.services.rights import Right
from cbl.web import forms

from .acting import submit
from .guards import current_staff


class LettingsEmail(forms.Form):
    lettings_email = forms.Text("Lettings e-mail address", limit=EMAIL_LIMIT)


def _page(request: Request, organisation: Organisation, form: LettingsEmail, saved: bool = False) -> Template:
    return Template("admin/agreements/provider.html", status_code=form.status, context={
        "staff": current_staff(request), "provider": organisation, "form": form, "saved": saved})


@get("/providers/{code:str}", opt={"right": Right.AGREEMENTS_MANAGE}, sync_to_thread=True)
def provider_page(db: NamedDependency[Database], request: Request, code: FromPath[str],
                  saved: FromQuery[str | None] = None) -> Template:
    with db.reading() as session:
        organisation = provider(session, code)
    form = forms.read(LettingsEmail, None, lettings_email=organisation.lettings_email or "")
    return _page(request, organisation, form, saved=saved == "1")


@post("/providers/{code:str}", opt={"right": Right.AGREEMENTS_MANAGE}, sync_to_thread=True)
def provider_submit(db: NamedDependency[Database], request: Request, code: FromPath[str],
                    data: forms.Body) -> Template | Redirect:
    with db.reading() as session:
        organisation = provider(session, code)

    def save(session: Session, actor: Actor, form: LettingsEmail) -> Organisation:
        return set_lettings_email(session, actor, code, form.lettings_email.data or "")

    return submit(db, request, forms.read(LettingsEmail, data), save, lambda form: _page(request, organisation, form),
                  f"/admin/providers/{code}?saved=1")
