"""Nominations to registered providers: the council sends its verified nominee under the agreement in
force; the provider arranges a viewing, then houses the household or declines on a ground the agreement
allows, each within the agreement's UK working days; a decline frees the council to nominate the next."""

from datetime import date, datetime, timedelta, timezone

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from cbl.rules.working_days import add_working_days, local_date
from cbl.models import (
    Advert, Applicant, Nomination, NominationAgreement, Organisation, OutboxMessage, Property, ShortlistEntry,
    StaffUser, Void,
)
from cbl.models.states import (
    ApplicationStatus, Channel, NominationStatus, OrganisationKind, ShortlistStatus, StaffRole,
)
from cbl.messages.letters import issue_letter
from cbl.rules.challenge_routes import DecidedBy, route_after_review
from cbl.rules.scheme import Scheme

from .actors import Actor
from .audit import audit
from .errors import Conflict, InvalidInput, NotFound, within
from .shortlisting import require_its_turn
from .lettings import check_tenancy_start, complete_let, shortlist_place, void_days
from cbl.services.rights import Right

# What of a nominee's case an agreement may let the council share with the provider.
SHAREABLE = {
    "household": "Who is in the household (names, ages, relationships)",
    "contact": "How to contact the household (address, phone, e-mail)",
    "needs": "Access needs and the bedroom need",
    "band": "Band and housing need",
}
OPEN = (NominationStatus.SENT, NominationStatus.VIEWING_ARRANGED)
VIEWING_OUTCOMES = {"attended": "Viewed the home", "missed": "Did not come to the viewing",
                    "withdrew": "Viewed and no longer wants the home"}


def send_nomination(session: Session, actor: Actor, entry_id: int, now: datetime) -> Nomination:
    """Nominate the verified household at this shortlist place for a provider's home."""
    actor.require(Right.NOMINATION_SEND)
    entry, advert, home, landlord = shortlist_place(session, entry_id)
    if landlord.kind is not OrganisationKind.PROVIDER:
        raise Conflict("This is a council home: make an offer instead of a nomination.")
    if entry.status is not ShortlistStatus.VERIFIED:
        raise Conflict("Verify the household's circumstances before nominating it.")
    require_its_turn(session, entry, nomination=True)  # s167(8): the scheme's order
    applicant = session.get(Applicant, entry.applicant_id)
    if not applicant.verified or applicant.status is not ApplicationStatus.ACTIVE:
        raise Conflict("Only an active, verified household can be nominated.")
    agreement = session.get(NominationAgreement, advert.agreement_id) if advert.agreement_id else None
    if agreement is None:
        raise Conflict(f"There is no nomination agreement with {landlord.name} for this home.")
    nomination = Nomination(advert_id=advert.id, applicant_id=applicant.id, agreement_id=agreement.id,
                            provider_id=landlord.id, sent_at=now, sent_by_id=actor.id,
                            respond_by=add_working_days(local_date(now), agreement.respond_within_days))
    session.add(nomination)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict("This home already has a nomination waiting for the provider's answer.") from None
    entry.status, entry.decided_by_id, entry.decided_at = ShortlistStatus.NOMINATED, actor.id, now
    void = session.get(Void, advert.void_id)
    void.offered_at = void.offered_at or now
    session.add_all([entry, void])
    audit(session, actor, "nomination.sent", nomination,
          {"advert": advert.reference, "provider": landlord.code, "respond_by": nomination.respond_by})
    issue_letter(session, applicant.id, "nomination_sent", f"We have nominated you for {home.address}", now,
                 home=home.address, advert=advert.reference, landlord=landlord.name,
                 route=route_after_review(part_7=False, decided_by=DecidedBy.PROVIDER))
    _tell_provider(session, landlord.id, f"Nomination for {home.reference}",
                   f"The council nominates household {applicant.reference} for {home.address} (advert "
                   f"{advert.reference}). Please answer by the end of {nomination.respond_by:%-d %B %Y}.")
    return nomination


