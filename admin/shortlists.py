"""Adverts and their shortlists: the engine's ranking with its reasons, verified or skipped by officers."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from cbl.queries import shortlists
from cbl.queries.viewings import offer_viewings
from cbl.database import Database
from cbl.models import Cycle
from cbl.rules.working_days import local_date
from cbl.models.states import AdvertStatus, AnswerChannel, OfferStatus, ShortlistStatus, TenancyType
from cbl.rules.scheme import Scheme
from cbl.settings import Settings
from cbl.services.lettings import TENANCY_NAMES, judge_refusal, make_offer, record_tenancy_start, void_days
from cbl.services.nominations import OPEN as OPEN_NOMINATION
from cbl.services.nominations import send_nomination
from cbl.services.offers import record_answer, withdraw_offer
from cbl.services.shortlisting import skip_entry, verify_entry
from cbl.services.stock import readvertise, withdraw_advert
from cbl.services.viewings import arrange_block_viewing, arrange_viewing
from cbl.web import forms
from cbl.web.auth import now

from .acting import submit
from .guards import current_staff
from .line_forms import Action, PerLine, Submitted
from .offers import offer_forms, work_on_offer_page
from .viewings import BlockViewing, block_viewing_form
from cbl.services.rights import Right


@get("/adverts", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def adverts(db: NamedDependency[Database], request: Request, cycle: FromQuery[str | None] = None) -> Template:
    with db.reading() as session:
        found = shortlists.cycle_adverts(session, cycle, now())
    return Template("admin/adverts/list.html", context={
        "staff": current_staff(request), "cycle": found.cycle, "cycles": found.cycles, "rows": found.rows,
        "cards": found.cards})


class Skip(forms.Form):
    reason = forms.Choice("Skip reason", required="Choose the reason for skipping this household")
    note = forms.Text("Note", limit=2000)


class MakeOffer(forms.Form):
    final = forms.Ticked("Final offer (homelessness duty)")


class Withdrawal(forms.Form):
    reason = forms.Text("Reason", limit=500, required="Give the reason for withdrawing the advert")


class Readvertise(forms.Form):
    """Advertising the home again in a later cycle, on the same terms; the reason ends a live or shortlisted advert."""

    cycle = forms.Choice("Cycle to advertise in", required="Choose the cycle to advertise the home in")
    reason = forms.Text("Reason for withdrawing this advert", limit=500)


def _readvertise_form(cycles: list[Cycle], body: dict | None = None) -> Readvertise:
    # Its ids carry "-again": the withdrawal's form on the same page has a "reason" too.
    return forms.read(Readvertise, body, id_suffix="-again", choices={"cycle": [
        (str(cycle.id), f"{cycle.name} ({local_date(cycle.opens_at):%-d %B} to "
                        f"{local_date(cycle.closes_at):%-d %B %Y})") for cycle in cycles]})


def _skips(scheme: Scheme, submitted: Submitted | None = None) -> PerLine[Skip]:
    return PerLine(Skip, "entry", submitted=submitted, choices={
        "reason": [(item.code, item.label) for item in scheme.shortlisting.skip_reasons]})


def _shortlist_page(db: Database, scheme: Scheme, request: Request, reference: str, template: str,
                    submitted: Submitted | None = None) -> Template:
    """The shortlist with a form per household and per offer; the one submitted (keyed by its entry or offer,
    or None for the advert's own) is drawn with its errors and what was typed, and leads the error summary."""
    with db.reading() as session:
        found = shortlists.shortlist(session, scheme, reference)
        chain = shortlists.readvertising(session, found.advert, found.cycle, now())
        viewings_of = offer_viewings(session, [offer.id for offer, _ in found.offers if offer.id])
    lines, offers, nominations, void, advert = found.lines, found.offers, found.nominations, found.void, found.advert
    next_up = found.next_up
    # Officers work from the top: the forms go on the next household and on those already verified,
    # not on every one of a popular advert's hundreds of lines.
    actionable = {line.entry.id for line in lines
                  if line.workable and (line is next_up or line.entry.status is ShortlistStatus.VERIFIED)}
    if submitted and type(submitted[1]) is Skip and any(line.workable and line.entry.id == submitted[0]
                                                        for line in lines):
        actionable.add(submitted[0])  # a skip sent from further down (an older page) comes back where it was typed
    withdrawal = submitted[1] if submitted and type(submitted[1]) is Withdrawal else forms.read(Withdrawal, None)
    again = submitted[1] if submitted and type(submitted[1]) is Readvertise else _readvertise_form(chain.cycles)
    block = submitted[1] if submitted and type(submitted[1]) is BlockViewing else block_viewing_form()
    live_offer = any(o.status in (OfferStatus.MADE, OfferStatus.ACCEPTED) for o, _ in offers)
    return Template(template, status_code=submitted[1].status if submitted else 200, context={
        "staff": current_staff(request), "advert": advert, "card": found.card, "cycle": found.cycle,
        "submitted": submitted[1] if submitted else None, "withdrawal": withdrawal, "again": again, "chain": chain,
        "readvertisable": advert.status is not AdvertStatus.LET and chain.following is None and not live_offer,
        "block": block, "advert_viewings": found.viewings, "viewings_of": viewings_of,
        "block_viewable": found.council_home and advert.status is AdvertStatus.SHORTLISTED and not live_offer
        and found.open_block_viewing is None and next_up is not None,
        "direct_let_after": scheme.offers.direct_let_after_unsuccessful_cycles,
        "skips": _skips(scheme, submitted),
        "make_offers": PerLine(MakeOffer, "entry", submitted=submitted), **offer_forms(scheme, submitted),
        "eligible": [line for line in lines if line.entry.eligible],
        "ineligible": [line for line in lines if not line.entry.eligible],
        "withdrawable": advert.status in (AdvertStatus.LIVE, AdvertStatus.SHORTLISTED) and not live_offer,
        "next_up": next_up, "next_action": shortlists.next_action(found), "actionable": actionable,
        "withdrawal_reasons": {reason.code: reason.label for reason in scheme.offers.withdrawal_reasons},
        "tenancy_names": TENANCY_NAMES,
        "offers": offers, "void": void,
        "council_home": found.council_home, "nominations": nominations,
        "open_nomination": any(n.status in OPEN_NOMINATION for n in nominations), "today": now().date(),
        "void_days": void_days(void.tenancy_end_date, void.tenancy_start_date) if void.tenancy_start_date else None,
    })


@get("/adverts/{reference:str}/shortlist", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def shortlist(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
              reference: FromPath[str]) -> Template:
    return _shortlist_page(db, scheme, request, reference, "admin/adverts/shortlist.html")


@get("/adverts/{reference:str}/shortlist/print", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def shortlist_print(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                    reference: FromPath[str]) -> Template:
    return _shortlist_page(db, scheme, request, reference, "admin/adverts/shortlist_print.html")


def _work(db: Database, scheme: Scheme, request: Request, reference: str, key: object, form: forms.Form,
          action) -> Template | Redirect:  # noqa: ANN001
    """Check `form` (from line `key`) and run `action(session, actor, form)` as the signed-in officer; back to
    the shortlist, or to it with every error beside that line's fields and what was typed."""
    return submit(db, request, form, action, lambda refused: _shortlist_page(
        db, scheme, request, reference, "admin/adverts/shortlist.html", (key, refused)),
        f"/admin/adverts/{reference}/shortlist")


@post("/adverts/{reference:str}/shortlist/{entry_id:int}/verify", opt={"right": Right.SHORTLIST_WORK},
      sync_to_thread=True)
def verify(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
           reference: FromPath[str], entry_id: FromPath[int]) -> Template | Redirect:
    return _work(db, scheme, request, reference, entry_id, forms.read(Action, {}),
                 lambda s, actor, _: verify_entry(s, actor, entry_id, now()))


@post("/adverts/{reference:str}/shortlist/{entry_id:int}/skip", opt={"right": Right.SHORTLIST_WORK},
      sync_to_thread=True)
def skip(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
         reference: FromPath[str], entry_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    form = _skips(scheme).read(entry_id, data)
    return _work(db, scheme, request, reference, entry_id, form, lambda s, actor, form: skip_entry(
        s, actor, scheme, entry_id, form.reason.data, form.note.data or "", now()))


@post("/adverts/{reference:str}/shortlist/{entry_id:int}/offer", opt={"right": Right.OFFER_MAKE}, sync_to_thread=True)
def offer(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
          reference: FromPath[str], entry_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    return _work(db, scheme, request, reference, entry_id, PerLine(MakeOffer, "entry").read(entry_id, data),
                 lambda s, actor, form: make_offer(s, actor, scheme, entry_id, now(), final_offer=form.final.data))


@post("/adverts/{reference:str}/shortlist/{entry_id:int}/nomination", opt={"right": Right.NOMINATION_SEND},
      sync_to_thread=True)
def nominate(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
             reference: FromPath[str], entry_id: FromPath[int]) -> Template | Redirect:
    return _work(db, scheme, request, reference, entry_id, forms.read(Action, {}),
                 lambda s, actor, _: send_nomination(s, actor, entry_id, now()))


def _work_on_offer(db: Database, scheme: Scheme, request: Request, offer_id: int, kind: str, data: dict,
                   action) -> Template | Redirect:  # noqa: ANN001
    """As `_work`, for an offer's form (`kind`, one of the offers table's): the page to return to is its
    advert's shortlist, or the offer's own page when it has none (a direct offer)."""
    form = offer_forms(scheme)[kind].read(offer_id, data)
    with db.reading() as session:
        reference = shortlists.advert_of_offer(session, offer_id)
    if reference is None:
        return work_on_offer_page(db, scheme, request, offer_id, form, action)
    return _work(db, scheme, request, reference, offer_id, form, action)


@post("/offers/{offer_id:int}/judge", opt={"right": Right.OFFER_RECORD}, sync_to_thread=True)
def judge(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
          offer_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    return _work_on_offer(db, scheme, request, offer_id, "judgements", data, lambda s, actor, form: judge_refusal(
        s, actor, scheme, offer_id, form.reasonable.data == "yes", form.note.data or "", now()))


@post("/offers/{offer_id:int}/tenancy", opt={"right": Right.OFFER_RECORD}, sync_to_thread=True)
def tenancy(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
            offer_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    return _work_on_offer(db, scheme, request, offer_id, "tenancies", data, lambda s, actor, form: record_tenancy_start(
        s, actor, offer_id, form.starts_on.data, now(), tenancy_type=TenancyType(form.tenancy_type.data),
        rent_at_let_pence=form.rent_at_let.data, keys_given_on=form.keys_given_on.data))


@post("/offers/{offer_id:int}/viewing", opt={"right": Right.OFFER_RECORD}, sync_to_thread=True)
def viewing(db: NamedDependency[Database], scheme: NamedDependency[Scheme], settings: NamedDependency[Settings],
            request: Request, offer_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    return _work_on_offer(db, scheme, request, offer_id, "viewings", data, lambda s, actor, form: arrange_viewing(
        s, actor, offer_id, forms.moment(form.viewing_at.data, form.viewing_time.data, settings.time_zone),
        form.accompanied.data, now(), place=form.place.data or ""))


@post("/adverts/{reference:str}/block-viewing", opt={"right": Right.SHORTLIST_WORK}, sync_to_thread=True)
def block_viewing(db: NamedDependency[Database], scheme: NamedDependency[Scheme], settings: NamedDependency[Settings],
                  request: Request, reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    """Several households from the top of the shortlist invited to view the home at one time."""
    return _work(db, scheme, request, reference, None, block_viewing_form(data), lambda s, actor, form:
                 arrange_block_viewing(s, actor, reference, form.households.data,
                                       forms.moment(form.viewing_at.data, form.viewing_time.data, settings.time_zone),
                                       form.place.data or "", form.accompanied.data, now()))


@post("/offers/{offer_id:int}/answer", opt={"right": Right.OFFER_RECORD}, sync_to_thread=True)
def answer(db: NamedDependency[Database], scheme: NamedDependency[Scheme], settings: NamedDependency[Settings],
           request: Request, offer_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    """The household's answer, given to staff by phone, in person or by e-mail."""
    return _work_on_offer(db, scheme, request, offer_id, "answers", data, lambda s, actor, form: record_answer(
        s, actor, scheme, offer_id, accepted=form.answer.data == "accept", reason=form.reason.data or "",
        detail=form.detail.data or "", channel=AnswerChannel(form.channel.data),
        answered_at=forms.moment(form.answered_on.data, form.answered_time.data, settings.time_zone), now=now()))


@post("/offers/{offer_id:int}/withdrawal", opt={"right": Right.OFFER_MAKE}, sync_to_thread=True)
def withdraw_an_offer(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                      offer_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    return _work_on_offer(db, scheme, request, offer_id, "offer_withdrawals", data, lambda s, actor, form:
                          withdraw_offer(s, actor, scheme, offer_id, form.reason.data, form.note.data or "", now()))


@post("/adverts/{reference:str}/withdrawal", opt={"right": Right.ADVERT_WRITE}, sync_to_thread=True)
def withdraw(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
             reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    return _work(db, scheme, request, reference, None, forms.read(Withdrawal, data),
                 lambda s, actor, form: withdraw_advert(s, actor, reference, form.reason.data, now()))


@post("/adverts/{reference:str}/readvertise", opt={"right": Right.ADVERT_WRITE}, sync_to_thread=True)
def readvertise_advert(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                       reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    with db.reading() as session:
        cycles = shortlists.later_cycles(session, shortlists.cycle_of_advert(session, reference), now())
    return _work(db, scheme, request, reference, None, _readvertise_form(cycles, data),
                 lambda s, actor, form: readvertise(
                     s, actor, reference, int(form.cycle.data), form.reason.data or "", now(),
                     registration_date_share_pct=scheme.ranking.registration_date_share_pct))
