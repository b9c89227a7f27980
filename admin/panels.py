"""Medical, welfare and occupational therapy panels: refer a case with its evidence, arrange its panel (the day and
the members), and record the panel's decision, which is applied to the case and sent to the household."""

from typing import Any

import anyio
from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template
from sqlmodel import Session

from cbl.database import Database
from cbl.queries import panels as queries
from cbl.rules.panels import ACCESS
from cbl.rules.scheme import Scheme
from cbl.services import evidence, panels
from cbl.services.actors import Actor
from cbl.services.actors import staff as staff_actor
from cbl.services.errors import DomainError, InvalidInput, NotFound
from cbl.services.rights import Right
from cbl.web import forms
from cbl.web.application_pages import evidence_download
from cbl.web.auth import now

from . import panel_forms
from .acting import submit
from .guards import current_staff
from .panel_forms import Arrangement, Decision, EvidenceUpload, Referral

# An upload is at most 10 MB; the form around it fits in the rest.
UPLOAD_BODY_BYTES = evidence.MAX_BYTES + 256 * 1024


async def _multipart(request: Request) -> tuple[dict[str, Any], UploadFile | None, bytes]:
    """A submitted form as a plain body (each field a string, or a list when it repeats), with its file if any."""
    form = await request.form()
    body: dict[str, Any] = {}
    upload, content = None, b""
    for name, values in form.dict().items():
        files = [value for value in values if isinstance(value, UploadFile)]
        if files:
            upload, content = files[0], await files[0].read()
            continue
        body[name] = values if len(values) > 1 else values[0]
    return body, upload, content


def _chosen(upload: UploadFile | None, content: bytes) -> bool:
    return upload is not None and bool(upload.filename or content)


# --- a household's referrals ---------------------------------------------------------------------------------


