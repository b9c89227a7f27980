"""The applicant's reviews: ask for a review of a decision, with reasons, and follow it."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from sqlmodel import select

from cbl.database import Database
from cbl.models import Applicant, Review
from cbl.rules.scheme import Scheme
from cbl.services import reviews
from cbl.services.errors import DomainError
from cbl.web import forms
from cbl.web.auth import Viewer, applicant_actor, now, signed_in_applicant


def _page(db: Database, viewer: Viewer, applicant: Applicant, form: dict, error: DomainError | None = None,
          status: int = 200) -> Template:
    with db.reading() as session:
        decisions = reviews.reviewable_decisions(session, applicant.id)
        own = session.exec(select(Review).where(Review.applicant_id == applicant.id)
                           .order_by(Review.requested_on.desc())).all()
    return Template("public/account/reviews.html", status_code=error.status_code if error else status, context={
        "viewer": viewer, "reviews": own, "form": form, "error": error, "deadline": reviews.deadline,
        "types": reviews.TYPE_WORDS,
        "decisions": [(d.key, f"{d.description}, {d.made_on:%-d %B %Y}") for d in decisions]})


@get("/account/reviews", sync_to_thread=True)
def my_reviews(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request) -> Template:
    return _page(db, viewer, signed_in_applicant(viewer, db, request), {})


@post("/account/reviews", sync_to_thread=True)
def ask_for_review(db: NamedDependency[Database], scheme: NamedDependency[Scheme],
                   viewer: NamedDependency[Viewer | None], request: Request, data: forms.Body) -> Template | Redirect:
    applicant = signed_in_applicant(viewer, db, request)
    form = {"decision": forms.text(data, "decision", 64), "reasons": forms.text(data, "reasons", 8000),
            "pending": forms.ticked(data, "pending")}
    try:
        db.run(reviews.request_review, applicant_actor(applicant), scheme, applicant.id, form["decision"],
               form["reasons"], now(), pending_accommodation=form["pending"])
    except DomainError as error:
        return _page(db, viewer, applicant, form, error)
    return Redirect("/account/reviews", status_code=303)


ROUTES = [my_reviews, ask_for_review]
