"""Making and changing nomination agreements with registered providers."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import Session

from cbl.database import Database
from cbl.queries import agreements as agreement_queries
from cbl.rules.scheme import Scheme
from cbl.services.actors import Actor
from cbl.services.agreements import NAME_LIMIT, QUOTA_GROUPS, AgreementTerms, save_agreement
from cbl.services.nominations import SHAREABLE
from cbl.web import forms
from cbl.web.auth import now

from .acting import submit
from .guards import current_staff
from cbl.services.rights import Right


def _share(label: str, what: str) -> forms.WholeNumber:
    return forms.WholeNumber(label, low=0, high=100, required=True,
                             message=f"The share of {what} must be a percentage from 0 to 100")


def _days(label: str, whose: str) -> forms.WholeNumber:
    return forms.WholeNumber(label, low=1, high=60, required=True,
                             message=f"{whose} must be a whole number of working days from 1 to 60")


def _quota(group: str) -> forms.WholeNumber:
    return forms.WholeNumber(f"{QUOTA_GROUPS[group]} (%)", low=1, high=100,
                             message=f"The quota for {QUOTA_GROUPS[group].lower()} must be a percentage from 1 to 100")


class AgreementForm(forms.Form):
    provider = forms.Choice("Registered provider", required="Choose the registered provider")
    name = forms.Text("Name of the agreement", limit=NAME_LIMIT,
                      required="Name the agreement, as it is known to both sides")
    first_let_share = _share("Share of first lets the council nominates to (%)", "first lets")
    relet_share = _share("Share of relets the council nominates to (%)", "relets")
    nominate_within_days = _days("Council's time to nominate (UK working days)", "The council's time to nominate")
    respond_within_days = _days("Provider's time to answer (UK working days)", "The provider's time to answer")
    decline_grounds = forms.Many("Grounds on which the provider may decline")
    shared_details = forms.Many("What the council may share about a nominee")
    # One field a quota group (QUOTA_GROUPS); empty means no quota for that group.
    quota_homeless = _quota("homeless")
    quota_transfer = _quota("transfer")
    starts_on = forms.Day("Starts on")
    ends_on = forms.Day("Ends on", required=False)

    def terms(self) -> AgreementTerms:
        quotas = tuple((group, self[f"quota_{group}"].data) for group in QUOTA_GROUPS
                       if self[f"quota_{group}"].data is not None)
        return AgreementTerms(
            provider_code=self.provider.data, name=self.name.data, first_let_share=self.first_let_share.data,
            relet_share=self.relet_share.data, nominate_within_days=self.nominate_within_days.data,
            respond_within_days=self.respond_within_days.data, decline_grounds=tuple(self.decline_grounds.data),
            shared_details=tuple(self.shared_details.data), starts_on=self.starts_on.data,
            ends_on=self.ends_on.data, quotas=quotas)


def _form(db: Database, scheme: Scheme, body: dict | None, **shown: object) -> AgreementForm:
    with db.reading() as session:
        providers = agreement_queries.providers(session)
    return forms.read(AgreementForm, body, choices={
        "provider": providers, "decline_grounds": [(g.code, g.label) for g in scheme.nominations.decline_grounds],
        "shared_details": list(SHAREABLE.items())}, **shown)


def _shown(terms: agreement_queries.AgreementTerms) -> dict[str, object]:
    """An agreement as its form shows it."""
    agreement = terms.agreement
    return {"provider": terms.provider_code, "name": agreement.name, "first_let_share": agreement.first_let_share,
            "relet_share": agreement.relet_share, "nominate_within_days": agreement.nominate_within_days,
            "respond_within_days": agreement.respond_within_days, "decline_grounds": agreement.decline_grounds,
            "shared_details": agreement.shared_details, "starts_on": agreement.starts_on, "ends_on": agreement.ends_on,
            **{f"quota_{q.group}": q.min_share_pct for q in terms.quotas}}


def _page(request: Request, agreement_id: int | None, form: AgreementForm) -> Template:
    return Template("admin/agreements/form.html", status_code=form.status, context={
        "staff": current_staff(request), "agreement_id": agreement_id, "form": form,
        "quota_fields": [form[f"quota_{group}"] for group in QUOTA_GROUPS]})


def _save(db: Database, scheme: Scheme, request: Request, agreement_id: int | None, data: dict) -> Template | Redirect:

    def save(session: Session, actor: Actor, form: AgreementForm):  # noqa: ANN202
        return save_agreement(session, actor, scheme, agreement_id, form.terms(), now())

    return submit(db, request, _form(db, scheme, data), save, lambda form: _page(request, agreement_id, form),
                  "/admin/agreements")


@get("/agreements/new", opt={"right": Right.AGREEMENTS_MANAGE}, sync_to_thread=True)
def new_agreement(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request) -> Template:
    return _page(request, None, _form(db, scheme, None, first_let_share=100, relet_share=75, nominate_within_days=5,
                                      respond_within_days=5, shared_details=list(SHAREABLE)[:3]))


@post("/agreements/new", opt={"right": Right.AGREEMENTS_MANAGE}, sync_to_thread=True)
def new_agreement_submit(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                         data: forms.Body) -> Template | Redirect:
    return _save(db, scheme, request, None, data)


@get("/agreements/{agreement_id:int}/edit", opt={"right": Right.AGREEMENTS_MANAGE}, sync_to_thread=True)
def edit_agreement(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                   agreement_id: FromPath[int]) -> Template:
    with db.reading() as session:
        terms = agreement_queries.agreement(session, agreement_id)
    return _page(request, agreement_id, _form(db, scheme, None, **_shown(terms)))


@post("/agreements/{agreement_id:int}/edit", opt={"right": Right.AGREEMENTS_MANAGE}, sync_to_thread=True)
def edit_agreement_submit(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                          agreement_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    return _save(db, scheme, request, agreement_id, data)
