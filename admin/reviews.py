"""Statutory reviews in the admin: requests logged, allocated, worked and decided, with the team's figures."""

from datetime import date

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template
from sqlmodel import select

from cbl.rules.digits import only_digits
from cbl.rules import reporting_periods
from cbl.rules.working_days import local_date
from cbl.rules.reporting_periods import financial_year
from cbl.database import Database
from cbl.models import Applicant
from cbl.queries import reviews as review_queries
from cbl.rules.scheme import Scheme
from cbl.services import enquiries, review_withdrawal, reviews
from cbl.services.actors import staff as staff_actor
from cbl.services.errors import DomainError, InvalidInput, NotFound
from cbl.reports.review_report import report_csv, review_report
from cbl.web import forms
from cbl.web.auth import now

from .acting import act
from .guards import current_staff
from cbl.services.rights import Right


@get("/reviews", opt={"right": Right.REVIEW_LOG}, sync_to_thread=True)
def review_list(db: NamedDependency[Database], request: Request) -> Template:
    today = local_date(now())
    with db.reading() as session:
        found = review_queries.review_list(session, today)
    return Template("admin/reviews/list.html", context={
        "staff": current_staff(request), "soon": found.soon, "overdue": found.overdue, "open_reviews": found.open,
        "decided": found.decided, "references": found.references, "names": found.names, "deadline": reviews.deadline,
        "types": reviews.TYPE_WORDS, "today": today})


def _new_page(db: Database, request: Request, reference: str, form: dict, error: DomainError | None = None) -> Template:
    with db.reading() as session:
        applicant, decisions = review_queries.household_decisions(session, reference)
    return Template("admin/reviews/new.html", status_code=error.status_code if error else 200, context={
        "staff": current_staff(request), "applicant": applicant, "form": form, "error": error,
        "decisions": [(d.key, f"{d.description} ({d.made_on:%-d %B %Y}): {reviews.TYPE_WORDS[d.decision_type]}")
                      for d in decisions]})


@get("/reviews/new", opt={"right": Right.REVIEW_LOG}, sync_to_thread=True)
def new_review(db: NamedDependency[Database], request: Request, applicant: FromQuery[str | None] = None) -> Template:
    if not applicant:
        raise InvalidInput("Open the request from the household's case page.", field="applicant")
    return _new_page(db, request, applicant[:32], {})


@post("/reviews/new", opt={"right": Right.REVIEW_LOG}, sync_to_thread=True)
def new_review_submit(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                      data: forms.Body) -> Template | Redirect:
    reference = forms.text(data, "applicant", 32)
    form = {name: forms.text(data, name, 8000) for name in (
        "decision", "reasons", "requested_on", "notified_on", "late_reason")}
    form["pending"] = forms.ticked(data, "pending")

    def log(session, actor):  # noqa: ANN001, ANN202
        applicant = session.exec(select(Applicant).where(Applicant.reference == reference.upper())).first()
        if applicant is None:
            raise NotFound(f"There is no application {reference}.")
        return reviews.request_review(
            session, actor, scheme, applicant.id, form["decision"], form["reasons"], now(),
            requested_on=forms.day(data, "requested_on", optional=True),
            notified_on=forms.day(data, "notified_on", optional=True), late_reason=form["late_reason"],
            pending_accommodation=form["pending"])

    try:
        review = db.run(log, staff_actor(current_staff(request)))
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        return _new_page(db, request, reference, form, error)
    return Redirect(f"/admin/reviews/{review.id}", status_code=303)


def _review_page(db: Database, request: Request, review_id: int, error: DomainError | None = None) -> Template:
    with db.reading() as session:
        case = review_queries.review_case(session, review_id)
        review = case.review
        reviewers = [(str(c.id), f"{c.name} (grade {c.grade})") for c in case.candidates
                     if reviews.refusal_for(session, review, c) is None]
    actor = staff_actor(current_staff(request))
    return Template("admin/reviews/review.html", status_code=error.status_code if error else 200, context={
        "staff": current_staff(request), "review": review, "applicant": case.applicant, "names": case.names,
        "error": error,
        "about": reviews.TYPE_WORDS[review.decision_type], "deadline": reviews.deadline(review),
        "open": review.status in reviews.OPEN, "today": local_date(now()),
        "reviewers": reviewers,
        "can": {right: actor.may(right) for right in (Right.REVIEW_WORK, Right.REVIEW_DECIDE, Right.REVIEW_READ_ALL, Right.REVIEW_LOG)},
        "outcomes": [("upheld", "Upheld: the original decision stands"),
                     ("overturned", "Overturned: the original decision is changed")]})


