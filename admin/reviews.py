"""Statutory reviews in the admin: requests logged, allocated, worked and decided, with the team's figures."""

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template
from sqlmodel import Session

from cbl.rules import reporting_periods
from cbl.rules.working_days import local_date
from cbl.rules.reporting_periods import financial_year
from cbl.database import Database
from cbl.models import Applicant, Enquiry
from cbl.queries import reviews as review_queries
from cbl.queries.paging import page_number
from cbl.rules.scheme import Scheme
from cbl.services import enquiries, review_withdrawal, reviews
from cbl.services.actors import Actor, staff as staff_actor
from cbl.services.errors import DomainError, InvalidInput, NotFound
from cbl.reports.review_report import report_csv, review_report
from cbl.web import forms
from cbl.web.auth import now

from . import periods
from .acting import submit
from .guards import current_staff
from cbl.services.rights import Right

F = TypeVar("F", bound=forms.Form)


@get("/reviews", opt={"right": Right.REVIEW_LOG}, sync_to_thread=True)
def review_list(db: NamedDependency[Database], request: Request) -> Template:
    today = local_date(now())
    with db.reading() as session:
        found = review_queries.review_list(session, today)
    return Template("admin/reviews/list.html", context={
        "staff": current_staff(request), "soon": found.soon, "overdue": found.overdue, "open_reviews": found.open,
        "decided": found.decided, "references": found.references, "names": found.names, "deadline": reviews.deadline,
        "types": reviews.TYPE_WORDS, "today": today})


class ReviewRequest(forms.Form):
    """A household's request for a review, logged by an officer from a letter, e-mail or call."""

    decision = forms.Choice("The decision to be reviewed", required="Choose the decision to be reviewed")
    reasons = forms.Text("The household's reasons", limit=8000)
    requested_on = forms.Day("Date the request was received", required=False)
    notified_on = forms.Day("Date the household was told of the decision", required=False)
    late_reason = forms.Text("The reason for accepting a late request", limit=2000)
    pending = forms.Ticked("The household asks for accommodation while the review takes place")


def _household(value: object) -> str:
    """The household's reference from the form's hidden field: the page cannot be shown without one."""
    if isinstance(value, list):
        value = value[0] if value else ""
    reference = str(value or "").strip()
    if not reference or len(reference) > 32:
        raise NotFound("There is no such application.")
    return reference


def _request_form(db: Database, reference: str, body: dict | None = None) -> tuple[Applicant, ReviewRequest]:
    """The household and the form to log its request (filled from `body` when posted): the decisions on
    its case open to review are the choices."""
    with db.reading() as session:
        applicant, decisions = review_queries.household_decisions(session, reference)
    return applicant, forms.read(ReviewRequest, body, choices={"decision": [
        (d.key, f"{d.description} ({d.made_on:%-d %B %Y}): {reviews.TYPE_WORDS[d.decision_type]}")
        for d in decisions]})


def _new_page(request: Request, applicant: Applicant, form: ReviewRequest) -> Template:
    return Template("admin/reviews/new.html", status_code=form.status, context={
        "staff": current_staff(request), "applicant": applicant, "form": form})


@get("/reviews/new", opt={"right": Right.REVIEW_LOG}, sync_to_thread=True)
def new_review(db: NamedDependency[Database], request: Request, applicant: FromQuery[str | None] = None) -> Template:
    if not applicant:
        raise InvalidInput("Open the request from the household's case page.", field="applicant")
    return _new_page(request, *_request_form(db, _household(applicant)))


