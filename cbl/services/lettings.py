"""Letting a council home from its shortlist: the offer, the officer's judgement of a refusal with
the scheme's penalty, and the tenancy start that closes the void."""

from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from cbl.rules.working_days import LONDON, add_months, add_working_days, local_date
from cbl.messages import notices
from cbl.messages.letters import issue_letter
from cbl.models import (
    Advert, Applicant, Offer, Organisation, Property, Refusal, ShortlistEntry, Viewing, Void,
)
from cbl.models.states import (
    AdvertStatus, ApplicationStatus, OfferKind, OfferStatus, OrganisationKind, ReviewType, ShortlistStatus,
    TenancyType, VoidStatus,
)
from cbl.rules.challenge_routes import route_after_review
from cbl.rules.pre_offer_checks import refusal as checks_refusal
from cbl.rules.decision_types import review_rights
from cbl.rules.review_periods import s202_request_by
from cbl.rules.scheme import Scheme

from .actors import Actor
from .audit import audit
from .errors import Conflict, InvalidInput, NotFound, within
from .final_offers import assessment_for_offer
from .pre_offer_checks import missing_checks
from .shortlisting import require_its_turn
from cbl.services.rights import Right


def shortlist_place(session: Session, entry_id: int) -> tuple[ShortlistEntry, Advert, Property, Organisation]:
    """A shortlist place, locked, with its advert, the home and the home's landlord."""
    entry = session.exec(select(ShortlistEntry).where(ShortlistEntry.id == entry_id).with_for_update()).first()
    if entry is None:
        raise NotFound("No such shortlist entry.")
    advert, home, landlord = session.exec(
        select(Advert, Property, Organisation).join(Property, Property.id == Advert.property_id)
        .join(Organisation, Organisation.id == Property.landlord_id).where(Advert.id == entry.advert_id)
    ).one()
    return entry, advert, home, landlord


def make_offer(session: Session, actor: Actor, scheme: Scheme, entry_id: int, now: datetime,
               *, final_offer: bool = False) -> Offer:
    """Offer a council home to the household at this shortlist place: in the scheme's order, once the checks the
    scheme requires before an offer are recorded as passed, and not past a block viewing still to be concluded."""
    actor.require(Right.OFFER_MAKE)
    entry, advert, home, landlord = shortlist_place(session, entry_id)
    if landlord.kind is not OrganisationKind.COUNCIL:
        raise Conflict(f"This home belongs to {landlord.name}: send a nomination instead of an offer.")
    if entry.status not in (ShortlistStatus.PENDING, ShortlistStatus.VERIFIED) or not entry.eligible:
        raise Conflict(f"This household has already been {entry.status.value} for this home." if entry.eligible
                       else "This bid is not eligible for the home; it cannot be offered.")
    viewing = open_block_viewing(session, advert.id)
    if viewing is not None:
        raise Conflict(f"Several households are invited to view the home on "
                       f"{viewing.at.astimezone(LONDON):%-d %B %Y at %H:%M}: record who came, then offer the home "
                       "from the viewing (or cancel it first).")
    require_its_turn(session, entry)  # s167(8): the scheme's order
    missing = missing_checks(session, scheme, entry, advert.void_id, final_offer=final_offer)
    if missing:
        raise Conflict(checks_refusal(missing))
    offer = open_offer(session, actor, scheme, session.get(Applicant, entry.applicant_id),
                       session.get(Void, advert.void_id), home, now, advert=advert, final_offer=final_offer)
    entry.status, entry.decided_by_id, entry.decided_at = ShortlistStatus.OFFERED, actor.id, now
    session.add(entry)
    return offer


def open_block_viewing(session: Session, advert_id: int) -> Viewing | None:
    """The advert's block viewing not yet concluded, if any: its home is offered from it, in shortlist order."""
    return session.exec(select(Viewing).where(Viewing.advert_id == advert_id, Viewing.block,
                                              Viewing.concluded_at.is_(None))).first()


