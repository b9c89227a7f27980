"""The register: a household's whole case, a sign-in link for it, decisions on the case (finding one is
.register_search)."""

from collections.abc import Callable
from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from cbl.database import Database
from cbl.messages.failures import failed_messages
from cbl.queries import register
from cbl.queries.paging import page_number
from cbl.reports.subject_access import subject_access_archive
from cbl.rules.scheme import Scheme
from cbl.services.actors import staff as staff_actor
from cbl.services.bidding import place_bid_for
from cbl.services.case_officers import allocate_cases, take_case
from cbl.services.final_offers import assess_home
from cbl.services.register import (
    add_note, decide_not_allocatable, record_assessment, record_check, record_verification, reinstate, set_band,
    suspend,
)
from cbl.services.rights import Right
from cbl.services.password_links import give as give_password_link
from cbl.web import forms
from cbl.web.auth import now

from .acting import submit
from .case_forms import (
    AssessmentRecord, BandDecision, BidOnBehalf, CheckRecord, NotAllocatable, Note, Reinstatement, SuitabilityRecord,
    Suspension, Verification, case_forms,
)
from .case_forms import read as case_forms_read
from .guards import current_staff


def read_case(db: Database, reference: str, pages: register.CasePages = register.FIRST_PAGES) -> dict:
    with db.reading() as session:
        found = register.case(session, reference, pages)
        return {**found, "undelivered": failed_messages(session, found["applicant"].id), "pages": pages}


def _list_link(reference: str, pages: register.CasePages) -> Callable[[str], Callable[[int], str]]:
    """For one of the case's long lists, the address of another of its pages (the other lists kept where
    they are)."""
    def pages_of(name: str) -> Callable[[int], str]:
        return lambda number: (f"/admin/applicants/{reference}?"
                               + urlencode({**pages.query(), name: number}) + f"#{name}")

    return pages_of


def case_page(request: Request, case: dict, scheme: Scheme, refused: tuple[str, forms.Form] | None = None,
              **shown: object) -> Template:
    """The case page with every form fresh, except a refused one, shown as it was typed with its errors."""
    page_forms = case_forms(case, scheme)
    page_forms["officer"] = case_officer_form(case)
    key, form = refused or ("", None)
    if form is not None:
        page_forms[key] = form
    return Template("admin/applicants/case.html", status_code=form.status if form else 200, context={
        "staff": current_staff(request), **case, "forms": page_forms, "refused": key,
        "list_link": _list_link(case["applicant"].reference, case["pages"]), **shown})