@post("/reviews/new", opt={"right": Right.REVIEW_LOG}, sync_to_thread=True)
def new_review_submit(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                      data: forms.Body) -> Template | Redirect:
    applicant, form = _request_form(db, _household(data.get("applicant")), data)
    if form.validate():
        try:
            review = db.run(reviews.request_review, staff_actor(current_staff(request)), scheme, applicant.id,
                            form.decision.data, form.reasons.data or "", now(), requested_on=form.requested_on.data,
                            notified_on=form.notified_on.data, late_reason=form.late_reason.data or "",
                            pending_accommodation=form.pending.data)
            return Redirect(f"/admin/reviews/{review.id}", status_code=303)
        except DomainError as error:
            if isinstance(error, NotFound):
                raise
            form.refuse(error)
    return _new_page(request, applicant, form)


YES_NO = [("yes", "Yes"), ("no", "No")]
OUTCOMES = [("upheld", "Upheld: the original decision stands"),
            ("overturned", "Overturned: the original decision is changed")]
CHANNELS = [("letter", "Letter"), ("email", "E-mail"), ("phone", "Telephone")]


class LateRequest(forms.Form):
    accept = forms.Choice("Whether the late request is accepted",
                          required="Say whether the late request is accepted")
    reason = forms.Text("Reason", limit=2000, required="Record the reason for the decision on the late request")


class Allocation(forms.Form):
    reviewer = forms.Choice("Reviewing officer", required="Choose the reviewing officer")


class PendingAccommodation(forms.Form):
    granted = forms.Choice("Whether accommodation is provided", required="Say whether accommodation is provided")
    reasons = forms.Text("Reasons", limit=4000, required="Give the reasons; they go in the letter")


class Draft(forms.Form):
    outcome = forms.Choice("Recommended outcome", required="Choose the recommended outcome")
    reasons = forms.Text("Reasons", limit=16000)
    deficiency = forms.Ticked("Has a deficiency or irregularity")


class MindedTo(forms.Form):
    """Reg 7(2) of SI 2018/223: the notice states the deficiency or irregularity found and why the reviewer is
    still minded to decide against the applicant."""

    deficiency = forms.Text("The deficiency or irregularity in the original decision", limit=4000,
                            required="Say what the deficiency or irregularity in the original decision is")
    reasons = forms.Text("Reasons", limit=16000,
                         required="Set out the reasons the reviewer is minded to decide against the applicant")


class Representations(forms.Form):
    representations = forms.Text("Representations", limit=16000, required="Record what the applicant said or wrote")


class Extension(forms.Form):
    extended_to = forms.Day("New date")
    agreement = forms.Text("The applicant's written agreement", limit=2000,
                           required="Record the applicant's written agreement (for example, their letter of 3 March)")


class Decision(forms.Form):
    outcome = forms.Choice("Outcome", required="Choose the outcome: upheld or overturned")
    reasons = forms.Text("Reasons", limit=16000, required="Give the reasons for the decision; they go in the letter")
    deficiency = forms.Ticked("Has a deficiency or irregularity")


class Withdrawal(forms.Form):
    channel = forms.Choice("How the applicant asked",
                           required="Say how the applicant asked to withdraw: by letter, e-mail or telephone")
    requested_on = forms.Day("Date of the request", required=False)
    request = forms.Text("What the applicant said or wrote", limit=2000,
                         required="Record what the applicant said or wrote when asking to withdraw the review")
    taken_by = forms.Text("The officer who took the call", limit=200)

    def validate(self, extra_validators: Any = None) -> bool:
        super().validate(extra_validators)
        # Checked with the rest, so a call recorded without its officer is told alongside any other mistake.
        if self.channel.data == "phone" and not self.taken_by.data and not self.taken_by.errors:
            self.taken_by.errors = [*self.taken_by.errors, "Give the name of the officer who took the call"]
        return not self.summary


# The review page's forms, by the name the template knows each by, with the suffix that keeps their ids
# apart (several have a "reasons", an "outcome" or a "deficiency").
PAGE_FORMS: dict[str, type[forms.Form]] = {
    "late": LateRequest, "allocation": Allocation, "pending": PendingAccommodation, "draft": Draft,
    "minded": MindedTo, "representations": Representations, "extension": Extension, "decision": Decision,
    "withdrawal": Withdrawal}