def open_offer(session: Session, actor: Actor, scheme: Scheme, applicant: Applicant, void: Void, home: Property,
               now: datetime, *, advert: Advert | None = None, final_offer: bool = False,
               direct_reason: str | None = None, approved_by_id: int | None = None,
               made_by_id: int | None = None) -> Offer:
    """Make the offer, from a shortlist or direct: the rules every offer meets, its deadline and its letter."""
    if not applicant.verified:
        raise Conflict("This household's application has not been verified; an offer cannot be made.")
    if final_offer and not applicant.homeless_duty:
        raise InvalidInput("Only a household owed the homelessness duty can be made a final offer.", field="final")
    # s193(7F): no final offer without the officer's recorded finding that it is suitable and reasonable to accept.
    assessment = assessment_for_offer(session, applicant, void, home) if final_offer else None
    days = scheme.offers.final_offer_response_working_days if final_offer else scheme.offers.response_working_days
    offer = Offer(applicant_id=applicant.id, void_id=void.id, advert_id=advert.id if advert else None,
                  kind=OfferKind.DIRECT if direct_reason else OfferKind.BIDDING, final_offer=final_offer,
                  direct_reason=direct_reason, approved_by_id=approved_by_id, made_by_id=made_by_id or actor.id,
                  made_at=now, respond_by=add_working_days(local_date(now), days))
    session.add(offer)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict("This household, or this home, already has an offer waiting for an answer.") from None
    void.offered_at = void.offered_at or now
    session.add(void)
    if assessment is not None:
        assessment.offer_id = offer.id
        session.add(assessment)
    audit(session, actor, "offer.made", offer, {"advert": advert.reference if advert else None,
                                                "respond_by": offer.respond_by, "final_offer": final_offer,
                                                "direct_reason": direct_reason})
    issue_letter(session, applicant.id, "offer", f"Offer of {home.address}", now, home=home,
                 advert=advert.reference if advert else None, respond_by=offer.respond_by, final_offer=final_offer,
                 direct_reason=direct_reason, review_by=s202_request_by(local_date(now)),
                 findings=assessment.findings if assessment else [])
    notices.offer_made(session, offer, f"{home.address}, {home.postcode}", now)
    return offer


def judge_refusal(session: Session, actor: Actor, scheme: Scheme, offer_id: int, reasonable: bool, note: str,
                  now: datetime) -> Refusal:
    """Decide whether a refusal was reasonable; an unreasonable one counts towards the scheme's penalty."""
    actor.require(Right.OFFER_RECORD)
    refusal = session.exec(select(Refusal).where(Refusal.offer_id == offer_id).with_for_update()).first()
    if refusal is None:
        raise NotFound("This offer has not been refused.")
    if refusal.reasonable is not None:
        raise Conflict("This refusal has already been judged.")
    note = within(note, 4000, "note", "The reasons")
    if not reasonable and not note:
        raise InvalidInput("Give the reasons for judging the refusal unreasonable; they go in the letter.",
                           field="note")
    offer = session.get(Offer, offer_id)
    refusal.reasonable, refusal.judged_by_id, refusal.judged_at = reasonable, actor.id, now
    refusal.judgement_note = note or None
    session.add(refusal)
    entry = session.exec(select(ShortlistEntry).where(ShortlistEntry.advert_id == offer.advert_id,
                                                      ShortlistEntry.applicant_id == offer.applicant_id)).first()
    if entry is not None:
        entry.status, entry.skip_reason = ShortlistStatus.SKIPPED, "refused"
        session.add(entry)
    audit(session, actor, "refusal.judged", refusal, {"offer_id": offer_id, "reasonable": reasonable,
                                                      "note": note.strip()}, applicant_id=offer.applicant_id)
    if offer.final_offer:
        _decide_homelessness_duty(session, actor, offer, refusal, now)
    if not reasonable:
        _apply_refusal_penalty(session, actor, scheme, offer, refusal, now)
    elif not offer.final_offer:  # (a final offer's letter says the refusal was reasonable and the duty continues)
        issue_letter(session, offer.applicant_id, "refusal_decision", "Your refusal of an offer", now,
                     home=_home_of(session, offer), refusal_reason=refusal.reason, judgement=refusal.judgement_note,
                     reasonable=True)
    return refusal


