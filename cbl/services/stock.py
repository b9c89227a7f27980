"""Empty homes: logging a void, marking it ready to let, and advertising it in a cycle."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from fractions import Fraction

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from cbl.database import guard_cycle
from cbl.rules.digits import only_digits
from matching.quotas import registration_date_due
from cbl.rules.working_days import local_date
from cbl.models import (
    Advert, Bid, Cycle, Nomination, NominationAgreement, Offer, Organisation, OutboxMessage, Property, ShortlistEntry,
    Void,
)
from cbl.models.states import (
    AdvertStatus, BidStatus, Channel, CycleStatus, OfferStatus, OrganisationKind, PropertyType,
    ShortlistStatus, VoidStatus,
)

from .actors import Actor
from .audit import audit
from .errors import Conflict, InvalidInput, NotFound, within
from .nominations import OPEN as OPEN_NOMINATION
from cbl.services.rights import Right

PREFERENCE_KINDS = ("local:", "group:", "need:")


def _home_to_manage(session: Session, actor: Actor, property_id: int) -> Property:
    """Council staff manage every home; a provider only its own (another's is not found)."""
    home = session.get(Property, property_id)
    if actor.provider_id is not None:
        actor.require(Right.PROVIDER_VOIDS)
        if home is None or home.landlord_id != actor.provider_id:
            raise NotFound("No such property.")
        return home
    actor.require(Right.STOCK_WRITE)
    if home is None:
        raise NotFound("No such property.")
    return home


def log_void(session: Session, actor: Actor, property_id: int, tenancy_end: date, reason: str, first_let: bool,
             now: datetime) -> Void:
    """A home has fallen empty (logged by the council, or notified by its provider): the void clock starts
    at the tenancy end."""
    home = _home_to_manage(session, actor, property_id)
    reason = within(reason, 200, "reason", "The reason")
    if tenancy_end > local_date(now):
        raise InvalidInput("The tenancy end date cannot be in the future.", field="tenancy_end")
    void = Void(property_id=home.id, tenancy_end_date=tenancy_end, reason=reason, first_let=first_let,
                keys_returned_at=datetime.combine(tenancy_end, time(12), tzinfo=timezone.utc), logged_at=now)
    session.add(void)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict("This home already has an open void.") from None
    audit(session, actor, "void.logged", void, {"property": home.reference, "tenancy_end": tenancy_end,
                                                "reason": reason})
    return void


NO_SUCH_VOID = "No such open void."


def mark_ready_to_let(session: Session, actor: Actor, void_id: int, now: datetime) -> Void:
    void = session.get(Void, void_id)
    if void is None or void.status is not VoidStatus.OPEN:
        raise NotFound(NO_SUCH_VOID)
    try:
        _home_to_manage(session, actor, void.property_id)
    except NotFound:
        raise NotFound(NO_SUCH_VOID) from None  # another provider's void looks just like a missing one
    if void.ready_to_let_at is not None:
        raise Conflict("This home is already marked ready to let.")
    void.ready_to_let_at = now
    session.add(void)
    audit(session, actor, "void.ready_to_let", void)
    return void


def _agreement_for(session: Session, home: Property, on: date) -> int | None:
    """The nomination agreement in force for a provider's home; None for the council's own."""
    landlord = session.get(Organisation, home.landlord_id)
    if landlord.kind is OrganisationKind.COUNCIL:
        return None
    agreement = session.exec(
        select(NominationAgreement.id).where(
            NominationAgreement.provider_id == landlord.id, NominationAgreement.starts_on <= on,
            (NominationAgreement.ends_on.is_(None)) | (NominationAgreement.ends_on >= on))
        .order_by(NominationAgreement.starts_on.desc())
    ).first()
    if agreement is None:
        raise Conflict(f"{landlord.name} has no nomination agreement in force, so its home cannot be advertised.")
    return agreement


def advertise(session: Session, actor: Actor, void_id: int, cycle_id: int, criteria: dict, preference_groups: list[str],
              description: str, now: datetime, *, registration_date_share_pct: int = 0) -> Advert:
    """Advertise a ready void in a cycle that has not closed, with who may bid and who comes first. A void
    advertised before and not let is advertised again: the new advert names the last one (kept, with its
    shortlist, for the record) and must be in a later cycle.

    registration_date_share_pct: the scheme's share of each cycle's homes let by date of registration
    (scheme.ranking); the advert is one of them if the cycle needs it to meet the share."""
    actor.require(Right.ADVERT_WRITE)
    void = session.get(Void, void_id)
    if void is None or void.status is not VoidStatus.OPEN:
        raise NotFound("No such open void.")
    if void.ready_to_let_at is None:
        raise Conflict("Mark the home ready to let before advertising it.")
    description = within(description, 4000, "description", "The description")
    cycle = session.get(Cycle, cycle_id)
    if cycle is None or cycle.status not in (CycleStatus.SCHEDULED, CycleStatus.OPEN) or cycle.closes_at <= now:
        raise InvalidInput("Choose a cycle that has not closed.", field="cycle")
    if session.exec(select(Advert.id).where(Advert.void_id == void.id,
                                            Advert.status.in_([AdvertStatus.LIVE, AdvertStatus.SHORTLISTED]))).first():
        raise Conflict("This home is already advertised.")
    previous = _previous_advert(session, void, cycle)
    _check_terms(criteria, preference_groups)
    home = session.get(Property, void.property_id)
    by_registration_date = _let_by_registration_date(session, cycle, registration_date_share_pct)
    # The reference is the advert's own id, known only once it is stored.
    advert = Advert(reference=f"new-{uuid.uuid4().hex[:20]}", cycle_id=cycle.id, void_id=void.id, property_id=home.id,
                    status=AdvertStatus.LIVE, description=description,
                    preference_groups=preference_groups, agreement_id=_agreement_for(session, home, local_date(now)),
                    created_by_id=actor.id, created_at=now, previous_advert_id=previous.id if previous else None,
                    by_registration_date=by_registration_date, **criteria)
    session.add(advert)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        # The cycle's advert of this void, or the previous advert's successor: someone else was first.
        raise Conflict("This home has already been advertised again.") from None
    advert.reference = f"AD{advert.id:05d}"
    void.advertised_at = void.advertised_at or now
    session.add(void)
    audit(session, actor, "advert.created", advert, {"reference": advert.reference, "cycle": cycle.name,
                                                     "criteria": criteria, "preference_groups": preference_groups,
                                                     "previous": previous.reference if previous else None,
                                                     "by_registration_date": by_registration_date})
    return advert


def _let_by_registration_date(session: Session, cycle: Cycle, share_pct: int) -> bool:
    """Whether the advert about to join `cycle` must be let by date of registration for the cycle's adverts
    (live or shortlisted: a withdrawn one lets no home) to meet the scheme's share. Counted under the cycle's
    exclusive lock, so that two adverts published at once cannot both take (or both leave) the last place."""
    if not share_pct:
        return False
    guard_cycle(session, cycle.id, exclusive=True)
    kept = (Advert.cycle_id == cycle.id, Advert.status.in_([AdvertStatus.LIVE, AdvertStatus.SHORTLISTED]))
    adverts = session.exec(select(func.count()).select_from(Advert).where(*kept)).one()
    by_date = session.exec(select(func.count()).select_from(Advert).where(*kept, Advert.by_registration_date)).one()
    return registration_date_due(adverts + 1, by_date, Fraction(share_pct, 100))


def _previous_advert(session: Session, void: Void, cycle: Cycle) -> Advert | None:
    """The void's last advert (not let, as the void is open), which an advert in `cycle` would follow."""
    previous = session.exec(select(Advert).where(Advert.void_id == void.id)
                            .order_by(Advert.created_at.desc(), Advert.id.desc())).first()
    if previous is not None:
        before = session.get(Cycle, previous.cycle_id)
        if cycle.opens_at <= before.opens_at:
            raise InvalidInput(f"This home was last advertised in {before.name} ({previous.reference}): choose a "
                               "later cycle.", field="cycle")
    return previous


def _check_terms(criteria: dict, preference_groups: list[str]) -> None:
    for group in preference_groups:
        if not group.startswith(PREFERENCE_KINDS) or len(group) < 7:
            raise InvalidInput(f"“{group}” is not a preference group: use local:AREA, group:NAME or need:NAME.",
                               field="preference_groups")
    low, high = criteria.get("min_bedroom_need"), criteria.get("max_bedroom_need")
    if low is not None and high is not None and low > high:
        raise InvalidInput("The lowest bedroom need cannot be above the highest.", field="min_bedroom_need")


CRITERIA = ("min_bedroom_need", "max_bedroom_need", "min_household", "max_household", "min_age", "step_free_only",
            "wheelchair_only", "transfer_only")


def withdraw_advert(session: Session, actor: Actor, reference: str, reason: str, now: datetime) -> Advert:
    """Take an advert down (to advertise the home again, or because it is no longer to let), with the reason.
    Withdrawn after its cycle closed it counts as a cycle the home went through unlet. Its bidders are told."""
    actor.require(Right.ADVERT_WRITE)
    advert = session.exec(select(Advert).where(Advert.reference == reference).with_for_update()
                          .execution_options(populate_existing=True)).first()
    if advert is None:
        raise NotFound(f"There is no advert {reference}.")
    _withdraw(session, actor, advert, reason, now, again_in=None)
    return advert


def _withdraw(session: Session, actor: Actor, advert: Advert, reason: str, now: datetime,
              again_in: Cycle | None) -> None:
    reason = within(reason, 500, "reason", "The reason")
    if not reason:
        raise InvalidInput("Give the reason for withdrawing the advert.", field="reason")
    if "\x00" in reason:  # PostgreSQL stores no NUL character, and SQLite should not keep one either
        raise InvalidInput("The reason cannot contain a NUL character.", field="reason")
    if advert.status not in (AdvertStatus.LIVE, AdvertStatus.SHORTLISTED):
        raise Conflict(f"This advert is {advert.status.value}; only a live or shortlisted advert can be withdrawn.")
    if session.exec(select(Offer.id).where(Offer.advert_id == advert.id,
                                           Offer.status.in_([OfferStatus.MADE, OfferStatus.ACCEPTED]))).first():
        raise Conflict("A household has an offer of this home: withdraw the offer first.")
    if session.exec(select(Nomination.id).where(Nomination.advert_id == advert.id,
                                                Nomination.status.in_(OPEN_NOMINATION))).first():
        raise Conflict("A household is nominated for this home: wait for the landlord's answer, or withdraw "
                       "the nomination first.")
    shortlisted = advert.status is AdvertStatus.SHORTLISTED
    advert.status, advert.withdrawal_reason, advert.withdrawn_by_id, advert.withdrawn_at = (
        AdvertStatus.WITHDRAWN, reason, actor.id, now)
    advert.unsuccessful = shortlisted
    session.add(advert)
    again = f" It is advertised again in {again_in.name}: you can bid for it then." if again_in else ""
    if shortlisted:
        # The cycle's bids stay as they were, for the household's record; those still in the running are told.
        waiting = session.exec(select(ShortlistEntry.applicant_id).where(
            ShortlistEntry.advert_id == advert.id, ShortlistEntry.eligible,
            ShortlistEntry.status.in_([ShortlistStatus.PENDING, ShortlistStatus.VERIFIED]))).all()
        for applicant_id in waiting:
            session.add(OutboxMessage(
                channel=Channel.EMAIL, template="advert_withdrawn", applicant_id=applicant_id,
                subject=f"Advert {advert.reference} has been withdrawn",
                body=f"The home advertised as {advert.reference} has been withdrawn: {reason}. It will not be "
                     f"offered from this shortlist.{again}"))
        told = len(waiting)
    else:
        bidders = session.exec(select(Bid).where(Bid.advert_id == advert.id, Bid.status == BidStatus.ACTIVE)).all()
        for bid in bidders:
            bid.status, bid.withdrawn_at = BidStatus.WITHDRAWN, now
            session.add(bid)
            session.add(OutboxMessage(
                channel=Channel.EMAIL, template="advert_withdrawn", applicant_id=bid.applicant_id,
                subject=f"Advert {advert.reference} has been withdrawn",
                body=f"The home advertised as {advert.reference} has been withdrawn: {reason}. "
                     f"Your bid for it no longer counts towards your bids this cycle.{again}"))
        told = len(bidders)
    audit(session, actor, "advert.withdrawn", advert, {"reason": reason, "households_told": told,
                                                       "unsuccessful": advert.unsuccessful})


def readvertise(session: Session, actor: Actor, reference: str, cycle_id: int, reason: str, now: datetime,
                *, registration_date_share_pct: int = 0) -> Advert:
    """Advertise the home of an advert not let again, in a later cycle, on the same terms (let by date of
    registration or not as the new cycle's share needs, see advertise). A live or shortlisted
    advert is withdrawn first (with `reason`; its households are told when they can bid again); the old advert
    and its shortlist stay, for the record, and the new one names it. The void stays open."""
    actor.require(Right.ADVERT_WRITE)
    old = session.exec(select(Advert).where(Advert.reference == reference).with_for_update()
                       .execution_options(populate_existing=True)).first()
    if old is None:
        raise NotFound(f"There is no advert {reference}.")
    later = session.exec(select(Advert.reference).where(Advert.previous_advert_id == old.id)).first()
    if later is not None:
        raise Conflict(f"This advert has already been advertised again, as {later}.")
    if old.status is AdvertStatus.LET:
        raise Conflict("This home has been let from this advert.")
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise InvalidInput("Choose a cycle that has not closed.", field="cycle")
    if old.status is not AdvertStatus.WITHDRAWN:
        _withdraw(session, actor, old, reason, now, again_in=cycle)
    advert = advertise(session, actor, old.void_id, cycle.id, {name: getattr(old, name) for name in CRITERIA},
                       list(old.preference_groups), old.description, now,
                       registration_date_share_pct=registration_date_share_pct)
    unlet = unsuccessful_cycles(session, old.void_id)
    audit(session, actor, "advert.readvertised", advert, {"previous": old.reference, "cycle": cycle.name,
                                                          "unsuccessful_cycles": unlet})
    return advert


def unsuccessful_cycles(session: Session, void_id: int) -> int:
    """How many of the void's adverts ran their cycle to its close and ended without a let."""
    return session.exec(select(func.count()).select_from(Advert)
                        .where(Advert.void_id == void_id, Advert.unsuccessful)).one()


@dataclass(frozen=True)
class HomeDetails:
    """A home as the landlord describes it; money in pence."""

    landlord_code: str
    reference: str
    address: str
    postcode: str
    area: str
    property_type: str
    bedrooms: int
    floor: int = 0
    weekly_rent_pence: int = 0
    weekly_charges_pence: int = 0
    uprn: str = ""
    lift: bool = False
    step_free: bool = False
    wheelchair_adapted: bool = False
    garden: bool = False
    sheltered: bool = False


def add_property(session: Session, actor: Actor, details: HomeDetails, now: datetime) -> Property:
    """Record a home: the council's own or a registered provider's."""
    actor.require(Right.STOCK_WRITE)
    landlord = session.exec(select(Organisation).where(Organisation.code == details.landlord_code)).first()
    if landlord is None:
        raise InvalidInput("Choose the landlord.", field="landlord")
    reference = _checked_reference(details.reference)
    address, postcode, area = _checked_location(details)
    kind = _checked_description(details)
    home = Property(landlord_id=landlord.id, reference=reference, uprn=details.uprn or None,
                    address=address, postcode=postcode, area=area,
                    property_type=kind, bedrooms=details.bedrooms, floor=details.floor, lift=details.lift,
                    step_free=details.step_free, wheelchair_adapted=details.wheelchair_adapted, garden=details.garden,
                    sheltered=details.sheltered, weekly_rent_pence=details.weekly_rent_pence,
                    weekly_charges_pence=details.weekly_charges_pence)
    session.add(home)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise InvalidInput(f"There is already a home with the reference {reference}.", field="reference") from None
    audit(session, actor, "property.added", home, {"reference": reference, "landlord": landlord.code})
    return home


def _checked_reference(typed: str) -> str:
    """The landlord's reference for the home, in capitals."""
    reference = typed.strip().upper()
    if not reference or len(reference) > 32 or not reference.replace("-", "").isalnum():
        raise InvalidInput("Enter the landlord's reference for the home: letters, digits and hyphens.",
                           field="reference")
    return reference


def _checked_location(details: HomeDetails) -> tuple[str, str, str]:
    """Where the home is: its address, its postcode written the usual way, and its area."""
    address = within(details.address, 400, "address", "The address")
    if not address:
        raise InvalidInput("Enter the home's address.", field="address")
    postcode = " ".join(details.postcode.upper().split())
    if not 5 <= len(postcode) <= 8:
        raise InvalidInput("Enter a real postcode, like AT1 2BC.", field="postcode")
    area = within(details.area, 100, "area", "The area")
    if not area:
        raise InvalidInput("Enter the area the home is in.", field="area")
    return address, postcode, area


def _checked_description(details: HomeDetails) -> PropertyType:
    """The type of home, once its size, floor, UPRN and rent are ones a home can have."""
    try:
        kind = PropertyType(details.property_type)
    except ValueError:
        raise InvalidInput("Choose the type of home.", field="property_type") from None
    if not 0 <= details.bedrooms <= 10:
        raise InvalidInput("Bedrooms must be from 0 (a bedsit) to 10.", field="bedrooms")
    if not -1 <= details.floor <= 60:
        raise InvalidInput("Floor must be from -1 (basement) to 60.", field="floor")
    if details.uprn and (not only_digits(details.uprn) or len(details.uprn) > 12):
        raise InvalidInput("A UPRN is up to 12 digits.", field="uprn")
    if details.weekly_rent_pence <= 0:
        raise InvalidInput("Enter the weekly rent.", field="rent")
    return kind