def _review_form(kind: type[F], case: review_queries.ReviewCase, body: dict | None = None) -> F:
    """One of the page's forms: filled from `body` when posted, else as the review stands."""
    name = next(name for name, form_kind in PAGE_FORMS.items() if form_kind is kind)
    review = case.review
    # Any active reviewer or manager is a known answer; whether they may review this case is the service's
    # to say, with its reason (not involved in the decision, senior to its maker).
    options = {"accept": YES_NO, "granted": YES_NO, "outcome": OUTCOMES, "channel": CHANNELS,
               "reviewer": [(str(c.id), f"{c.name} (grade {c.grade})") for c in case.candidates]}
    first: dict[str, Any] = {}
    if body is None and kind is Decision:
        first = {"outcome": review.draft_outcome.value if review.draft_outcome else None,
                 "reasons": review.draft_reasons, "deficiency": review.deficiency_found}
    elif body is None and kind is Allocation and review.reviewer_id:
        first = {"reviewer": str(review.reviewer_id)}
    return forms.read(kind, body, id_suffix=f"-{name}", **first,
                      choices={field: options[field] for field in options if field in kind.__dict__})


def _review_page(db: Database, request: Request, review_id: int, submitted: forms.Form | None = None) -> Template:
    with db.reading() as session:
        case = review_queries.review_case(session, review_id)
        review = case.review
        reviewers = [(str(c.id), f"{c.name} (grade {c.grade})") for c in case.candidates
                     if reviews.refusal_for(session, review, c) is None]
    page_forms = {name: submitted if type(submitted) is kind else _review_form(kind, case)
                  for name, kind in PAGE_FORMS.items()}
    page_forms["allocation"].reviewer.choices = reviewers  # offered: only those who may review this case
    actor = staff_actor(current_staff(request))
    return Template("admin/reviews/review.html", status_code=submitted.status if submitted else 200, context={
        "staff": current_staff(request), "review": review, "applicant": case.applicant, "names": case.names,
        "submitted": submitted, **page_forms,
        "about": reviews.TYPE_WORDS[review.decision_type], "deadline": reviews.deadline(review),
        "open": review.status in reviews.OPEN, "today": local_date(now()),
        "can": {right: actor.may(right)
                for right in (Right.REVIEW_WORK, Right.REVIEW_DECIDE, Right.REVIEW_READ_ALL, Right.REVIEW_LOG)}})


@get("/reviews/{review_id:int}", opt={"right": Right.REVIEW_LOG}, sync_to_thread=True)
def review_page(db: NamedDependency[Database], request: Request, review_id: FromPath[int]) -> Template:
    return _review_page(db, request, review_id)


def _work(db: Database, request: Request, review_id: int, kind: type[F], data: dict,
          action: Callable[[Session, Actor, F], object]) -> Template | Redirect:
    """Check the posted form of `kind`; if it holds, run `action` and go back to the review, else show the
    review page with that form's errors and what was typed."""
    with db.reading() as session:
        case = review_queries.review_case(session, review_id)
    return submit(db, request, _review_form(kind, case, data), action,
                  lambda form: _review_page(db, request, review_id, form), f"/admin/reviews/{review_id}")


@post("/reviews/{review_id:int}/late", opt={"right": Right.REVIEW_WORK}, sync_to_thread=True)
def late(db: NamedDependency[Database], request: Request, review_id: FromPath[int],
         data: forms.Body) -> Template | Redirect:
    return _work(db, request, review_id, LateRequest, data, lambda s, actor, form: reviews.accept_late_request(
        s, actor, review_id, form.accept.data == "yes", form.reason.data, now()))


@post("/reviews/{review_id:int}/allocation", opt={"right": Right.REVIEW_READ_ALL}, sync_to_thread=True)
def allocation(db: NamedDependency[Database], request: Request, review_id: FromPath[int],
               data: forms.Body) -> Template | Redirect:
    return _work(db, request, review_id, Allocation, data, lambda s, actor, form: reviews.allocate(
        s, actor, review_id, int(form.reviewer.data), now()))


