"""The applicant's reviews: ask for a review of a decision, with reasons, follow it, and withdraw it."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from cbl.database import Database
from cbl.queries import account
from cbl.models import Applicant
from cbl.rules.scheme import Scheme
from cbl.services import review_withdrawal, reviews
from cbl.services.errors import DomainError
from cbl.web import forms
from cbl.web.auth import Viewer, applicant_actor, now, signed_in_applicant


class ReviewRequest(forms.Form):
    decision = forms.Choice("Which decision do you want us to review?",
                            required="Choose the decision you want us to review")
    reasons = forms.Text("Why do you think it is wrong?", limit=8000,
                         required="Tell us why you think the decision is wrong")
    pending = forms.Ticked("I need somewhere to stay while you review the decision")


def _review_form(db: Database, applicant: Applicant, body: dict | None = None) -> ReviewRequest:
    with db.reading() as session:
        decisions = reviews.reviewable_decisions(session, applicant.id)
    return forms.read(ReviewRequest, body, choices={
        "decision": [(d.key, f"{d.description}, {d.made_on:%-d %B %Y}") for d in decisions]})


def _page(db: Database, viewer: Viewer, applicant: Applicant, form: ReviewRequest) -> Template:
    with db.reading() as session:
        own = account.own_reviews(session, applicant.id)
    return Template("public/account/reviews.html", status_code=form.status, context={
        "viewer": viewer, "reviews": own, "form": form, "deadline": reviews.deadline, "types": reviews.TYPE_WORDS})


@get("/account/reviews", sync_to_thread=True)
def my_reviews(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request) -> Template:
    applicant = signed_in_applicant(viewer, db, request)
    return _page(db, viewer, applicant, _review_form(db, applicant))


@post("/account/reviews", sync_to_thread=True)
def ask_for_review(db: NamedDependency[Database], scheme: NamedDependency[Scheme],
                   viewer: NamedDependency[Viewer | None], request: Request, data: forms.Body) -> Template | Redirect:
    applicant = signed_in_applicant(viewer, db, request)
    form = _review_form(db, applicant, data)
    if form.validate():
        try:
            db.run(reviews.request_review, applicant_actor(applicant), scheme, applicant.id, form.decision.data,
                   form.reasons.data, now(), pending_accommodation=form.pending.data)
            return Redirect("/account/reviews", status_code=303)
        except DomainError as refused:
            form.refuse(refused)
    return _page(db, viewer, applicant, form)


@post("/account/reviews/{review_id:int}/withdrawal", sync_to_thread=True)
def withdraw_review(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
                    review_id: FromPath[int]) -> Redirect:
    """The household withdraws its own review online (someone else's is not found); a letter confirms it."""
    applicant = signed_in_applicant(viewer, db, request)
    db.run(review_withdrawal.withdraw, applicant_actor(applicant), review_id, "online", "", now())
    return Redirect("/account/reviews", status_code=303)


ROUTES = [my_reviews, ask_for_review, withdraw_review]