def _tell_provider(session: Session, provider_id: int, subject: str, body: str) -> None:
    session.add(OutboxMessage(channel=Channel.EMAIL, template="nomination", organisation_id=provider_id,
                              subject=subject, body=body))


def _tell_officers(session: Session, subject: str, body: str) -> None:
    for officer_id in session.exec(select(StaffUser.id).where(StaffUser.role == StaffRole.OFFICER,
                                                                StaffUser.active)).all():
        session.add(OutboxMessage(channel=Channel.EMAIL, template="nomination", staff_user_id=officer_id,
                                  subject=subject, body=body))


def nomination_for(session: Session, actor: Actor, nomination_id: int, *, lock: bool = False) -> Nomination:
    """The nomination, if this actor may see it: a provider sees its own and no other (others are not found)."""
    query = select(Nomination).where(Nomination.id == nomination_id)
    nomination = session.exec(query.with_for_update() if lock else query).first()
    if nomination is None or (actor.provider_id is not None and nomination.provider_id != actor.provider_id):
        raise NotFound("No such nomination.")
    return nomination

VIEWING_HORIZON = timedelta(days=366)


def _open(session: Session, actor: Actor, nomination_id: int) -> Nomination:
    actor.require(Right.PROVIDER_NOMINATIONS)
    nomination = nomination_for(session, actor, nomination_id, lock=True)
    if nomination.status not in OPEN:
        raise Conflict(f"This nomination is {nomination.status.value.replace('_', ' ')}; it cannot be changed.")
    return nomination


def arrange_viewing(session: Session, actor: Actor, nomination_id: int, at: datetime, now: datetime) -> Nomination:
    """The provider confirms when the nominee can view the home (a UK date and time, stored in UTC)."""
    nomination = _open(session, actor, nomination_id)
    viewing_at: datetime | None
    try:
        viewing_at = at.astimezone(timezone.utc)
    except OverflowError:  # a time whose offset takes it past the calendar's end
        viewing_at = None
    if viewing_at is None or viewing_at > now + VIEWING_HORIZON:
        raise InvalidInput("The viewing must be within a year from now.", field="viewing_at")
    if viewing_at <= now:
        raise InvalidInput("The viewing must be in the future.", field="viewing_at")
    nomination.status, nomination.viewing_at, nomination.viewing_confirmed = (
        NominationStatus.VIEWING_ARRANGED, viewing_at, True)
    nomination.viewing_outcome = None
    session.add(nomination)
    audit(session, actor, "nomination.viewing_arranged", nomination, {"at": viewing_at})
    return nomination


def record_viewing_outcome(session: Session, actor: Actor, nomination_id: int, outcome: str,
                           now: datetime) -> Nomination:
    nomination = _open(session, actor, nomination_id)
    if outcome not in VIEWING_OUTCOMES:
        raise InvalidInput("Choose what happened at the viewing.", field="outcome")
    if nomination.viewing_at is None or nomination.viewing_at > now:
        raise Conflict("The viewing has not happened yet.")
    nomination.viewing_outcome = outcome
    session.add(nomination)
    audit(session, actor, "nomination.viewing_outcome", nomination, {"outcome": VIEWING_OUTCOMES[outcome]})
    return nomination


def house_nominee(session: Session, actor: Actor, nomination_id: int, starts_on: date, now: datetime) -> Nomination:
    """The provider has signed the nominee up: the home is let, its void closed and the let published."""
    nomination = _open(session, actor, nomination_id)
    advert = session.get(Advert, nomination.advert_id)
    void = session.get(Void, advert.void_id)
    check_tenancy_start(void, starts_on, now)
    nomination.status, nomination.tenancy_start_date, nomination.answered_at = NominationStatus.LET, starts_on, now
    session.add(nomination)
    void.accepted_at = void.accepted_at or now
    complete_let(session, void, nomination.applicant_id, advert.id, starts_on)
    audit(session, actor, "nomination.let", nomination,
          {"starts_on": starts_on, "void_days": void_days(void.tenancy_end_date, starts_on)})
    _tell_officers(session, f"{advert.reference} is let", f"The provider housed the council's nominee in "
                   f"{advert.reference}; the tenancy starts on {starts_on:%-d %B %Y}.")
    return nomination


