"""Downsizing and decants on a case, and regeneration schemes: the household's social home, its downsizing mark and the
payments asked for it; the schemes and the households they decant."""

from typing import Any

import anyio
from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import Session

from cbl.database import Database
from cbl.queries import moves as queries
from cbl.rules.scheme import Scheme
from cbl.services import evidence, move_payments, moves
from cbl.services.actors import Actor
from cbl.services.actors import staff as staff_actor
from cbl.services.errors import DomainError, InvalidInput, NotFound
from cbl.services.rights import Right
from cbl.web import forms
from cbl.web.auth import now

from . import move_forms as f
from .acting import act, submit
from .guards import current_staff
from .line_forms import Action

CASE = "/admin/applicants/{reference}/moves"


def _regeneration_choices(found: queries.CaseMoves) -> list[tuple[str, str]]:
    return [(str(regeneration.id), regeneration.name) for _, regeneration in found.decants]


def _case_forms(found: queries.CaseMoves, submitted: tuple[str, forms.Form] | None) -> dict[str, forms.Form]:
    choices = {"regeneration": _regeneration_choices(found)}
    tenancy = found.tenancy
    fresh: dict[str, forms.Form] = {
        "tenancy": forms.read(f.Tenancy, None, **({"landlord": tenancy.landlord, "address": tenancy.address,
                                                    "bedrooms": tenancy.bedrooms,
                                                    "tenancy_start": tenancy.tenancy_start} if tenancy else {})),
        "mark": forms.read(Action, None),  # a button: its refusals show in the summary
        "end": forms.read(f.EndDownsizing, None, id_suffix="-end"),
        "downsizing": forms.read(f.DownsizingPayment, None),
        "home_loss": forms.read(f.HomeLoss, None, id_suffix="-home-loss", choices=choices),
        "disturbance": forms.read(f.Disturbance, None, id_suffix="-disturbance", choices=choices),
    }
    if submitted is not None:
        fresh[submitted[0]] = submitted[1]
    return fresh


