"""Making and changing nomination agreements with registered providers."""

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from cbl.database import Database
from cbl.queries import agreements as agreement_queries
from cbl.rules.scheme import Scheme
from cbl.services.agreements import QUOTA_GROUPS, AgreementTerms, save_agreement
from cbl.services.errors import DomainError
from cbl.services.nominations import SHAREABLE
from cbl.web import forms
from cbl.web.auth import now

from .acting import act
from .guards import current_staff
from cbl.services.rights import Right

SHARE, DAYS = "A share is a percentage from 0 to 100.", "Give the working days as a whole number from 1 to 60."


def _form_of(terms: agreement_queries.AgreementTerms) -> dict:
    agreement, quotas = terms.agreement, terms.quotas
    return {"provider": terms.provider_code, "name": agreement.name, "first_let_share": str(agreement.first_let_share),
            "relet_share": str(agreement.relet_share), "nominate_within_days": str(agreement.nominate_within_days),
            "respond_within_days": str(agreement.respond_within_days), "decline_grounds": agreement.decline_grounds,
            "shared_details": agreement.shared_details, "starts_on": agreement.starts_on.isoformat(),
            "ends_on": agreement.ends_on.isoformat() if agreement.ends_on else "",
            **{f"quota_{q.group}": str(q.min_share_pct) for q in quotas}}


def _page(db: Database, scheme: Scheme, request: Request, agreement_id: int | None, form: dict,
          error: DomainError | None = None) -> Template:
    with db.reading() as session:
        providers = agreement_queries.providers(session)
    return Template("admin/agreements/form.html", status_code=error.status_code if error else 200, context={
        "staff": current_staff(request), "agreement_id": agreement_id, "form": form, "error": error,
        "providers": providers,
        "grounds": [(g.code, g.label) for g in scheme.nominations.decline_grounds],
        "shareable": list(SHAREABLE.items()), "quota_groups": list(QUOTA_GROUPS.items())})


def _terms(data: dict[str, Any]) -> AgreementTerms:
    quotas = tuple((group, forms.whole_number(data, f"quota_{group}", 1, 100, "A quota is a percentage from 1 to 100."))
                   for group in QUOTA_GROUPS if forms.text(data, f"quota_{group}", 3))
    return AgreementTerms(
        provider_code=forms.text(data, "provider", 32), name=forms.text(data, "name", 200),
        first_let_share=forms.whole_number(data, "first_let_share", 0, 100, SHARE),
        relet_share=forms.whole_number(data, "relet_share", 0, 100, SHARE),
        nominate_within_days=forms.whole_number(data, "nominate_within_days", 1, 60, DAYS),
        respond_within_days=forms.whole_number(data, "respond_within_days", 1, 60, DAYS),
        decline_grounds=tuple(forms.many(data, "decline_grounds", 64)),
        shared_details=tuple(forms.many(data, "shared_details", 32)),
        starts_on=forms.day(data, "starts_on"), ends_on=forms.day(data, "ends_on", optional=True), quotas=quotas)


def _submitted(data: dict[str, Any]) -> dict:
    form = {name: forms.text(data, name, 200) for name in (
        "provider", "name", "first_let_share", "relet_share", "nominate_within_days", "respond_within_days",
        "starts_on", "ends_on", *(f"quota_{group}" for group in QUOTA_GROUPS))}
    form.update(decline_grounds=forms.many(data, "decline_grounds", 64), shared_details=forms.many(data, "shared_details", 32))
    return form


@get("/agreements/new", opt={"right": Right.AGREEMENTS_MANAGE}, sync_to_thread=True)
def new_agreement(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request) -> Template:
    return _page(db, scheme, request, None, {"first_let_share": "100", "relet_share": "75",
                                              "nominate_within_days": "5", "respond_within_days": "5",
                                              "shared_details": list(SHAREABLE)[:3]})


def _save(db: Database, scheme: Scheme, request: Request, agreement_id: int | None, data: dict) -> Template | Redirect:
    return act(db, request, lambda s, actor: save_agreement(s, actor, scheme, agreement_id, _terms(data), now()),
               lambda error: _page(db, scheme, request, agreement_id, _submitted(data), error), "/admin/agreements")


@post("/agreements/new", opt={"right": Right.AGREEMENTS_MANAGE}, sync_to_thread=True)
def new_agreement_submit(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                         data: forms.Body) -> Template | Redirect:
    return _save(db, scheme, request, None, data)


@get("/agreements/{agreement_id:int}/edit", opt={"right": Right.AGREEMENTS_MANAGE}, sync_to_thread=True)
def edit_agreement(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                   agreement_id: FromPath[int]) -> Template:
    with db.reading() as session:
        terms = agreement_queries.agreement(session, agreement_id)
    return _page(db, scheme, request, agreement_id, _form_of(terms))


@post("/agreements/{agreement_id:int}/edit", opt={"right": Right.AGREEMENTS_MANAGE}, sync_to_thread=True)
def edit_agreement_submit(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                          agreement_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    return _save(db, scheme, request, agreement_id, data)
