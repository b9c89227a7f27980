"""The household's "How we contact you" page: e-mail, text, post, large print, new-homes alerts."""

import anyio
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from cbl.database import Database
from cbl.messages.routing import preference
from cbl.models import Applicant, ContactPreference
from cbl.services.contact import ContactChoices, RefusedChoices, save_contact_choices
from cbl.services.errors import DomainError
from cbl.web import forms
from cbl.web.auth import Viewer, applicant_actor, now, signed_in_applicant

PAGE = "public/account/contact.html"


class ContactForm(forms.Form):
    by_email = forms.Ticked("E-mail")
    by_text = forms.Ticked("Text message")
    by_post = forms.Ticked("Letters by post")
    mobile = forms.Text("Mobile number", limit=32)
    email_consent = forms.Ticked("I agree to get decisions about my application by e-mail")
    large_print = forms.Ticked("Send my letters in large print")
    new_homes_alert = forms.Ticked("E-mail me each week about new homes I can bid for")


def _page(db: Database, viewer: Viewer | None, applicant_id: int, form: ContactForm, saved: bool = False,
          chosen: ContactPreference | None = None) -> Template:
    with db.reading() as session:
        email = session.get(Applicant, applicant_id).email
    return Template(PAGE, status_code=form.status, context={
        "form": form, "email": email, "chosen": chosen, "viewer": viewer, "saved": saved})


# Async, doing its work in a thread, for the reason given beside account.preferences_page.
@get("/account/contact")
async def contact_page(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
                       saved: FromQuery[str | None] = None) -> Template:
    return await anyio.to_thread.run_sync(_contact_page, db, viewer, request, saved)


def _contact_page(db: Database, viewer: Viewer | None, request: Request, saved: str | None) -> Template:
    applicant = signed_in_applicant(viewer, db, request)
    with db.reading() as session:
        chosen = preference(session, applicant.id)
    form = forms.read(ContactForm, None, by_email=chosen.by_email, by_text=chosen.by_text, by_post=chosen.by_post,
                      mobile=chosen.confirmed_mobile or "", email_consent=chosen.email_consent_at is not None,
                      large_print=chosen.large_print, new_homes_alert=chosen.new_homes_alert)
    return _page(db, viewer, applicant.id, form, saved == "1", chosen)


@post("/account/contact", sync_to_thread=True)
def contact_submit(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
                   data: forms.Body) -> Template | Redirect:
    applicant = signed_in_applicant(viewer, db, request)
    form = forms.read(ContactForm, data)
    if form.validate():
        choices = ContactChoices(
            by_email=form.by_email.data, by_text=form.by_text.data, by_post=form.by_post.data,
            large_print=form.large_print.data, email_consent=form.email_consent.data, mobile=form.mobile.data or "",
            new_homes_alert=form.new_homes_alert.data)
        try:
            db.run(save_contact_choices, applicant_actor(applicant), applicant.id, choices, now())
            return Redirect("/account/contact?saved=1", status_code=303)
        except RefusedChoices as refused:
            for problem in refused.problems:
                form.refuse(problem)
        except DomainError as error:
            form.refuse(error)
    return _page(db, viewer, applicant.id, form)


ROUTES = [contact_page, contact_submit]
