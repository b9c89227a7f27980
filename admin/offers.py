"""Offers outside a shortlist: direct offers, proposed by an officer and approved by a manager, and
the page on which any offer is worked."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import Session

from cbl.database import Database
from cbl.models.states import TenancyType
from cbl.queries import offers as offer_queries
from cbl.queries import stock
from cbl.queries.viewings import offer_viewings
from cbl.rules.scheme import Scheme
from cbl.services.actors import Actor
from cbl.services.actors import staff as staff_actor
from cbl.services.direct_offers import REASONS, decide_direct_offer, request_direct_offer
from cbl.services.lettings import TENANCY_NAMES
from cbl.services.offers import STAFF_CHANNELS
from cbl.services.viewings import PLACE_MAX
from cbl.services.errors import NotFound
from cbl.web import forms
from cbl.web.auth import now

from .acting import submit
from .guards import current_staff
from .line_forms import PerLine, Submitted
from .stock import DirectOffer, direct_offer_form, home_page_view
from cbl.services.rights import Right

YES_NO = [("yes", "Yes"), ("no", "No")]


class Judgement(forms.Form):
    reasonable = forms.Choice("Was the refusal reasonable?", required="Say whether the refusal was reasonable")
    note = forms.Text("Reasons", limit=4000)


class Viewing(forms.Form):
    viewing_at = forms.Day("Viewing date")
    viewing_time = forms.TimeOfDay("Time (UK)", required="Enter the time of the viewing")
    place = forms.Text("Where to meet", limit=PLACE_MAX)
    accompanied = forms.Ticked("Accompanied by an officer")


class TenancyStart(forms.Form):
    """The sign-up: the tenancy's type and start, the rent it is let at and the day the keys were given."""

    tenancy_type = forms.Choice("Type of tenancy", required="Choose the type of tenancy")
    starts_on = forms.Day("Tenancy start date")
    rent_at_let = forms.Money("Weekly rent at let")
    keys_given_on = forms.Day("Date the keys were given")


TENANCY_TYPES = [(kind.value, TENANCY_NAMES[kind][0].upper() + TENANCY_NAMES[kind][1:]) for kind in TenancyType]


class Answer(forms.Form):
    """The answer a household gave staff by phone, in person or by e-mail, and when it gave it."""

    answer = forms.Choice("The household's answer", required="Say whether the household accepts or refuses the offer")
    reason = forms.Choice("Main reason for refusing", required=None)
    detail = forms.Text("What the household said", limit=1500)
    channel = forms.Choice("How the household answered", required="Say how the household gave its answer")
    answered_on = forms.Day("Date the household answered")
    answered_time = forms.TimeOfDay("Time (UK)", required="Enter the time the household answered")

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        super().validate(extra_validators)
        # A refusal needs its reason, and "Other" its words: checked here so that they show with every other error.
        if self.answer.data == "refuse" and not self.reason.data and not self.reason.errors:
            self.reason.errors = [*self.reason.errors, "Choose the household's main reason for refusing"]
        if self.answer.data == "refuse" and self.reason.data == "Other" and not self.detail.errors \
                and not (self.detail.data or "").strip():
            self.detail.errors = [*self.detail.errors, "Say why the household is refusing the home"]
        return not self.summary


class OfferWithdrawal(forms.Form):
    reason = forms.Choice("Reason for withdrawing the offer", required="Choose the reason for withdrawing the offer")
    note = forms.Text("Note for the letter", limit=2000)


ANSWERS = [("accept", "Accepts the offer"), ("refuse", "Refuses the offer")]


def offer_forms(scheme: Scheme, submitted: Submitted | None = None) -> dict[str, PerLine]:
    """The forms of the offers table, one of each kind per offer (its ids end in -offer-ID)."""
    return {"judgements": PerLine(Judgement, "offer", choices={"reasonable": YES_NO}, submitted=submitted),
            "viewings": PerLine(Viewing, "offer", submitted=submitted),
            "tenancies": PerLine(TenancyStart, "offer", choices={"tenancy_type": TENANCY_TYPES}, submitted=submitted),
            "answers": PerLine(Answer, "offer", submitted=submitted, choices={
                "answer": ANSWERS, "reason": [(reason, reason) for reason in scheme.refusals.reasons],
                "channel": [(channel.value, how.capitalize()) for channel, how in STAFF_CHANNELS.items()]}),
            "offer_withdrawals": PerLine(OfferWithdrawal, "withdrawal", submitted=submitted, choices={
                "reason": [(reason.code, reason.label) for reason in scheme.offers.withdrawal_reasons]})}