@get("/reviews/{review_id:int}", opt={"right": Right.REVIEW_LOG}, sync_to_thread=True)
def review_page(db: NamedDependency[Database], request: Request, review_id: FromPath[int]) -> Template:
    return _review_page(db, request, review_id)


def _work(db: Database, request: Request, review_id: int, action) -> Template | Redirect:  # noqa: ANN001
    return act(db, request, action, lambda error: _review_page(db, request, review_id, error),
               f"/admin/reviews/{review_id}")


def _yes_no(data: dict, name: str, message: str) -> bool:
    value = forms.text(data, name, 3)
    if value not in ("yes", "no"):
        raise InvalidInput(message, field=name)
    return value == "yes"


@post("/reviews/{review_id:int}/late", opt={"right": Right.REVIEW_WORK}, sync_to_thread=True)
def late(db: NamedDependency[Database], request: Request, review_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    return _work(db, request, review_id, lambda s, actor: reviews.accept_late_request(
        s, actor, review_id, _yes_no(data, "accept", "Say whether the late request is accepted."),
        forms.text(data, "reason", 2000), now()))


@post("/reviews/{review_id:int}/allocation", opt={"right": Right.REVIEW_READ_ALL}, sync_to_thread=True)
def allocation(db: NamedDependency[Database], request: Request, review_id: FromPath[int],
               data: forms.Body) -> Template | Redirect:
    reviewer = forms.text(data, "reviewer", 12)
    return _work(db, request, review_id, lambda s, actor: reviews.allocate(
        s, actor, review_id, int(reviewer) if only_digits(reviewer) else 0, now()))


@post("/reviews/{review_id:int}/extension", opt={"right": Right.REVIEW_WORK}, sync_to_thread=True)
def extension(db: NamedDependency[Database], request: Request, review_id: FromPath[int],
              data: forms.Body) -> Template | Redirect:
    return _work(db, request, review_id, lambda s, actor: reviews.extend(
        s, actor, review_id, forms.day(data, "extended_to"), forms.text(data, "agreement", 2000), now()))


@post("/reviews/{review_id:int}/pending-accommodation", opt={"right": Right.REVIEW_WORK}, sync_to_thread=True)
def pending_accommodation(db: NamedDependency[Database], request: Request, review_id: FromPath[int],
                          data: forms.Body) -> Template | Redirect:
    return _work(db, request, review_id, lambda s, actor: reviews.decide_pending_accommodation(
        s, actor, review_id, _yes_no(data, "granted", "Say whether accommodation is provided."),
        forms.text(data, "reasons", 4000), now()))


@post("/reviews/{review_id:int}/draft", opt={"right": Right.REVIEW_WORK}, sync_to_thread=True)
def draft(db: NamedDependency[Database], request: Request, review_id: FromPath[int],
          data: forms.Body) -> Template | Redirect:
    return _work(db, request, review_id, lambda s, actor: reviews.draft(
        s, actor, review_id, forms.text(data, "outcome", 16), forms.text(data, "reasons", 16000),
        forms.ticked(data, "deficiency"), now()))


@post("/reviews/{review_id:int}/minded-to", opt={"right": Right.REVIEW_WORK}, sync_to_thread=True)
def minded_to(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
              review_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    return _work(db, request, review_id, lambda s, actor: reviews.send_minded_to(
        s, actor, scheme, review_id, forms.text(data, "reasons", 16000), now()))


@post("/reviews/{review_id:int}/representations", opt={"right": Right.REVIEW_WORK}, sync_to_thread=True)
def representations(db: NamedDependency[Database], request: Request, review_id: FromPath[int],
                    data: forms.Body) -> Template | Redirect:
    return _work(db, request, review_id, lambda s, actor: reviews.record_representations(
        s, actor, review_id, forms.text(data, "representations", 16000), now()))


@post("/reviews/{review_id:int}/decision", opt={"right": Right.REVIEW_DECIDE}, sync_to_thread=True)
def decision(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
             review_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    return _work(db, request, review_id, lambda s, actor: reviews.decide(
        s, actor, scheme, review_id, forms.text(data, "outcome", 16), forms.text(data, "reasons", 16000),
        forms.ticked(data, "deficiency"), now()))


@post("/reviews/{review_id:int}/withdrawal", opt={"right": Right.REVIEW_WORK}, sync_to_thread=True)
def withdrawal(db: NamedDependency[Database], request: Request, review_id: FromPath[int],
               data: forms.Body) -> Template | Redirect:
    return _work(db, request, review_id, lambda s, actor: review_withdrawal.withdraw(
        s, actor, review_id, forms.text(data, "channel", 16), forms.text(data, "request", 2000), now(),
        requested_on=forms.day(data, "requested_on", optional=True), taken_by=forms.text(data, "taken_by", 200)))


def _period(start: str | None, end: str | None) -> tuple[date, date]:
    """The period typed in, or this financial year to date."""
    today = local_date(now())
    return reporting_periods.period(start, end, (financial_year(today)[0], today), fields=("start", "end"))


@get("/reviews/report", opt={"right": Right.REVIEW_READ_ALL}, sync_to_thread=True)
def report(db: NamedDependency[Database], request: Request, start: FromQuery[str | None] = None,
           end: FromQuery[str | None] = None) -> Template:
    first, last = _period(start, end)
    with db.reading() as session:
        figures = review_report(session, first, last)
    return Template("admin/reviews/report.html", context={"staff": current_staff(request), "report": figures,
                                                          "types": {k.value: v for k, v in reviews.TYPE_WORDS.items()}})


@get("/reviews/report.csv", opt={"right": Right.REVIEW_READ_ALL}, sync_to_thread=True)
def report_download(db: NamedDependency[Database], start: FromQuery[str | None] = None,
                    end: FromQuery[str | None] = None) -> Response[str]:
    first, last = _period(start, end)
    with db.reading() as session:
        text = report_csv(review_report(session, first, last))
    return Response(text, media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="reviews-{first}-to-{last}.csv"'})


def _enquiries_page(db: Database, request: Request, form: dict, error: DomainError | None = None) -> Template:
    with db.reading() as session:
        rows = review_queries.enquiries(session)
    return Template("admin/reviews/enquiries.html", status_code=error.status_code if error else 200, context={
        "staff": current_staff(request), "rows": rows, "form": form, "error": error, "today": local_date(now()),
        "kinds": [("member", "A councillor's enquiry"), ("complaint", "A complaint")]})


@get("/enquiries", opt={"right": Right.REVIEW_LOG}, sync_to_thread=True)
def enquiry_list(db: NamedDependency[Database], request: Request) -> Template:
    return _enquiries_page(db, request, {"received_on": (local_date(now())).isoformat()})


@post("/enquiries", opt={"right": Right.REVIEW_LOG}, sync_to_thread=True)
def enquiry_log(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                data: forms.Body) -> Template | Redirect:
    form = {name: forms.text(data, name, 8000) for name in ("kind", "raised_by", "summary", "received_on", "applicant")}
    return act(db, request, lambda s, actor: enquiries.log_enquiry(
        s, actor, scheme, form["kind"], form["raised_by"], form["summary"], forms.day(data, "received_on"),
        form["applicant"], now()), lambda error: _enquiries_page(db, request, form, error), "/admin/enquiries")


@post("/enquiries/{enquiry_id:int}/answer", opt={"right": Right.REVIEW_LOG}, sync_to_thread=True)
def enquiry_answer(db: NamedDependency[Database], request: Request, enquiry_id: FromPath[int],
                   data: forms.Body) -> Template | Redirect:
    def refused(error: DomainError) -> Template:
        error.field = f"answer-{enquiry_id}"
        return _enquiries_page(db, request, {}, error)

    return act(db, request, lambda s, actor: enquiries.answer(s, actor, enquiry_id, forms.text(data, "answer", 16000),
                                                              now()), refused, "/admin/enquiries")


@post("/enquiries/{enquiry_id:int}/acknowledgement", opt={"right": Right.REVIEW_LOG}, sync_to_thread=True)
def enquiry_acknowledgement(db: NamedDependency[Database], request: Request, enquiry_id: FromPath[int]) -> Template | Redirect:
    return act(db, request, lambda s, actor: enquiries.acknowledge(s, actor, enquiry_id, now()),
               lambda error: _enquiries_page(db, request, {}, error), "/admin/enquiries")