@post("/reviews/{review_id:int}/extension", opt={"right": Right.REVIEW_WORK}, sync_to_thread=True)
def extension(db: NamedDependency[Database], request: Request, review_id: FromPath[int],
              data: forms.Body) -> Template | Redirect:
    return _work(db, request, review_id, Extension, data, lambda s, actor, form: reviews.extend(
        s, actor, review_id, form.extended_to.data, form.agreement.data, now()))


@post("/reviews/{review_id:int}/pending-accommodation", opt={"right": Right.REVIEW_WORK}, sync_to_thread=True)
def pending_accommodation(db: NamedDependency[Database], request: Request, review_id: FromPath[int],
                          data: forms.Body) -> Template | Redirect:
    return _work(db, request, review_id, PendingAccommodation, data,
                 lambda s, actor, form: reviews.decide_pending_accommodation(
                     s, actor, review_id, form.granted.data == "yes", form.reasons.data, now()))


@post("/reviews/{review_id:int}/draft", opt={"right": Right.REVIEW_WORK}, sync_to_thread=True)
def draft(db: NamedDependency[Database], request: Request, review_id: FromPath[int],
          data: forms.Body) -> Template | Redirect:
    return _work(db, request, review_id, Draft, data, lambda s, actor, form: reviews.draft(
        s, actor, review_id, form.outcome.data, form.reasons.data or "", form.deficiency.data, now()))


