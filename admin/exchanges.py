"""Mutual exchanges in admin: the listings and matches, running the matcher, the council's decisions on its tenants'
applications for consent (Housing Act 1985 s92), and completion; and the same decisions in the provider portal for
a provider's own tenants (another provider's are not found)."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlmodel import Session

from cbl.database import Database
from cbl.models.exchanges import PARTICULARS_LIMIT
from cbl.models.states import ConsentDecision, ExchangeMatchStatus
from cbl.queries import exchanges as exchange_queries
from cbl.rules.exchange_consent import CONDITIONS, GROUNDS, refuse_by
from cbl.rules.scheme import Scheme
from cbl.rules.working_days import local_date
from cbl.services.actors import Actor
from cbl.services.actors import staff as staff_actor
from cbl.services.exchange_consent import consent_request, give_consent, record_completion, refuse_consent
from cbl.services.exchanges import run_matching
from cbl.services.rights import Right
from cbl.web import forms
from cbl.web.auth import now

from .acting import submit
from .guards import current_staff


class Consent(forms.Form):
    conditions = forms.Many("Conditions (Housing Act 1985 s92(5))")
    particulars = forms.Text("What the condition requires", limit=PARTICULARS_LIMIT)


class Refusal(forms.Form):
    grounds = forms.Many("Grounds in Schedule 3 to the Housing Act 1985",
                         required="Choose at least one ground of Schedule 3: consent may be refused on no other")
    particulars = forms.Text("Particulars of the ground", limit=PARTICULARS_LIMIT,
                             required="Give particulars of the ground: the notice must give them (s92(4))")


class Completion(forms.Form):
    took_effect = forms.Day("Date the assignments took effect")


CHOICES = {Consent: {"conditions": list(CONDITIONS.items())},
           Refusal: {"grounds": [(g.code, f"Ground {g.code}: {g.short}") for g in GROUNDS]}}


def _actor(request: Request) -> Actor:
    return staff_actor(current_staff(request))


def _form(kind: type[forms.Form], data: dict | None = None) -> forms.Form:
    # The consent and refusal forms share a page and a field's name: their ids carry the form's.
    suffix = {Consent: "-consent", Refusal: "-refusal"}.get(kind, "")
    return forms.read(kind, data, choices=CHOICES[kind], id_suffix=suffix)


def _list_page(db: Database, request: Request, ran: str | None = None,
               refused: tuple[int, forms.Form] | None = None) -> Template:
    with db.reading() as session:
        listings = exchange_queries.listings(session)
        matches = exchange_queries.matches(session)
    actor = _actor(request)
    # One completion form for each agreed exchange, its fields' ids carrying the exchange's.
    completions = {row.match.id: forms.read(Completion, None, id_suffix=f"-{row.match.id}") for row in matches
                   if row.match.status is ExchangeMatchStatus.AGREED}
    if refused:
        completions[refused[0]] = refused[1]
    return Template("admin/exchanges/list.html", status_code=refused[1].status if refused else 200, context={
        "staff": current_staff(request), "listings": listings, "matches": matches,
        "ran": ran if ran and len(ran) < 80 else None, "completions": completions,
        "refused": refused[1] if refused else None, "may_match": actor.may(Right.EXCHANGE_MATCH),
        "may_decide": actor.may(Right.EXCHANGE_CONSENT)})


@get("/exchanges", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def exchanges_page(db: NamedDependency[Database], request: Request, ran: FromQuery[str | None] = None) -> Template:
    return _list_page(db, request, ran)


@post("/exchanges/matching", opt={"right": Right.EXCHANGE_MATCH}, sync_to_thread=True)
def exchanges_matching(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request) -> Redirect:
    found = db.run(run_matching, _actor(request), scheme, now())
    return Redirect(f"/admin/exchanges?ran={found.matches}+exchanges,+{found.households}+households",
                    status_code=303)


@post("/exchanges/{match_id:int}/completion", opt={"right": Right.EXCHANGE_CONSENT}, sync_to_thread=True)
def exchange_completion(db: NamedDependency[Database], request: Request, match_id: FromPath[int],
                        data: forms.Body) -> Template | Redirect:
    def complete(session: Session, actor: Actor, form: Completion) -> None:
        record_completion(session, actor, match_id, form.took_effect.data, now())

    form = forms.read(Completion, data, id_suffix=f"-{match_id}")
    return submit(db, request, form, complete, lambda refused: _list_page(db, request, refused=(match_id, refused)),
                  "/admin/exchanges")


# --- an application for consent, as its landlord decides it (the council in admin, a provider in its portal) ------

def _consent_page(db: Database, request: Request, member_id: int, base: str,
                  submitted: forms.Form | None = None) -> Template:
    actor = _actor(request)
    with db.reading() as session:
        case = exchange_queries.consent_case(session, consent_request(session, actor, member_id))
    page_forms = {"consent": _form(Consent), "refusal": _form(Refusal)}
    if submitted is not None:
        page_forms["consent" if isinstance(submitted, Consent) else "refusal"] = submitted
    open_ = (case.match.status is ExchangeMatchStatus.WITH_LANDLORDS
             and case.member.decision in (ConsentDecision.PENDING, ConsentDecision.UNREFUSABLE))
    return Template("admin/exchanges/consent.html", status_code=submitted.status if submitted else 200, context={
        "staff": current_staff(request), "case": case, "base": base, "portal": base.startswith("/admin/provider"),
        "open": open_, "refusable": case.member.decision is ConsentDecision.PENDING,
        "deadline": refuse_by(case.match.applied_on) if case.match.applied_on else None,
        "today": local_date(now()), "submitted": submitted, "conditions": CONDITIONS,
        "grounds": {g.code: g.short for g in GROUNDS}, **page_forms})


def _decide(db: Database, request: Request, member_id: int, base: str, kind: type[forms.Form],
            data: dict) -> Template | Redirect:
    def decide(session: Session, actor: Actor, form: forms.Form) -> None:
        if isinstance(form, Consent):
            give_consent(session, actor, member_id, form.conditions.data or [], form.particulars.data or "", now())
        else:
            refuse_consent(session, actor, member_id, form.grounds.data or [], form.particulars.data or "", now())

    return submit(db, request, _form(kind, data), decide,
                  lambda refused: _consent_page(db, request, member_id, base, refused), f"{base}/{member_id}")


COUNCIL = "/admin/exchanges/consents"
PROVIDER = "/admin/provider/exchanges"


@get("/exchanges/consents/{member_id:int}", opt={"right": Right.EXCHANGE_CONSENT}, sync_to_thread=True)
def council_consent_page(db: NamedDependency[Database], request: Request, member_id: FromPath[int]) -> Template:
    return _consent_page(db, request, member_id, COUNCIL)


@post("/exchanges/consents/{member_id:int}/consent", opt={"right": Right.EXCHANGE_CONSENT}, sync_to_thread=True)
def council_consent(db: NamedDependency[Database], request: Request, member_id: FromPath[int],
                    data: forms.Body) -> Template | Redirect:
    return _decide(db, request, member_id, COUNCIL, Consent, data)


@post("/exchanges/consents/{member_id:int}/refusal", opt={"right": Right.EXCHANGE_CONSENT}, sync_to_thread=True)
def council_refusal(db: NamedDependency[Database], request: Request, member_id: FromPath[int],
                    data: forms.Body) -> Template | Redirect:
    return _decide(db, request, member_id, COUNCIL, Refusal, data)


@get("/provider/exchanges", opt={"right": Right.PROVIDER_EXCHANGES}, sync_to_thread=True)
def provider_exchanges(db: NamedDependency[Database], request: Request) -> Template:
    with db.reading() as session:
        waiting = exchange_queries.provider_requests(session, _actor(request).provider_id)
    return Template("admin/exchanges/provider_list.html", context={
        "staff": current_staff(request), "waiting": waiting, "today": local_date(now())})


@get("/provider/exchanges/{member_id:int}", opt={"right": Right.PROVIDER_EXCHANGES}, sync_to_thread=True)
def provider_consent_page(db: NamedDependency[Database], request: Request, member_id: FromPath[int]) -> Template:
    return _consent_page(db, request, member_id, PROVIDER)


@post("/provider/exchanges/{member_id:int}/consent", opt={"right": Right.PROVIDER_EXCHANGES}, sync_to_thread=True)
def provider_consent(db: NamedDependency[Database], request: Request, member_id: FromPath[int],
                     data: forms.Body) -> Template | Redirect:
    return _decide(db, request, member_id, PROVIDER, Consent, data)


@post("/provider/exchanges/{member_id:int}/refusal", opt={"right": Right.PROVIDER_EXCHANGES}, sync_to_thread=True)
def provider_refusal(db: NamedDependency[Database], request: Request, member_id: FromPath[int],
                     data: forms.Body) -> Template | Redirect:
    return _decide(db, request, member_id, PROVIDER, Refusal, data)


ROUTES = [exchanges_page, exchanges_matching, exchange_completion, council_consent_page, council_consent,
          council_refusal, provider_exchanges, provider_consent_page, provider_consent, provider_refusal]
