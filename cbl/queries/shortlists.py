"""What the officers' advert pages read: a cycle's adverts with their bids, and one advert's shortlist
with its offers, nominations and void."""

from dataclasses import dataclass, replace
from datetime import datetime

from sqlmodel import Session, func, select

from cbl.models import (
    Advert, Applicant, Bid, Cycle, Nomination, Offer, Organisation, Property, Refusal, ShortlistEntry, StaffUser,
    Viewing, Void,
)
from cbl.models.states import (
    AdvertStatus, BidStatus, CycleStatus, NominationStatus, OfferCheckKind, OfferStatus, OrganisationKind,
    ShortlistStatus,
)
from cbl.queries import listings
from cbl.rules.allocation_order import Place, each_held_up, first_open
from cbl.rules.digits import only_digits
from cbl.rules.scheme import Scheme
from cbl.rules.working_days import LONDON
from cbl.services.errors import InvalidInput, NotFound
from cbl.services.nominations import OPEN as OPEN_NOMINATION
from cbl.queries.viewings import advert_viewings
from cbl.rules.pre_offer_checks import FAILED, FAILED_CODES
from cbl.rules.pre_offer_checks import NAMES as CHECK_NAMES
from cbl.services.offers import PLACE_LABELS
from cbl.services.pre_offer_checks import latest_checks
from cbl.services.viewings import VIEWING_LABELS
from cbl.services.stock import unsuccessful_cycles


# Places passed over other than with one of the scheme's skip reasons: by an offer's lapse or withdrawal, a check
# before the offer not passed, or a block viewing missed or the home not wanted.
PASS_OVER_LABELS = PLACE_LABELS | {FAILED_CODES[kind]: FAILED[kind] for kind in FAILED} | VIEWING_LABELS


@dataclass(frozen=True)
class CycleAdverts:
    cycle: Cycle | None  # the cycle shown
    cycles: list[Cycle]  # the latest cycles, to choose from
    rows: list[tuple[Advert, int]]  # each advert of the cycle with its active bids
    cards: dict[str, listings.AdvertCard]  # by advert reference


def _cycle(session: Session, cycle_id: str | None, at: datetime) -> Cycle | None:
    """The cycle asked for, or the one opened last (a scheduled one if none has opened)."""
    if cycle_id not in (None, ""):
        if not only_digits(cycle_id):
            raise InvalidInput("Cycle must be a number.", field="cycle")
        return session.get(Cycle, int(cycle_id))
    return session.exec(select(Cycle).where(Cycle.opens_at <= at).order_by(Cycle.opens_at.desc())).first() \
        or session.exec(select(Cycle).order_by(Cycle.opens_at.desc())).first()


def cycle_adverts(session: Session, cycle_id: str | None, at: datetime) -> CycleAdverts:
    chosen = _cycle(session, cycle_id, at)
    cycles = session.exec(select(Cycle).order_by(Cycle.opens_at.desc()).limit(12)).all()
    if chosen is None:
        return CycleAdverts(None, list(cycles), [], {})
    bids = (select(Bid.advert_id, func.count().label("bids"))
            .where(Bid.cycle_id == chosen.id, Bid.status == BidStatus.ACTIVE).group_by(Bid.advert_id).subquery())
    rows = session.exec(
        select(Advert, func.coalesce(bids.c.bids, 0)).outerjoin(bids, bids.c.advert_id == Advert.id)
        .where(Advert.cycle_id == chosen.id).order_by(Advert.reference)
    ).all()
    cards = listings.advert_cards(session, [advert.id for advert, _ in rows])
    return CycleAdverts(chosen, list(cycles), list(rows), {advert.reference: cards[advert.id] for advert, _ in rows})


@dataclass(frozen=True)
class Line:
    """One line of a shortlist as an officer reads it."""

    entry: ShortlistEntry
    reference: str
    band: str | None
    band_date: object
    decided_by: str | None
    skip_label: str | None
    # The place above that must be dealt with before this one may be offered or nominated (s167(8)), if any.
    held_up_by: Place | None = None
    # The scheme's checks before an offer, each (its name, "passed", "failed" or "not recorded").
    checks: tuple[tuple[str, str], ...] = ()

    @property
    def workable(self) -> bool:
        return self.entry.eligible and self.entry.status in (ShortlistStatus.PENDING, ShortlistStatus.VERIFIED)