@post("/reviews/{review_id:int}/minded-to", opt={"right": Right.REVIEW_WORK}, sync_to_thread=True)
def minded_to(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
              review_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    return _work(db, request, review_id, MindedTo, data, lambda s, actor, form: reviews.send_minded_to(
        s, actor, scheme, review_id, form.deficiency.data, form.reasons.data, now()))


@post("/reviews/{review_id:int}/representations", opt={"right": Right.REVIEW_WORK}, sync_to_thread=True)
def representations(db: NamedDependency[Database], request: Request, review_id: FromPath[int],
                    data: forms.Body) -> Template | Redirect:
    return _work(db, request, review_id, Representations, data, lambda s, actor, form: reviews.record_representations(
        s, actor, review_id, form.representations.data, now()))


@post("/reviews/{review_id:int}/decision", opt={"right": Right.REVIEW_DECIDE}, sync_to_thread=True)
def decision(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
             review_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    return _work(db, request, review_id, Decision, data, lambda s, actor, form: reviews.decide(
        s, actor, scheme, review_id, form.outcome.data, form.reasons.data, form.deficiency.data, now()))


@post("/reviews/{review_id:int}/withdrawal", opt={"right": Right.REVIEW_WORK}, sync_to_thread=True)
def withdrawal(db: NamedDependency[Database], request: Request, review_id: FromPath[int],
               data: forms.Body) -> Template | Redirect:
    return _work(db, request, review_id, Withdrawal, data, lambda s, actor, form: review_withdrawal.withdraw(
        s, actor, review_id, form.channel.data, form.request.data, now(), requested_on=form.requested_on.data,
        taken_by=form.taken_by.data or ""))


def _year_to_date() -> tuple[date, date]:
    today = local_date(now())
    return financial_year(today)[0], today


def _period(start: str | None, end: str | None) -> tuple[date, date]:
    """The period in the download link (ISO days), or this financial year to date."""
    return reporting_periods.period(start, end, _year_to_date(), fields=("start", "end"))


@get("/reviews/report", opt={"right": Right.REVIEW_READ_ALL}, sync_to_thread=True)
def report(db: NamedDependency[Database], request: Request) -> Template:
    form, period = periods.read(periods.Period, request, _year_to_date())
    figures = None
    if period is not None:
        with db.reading() as session:
            figures = review_report(session, *period)
        periods.reported(form, period)  # the default period shows as its dates
    return Template("admin/reviews/report.html", status_code=form.status, context={
        "staff": current_staff(request), "form": form, "report": figures,
        "types": {k.value: v for k, v in reviews.TYPE_WORDS.items()}})


@get("/reviews/report.csv", opt={"right": Right.REVIEW_READ_ALL}, sync_to_thread=True)
def report_download(db: NamedDependency[Database], start: FromQuery[str | None] = None,
                    end: FromQuery[str | None] = None) -> Response[str]:
    first, last = _period(start, end)
    with db.reading() as session:
        text = report_csv(review_report(session, first, last))
    return Response(text, media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="reviews-{first}-to-{last}.csv"'})


class EnquiryLog(forms.Form):
    kind = forms.Choice("Kind", required="Choose whether this is a member's enquiry or a complaint")
    raised_by = forms.Text("From", limit=200, required="Say who raised it")
    applicant = forms.Text("Application reference", limit=32)
    # Posted as "summary"; named otherwise here because a form's `summary` is its list of errors.
    gist = forms.Text("Summary", limit=8000, required="Summarise the enquiry or complaint", name="summary")
    received_on = forms.Day("Date received")


class EnquiryAnswer(forms.Form):
    answer = forms.Text("Answer", limit=16000, required="Write the answer")


class Escalation(forms.Form):
    """Whoever raised it asks for stage 2: who asked, when, and why."""

    asked_by = forms.Text("Who asked for stage 2", limit=200, required="Say who asked for stage 2")
    asked_on = forms.Day("Date they asked")
    reason = forms.Text("Why they are not satisfied", limit=8000,
                        required="Say why they are not satisfied with the stage 1 answer")


class StageTwoAnswer(forms.Form):
    answer = forms.Text("Stage 2 answer", limit=16000, required="Write the stage 2 answer")


class Acknowledgement(forms.Form):
    """Nothing to fill in: a refusal (already answered, already acknowledged) shows in the summary."""


KINDS = [("member", "A councillor's enquiry"), ("complaint", "A complaint")]

# Each row's forms, by the name the template knows each by. The suffix keeps the ids of one row's boxes
# apart from another's (the enquiry's number) and of one stage's from the other's.
ROW_FORMS: dict[str, tuple[type[forms.Form], str]] = {
    "answer": (EnquiryAnswer, ""), "escalation": (Escalation, "escalation-"), "stage_two": (StageTwoAnswer, "stage2-")}


def _log_form(body: dict | None = None) -> EnquiryLog:
    return forms.read(EnquiryLog, body, choices={"kind": KINDS}, **({} if body else {"received_on": local_date(now())}))


def _row_form(name: str, enquiry_id: int, body: dict | None = None) -> forms.Form:
    kind, prefix = ROW_FORMS[name]
    return forms.read(kind, body, id_suffix=f"-{prefix}{enquiry_id}")


def _next_step(row: Enquiry) -> str | None:
    """The form an enquiry waits for: its stage 1 answer, a request for stage 2, or the stage 2 answer."""
    if row.answered_on is None:
        return "answer"
    if row.escalated_on is None:
        return "escalation"
    return "stage_two" if row.stage_two_answered_on is None else None


def _enquiries_page(db: Database, request: Request, submitted: forms.Form | None = None,
                    answering: int | None = None, page: int = 1) -> Template:
    """A page of the list with the next step's form for each enquiry, and the form to log another; `submitted`
    (the log form, or a form of enquiry `answering`, then shown on its page) comes back with its errors and
    what was typed."""
    today = local_date(now())
    with db.reading() as session:
        shown = review_queries.enquiries(session, page, answering)
    rows = shown.rows
    steps = {row.id: name for row in rows if (name := _next_step(row)) is not None}
    row_forms = {enquiry_id: _row_form(name, enquiry_id) for enquiry_id, name in steps.items()}
    if submitted is not None and answering in row_forms and type(submitted) is type(row_forms[answering]):
        row_forms[answering] = submitted
    return Template("admin/reviews/enquiries.html", status_code=submitted.status if submitted else 200, context={
        "staff": current_staff(request), "rows": rows, "shown": shown, "today": today, "submitted": submitted,
        "form": submitted if isinstance(submitted, EnquiryLog) else _log_form(), "row_forms": row_forms,
        "steps": steps, "stages": {row.id: enquiries.stages(row) for row in rows},
        "enquiries_page": lambda number: f"/admin/enquiries?page={number}"})


@get("/enquiries", opt={"right": Right.REVIEW_LOG}, sync_to_thread=True)
def enquiry_list(db: NamedDependency[Database], request: Request, page: FromQuery[str | None] = None,
                 enquiry: FromQuery[str | None] = None) -> Template:
    """A page of the list: ?page=N, or ?enquiry=ID for the page that holds that one (linked from the work queues)."""
    typed = (enquiry or "").strip()
    holding = int(typed) if typed.isascii() and typed.isdigit() and len(typed) < 10 else None  # else the first page
    return _enquiries_page(db, request, answering=holding, page=page_number(page))


@post("/enquiries", opt={"right": Right.REVIEW_LOG}, sync_to_thread=True)
def enquiry_log(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                data: forms.Body) -> Template | Redirect:
    return submit(db, request, _log_form(data), lambda s, actor, form: enquiries.log_enquiry(
        s, actor, scheme, form.kind.data, form.raised_by.data, form.gist.data, form.received_on.data,
        form.applicant.data or "", now()), lambda form: _enquiries_page(db, request, form), "/admin/enquiries")


@post("/enquiries/{enquiry_id:int}/answer", opt={"right": Right.REVIEW_LOG}, sync_to_thread=True)
def enquiry_answer(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                   enquiry_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    return submit(db, request, _row_form("answer", enquiry_id, data),
                  lambda s, actor, form: enquiries.answer(s, actor, scheme, enquiry_id, form.answer.data, now()),
                  lambda form: _enquiries_page(db, request, form, enquiry_id), "/admin/enquiries")


@post("/enquiries/{enquiry_id:int}/escalation", opt={"right": Right.REVIEW_LOG}, sync_to_thread=True)
def enquiry_escalation(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                       enquiry_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    return submit(db, request, _row_form("escalation", enquiry_id, data),
                  lambda s, actor, form: enquiries.escalate(s, actor, scheme, enquiry_id, form.asked_by.data,
                                                            form.asked_on.data, form.reason.data, now()),
                  lambda form: _enquiries_page(db, request, form, enquiry_id), "/admin/enquiries")


@post("/enquiries/{enquiry_id:int}/stage-two-answer", opt={"right": Right.REVIEW_LOG}, sync_to_thread=True)
def enquiry_stage_two_answer(db: NamedDependency[Database], request: Request, enquiry_id: FromPath[int],
                             data: forms.Body) -> Template | Redirect:
    return submit(db, request, _row_form("stage_two", enquiry_id, data),
                  lambda s, actor, form: enquiries.answer_stage_two(s, actor, enquiry_id, form.answer.data, now()),
                  lambda form: _enquiries_page(db, request, form, enquiry_id), "/admin/enquiries")


@post("/enquiries/{enquiry_id:int}/acknowledgement", opt={"right": Right.REVIEW_LOG}, sync_to_thread=True)
def enquiry_acknowledgement(db: NamedDependency[Database], request: Request,
                            enquiry_id: FromPath[int]) -> Template | Redirect:
    return submit(db, request, forms.read(Acknowledgement, None),
                  lambda s, actor, form: enquiries.acknowledge(s, actor, enquiry_id, now()),
                  lambda form: _enquiries_page(db, request, form), "/admin/enquiries")