@get("/applicants/{reference:str}", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def applicant_case(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                   reference: FromPath[str], bids: FromQuery[str | None] = None, letters: FromQuery[str | None] = None,
                   timeline: FromQuery[str | None] = None) -> Template:
    """The case; its bids, letters and timeline a page at a time (?bids=2 and so on)."""
    pages = register.CasePages(page_number(bids, "bids"), page_number(letters, "letters"),
                               page_number(timeline, "timeline"))
    return case_page(request, read_case(db, reference, pages), scheme)


@post("/applicants/{reference:str}/sign-in-link", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def send_sign_in_link(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                      reference: FromPath[str]) -> Template:
    """Issue a one-time link for the household to set its password; shown once, to pass on."""
    applicant = read_case(db, reference)["applicant"]
    token = db.run(give_password_link, staff_actor(current_staff(request)), applicant.id, now())
    link = request.app.state["settings"].link(f"/set-password/{token}")  # never the request's Host header
    return case_page(request, read_case(db, reference), scheme, sign_in_link=link)


def decide_on_case(db: Database, request: Request, scheme: Scheme, case: dict, key: str, kind: type[forms.Form],
                   data: dict, action: Callable[..., object], *, lead: bool = False) -> Template | Redirect:
    """Read the case page's form `key` and, if it holds, run `action(session, actor, form, applicant_id)` and go
    back to the case; else show the case again with that form's errors and all that was typed."""
    form = case_forms_read(kind, key, data, scheme, case["areas"], lead=lead)
    return submit(db, request, form, action, lambda refused: case_page(request, case, scheme, (key, refused)),
                  f"/admin/applicants/{case['applicant'].reference}", case["applicant"].id)


@post("/applicants/{reference:str}/band", opt={"right": Right.BAND_SET}, sync_to_thread=True)
def band(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
         reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    return decide_on_case(db, request, scheme, read_case(db, reference), "band", BandDecision, data,
                          lambda s, actor, form, applicant_id: set_band(
                              s, actor, scheme, applicant_id, form.band.data, form.effective.data, form.reason.data,
                              now(), points=form.points.data))


@post("/applicants/{reference:str}/verification", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def verification(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                 reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    return decide_on_case(db, request, scheme, read_case(db, reference), "verification", Verification, data,
                          lambda s, actor, form, applicant_id: record_verification(
                              s, actor, applicant_id, form.documents.data, now()))


@post("/applicants/{reference:str}/suspension", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def suspension(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
               reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    return decide_on_case(db, request, scheme, read_case(db, reference), "suspension", Suspension, data,
                          lambda s, actor, form, applicant_id: suspend(
                              s, actor, scheme, applicant_id, form.until.data, form.reason.data, now()))


@post("/applicants/{reference:str}/eligibility", opt={"right": Right.ELIGIBILITY_DECIDE}, sync_to_thread=True)
def eligibility(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    """Not eligible, or not a qualifying person (s160ZA(9)): the application closes and the household is told."""
    return decide_on_case(db, request, scheme, read_case(db, reference), "eligibility", NotAllocatable, data,
                          lambda s, actor, form, applicant_id: decide_not_allocatable(
                              s, actor, scheme, applicant_id, form.decision.data, form.grounds.data, now()))


@post("/applicants/{reference:str}/reinstatement", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def reinstatement(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                  reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    return decide_on_case(db, request, scheme, read_case(db, reference), "reinstatement", Reinstatement, data,
                          lambda s, actor, form, applicant_id: reinstate(s, actor, applicant_id, form.reason.data,
                                                                         now()))


@post("/applicants/{reference:str}/notes", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def notes(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
          reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    return decide_on_case(db, request, scheme, read_case(db, reference), "notes", Note, data,
                          lambda s, actor, form, applicant_id: add_note(s, actor, applicant_id, form.note.data, now()))


@post("/applicants/{reference:str}/assessments", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def assessments(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    return decide_on_case(db, request, scheme, read_case(db, reference), "assessment", AssessmentRecord, data,
                          lambda s, actor, form, applicant_id: record_assessment(
                              s, actor, applicant_id, form.kind.data, form.recommendation.data,
                              form.effect.data or "", now(), requirements=form.requirements.data))


@post("/applicants/{reference:str}/suitability", opt={"right": Right.OFFER_FINAL_ASSESS}, sync_to_thread=True)
def suitability(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    """The suitability assessment a final offer of the home needs first (s193(7F)); refused, naming it, for a
    home that fails a need recorded on the case."""
    return decide_on_case(db, request, scheme, read_case(db, reference), "suitability", SuitabilityRecord, data,
                          lambda s, actor, form, applicant_id: assess_home(
                              s, actor, applicant_id, form.home.data, form.findings(), form.reasonable.data,
                              form.reasons.data, now(), weekly_income_pence=form.income()))


@post("/applicants/{reference:str}/checks", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def checks(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
           reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    return decide_on_case(db, request, scheme, read_case(db, reference), "check", CheckRecord, data,
                          lambda s, actor, form, applicant_id: record_check(
                              s, actor, applicant_id, form.kind.data, form.passed.data == "yes",
                              form.note.data or "", now()))


@post("/applicants/{reference:str}/bids", opt={"right": Right.BID_ON_BEHALF}, sync_to_thread=True)
def bid_on_behalf(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                  reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    """Bid for a household that cannot bid itself (recorded as placed by this officer)."""

    return decide_on_case(db, request, scheme, read_case(db, reference), "bid", BidOnBehalf, data,
                          lambda s, actor, form, applicant_id: place_bid_for(
                              s, actor, scheme, applicant_id, form.advert.data, now()))


@post("/applicants/{reference:str}/subject-access", opt={"right": Right.DATA_SUBJECT_ACCESS}, sync_to_thread=True,
      status_code=200)
def subject_access(db: NamedDependency[Database], request: Request, reference: FromPath[str]) -> Response[bytes]:
    """Everything held about the household as one archive (a POST: the export is recorded)."""
    name, archive = db.run(subject_access_archive, staff_actor(current_staff(request)), reference, now())
    return Response(archive, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


# --- who holds the case ---------------------------------------------------------------------------------------

class CaseOfficer(forms.Form):
    officer = forms.Choice("Case officer", required="Choose who should hold the case")


NO_ONE = "none"


def case_officer_form(case: dict, body: dict | None = None) -> CaseOfficer:
    """The manager's form that gives the case to an officer (or to no one), its list the active officers."""
    choices = [(NO_ONE, "No one"), *((str(user.id), user.name) for user in case["holders"])]
    held = case["applicant"].case_officer_id
    return forms.read(CaseOfficer, body, id_suffix="-officer", choices={"officer": choices},
                      **({} if body is not None else {"officer": str(held) if held else NO_ONE}))


class Taking(forms.Form):
    """Taking a case has nothing to fill in; a refusal (someone took it first) is shown in the summary."""


@post("/applicants/{reference:str}/taking", opt={"right": Right.CASE_TAKE}, sync_to_thread=True)
def taking(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
           reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    """The signed-in officer takes a case no one holds; back to the page the button was on (My work, or the case)."""
    case = read_case(db, reference)
    back = forms.safe_next(str(data.get("back") or ""), f"/admin/applicants/{case['applicant'].reference}")
    return submit(db, request, forms.read(Taking, data),
                  lambda s, actor, form: take_case(s, actor, case["applicant"].id, now()),
                  lambda refused: case_page(request, case, scheme, ("taking", refused)), back)


@post("/applicants/{reference:str}/officer", opt={"right": Right.CASE_ALLOCATE}, sync_to_thread=True)
def case_officer(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                 reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    """A manager gives the case to an officer, or takes it off the one who holds it."""
    case = read_case(db, reference)
    return submit(db, request, case_officer_form(case, data), lambda s, actor, form: allocate_cases(
        s, actor, [case["applicant"].id], None if form.officer.data == NO_ONE else int(form.officer.data or 0),
        now()), lambda refused: case_page(request, case, scheme, ("officer", refused)),
        f"/admin/applicants/{case['applicant'].reference}")
