"""The officers' queue of applications and changes of circumstances sent online: each as the household answered
it, its evidence, possible duplicates and what the rules indicate; ask for more evidence, refuse (not eligible or
not qualifying) or accept with a band; a change is assessed and the band set again."""

from typing import Any

import anyio
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template
from sqlmodel import Session

from cbl.database import Database
from cbl.models import OnlineApplication
from cbl.models.states import OnlineKind
from cbl.queries import applying as queries
from cbl.rules.application_questions import EVIDENCE, MEMBER_RELATIONSHIPS
from cbl.rules.scheme import Scheme
from cbl.rules.working_days import local_date
from cbl.services import assessment, evidence
from cbl.services.actors import staff as staff_actor
from cbl.services.errors import DomainError, NotFound
from cbl.services.rights import Right
from cbl.web import forms
from cbl.web.application_pages import evidence_download
from cbl.web.apply_forms import PAGES, read_page, summary
from cbl.web.auth import now

from .acting import submit
from .case_forms import NOT_ALLOCATABLE, BandDecision, NotAllocatable
from .guards import current_staff


class EvidenceRequest(forms.Form):
    request = forms.Text("What the household must send", limit=2000,
                         required="Say what evidence the household must send")


class Acceptance(BandDecision):
    different_household = forms.Ticked("I have checked the possible duplicates: this is a different household")


def _forms(scheme: Scheme, found: queries.Assessment, refused: tuple[str, forms.Form] | None) -> dict[str, Any]:
    bands = [(band, f"{band}: {scheme.bands.label(band)}") for band in scheme.bands.order]
    sent_on = local_date(found.online.submitted_at) if found.online.submitted_at else None
    why = [*(found.qualification.reasons if found.qualification and not found.qualification.qualifies else ()),
           *([found.eligibility.reason] if found.eligibility and found.eligibility.outcome == "not_eligible" else [])]
    made = {
        "request": forms.read(EvidenceRequest, None, id_suffix="-request"),
        "refusal": forms.read(NotAllocatable, None, id_suffix="-refusal", choices={"decision": NOT_ALLOCATABLE},
                              grounds=" ".join(why)),
        "acceptance": forms.read(Acceptance, None, id_suffix="-acceptance", choices={"band": bands},
                                 effective=sent_on, band=found.applicant.band or ""),
    }
    if refused is not None:
        made[refused[0]] = refused[1]
    return made


def _answers(scheme: Scheme, found: queries.Assessment) -> list[dict]:
    """The answers page by page, in the words the household saw."""
    answers = found.online.answers
    return [{"heading": heading, "rows": summary(read_page(page, scheme, None, answers.get(key) or {}))}
            for page, (_, heading, key) in PAGES.items() if key in answers and page != "member"]


def _page(db: Database, scheme: Scheme, request: Request, online_id: int,
          refused: tuple[str, forms.Form] | None = None, **shown: object) -> Template:
    with db.reading() as session:
        found = queries.assessment(session, scheme, online_id)
    return Template("admin/online/assessment.html", status_code=refused[1].status if refused else 200, context={
        "staff": current_staff(request), "found": found, "answers": _answers(scheme, found),
        "people": found.online.answers.get("people") or [], "relationships": MEMBER_RELATIONSHIPS,
        "shows": EVIDENCE, "forms": _forms(scheme, found, refused), "refused": refused[0] if refused else "",
        "is_change": found.online.kind is OnlineKind.CHANGE, **shown})


@get("/online-applications", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def online_queue(db: NamedDependency[Database], request: Request) -> Template:
    with db.reading() as session:
        rows = queries.queue(session)
    return Template("admin/online/queue.html", context={"staff": current_staff(request), "rows": rows})


@get("/online-applications/{online_id:int}", opt={"right": Right.REGISTER_READ})
async def online_application(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                             online_id: FromPath[int]) -> Template:
    return await anyio.to_thread.run_sync(_page, db, scheme, request, online_id)


def _decide(db: Database, scheme: Scheme, request: Request, online_id: int, key: str, form: forms.Form,
            action: Any) -> Template | Redirect:
    return submit(db, request, form, action, lambda refused: _page(db, scheme, request, online_id, (key, refused)),
                  f"/admin/online-applications/{online_id}")


@post("/online-applications/{online_id:int}/evidence-request", opt={"right": Right.REGISTER_WRITE},
      sync_to_thread=True)
def evidence_request(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                     online_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    """Ask for more evidence: the household is told what, and can upload it."""
    form = forms.read(EvidenceRequest, data, id_suffix="-request")
    return _decide(db, scheme, request, online_id, "request", form, lambda session, actor, form: (
        assessment.request_evidence(session, actor, online_id, form.request.data, now())))


@post("/online-applications/{online_id:int}/refusal", opt={"right": Right.ELIGIBILITY_DECIDE}, sync_to_thread=True)
def refusal(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
            online_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    """Not eligible, or not a qualifying person: the application closes and the household gets the letter."""
    form = forms.read(NotAllocatable, data, id_suffix="-refusal", choices={"decision": NOT_ALLOCATABLE})
    return _decide(db, scheme, request, online_id, "refusal", form, lambda session, actor, form: (
        assessment.refuse_application(session, actor, scheme, online_id, form.decision.data, form.grounds.data,
                                      now())))


def _accept(scheme: Scheme, online_id: int, session: Session, actor: Any, form: Acceptance) -> object:
    found = session.get(OnlineApplication, online_id)
    effective = form.effective.data  # checked by the form: a real date
    if found is not None and found.kind is OnlineKind.CHANGE:
        return assessment.assess_change(session, actor, scheme, online_id, form.band.data, effective,
                                        form.reason.data, now(), points=form.points.data)
    return assessment.accept_application(session, actor, scheme, online_id, form.band.data, effective,
                                         form.reason.data, now(), points=form.points.data,
                                         different_household=form.different_household.data)


@post("/online-applications/{online_id:int}/acceptance", opt={"right": Right.BAND_SET}, sync_to_thread=True)
def acceptance(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
               online_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    """Accept onto the register with a band (a change: applied to the case, the band set again)."""
    bands = [(band, band) for band in scheme.bands.order]
    form = forms.read(Acceptance, data, id_suffix="-acceptance", choices={"band": bands})
    if form.validate():
        try:
            db.run(lambda session, actor: _accept(scheme, online_id, session, actor, form),
                   staff_actor(current_staff(request)))
            return Redirect(f"/admin/online-applications/{online_id}", status_code=303)
        except DomainError as error:
            if isinstance(error, NotFound):
                raise
            form.refuse(error)
    return _page(db, scheme, request, online_id, ("acceptance", form))


def _file(db: Database, request: Request, file_id: int) -> Response[bytes]:
    with db.reading() as session:
        found = evidence.staff_file(session, staff_actor(current_staff(request)), file_id)
    return evidence_download(found, evidence.read_file(request.app.state["settings"].uploads_dir, found))


@get("/online-applications/files/{file_id:int}", opt={"right": Right.REGISTER_READ})
async def evidence_file(db: NamedDependency[Database], request: Request, file_id: FromPath[int]) -> Response[bytes]:
    """A household's evidence, downloaded (never shown inside the admin site's pages)."""
    return await anyio.to_thread.run_sync(_file, db, request, file_id)