def _decide_homelessness_duty(session: Session, actor: Actor, offer: Offer, refusal: Refusal, now: datetime) -> None:
    """A refused final offer: if the home was suitable and the refusal unreasonable, the main duty ends
    (Housing Act 1996 s193(7)); either way the household is told, with its right to a review (s202)."""
    refusal.duty_ended = not refusal.reasonable
    session.add(refusal)
    if refusal.duty_ended:
        applicant = session.get(Applicant, offer.applicant_id)
        applicant.homeless_duty = False
        session.add(applicant)
    audit(session, actor, "homelessness_duty.ended" if refusal.duty_ended else "homelessness_duty.continues",
          refusal, {"offer_id": offer.id}, applicant_id=offer.applicant_id)
    issue_letter(session, offer.applicant_id, "final_offer_decision", "Your refusal of a final offer", now,
                 home=_home_of(session, offer), refusal_reason=refusal.reason, judgement=refusal.judgement_note,
                 duty_ended=refusal.duty_ended, offered_on=local_date(offer.made_at),
                 review_by=s202_request_by(local_date(now)), route=route_after_review(part_7=True))


def _apply_refusal_penalty(session: Session, actor: Actor, scheme: Scheme, offer: Offer, refusal: Refusal,
                           now: datetime) -> None:
    rule = scheme.refusals
    applicant_id = offer.applicant_id
    today = local_date(now)
    since = datetime.combine(add_months(today, -rule.within_months), datetime.min.time(), tzinfo=now.tzinfo)
    count = session.exec(
        select(func.count()).select_from(Refusal).join(Offer, Offer.id == Refusal.offer_id)
        .where(Offer.applicant_id == applicant_id, Refusal.reasonable.is_(False), Refusal.judged_at >= since)
    ).one()
    applicant = session.get(Applicant, applicant_id)
    issue_letter(session, applicant_id, "refusal_decision", "Your refusal of an offer", now,
                 home=_home_of(session, offer), refusal_reason=refusal.reason, judgement=refusal.judgement_note,
                 reasonable=False, count=count, allowed=rule.unreasonable_refusals, months=rule.within_months,
                 # A refused final offer is reviewed as the decision that the duty ended (s202(1)(b)), which
                 # settles whether the refusal was reasonable; the case lists that review, not a Part 6 one.
                 rights=review_rights(ReviewType.FINAL_OFFER_DUTY if refusal.duty_ended else ReviewType.REFUSAL,
                                      scheme.reviews, today))
    if count < rule.unreasonable_refusals or rule.suspension_months == 0:
        return
    until = add_months(today, rule.suspension_months)
    applicant.suspended_until = until
    session.add(applicant)
    audit(session, actor, "application.suspended", applicant,
          {"until": until, "reason": f"{count} unreasonable refusals in {rule.within_months} months"})
    issue_letter(session, applicant_id, "suspension", "Your application is suspended from bidding", now,
                 until=until, reason=f"You have refused {count} offers we judged suitable within {rule.within_months} "
                                     "months.", rights=review_rights(ReviewType.SUSPENSION, scheme.reviews, today))