def offer_page(db: Database, scheme: Scheme, request: Request, offer_id: int,
               submitted: Submitted | None = None) -> Template:
    with db.reading() as session:
        case = offer_queries.offer_case(session, offer_id)
        viewings_of = offer_viewings(session, [offer_id])
    return Template("admin/offers/offer.html", status_code=submitted[1].status if submitted else 200, context={
        "staff": current_staff(request), "offer": case.offer, "refusal": case.refusal,
        "offers": [(case.offer, case.refusal)], "reference": case.reference, "home": case.home, "names": case.names,
        "letters": case.letters, "submitted": submitted[1] if submitted else None,
        "withdrawal_reasons": {reason.code: reason.label for reason in scheme.offers.withdrawal_reasons},
        "tenancy_names": TENANCY_NAMES, "viewings_of": viewings_of,
        **offer_forms(scheme, submitted)})


@get("/offers/{offer_id:int}", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def offer_view(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
               offer_id: FromPath[int]) -> Template:
    return offer_page(db, scheme, request, offer_id)


def work_on_offer_page(db: Database, scheme: Scheme, request: Request, offer_id: int, form: forms.Form,
                       action) -> Template | Redirect:  # noqa: ANN001
    """Check `form` and run `action(session, actor, form)` on an offer with no shortlist; back to its page, or
    the page with every error and what was typed."""
    return submit(db, request, form, action,
                  lambda refused: offer_page(db, scheme, request, offer_id, (offer_id, refused)),
                  f"/admin/offers/{offer_id}")


@post("/voids/{void_id:int}/direct-offer", opt={"right": Right.OFFER_MAKE}, sync_to_thread=True)
def direct_offer_request(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                         void_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    with db.reading() as session:
        home = stock.home_of_void(session, void_id)
    if home is None:
        raise NotFound("No such void.")

    def ask(session: Session, actor: Actor, form: DirectOffer):  # noqa: ANN202
        return request_direct_offer(session, actor, scheme, void_id, form.applicant.data, form.reason_code.data,
                                    form.reason.data, form.final.data, now())

    return submit(db, request, direct_offer_form(scheme, data), ask,
                  lambda form: home_page_view(db, request, home.reference, form), "/admin/direct-offers")


class Decision(forms.Form):
    approve = forms.Choice("Approve the direct offer?", required="Say whether you approve the direct offer")
    note = forms.Text("Note", limit=2000)


def _decisions(submitted: Submitted | None = None) -> PerLine[Decision]:
    return PerLine(Decision, "request", submitted=submitted, choices={
        "approve": [("yes", "Approve and make the offer"), ("no", "Turn it down")]})


def _requests_page(db: Database, request: Request, submitted: Submitted | None = None) -> Template:
    with db.reading() as session:
        rows = offer_queries.direct_offer_requests(session)
    return Template("admin/offers/direct.html", status_code=submitted[1].status if submitted else 200, context={
        "staff": current_staff(request), "rows": rows, "reasons": REASONS, "decisions": _decisions(submitted),
        "submitted": submitted[1] if submitted else None,
        "may_decide": staff_actor(current_staff(request)).may(Right.OFFER_APPROVE_DIRECT)})


@get("/direct-offers", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def direct_offers(db: NamedDependency[Database], request: Request) -> Template:
    return _requests_page(db, request)


@post("/direct-offers/{request_id:int}/decision", opt={"right": Right.OFFER_APPROVE_DIRECT}, sync_to_thread=True)
def direct_offer_decision(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                          request_id: FromPath[int], data: forms.Body) -> Template | Redirect:

    def decide(session: Session, actor: Actor, form: Decision):  # noqa: ANN202
        return decide_direct_offer(session, actor, scheme, request_id, form.approve.data == "yes",
                                   form.note.data or "", now())

    return submit(db, request, _decisions().read(request_id, data), decide,
                  lambda form: _requests_page(db, request, (request_id, form)), "/admin/direct-offers")
