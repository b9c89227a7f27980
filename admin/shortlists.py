"""Adverts and their shortlists: the engine's ranking with its reasons, verified or skipped by officers."""

from datetime import date

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlmodel import Session

from cbl.queries import shortlists
from cbl.database import Database
from cbl.models.states import AdvertStatus, OfferStatus, ShortlistStatus
from cbl.rules.scheme import Scheme
from cbl.settings import Settings
from cbl.services.errors import DomainError, InvalidInput
from cbl.services.lettings import (
    arrange_viewing, judge_refusal, make_offer, record_attendance, record_tenancy_start, void_days,
)
from cbl.services.nominations import OPEN as OPEN_NOMINATION
from cbl.services.nominations import send_nomination
from cbl.services.shortlisting import skip_entry, verify_entry
from cbl.services.stock import withdraw_advert
from cbl.web import forms
from cbl.web.auth import now

from .acting import act
from .guards import current_staff
from .offers import work_on_offer_page
from cbl.services.rights import Right


@get("/adverts", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def adverts(db: NamedDependency[Database], request: Request, cycle: FromQuery[str | None] = None) -> Template:
    with db.reading() as session:
        found = shortlists.cycle_adverts(session, cycle, now())
    return Template("admin/adverts/list.html", context={
        "staff": current_staff(request), "cycle": found.cycle, "cycles": found.cycles, "rows": found.rows,
        "cards": found.cards})


def _shortlist_page(db: Database, scheme: Scheme, request: Request, reference: str, template: str,
                    error: DomainError | None = None) -> Template:
    with db.reading() as session:
        found = shortlists.shortlist(session, scheme, reference)
    lines, offers, nominations, void, advert = found.lines, found.offers, found.nominations, found.void, found.advert
    next_up = next((line for line in lines if line.workable), None)
    # Officers work from the top: the forms go on the next household and on those already verified,
    # not on every one of a popular advert's hundreds of lines.
    actionable = {line.entry.id for line in lines
                  if line.workable and (line is next_up or line.entry.status is ShortlistStatus.VERIFIED)}
    return Template(template, status_code=error.status_code if error else 200, context={
        "staff": current_staff(request), "advert": advert, "card": found.card, "cycle": found.cycle, "error": error,
        "eligible": [line for line in lines if line.entry.eligible],
        "ineligible": [line for line in lines if not line.entry.eligible],
        "withdrawable": advert.status in (AdvertStatus.LIVE, AdvertStatus.SHORTLISTED)
        and not any(o.status in (OfferStatus.MADE, OfferStatus.ACCEPTED) for o, _ in offers),
        "next_up": next_up, "actionable": actionable, "skip_reasons": scheme.shortlisting.skip_reasons, "offers": offers, "void": void,
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


def _work(db: Database, scheme: Scheme, request: Request, reference: str, action) -> Template | Redirect:  # noqa: ANN001
    """Run `action(session, actor)` as the signed-in officer; back to the shortlist, or its page with the refusal."""
    return act(db, request, action,
               lambda error: _shortlist_page(db, scheme, request, reference, "admin/adverts/shortlist.html", error),
               f"/admin/adverts/{reference}/shortlist")


@post("/adverts/{reference:str}/shortlist/{entry_id:int}/verify", opt={"right": Right.SHORTLIST_WORK},
      sync_to_thread=True)
def verify(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
           reference: FromPath[str], entry_id: FromPath[int]) -> Template | Redirect:
    return _work(db, scheme, request, reference, lambda s, actor: verify_entry(s, actor, entry_id, now()))


@post("/adverts/{reference:str}/shortlist/{entry_id:int}/skip", opt={"right": Right.SHORTLIST_WORK},
      sync_to_thread=True)
def skip(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
         reference: FromPath[str], entry_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    reason, note = forms.text(data, "reason", 64), forms.text(data, "note", 2000)
    return _work(db, scheme, request, reference,
                 lambda s, actor: skip_entry(s, actor, scheme, entry_id, reason, note, now()))


@post("/adverts/{reference:str}/shortlist/{entry_id:int}/offer", opt={"right": Right.OFFER_MAKE}, sync_to_thread=True)
def offer(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
          reference: FromPath[str], entry_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    final = forms.ticked(data, "final")
    return _work(db, scheme, request, reference,
                 lambda s, actor: make_offer(s, actor, scheme, entry_id, now(), final_offer=final))


@post("/adverts/{reference:str}/shortlist/{entry_id:int}/nomination", opt={"right": Right.NOMINATION_SEND},
      sync_to_thread=True)
def nominate(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
             reference: FromPath[str], entry_id: FromPath[int]) -> Template | Redirect:
    return _work(db, scheme, request, reference, lambda s, actor: send_nomination(s, actor, entry_id, now()))


def _work_on_offer(db: Database, scheme: Scheme, request: Request, offer_id: int, action) -> Template | Redirect:  # noqa: ANN001
    """As `_work`, for an offer: the page to return to is its advert's shortlist."""
    with db.reading() as session:
        reference = shortlists.advert_of_offer(session, offer_id)
    if reference is None:
        return work_on_offer_page(db, request, offer_id, action)
    return _work(db, scheme, request, reference, action)


@post("/offers/{offer_id:int}/judge", opt={"right": Right.OFFER_RECORD}, sync_to_thread=True)
def judge(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
          offer_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    verdict, note = forms.text(data, "reasonable", 3), forms.text(data, "note", 4000)

    def decide(session: Session, actor):  # noqa: ANN202
        if verdict not in ("yes", "no"):
            raise InvalidInput("Say whether the refusal was reasonable.", field="reasonable")
        return judge_refusal(session, actor, scheme, offer_id, verdict == "yes", note, now())

    return _work_on_offer(db, scheme, request, offer_id, decide)


@post("/offers/{offer_id:int}/tenancy", opt={"right": Right.OFFER_RECORD}, sync_to_thread=True)
def tenancy(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
            offer_id: FromPath[int], data: forms.Body) -> Template | Redirect:

    def start(session: Session, actor):  # noqa: ANN202
        try:
            starts_on = date.fromisoformat(forms.text(data, "starts_on", 10))
        except ValueError:
            raise InvalidInput("Enter the tenancy start date as a real date, like 2026-12-07.",
                               field="starts_on") from None
        return record_tenancy_start(session, actor, offer_id, starts_on, now())

    return _work_on_offer(db, scheme, request, offer_id, start)


@post("/offers/{offer_id:int}/viewing", opt={"right": Right.OFFER_RECORD}, sync_to_thread=True)
def viewing(db: NamedDependency[Database], scheme: NamedDependency[Scheme], settings: NamedDependency[Settings],
            request: Request, offer_id: FromPath[int], data: forms.Body) -> Template | Redirect:

    def arrange(session: Session, actor):  # noqa: ANN202
        return arrange_viewing(session, actor, offer_id, forms.local_moment(data, settings.time_zone),
                               forms.ticked(data, "accompanied"), now())

    return _work_on_offer(db, scheme, request, offer_id, arrange)


@post("/offers/{offer_id:int}/attendance", opt={"right": Right.OFFER_RECORD}, sync_to_thread=True)
def attendance(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
               offer_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    return _work_on_offer(db, scheme, request, offer_id,
                          lambda s, actor: record_attendance(s, actor, offer_id,
                                                             forms.text(data, "attended", 3) == "yes", now()))


@post("/adverts/{reference:str}/withdrawal", opt={"right": Right.ADVERT_WRITE}, sync_to_thread=True)
def withdraw(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
             reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    return _work(db, scheme, request, reference,
                 lambda s, actor: withdraw_advert(s, actor, reference, forms.text(data, "reason", 500), now()))