def _case_page(db: Database, scheme: Scheme, request: Request, reference: str,
               submitted: tuple[str, forms.Form] | None = None) -> Template:
    with db.reading() as session:
        found = queries.case_moves(session, reference)
    page_forms = _case_forms(found, submitted)
    status = submitted[1].status if submitted else 200
    return Template("admin/moves/case.html", status_code=status, context={
        "staff": current_staff(request), "found": found, "forms": page_forms,
        "errors": submitted[1] if submitted else None, "scheme": scheme,
        "spare": max((found.tenancy.bedrooms if found.tenancy else 0) - found.applicant.bedroom_need, 0),
        "limit_mb": evidence.MAX_BYTES // (1024 * 1024), "claim_mb": RECEIPTS_BYTES // (1024 * 1024)})


@get("/applicants/{reference:str}/moves", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def case_moves(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
               reference: FromPath[str]) -> Template:
    """The household's social home, its downsizing mark, its regeneration schemes and its payments."""
    return _case_page(db, scheme, request, reference)


def _applicant_id(session: Session, reference: str) -> int:
    applicant_id = queries.case_moves(session, reference).applicant.id
    assert applicant_id is not None
    return applicant_id


def _on_case(db: Database, scheme: Scheme, request: Request, reference: str, key: str, form: forms.Form,
             action: Any) -> Template | Redirect:
    return submit(db, request, form, lambda session, actor, filled: action(session, actor, filled,
                                                                           _applicant_id(session, reference)),
                  lambda refused: _case_page(db, scheme, request, reference, (key, refused)),
                  CASE.format(reference=reference))


@post("/applicants/{reference:str}/moves/tenancy", opt={"right": Right.MOVES_MANAGE}, sync_to_thread=True)
def tenancy(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
            reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    return _on_case(db, scheme, request, reference, "tenancy", forms.read(f.Tenancy, data),
                    lambda s, actor, form, applicant_id: moves.record_tenancy(
                        s, actor, applicant_id, form.landlord.data, form.address.data or "", form.bedrooms.data,
                        form.tenancy_start.data, now()))


@post("/applicants/{reference:str}/moves/downsizing", opt={"right": Right.MOVES_MANAGE}, sync_to_thread=True)
def downsizing(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
               reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    """Mark the household as downsizing: its band, and the letter."""
    return act(db, request, lambda s, actor: moves.mark_downsizing(s, actor, scheme, _applicant_id(s, reference),
                                                                   now()),
               lambda error: _refused(db, scheme, request, reference, "mark", error),
               CASE.format(reference=reference))


def _refused(db: Database, scheme: Scheme, request: Request, reference: str, key: str,
             error: DomainError) -> Template:
    form = forms.read(Action, None)
    form.refuse(error)
    return _case_page(db, scheme, request, reference, (key, form))


@post("/applicants/{reference:str}/moves/downsizing/end", opt={"right": Right.MOVES_MANAGE}, sync_to_thread=True)
def downsizing_end(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                   reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    return _on_case(db, scheme, request, reference, "end", forms.read(f.EndDownsizing, data, id_suffix="-end"),
                    lambda s, actor, form, applicant_id: moves.end_downsizing(s, actor, scheme, applicant_id,
                                                                              form.reason.data, now()))


@post("/applicants/{reference:str}/moves/downsizing-payment", opt={"right": Right.MOVES_MANAGE}, sync_to_thread=True)
def downsizing_payment(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                       reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    return _on_case(db, scheme, request, reference, "downsizing", forms.read(f.DownsizingPayment, data),
                    lambda s, actor, form, applicant_id: move_payments.request_downsizing_payments(
                        s, actor, scheme, applicant_id, form.new_bedrooms.data, form.removal.data or 0, now()))


@post("/applicants/{reference:str}/moves/home-loss", opt={"right": Right.MOVES_MANAGE}, sync_to_thread=True)
def home_loss(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
              reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    with db.reading() as session:
        choices = _regeneration_choices(queries.case_moves(session, reference))
    form = forms.read(f.HomeLoss, data, id_suffix="-home-loss", choices={"regeneration": choices})
    return _on_case(db, scheme, request, reference, "home_loss", form,
                    lambda s, actor, filled, applicant_id: move_payments.request_home_loss(
                        s, actor, scheme, applicant_id, int(filled.regeneration.data), filled.displaced_on.data,
                        now()))


# Receipts for one claim: each at most 10 MB, 40 MB together; the form around them fits in the rest.
RECEIPTS_BYTES = 4 * evidence.MAX_BYTES
CLAIM_BODY_BYTES = RECEIPTS_BYTES + 256 * 1024


async def _claim_form(request: Request) -> tuple[dict[str, Any], list[move_payments.Receipt]]:
    """A submitted claim as a plain body, with every receipt chosen (a browser sends an empty part for none)."""
    form = await request.form()
    body: dict[str, Any] = {}
    receipts: list[move_payments.Receipt] = []
    for name, values in form.dict().items():
        files = [value for value in values if isinstance(value, UploadFile)]
        for upload in files:
            content = await upload.read()
            if upload.filename or content:
                receipts.append(move_payments.Receipt(upload.filename or "", content))
        if not files:
            body[name] = values if len(values) > 1 else values[0]
    return body, receipts


def _disturbance(db: Database, scheme: Scheme, request: Request, reference: str, body: dict,
                 receipts: list[move_payments.Receipt]) -> Template | Redirect:
    with db.reading() as session:
        choices = _regeneration_choices(queries.case_moves(session, reference))
    form = forms.read(f.Disturbance, body, id_suffix="-disturbance", choices={"regeneration": choices})
    if form.validate():

        def claim(session: Session, actor: Actor) -> None:
            move_payments.request_disturbance(session, actor, scheme, request.app.state["settings"].uploads_dir,
                                              _applicant_id(session, reference), int(form.regeneration.data),
                                              form.displaced_on.data, form.claimed.data, form.what.data, receipts,
                                              now())

        try:
            db.run(claim, staff_actor(current_staff(request)))
            return Redirect(CASE.format(reference=reference), status_code=303)
        except DomainError as error:
            if isinstance(error, NotFound):
                raise
            if isinstance(error, InvalidInput) and error.field == evidence.FIELD:
                error = InvalidInput(error.message, field="file")
            form.refuse(error)
    return _case_page(db, scheme, request, reference, ("disturbance", form))


@post("/applicants/{reference:str}/moves/disturbance", opt={"right": Right.MOVES_MANAGE},
      request_max_body_size=CLAIM_BODY_BYTES)
async def disturbance(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                      reference: FromPath[str]) -> Template | Redirect:
    """A disturbance claim with its receipts."""
    body, receipts = await _claim_form(request)
    return await anyio.to_thread.run_sync(_disturbance, db, scheme, request, reference, body, receipts)


# --- regeneration schemes ------------------------------------------------------------------------------------------

SCHEMES = "/admin/regeneration-schemes"


def _schemes_page(db: Database, request: Request, form: forms.Form | None = None) -> Template:
    with db.reading() as session:
        rows = queries.regeneration_schemes(session)
    form = form or forms.read(f.RegenerationScheme, None)
    return Template("admin/moves/schemes.html", status_code=form.status, context={
        "staff": current_staff(request), "rows": rows, "form": form})


@get("/regeneration-schemes", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def regeneration_schemes(db: NamedDependency[Database], request: Request) -> Template:
    return _schemes_page(db, request)


@post("/regeneration-schemes", opt={"right": Right.MOVES_MANAGE}, sync_to_thread=True)
def regeneration_scheme_new(db: NamedDependency[Database], request: Request, data: forms.Body) -> Template | Redirect:
    return submit(db, request, forms.read(f.RegenerationScheme, data),
                  lambda s, actor, form: moves.create_regeneration_scheme(s, actor, form.name.data, form.area.data,
                                                                          form.decant_date.data, now()),
                  lambda form: _schemes_page(db, request, form), SCHEMES)


def _scheme_page(db: Database, request: Request, regeneration_id: int, form: forms.Form | None = None) -> Template:
    with db.reading() as session:
        found = queries.regeneration_page(session, regeneration_id)
    form = form or forms.read(f.DecantHousehold, None)
    return Template("admin/moves/scheme.html", status_code=form.status, context={
        "staff": current_staff(request), "found": found, "form": form})


@get("/regeneration-schemes/{regeneration_id:int}", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def regeneration_scheme(db: NamedDependency[Database], request: Request, regeneration_id: FromPath[int]) -> Template:
    return _scheme_page(db, request, regeneration_id)


@post("/regeneration-schemes/{regeneration_id:int}/households", opt={"right": Right.MOVES_MANAGE},
      sync_to_thread=True)
def decant_household(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                     regeneration_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    """Add a household to the scheme: decanted, with its priority and a letter."""
    return submit(db, request, forms.read(f.DecantHousehold, data),
                  lambda s, actor, form: moves.add_decant_household(s, actor, scheme, regeneration_id,
                                                                    form.reference.data, now()),
                  lambda form: _scheme_page(db, request, regeneration_id, form),
                  f"{SCHEMES}/{regeneration_id}")


ROUTES = [case_moves, tenancy, downsizing, downsizing_end, downsizing_payment, home_loss, disturbance,
          regeneration_schemes, regeneration_scheme_new, regeneration_scheme, decant_household]
