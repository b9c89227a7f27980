"""The register: find a household, see its whole case, send a sign-in link."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template
from sqlmodel import Session

from cbl.rules.digits import only_digits
from cbl.database import Database
from cbl.queries import register
from cbl.rules.final_offers import REQUIREMENTS
from cbl.models.states import PropertyType, Relationship
from cbl.services.applications import NEEDS
from cbl.services.actors import staff as staff_actor
from cbl.rules.scheme import Scheme
from cbl.services.bidding import place_bid
from cbl.services.errors import DomainError, InvalidInput, within
from cbl.services.register import (
    add_note, record_assessment, record_check, record_verification, reinstate, set_band, suspend,
)
from cbl.web import forms
from cbl.services.sign_in import issue_sign_in_link
from cbl.reports.subject_access import subject_access_archive
from cbl.web.auth import now

from .acting import act
from cbl.messages.failures import failed_messages
from cbl.messages.notices import bid_placed_for

from .guards import current_staff
from cbl.services.rights import Right

def _search_page(db: Database, request: Request, text: str, band: str | None, page: str | None) -> Template:
    if page not in (None, "") and (not only_digits(page) or not 1 <= int(page) <= 100_000):
        raise InvalidInput("Page must be a whole number, like 2.", field="page")
    search = register.Search(within(text, 100, "q", "The search"), within(band or "", 16, "band", "The band") or None,
                             int(page or 1))
    with db.reading() as session:
        rows, total = register.search(session, search)
    return Template("admin/applicants/search.html", context={
        "staff": current_staff(request), "rows": rows, "total": total, "search": search,
        "pages": max(1, -(-total // register.PER_PAGE))})


@get("/applicants", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def applicant_search(db: NamedDependency[Database], request: Request, band: FromQuery[str | None] = None,
                     page: FromQuery[str | None] = None) -> Template:
    """The register, by band. Names are searched by POST, so that they never sit in a URL or a log."""
    return _search_page(db, request, "", band, page)


@post("/applicants/search", opt={"right": Right.REGISTER_READ}, sync_to_thread=True, status_code=200)
def applicant_search_submit(db: NamedDependency[Database], request: Request, data: forms.Body) -> Template:
    return _search_page(db, request, forms.text(data, "q", 100), forms.text(data, "band", 16),
                        forms.text(data, "page", 6))


CASE_CHOICES = {
    "relationships": [(r.value, r.value.replace("_", " ").capitalize()) for r in Relationship if r is not Relationship.LEAD],
    "sexes": [("", "Not given"), ("F", "Female"), ("M", "Male")],
    "needs": list(NEEDS.items()),
    "property_types": [(kind.value, kind.value.capitalize()) for kind in PropertyType],
    "circumstances": [("homeless_duty", "Is owed the main homelessness duty"),
                      ("transfer_tenant", "Are social tenants asking to transfer")],
    "access_requirements": [(code, words[0].upper() + words[1:]) for code, words in REQUIREMENTS.items()],
}


def _case(db: Database, reference: str) -> dict:
    with db.reading() as session:
        found = register.case(session, reference)
        return {**found, "undelivered": failed_messages(session, found["applicant"].id), **CASE_CHOICES}


@get("/applicants/{reference:str}", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def applicant_case(db: NamedDependency[Database], request: Request, reference: FromPath[str]) -> Template:
    return Template("admin/applicants/case.html", context={"staff": current_staff(request), **_case(db, reference)})



@post("/applicants/{reference:str}/sign-in-link", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def send_sign_in_link(db: NamedDependency[Database], request: Request, reference: FromPath[str]) -> Template:
    """Issue a one-time link for the household to set its password; shown once, to pass on."""
    context = _case(db, reference)
    token = db.run(issue_sign_in_link, staff_actor(current_staff(request)), context["applicant"].id, now())
    link = request.app.state["settings"].link(f"/set-password/{token}")  # never the request's Host header
    return Template("admin/applicants/case.html", context={
        "staff": current_staff(request), **_case(db, reference), "sign_in_link": link})


def decide_on_case(db: Database, request: Request, reference: str, form: str, decision) -> Template | Redirect:  # noqa: ANN001
    """Run `decision(session, actor, applicant_id)` on the case; on a refusal show the case again with
    the message by its field
    (fields are named `form-field` on the page, which holds several forms)."""
    context = _case(db, reference)

    def refused(error: DomainError) -> Template:
        if error.field:
            error.field = f"{form}-{error.field}"
        return Template("admin/applicants/case.html", status_code=error.status_code, context={
            "staff": current_staff(request), **context, "error": error})

    return act(db, request, decision, refused, f"/admin/applicants/{reference}", context["applicant"].id)


@post("/applicants/{reference:str}/band", opt={"right": Right.BAND_SET}, sync_to_thread=True)
def band(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
         reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    points = forms.text(data, "points", 6)

    def decide(session: Session, actor, applicant_id: int):  # noqa: ANN202
        if points and not only_digits(points.lstrip("-")):
            raise InvalidInput("Points must be a whole number.", field="points")
        return set_band(session, actor, scheme, applicant_id, forms.text(data, "band", 16),
                        forms.day(data, "effective"), forms.text(data, "reason", 2000), now(),
                        points=int(points) if points else None)

    return decide_on_case(db, request, reference, "band", decide)


@post("/applicants/{reference:str}/verification", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def verification(db: NamedDependency[Database], request: Request, reference: FromPath[str],
                 data: forms.Body) -> Template | Redirect:
    return decide_on_case(db, request, reference, "verification", lambda s, actor, applicant_id: record_verification(
        s, actor, applicant_id, forms.text(data, "documents", 2000), now()))


@post("/applicants/{reference:str}/suspension", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def suspension(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
               reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    return decide_on_case(db, request, reference, "suspension", lambda s, actor, applicant_id: suspend(
        s, actor, scheme, applicant_id, forms.day(data, "until", optional=True),
        forms.text(data, "reason", 2000), now()))


@post("/applicants/{reference:str}/reinstatement", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def reinstatement(db: NamedDependency[Database], request: Request, reference: FromPath[str],
                  data: forms.Body) -> Template | Redirect:
    return decide_on_case(db, request, reference, "reinstatement", lambda s, actor, applicant_id: reinstate(
        s, actor, applicant_id, forms.text(data, "reason", 2000), now()))


@post("/applicants/{reference:str}/notes", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def notes(db: NamedDependency[Database], request: Request, reference: FromPath[str],
          data: forms.Body) -> Template | Redirect:
    return decide_on_case(db, request, reference, "notes", lambda s, actor, applicant_id: add_note(
        s, actor, applicant_id, forms.text(data, "note", 9000), now()))


@post("/applicants/{reference:str}/assessments", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def assessments(db: NamedDependency[Database], request: Request, reference: FromPath[str],
                data: forms.Body) -> Template | Redirect:
    return decide_on_case(db, request, reference, "assessment", lambda s, actor, applicant_id: record_assessment(
        s, actor, applicant_id, forms.text(data, "kind", 32), forms.text(data, "recommendation", 4000),
        forms.text(data, "effect", 400), now(), requirements=forms.many(data, "requirements")))


@post("/applicants/{reference:str}/checks", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def checks(db: NamedDependency[Database], request: Request, reference: FromPath[str],
           data: forms.Body) -> Template | Redirect:

    def decide(session: Session, actor, applicant_id: int):  # noqa: ANN202
        result = forms.text(data, "passed", 3)
        if result not in ("yes", "no"):
            raise InvalidInput("Say whether the check was passed.", field="passed")
        return record_check(session, actor, applicant_id, forms.text(data, "kind", 32), result == "yes",
                            forms.text(data, "note", 4000), now())

    return decide_on_case(db, request, reference, "check", decide)


@post("/applicants/{reference:str}/bids", opt={"right": Right.BID_ON_BEHALF}, sync_to_thread=True)
def bid_on_behalf(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                  reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    """Bid for a household that cannot bid itself (recorded as placed by this officer)."""
    advert = forms.text(data, "advert", 32)

    def decide(session: Session, actor, applicant_id: int):  # noqa: ANN202
        if not advert:
            raise InvalidInput("Choose the advert to bid for.", field="advert")
        bid = place_bid(session, actor, scheme, applicant_id, advert, now())
        bid_placed_for(session, applicant_id, advert.upper(), f"{actor.name} of the lettings team", now())
        return bid

    return decide_on_case(db, request, reference, "bid", decide)


@post("/applicants/{reference:str}/subject-access", opt={"right": Right.DATA_SUBJECT_ACCESS}, sync_to_thread=True,
      status_code=200)
def subject_access(db: NamedDependency[Database], request: Request, reference: FromPath[str]) -> Response[bytes]:
    """Everything held about the household as one archive (a POST: the export is recorded)."""
    name, archive = db.run(subject_access_archive, staff_actor(current_staff(request)), reference, now())
    return Response(archive, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