NOTE_LIMIT = 2000  # a decline's explanation, and the shortlist's skip note


def decline_nomination(session: Session, actor: Actor, scheme: Scheme, nomination_id: int, ground: str, note: str,
                       now: datetime) -> Nomination:
    """The provider declines on a ground its agreement allows; the council then nominates the next household."""
    nomination = _open(session, actor, nomination_id)
    agreement = session.get(NominationAgreement, nomination.agreement_id)
    labels = {item.code: item.label for item in scheme.nominations.decline_grounds}
    if ground not in labels or ground not in agreement.decline_grounds:
        raise InvalidInput("Choose a ground for declining that the agreement allows.", field="ground")
    # The shortlist keeps the explanation after the ground's label, in a note of NOTE_LIMIT characters:
    # the explanation may take what the label leaves.
    note = within(note, NOTE_LIMIT - len(labels[ground]) - 2, "note", "The explanation")
    if not note:
        raise InvalidInput("Explain the decision; the council and the household are told it.", field="note")
    nomination.status, nomination.answered_at = NominationStatus.DECLINED, now
    nomination.decline_ground, nomination.decline_note = ground, note
    session.add(nomination)
    entry = session.exec(select(ShortlistEntry).where(ShortlistEntry.advert_id == nomination.advert_id,
                                                      ShortlistEntry.applicant_id == nomination.applicant_id)).first()
    if entry is not None:
        entry.status, entry.skip_reason = ShortlistStatus.SKIPPED, "provider_declined"
        entry.skip_note = f"{labels[ground]}: {note}"
        session.add(entry)
    advert = session.get(Advert, nomination.advert_id)
    home, provider = session.get(Property, advert.property_id), session.get(Organisation, nomination.provider_id)
    audit(session, actor, "nomination.declined", nomination, {"ground": labels[ground], "note": note})
    # The provider's own decision as landlord: the household is told it, and that the way to challenge it is
    # the provider's complaints procedure, then the Housing Ombudsman.
    issue_letter(session, nomination.applicant_id, "nomination_declined", f"Your nomination for {home.address}", now,
                 home=home.address, advert=advert.reference, landlord=provider.name, ground=labels[ground], note=note,
                 route=route_after_review(part_7=False, decided_by=DecidedBy.PROVIDER))
    _tell_officers(session, f"Nomination for {advert.reference} declined",
                   f"The provider declined the nominee for {advert.reference}: {labels[ground]}. Nominate the next "
                   "household on the shortlist.")
    return nomination


def overdue(session: Session, today: date, provider_id: int | None = None) -> list[Nomination]:
    query = select(Nomination).where(Nomination.status.in_(OPEN), Nomination.respond_by < today)
    if provider_id is not None:
        query = query.where(Nomination.provider_id == provider_id)
    return list(session.exec(query.order_by(Nomination.respond_by)))


def send_reminders(session: Session, actor: Actor, now: datetime) -> int:
    """Remind providers of overdue answers, once a day at most for each nomination (run by the scheduler)."""
    actor.require(Right.PROVIDER_NOMINATIONS)
    today = local_date(now)
    reminded = 0
    for nomination in overdue(session, today):
        if nomination.reminded_on == today:
            continue
        nomination.reminded_on = today
        session.add(nomination)
        advert = session.get(Advert, nomination.advert_id)
        _tell_provider(session, nomination.provider_id, f"Overdue: nomination for {advert.reference}",
                       f"Your answer to the council's nomination for {advert.reference} was due by the end of "
                       f"{nomination.respond_by:%-d %B %Y}. Please arrange a viewing, or house or decline the nominee.")
        audit(session, actor, "nomination.reminded", nomination, {"respond_by": nomination.respond_by})
        reminded += 1
    return reminded