def _places(lines: list[Line], offers: list[tuple[Offer, Refusal | None]],
            nominations: list[Nomination]) -> list[Place]:
    """The lines as the order rule reads them, with the latest offer's or nomination's answer of each."""
    answers: dict[int, OfferStatus | NominationStatus] = {}
    for offer, _ in reversed(offers):  # oldest first: the latest stays
        answers[offer.applicant_id] = offer.status
    for nomination in reversed(nominations):
        answers[nomination.applicant_id] = nomination.status
    return [Place(line.entry.position, line.entry.eligible, line.entry.status, line.entry.skip_reason,
                  answers.get(line.entry.applicant_id), line) for line in lines]


def _held_up(lines: list[Line], places: list[Place]) -> list[Line]:
    """Each line with the place holding it up, by the one rule the offer and nomination services enforce."""
    return [replace(line, held_up_by=above) for line, above in zip(lines, each_held_up(places), strict=True)]


def _lines(session: Session, scheme: Scheme, advert: Advert) -> list[Line]:
    labels = {item.code: item.label for item in scheme.shortlisting.skip_reasons}
    rows = session.exec(
        select(ShortlistEntry, Applicant.reference, Applicant.band, Applicant.band_date, StaffUser.name)
        .join(Applicant, Applicant.id == ShortlistEntry.applicant_id)
        .outerjoin(StaffUser, StaffUser.id == ShortlistEntry.decided_by_id)
        .where(ShortlistEntry.advert_id == advert.id)
        .order_by(ShortlistEntry.eligible.desc(), ShortlistEntry.position, Applicant.reference)
    ).all()
    labels |= PASS_OVER_LABELS
    recorded = latest_checks(session, [entry.id for entry, *_ in rows if entry.eligible])
    return [Line(entry, reference, band, band_date, decided_by, labels.get(entry.skip_reason or ""),
                 checks=_check_states(scheme, entry, recorded.get(entry.id or 0, {})) if entry.eligible else ())
            for entry, reference, band, band_date, decided_by in rows]


def _check_states(scheme: Scheme, entry: ShortlistEntry, recorded: dict) -> tuple[tuple[str, str], ...]:
    states = []
    for kind in scheme.offers.checks_before_offer:
        check = recorded.get(kind)
        state = "not recorded" if check is None else "passed" if check.passed else "failed"
        if kind is OfferCheckKind.VERIFICATION and entry.status in PAST_VERIFICATION:
            state = "passed"  # the verification is the place's own state (as the offer's rule reads it)
        states.append((CHECK_NAMES[kind], state))
    return tuple(states)


# A place in one of these states has been verified (and may have gone on to an offer or a nomination).
PAST_VERIFICATION = (ShortlistStatus.VERIFIED, ShortlistStatus.OFFERED, ShortlistStatus.NOMINATED,
                     ShortlistStatus.HOUSED)


@dataclass(frozen=True)
class Shortlist:
    advert: Advert
    card: listings.AdvertCard
    cycle: Cycle
    lines: list[Line]
    offers: list[tuple[Offer, Refusal | None]]  # newest first
    void: Void
    nominations: list[Nomination]  # newest first
    council_home: bool
    viewings: list[Viewing]  # of the advert's home, latest first

    @property
    def open_block_viewing(self) -> Viewing | None:
        """The block viewing the home is to be offered from, once it has been held."""
        return next((v for v in self.viewings if v.block and v.concluded_at is None), None)

    @property
    def next_up(self) -> "Line | None":
        """The first eligible place still to be dealt with, in the scheme's order (s167(8))."""
        place = first_open(_places(self.lines, self.offers, self.nominations))
        return place.key if place is not None else None  # type: ignore[return-value]


def shortlist(session: Session, scheme: Scheme, reference: str) -> Shortlist:
    """An advert's shortlist, with everything the officer works it from."""
    row = session.exec(select(Advert, Cycle, Void, Organisation.kind)
                       .join(Cycle, Cycle.id == Advert.cycle_id).join(Void, Void.id == Advert.void_id)
                       .join(Property, Property.id == Advert.property_id)
                       .join(Organisation, Organisation.id == Property.landlord_id)
                       .where(Advert.reference == reference)).first()
    if row is None:
        raise NotFound(f"There is no advert {reference}.")
    advert, cycle, void, landlord_kind = row
    offers = session.exec(select(Offer, Refusal).outerjoin(Refusal, Refusal.offer_id == Offer.id)
                          .where(Offer.advert_id == advert.id).order_by(Offer.made_at.desc())).all()
    nominations = session.exec(select(Nomination).where(Nomination.advert_id == advert.id)
                               .order_by(Nomination.sent_at.desc())).all()
    lines = _lines(session, scheme, advert)
    lines = _held_up(lines, _places(lines, list(offers), list(nominations)))
    return Shortlist(advert, listings.advert_cards(session, [advert.id])[advert.id], cycle,
                     lines, list(offers), void, list(nominations), landlord_kind is OrganisationKind.COUNCIL,
                     advert_viewings(session, advert.id))


