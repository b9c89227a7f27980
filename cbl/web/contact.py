"""The household's "How we contact you" page: e-mail, text, post, large print, new-homes alerts."""

import anyio
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from cbl.database import Database
from cbl.messages.routing import preference
from cbl.models import Applicant
from cbl.services.contact import ContactChoices, save_contact_choices
from cbl.services.errors import DomainError
from cbl.web import forms
from cbl.web.auth import Viewer, applicant_actor, now, signed_in_applicant

PAGE = "public/account/contact.html"


# Async, doing its work in a thread, for the reason given beside account.preferences_page.
@get("/account/contact")
async def contact_page(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
                       saved: FromQuery[str | None] = None) -> Template:
    return await anyio.to_thread.run_sync(_contact_page, db, viewer, request, saved)


def _contact_page(db: Database, viewer: Viewer | None, request: Request, saved: str | None) -> Template:
    applicant = signed_in_applicant(viewer, db, request)
    with db.reading() as session:
        chosen = preference(session, applicant.id)
        email = session.get(Applicant, applicant.id).email
    return Template(PAGE, context={"chosen": chosen, "email": email, "mobile": chosen.confirmed_mobile or "",
                                   "consent": chosen.email_consent_at is not None, "viewer": viewer,
                                   "saved": saved == "1"})


@post("/account/contact", sync_to_thread=True)
def contact_submit(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
                   data: forms.Body) -> Template | Redirect:
    applicant = signed_in_applicant(viewer, db, request)
    choices = ContactChoices(
        by_email=forms.ticked(data, "by_email"), by_text=forms.ticked(data, "by_text"),
        by_post=forms.ticked(data, "by_post"), large_print=forms.ticked(data, "large_print"),
        email_consent=forms.ticked(data, "email_consent"), mobile=forms.text(data, "mobile", 32),
        new_homes_alert=forms.ticked(data, "new_homes_alert"))
    try:
        db.run(save_contact_choices, applicant_actor(applicant), applicant.id, choices, now())
    except DomainError as error:
        with db.reading() as session:
            email = session.get(Applicant, applicant.id).email
        # What was typed and ticked comes back as it was, with the error.
        return Template(PAGE, status_code=error.status_code, context={
            "chosen": choices, "email": email, "mobile": choices.mobile, "consent": choices.email_consent,
            "viewer": viewer, "error": error})
    return Redirect("/account/contact?saved=1", status_code=303)


ROUTES = [contact_page, contact_submit]