def _household_page(db: Database, scheme: Scheme, request: Request, reference: str,
                    form: Referral | None = None) -> Template:
    with db.reading() as session:
        applicant, referrals = queries.household_panels(session, reference)
    form = form or panel_forms.read(Referral, None, scheme, [], [])
    return Template("admin/panels/household.html", status_code=form.status, context={
        "staff": current_staff(request), "applicant": applicant, "referrals": referrals, "form": form,
        "limit_mb": evidence.MAX_BYTES // (1024 * 1024)})


@get("/applicants/{reference:str}/panels", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def household_panels(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                     reference: FromPath[str]) -> Template:
    """The household's referrals to panels and their decisions; refer it to another."""
    return _household_page(db, scheme, request, reference)


def _refer(db: Database, scheme: Scheme, request: Request, reference: str, body: dict, upload: UploadFile | None,
           content: bytes) -> Template | Redirect:
    form = panel_forms.read(Referral, body, scheme, [], [])
    if form.validate():
        uploads = request.app.state["settings"].uploads_dir

        def refer(session: Session, actor: Actor) -> int:
            applicant, _ = queries.household_panels(session, reference)
            referral = panels.refer(session, actor, scheme, applicant.id, form.kind.data, form.reason.data, now())
            assert referral.id is not None  # stored: SQLModel types every id `int | None`
            if _chosen(upload, content):  # the file and the referral are kept together, or neither is
                panels.add_evidence(session, actor, uploads, referral.id, upload.filename or "", content,
                                    form.shows.data or "", now())
            return referral.id

        try:
            referral_id = db.run(refer, staff_actor(current_staff(request)))
            return Redirect(f"/admin/panels/{referral_id}", status_code=303)
        except DomainError as error:
            if isinstance(error, NotFound):
                raise
            form.refuse(error)
    return _household_page(db, scheme, request, reference, form)


@post("/applicants/{reference:str}/panels", opt={"right": Right.PANEL_REFER}, request_max_body_size=UPLOAD_BODY_BYTES)
async def referral(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                   reference: FromPath[str]) -> Template | Redirect:
    body, upload, content = await _multipart(request)
    return await anyio.to_thread.run_sync(_refer, db, scheme, request, reference, body, upload, content)


# --- one referral: its evidence, its panel, its decision -----------------------------------------------------------


def _referral_page(db: Database, scheme: Scheme, request: Request, referral_id: int,
                   refused: tuple[str, forms.Form] | None = None) -> Template:
    with db.reading() as session:
        found = queries.referral_page(session, referral_id)
    made = _forms(scheme, found)
    if refused is not None:
        made[refused[0]] = refused[1]
    return Template("admin/panels/referral.html", status_code=refused[1].status if refused else 200, context={
        "staff": current_staff(request), "found": found, "forms": made, "refused": refused[0] if refused else "",
        "access": ACCESS, "limit_mb": evidence.MAX_BYTES // (1024 * 1024)})


def _forms(scheme: Scheme, found: queries.ReferralPage) -> dict[str, forms.Form]:
    """The page's forms as the referral stands: the panel as arranged, the findings in force to start from."""
    referral, in_force = found.referral, found.in_force

    def fresh(kind: type[forms.Form], **data: Any) -> forms.Form:
        return panel_forms.read(kind, None, scheme, found.may_sit, found.areas, **data)

    return {
        "evidence": fresh(EvidenceUpload),
        "arrangement": fresh(Arrangement, meets_on=referral.meets_on,
                             members=[str(member.id) for member in found.members]),
        "decision": fresh(Decision, access=list(in_force.access) if in_force else [],
                          carer_bedroom=found.applicant.carer_bedroom,
                          area_restrictions=list(found.applicant.area_restrictions)),
    }


@get("/panels/{referral_id:int}", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def referral_page(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                  referral_id: FromPath[int]) -> Template:
    return _referral_page(db, scheme, request, referral_id)


def _add_file(db: Database, scheme: Scheme, request: Request, referral_id: int, body: dict,
              upload: UploadFile | None, content: bytes) -> Template | Redirect:
    with db.reading() as session:
        found = queries.referral_page(session, referral_id)
    form = panel_forms.read(EvidenceUpload, body, scheme, found.may_sit, found.areas)
    if form.validate():
        if not _chosen(upload, content):
            form.refuse(InvalidInput("Select a file to upload.", field=evidence.FIELD))
        else:
            try:
                db.run(panels.add_evidence, staff_actor(current_staff(request)),
                       request.app.state["settings"].uploads_dir, referral_id, upload.filename or "", content,
                       form.shows.data, now())
                return Redirect(f"/admin/panels/{referral_id}#evidence", status_code=303)
            except DomainError as error:
                if isinstance(error, NotFound):
                    raise
                form.refuse(error)
    return _referral_page(db, scheme, request, referral_id, ("evidence", form))


@post("/panels/{referral_id:int}/evidence", opt={"right": Right.PANEL_REFER}, request_max_body_size=UPLOAD_BODY_BYTES)
async def referral_evidence(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                            referral_id: FromPath[int]) -> Template | Redirect:
    """Put another file before the panel."""
    body, upload, content = await _multipart(request)
    return await anyio.to_thread.run_sync(_add_file, db, scheme, request, referral_id, body, upload, content)


def _file(db: Database, request: Request, referral_id: int, file_id: int) -> Response[bytes]:
    with db.reading() as session:
        found = panels.evidence_file(session, staff_actor(current_staff(request)), referral_id, file_id)
    return evidence_download(found, evidence.read_file(request.app.state["settings"].uploads_dir, found))


@get("/panels/{referral_id:int}/evidence/{file_id:int}", opt={"right": Right.REGISTER_READ})
async def referral_file(db: NamedDependency[Database], request: Request, referral_id: FromPath[int],
                        file_id: FromPath[int]) -> Response[bytes]:
    """A file before the panel, downloaded (never shown inside the admin site's pages)."""
    return await anyio.to_thread.run_sync(_file, db, request, referral_id, file_id)


def _act(db: Database, scheme: Scheme, request: Request, referral_id: int, key: str, kind: type[forms.Form],
         data: dict, action: Any) -> Template | Redirect:
    with db.reading() as session:
        found = queries.referral_page(session, referral_id)
    form = panel_forms.read(kind, data, scheme, found.may_sit, found.areas)
    return submit(db, request, form, action,
                  lambda refused: _referral_page(db, scheme, request, referral_id, (key, refused)),
                  f"/admin/panels/{referral_id}")


@post("/panels/{referral_id:int}/arrangement", opt={"right": Right.PANEL_REFER}, sync_to_thread=True)
def arrangement(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                referral_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    """The day the panel meets and its members: at least two members of staff, not the referring officer."""
    return _act(db, scheme, request, referral_id, "arrangement", Arrangement, data,
                lambda session, actor, form: panels.arrange(session, actor, referral_id, form.meets_on.data,
                                                            form.member_ids(), now()))


@post("/panels/{referral_id:int}/decision", opt={"right": Right.PANEL_DECIDE}, sync_to_thread=True)
def decision(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
             referral_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    """The panel's decision, applied to the case; the household is sent it with its right to a review."""
    return _act(db, scheme, request, referral_id, "decision", Decision, data,
                lambda session, actor, form: panels.decide(session, actor, scheme, referral_id,
                                                           form.recommendation(), form.reasons.data, now()))