def advert_of_offer(session: Session, offer_id: int) -> str | None:
    """The reference of the advert an offer was made from (None for a direct offer, or no such offer)."""
    return session.exec(select(Advert.reference).join(Offer, Offer.advert_id == Advert.id)
                        .where(Offer.id == offer_id)).first()


@dataclass(frozen=True)
class NextAction:
    """The one thing to do next on a shortlist: `what`, for the household at `line` if it is about one."""

    what: str
    line: Line | None = None


def next_action(found: Shortlist) -> NextAction | None:
    """What the officer does next: wait for (or record) the answer to the offer out, start the tenancy of the
    one accepted, or work the first eligible place still open, in order. None once the home is let or the
    advert withdrawn. A refused, withdrawn or lapsed offer blocks nothing: the next place comes up."""
    if found.advert.status in (AdvertStatus.LET, AdvertStatus.WITHDRAWN) or not found.lines:
        return None
    by_applicant = {line.entry.applicant_id: line for line in found.lines}
    for offer, _ in found.offers:
        line = by_applicant.get(offer.applicant_id)
        if offer.status is OfferStatus.MADE:
            return NextAction(f"record the answer to offer {offer.id} when it comes (due by "
                              f"{offer.respond_by:%-d %B %Y}), or withdraw the offer", line)
        if offer.status is OfferStatus.ACCEPTED:
            return NextAction(f"record the tenancy start of offer {offer.id}, accepted", line)
    viewing = found.open_block_viewing
    if viewing is not None:
        return NextAction(f"record who came to the block viewing of {viewing.at.astimezone(LONDON):%-d %B %Y at %H:%M} "
                          "and whether each wants the home, then offer it from the viewing")
    if any(nomination.status in OPEN_NOMINATION for nomination in found.nominations):
        return NextAction(f"wait for {found.card.landlord}'s answer to the nomination")
    line = found.next_up
    if line is None:
        return NextAction("no eligible household is left on the shortlist: advertise the home again in a later "
                          "cycle (or, where the scheme allows after enough cycles, let it directly)")
    if line.entry.status is ShortlistStatus.PENDING:
        return NextAction("verify the household's circumstances, or skip it with a reason", line)
    if found.council_home and any(state != "passed" for _, state in line.checks):
        missing = [name.lower() for name, state in line.checks if state != "passed"]
        return NextAction(f"record the {' and '.join(missing)} before making the offer", line)
    return NextAction("make the offer" if found.council_home else "nominate the household", line)


@dataclass(frozen=True)
class Readvertising:
    """An advert's place in its home's chain of adverts, and the cycles it could be advertised again in."""

    previous: str | None  # the advert this one advertises the home again after
    following: tuple[str, str] | None  # the advert (reference, cycle name) that advertised it again
    unsuccessful: int  # the home's adverts that ran their cycle and ended without a let
    cycles: list[Cycle]  # later cycles not yet closed
    home: str  # the home's reference, whose page a direct offer is asked for on


def readvertising(session: Session, advert: Advert, cycle: Cycle, at: datetime) -> Readvertising:
    previous = session.exec(select(Advert.reference).where(Advert.id == advert.previous_advert_id)).first() \
        if advert.previous_advert_id else None
    following = session.exec(select(Advert.reference, Cycle.name).join(Cycle, Cycle.id == Advert.cycle_id)
                             .where(Advert.previous_advert_id == advert.id)).first()
    return Readvertising(previous, tuple(following) if following else None,
                         unsuccessful_cycles(session, advert.void_id), later_cycles(session, cycle, at),
                         session.get(Property, advert.property_id).reference)


def later_cycles(session: Session, cycle: Cycle, at: datetime) -> list[Cycle]:
    """The cycles after `cycle` that have not closed: those its home can be advertised again in."""
    return list(session.exec(select(Cycle).where(Cycle.status.in_([CycleStatus.SCHEDULED, CycleStatus.OPEN]),
                                                 Cycle.closes_at > at, Cycle.opens_at > cycle.opens_at)
                             .order_by(Cycle.opens_at).limit(12)).all())


def cycle_of_advert(session: Session, reference: str) -> Cycle:
    cycle = session.exec(select(Cycle).join(Advert, Advert.cycle_id == Cycle.id)
                         .where(Advert.reference == reference)).first()
    if cycle is None:
        raise NotFound(f"There is no advert {reference}.")
    return cycle