def record_tenancy_start(session: Session, actor: Actor, offer_id: int, starts_on: date, now: datetime, *,
                         tenancy_type: TenancyType, rent_at_let_pence: int, keys_given_on: date) -> Offer:
    """The household has signed: the tenancy's type, start, weekly rent and the day its keys were given are
    recorded; the home is let, its void clock stopped, the let result published, and the household told."""
    actor.require(Right.OFFER_RECORD)
    offer = session.exec(select(Offer).where(Offer.id == offer_id).with_for_update()
                         .execution_options(populate_existing=True)).first()
    if offer is None:
        raise NotFound("No such offer.")
    if offer.status is not OfferStatus.ACCEPTED:
        raise Conflict("Only an accepted offer can start a tenancy.")
    if not isinstance(tenancy_type, TenancyType):
        raise InvalidInput("Choose the type of tenancy.", field="tenancy_type")
    if rent_at_let_pence <= 0:
        raise InvalidInput("Enter the weekly rent the home is let at.", field="rent_at_let")
    void = session.get(Void, offer.void_id)
    check_tenancy_start(void, starts_on, now)
    _check_keys_given(offer, void, keys_given_on, now)
    offer.status, offer.tenancy_start_date = OfferStatus.LET, starts_on
    offer.tenancy_type, offer.rent_at_let_pence = tenancy_type, rent_at_let_pence
    void.keys_given_on = keys_given_on
    session.add_all([offer, void])
    complete_let(session, void, offer.applicant_id, offer.advert_id, starts_on)
    audit(session, actor, "tenancy.started", offer, {
        "starts_on": starts_on, "void_days": void_days(void.tenancy_end_date, starts_on),
        "tenancy_type": tenancy_type.value, "rent_at_let_pence": rent_at_let_pence, "keys_given_on": keys_given_on})
    issue_letter(session, offer.applicant_id, "tenancy_started", "Your tenancy", now, home=_home_of(session, offer),
                 tenancy=TENANCY_NAMES[tenancy_type], starts_on=starts_on, rent_pence=rent_at_let_pence,
                 keys_given_on=keys_given_on, trial=tenancy_type in (TenancyType.INTRODUCTORY, TenancyType.STARTER))
    return offer


# How a tenancy type is named to the household.
TENANCY_NAMES = {
    TenancyType.INTRODUCTORY: "introductory tenancy", TenancyType.STARTER: "starter tenancy",
    TenancyType.FLEXIBLE: "flexible (fixed-term) tenancy", TenancyType.SECURE: "secure tenancy",
    TenancyType.ASSURED: "assured tenancy", TenancyType.ASSURED_SHORTHOLD: "assured shorthold tenancy",
}


def _check_keys_given(offer: Offer, void: Void, on: date, now: datetime) -> None:
    """Keys go to the household once it has accepted, and the day is recorded once it has come."""
    accepted = local_date(offer.answered_at) if offer.answered_at else void.tenancy_end_date
    if on < accepted:
        raise InvalidInput(f"The keys cannot have been given before the offer was accepted ({accepted:%-d %B %Y}).",
                           field="keys_given_on")
    if on > local_date(now):
        raise InvalidInput("The day the keys were given cannot be in the future: record the sign-up once they "
                           "have been given.", field="keys_given_on")


def check_tenancy_start(void: Void, starts_on: date, now: datetime) -> None:
    if starts_on < void.tenancy_end_date or starts_on > local_date(now) + timedelta(days=90):
        raise InvalidInput("The tenancy start must be after the last tenancy ended and within 90 days.",
                           field="starts_on")


def complete_let(session: Session, void: Void, applicant_id: int, advert_id: int | None, starts_on: date) -> None:
    """The home is let: its void closes, the household is housed, and the advert's let result is published."""
    void.status, void.tenancy_start_date = VoidStatus.LET, starts_on
    applicant = session.get(Applicant, applicant_id)
    applicant.status = ApplicationStatus.HOUSED
    session.add_all([void, applicant])
    if advert_id is None:
        return
    advert = session.get(Advert, advert_id)
    advert.status = AdvertStatus.LET
    session.add(advert)
    entry = session.exec(select(ShortlistEntry).where(ShortlistEntry.advert_id == advert_id,
                                                      ShortlistEntry.applicant_id == applicant_id)).first()
    if entry is not None:
        entry.status = ShortlistStatus.HOUSED
        session.add(entry)


def _home_of(session: Session, offer: Offer) -> Property:
    return session.exec(select(Property).join(Void, Void.property_id == Property.id)
                        .where(Void.id == offer.void_id)).one()


def void_days(tenancy_end: date, tenancy_start: date) -> int:
    """Calendar days the home stood empty: the day it fell vacant is not counted."""
    return max(0, (tenancy_start - tenancy_end).days)
