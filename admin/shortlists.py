"""Adverts and their shortlists: the engine's ranking with its reasons, verified or skipped by officers."""

from dataclasses import dataclass
from datetime import date

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlmodel import Session, func, select

from cbl.rules.digits import only_digits
from cbl.queries import listings
from cbl.database import Database
from cbl.models import (
    Advert, Applicant, Cycle, Nomination, Offer, Organisation, Refusal, ShortlistEntry, StaffUser, Void,
)
from cbl.models.states import AdvertStatus, BidStatus, OfferStatus, OrganisationKind, ShortlistStatus
from cbl.rules.scheme import Scheme
from cbl.settings import Settings
from cbl.services.errors import DomainError, InvalidInput, NotFound
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


@dataclass(frozen=True)
class Line:
    """One line of a shortlist as an officer reads it."""

    entry: ShortlistEntry
    reference: str
    band: str | None
    band_date: object
    decided_by: str | None
    skip_label: str | None

    @property
    def workable(self) -> bool:
        return self.entry.eligible and self.entry.status in (ShortlistStatus.PENDING, ShortlistStatus.VERIFIED)


def _cycle(session: Session, cycle_id: str | None) -> Cycle | None:
    if cycle_id not in (None, ""):
        if not only_digits(cycle_id):
            raise InvalidInput("Cycle must be a number.", field="cycle")
        return session.get(Cycle, int(cycle_id))
    return session.exec(select(Cycle).where(Cycle.opens_at <= now()).order_by(Cycle.opens_at.desc())).first() \
        or session.exec(select(Cycle).order_by(Cycle.opens_at.desc())).first()


@get("/adverts", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def adverts(db: NamedDependency[Database], request: Request, cycle: FromQuery[str | None] = None) -> Template:
    from cbl.models import Bid

    with db.reading() as session:
        chosen = _cycle(session, cycle)
        cycles = session.exec(select(Cycle).order_by(Cycle.opens_at.desc()).limit(12)).all()
        rows = []
        if chosen is not None:
            bids = (select(Bid.advert_id, func.count().label("bids")).where(Bid.status == BidStatus.ACTIVE)
                    .group_by(Bid.advert_id).subquery())
            rows = session.exec(
                select(Advert, func.coalesce(bids.c.bids, 0)).outerjoin(bids, bids.c.advert_id == Advert.id)
                .where(Advert.cycle_id == chosen.id).order_by(Advert.reference)
            ).all()
        cards = {advert.reference: listings.advert_card(session, advert.reference) for advert, _ in rows}
    return Template("admin/adverts/list.html", context={
        "staff": current_staff(request), "cycle": chosen, "cycles": cycles, "rows": rows, "cards": cards})


def _lines(session: Session, scheme: Scheme, advert: Advert) -> list[Line]:
    labels = {item.code: item.label for item in scheme.shortlisting.skip_reasons}
    rows = session.exec(
        select(ShortlistEntry, Applicant.reference, Applicant.band, Applicant.band_date, StaffUser.name)
        .join(Applicant, Applicant.id == ShortlistEntry.applicant_id)
        .outerjoin(StaffUser, StaffUser.id == ShortlistEntry.decided_by_id)
        .where(ShortlistEntry.advert_id == advert.id)
        .order_by(ShortlistEntry.eligible.desc(), ShortlistEntry.position, Applicant.reference)
    ).all()
    return [Line(entry, reference, band, band_date, decided_by, labels.get(entry.skip_reason or ""))
            for entry, reference, band, band_date, decided_by in rows]


def _shortlist_page(db: Database, scheme: Scheme, request: Request, reference: str, template: str,
                    error: DomainError | None = None) -> Template:
    with db.reading() as session:
        advert = session.exec(select(Advert).where(Advert.reference == reference)).first()
        if advert is None:
            raise NotFound(f"There is no advert {reference}.")
        card = listings.advert_card(session, reference)
        lines = _lines(session, scheme, advert)
        cycle = session.get(Cycle, advert.cycle_id)
        offers = session.exec(select(Offer, Refusal).outerjoin(Refusal, Refusal.offer_id == Offer.id)
                              .where(Offer.advert_id == advert.id).order_by(Offer.made_at.desc())).all()
        void = session.get(Void, advert.void_id)
        nominations = session.exec(select(Nomination).where(Nomination.advert_id == advert.id)
                                   .order_by(Nomination.sent_at.desc())).all()
        landlord_kind = session.exec(select(Organisation.kind).where(Organisation.code == card.landlord_code)).one()
    next_up = next((line for line in lines if line.workable), None)
    # Officers work from the top: the forms go on the next household and on those already verified,
    # not on every one of a popular advert's hundreds of lines.
    actionable = {line.entry.id for line in lines
                  if line.workable and (line is next_up or line.entry.status is ShortlistStatus.VERIFIED)}
    return Template(template, status_code=error.status_code if error else 200, context={
        "staff": current_staff(request), "advert": advert, "card": card, "cycle": cycle, "error": error,
        "eligible": [line for line in lines if line.entry.eligible],
        "ineligible": [line for line in lines if not line.entry.eligible],
        "withdrawable": advert.status in (AdvertStatus.LIVE, AdvertStatus.SHORTLISTED)
        and not any(o.status in (OfferStatus.MADE, OfferStatus.ACCEPTED) for o, _ in offers),
        "next_up": next_up, "actionable": actionable, "skip_reasons": scheme.shortlisting.skip_reasons, "offers": offers, "void": void,
        "council_home": landlord_kind is OrganisationKind.COUNCIL, "nominations": nominations,
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
        reference = session.exec(select(Advert.reference).join(Offer, Offer.advert_id == Advert.id)
                                 .where(Offer.id == offer_id)).first()
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
