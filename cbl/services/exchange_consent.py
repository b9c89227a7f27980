"""Landlords' consent to a mutual exchange (Housing Act 1985 s92 and Sch 3; rules: cbl/rules/exchange_consent.py).

Each household's landlord decides that household's application: the council's officers in admin, a provider in its
portal (or the provider's API). A refusal needs a Schedule 3 ground and particulars and is refused after the 42 days;
a consent carries only s92(5)'s conditions. When every application is consented to (or may no longer be refused,
s92(4)), the exchange is agreed; a refusal ends it. Officers record the day the assignments took effect."""

from datetime import date, datetime

from sqlmodel import Session, select

from cbl.messages.letters import issue_letter
from cbl.models import ExchangeListing, ExchangeMatch, ExchangeMember, Organisation, OutboxMessage, StaffUser
from cbl.models.exchanges import PARTICULARS_LIMIT
from cbl.models.states import (
    Channel, ConsentDecision, ExchangeMatchStatus, ExchangeTenancy, ListingStatus, OrganisationKind, StaffRole,
)
from cbl.rules.exchange_consent import (
    CONDITIONS, GROUND_BY_CODE, conditions_problem, how_to_challenge, may_refuse, refusal_problem,
)
from cbl.rules.working_days import local_date

from .actors import Actor
from .audit import audit
from .errors import Conflict, InvalidInput, NotFound, within
from .exchanges import end_match, members
from .rights import Right

OPEN_DECISIONS = (ConsentDecision.PENDING, ConsentDecision.UNREFUSABLE)


def consent_request(session: Session, actor: Actor, member_id: int, *, lock: bool = False) -> ExchangeMember:
    """A household's application for consent, if this actor's organisation is its landlord: a provider sees its own
    tenants' and no other's (others are not found); the council's officers see the council's tenants'."""
    query = select(ExchangeMember).where(ExchangeMember.id == member_id, ExchangeMember.consent_by.is_not(None))
    member = session.exec(query.with_for_update() if lock else query).first()
    if member is None:
        raise NotFound("No such application for consent.")
    if actor.provider_id is not None:
        actor.require(Right.PROVIDER_EXCHANGES)
        if member.landlord_id != actor.provider_id:
            raise NotFound("No such application for consent.")
        return member
    actor.require(Right.EXCHANGE_CONSENT)
    landlord = session.get(Organisation, member.landlord_id)
    if landlord.kind is not OrganisationKind.COUNCIL:
        raise NotFound("No such application for consent: this household's landlord is a provider, which decides.")
    return member


def _open(session: Session, actor: Actor, member_id: int) -> tuple[ExchangeMember, ExchangeMatch]:
    member = consent_request(session, actor, member_id, lock=True)
    match = session.exec(select(ExchangeMatch).where(ExchangeMatch.id == member.match_id).with_for_update()).one()
    if match.status is not ExchangeMatchStatus.WITH_LANDLORDS or member.decision not in OPEN_DECISIONS:
        raise Conflict("This application has been decided, or its exchange has ended.")
    return member, match


def give_consent(session: Session, actor: Actor, member_id: int, conditions: list[str], particulars: str,
                 now: datetime) -> ExchangeMember:
    """The landlord consents, with at most s92(5)'s conditions (paying rent owed, remedying a breach)."""
    member, match = _open(session, actor, member_id)
    problem = conditions_problem(conditions)
    if problem:
        raise InvalidInput(problem, field="conditions")
    particulars = within(particulars, PARTICULARS_LIMIT, "particulars", "The particulars")
    if conditions and not particulars:
        raise InvalidInput("Say what the condition requires: the rent owed, or the breach to remedy.",
                           field="particulars")
    member.decision, member.conditions = ConsentDecision.CONSENTED, sorted(set(conditions))
    member.particulars, member.decided_at, member.decided_by = particulars or None, now, actor.name
    session.add(member)
    audit(session, actor, "exchange.consented", member, {"conditions": member.conditions,
                                                         "particulars": member.particulars})
    issue_letter(session, member.applicant_id, "exchange_consent", "Your landlord consents to your mutual exchange",
                 now, landlord=_landlord(session, member).name, conditions=[CONDITIONS[c] for c in member.conditions],
                 particulars=member.particulars, unrefusable=False, consent_by=member.consent_by)
    _agreed_if_all(session, actor, match, now)
    return member


def refuse_consent(session: Session, actor: Actor, member_id: int, grounds: list[str], particulars: str,
                   now: datetime) -> ExchangeMember:
    """The landlord's notice refusing consent: Schedule 3 grounds with particulars, within the 42 days (s92(3)-(4)).
    The exchange ends; the household is told the grounds and how to challenge them."""
    member, match = _open(session, actor, member_id)
    particulars = within(particulars, PARTICULARS_LIMIT, "particulars", "The particulars")
    problem = refusal_problem(grounds, particulars, match.applied_on, local_date(now))
    if problem:
        field, message = problem
        late = not may_refuse(match.applied_on, local_date(now))
        raise (Conflict if late else InvalidInput)(message, field=field)
    member.decision, member.grounds = ConsentDecision.REFUSED, sorted(set(grounds), key=_ground_order)
    member.particulars, member.decided_at, member.decided_by = particulars, now, actor.name
    session.add(member)
    audit(session, actor, "exchange.refused", member, {"grounds": member.grounds, "particulars": particulars})
    listing = session.get(ExchangeListing, member.listing_id)
    landlord = _landlord(session, member)
    issue_letter(session, member.applicant_id, "exchange_refused", "Your landlord refuses consent to your mutual "
                 "exchange", now, landlord=landlord.name, applied_on=match.applied_on,
                 grounds=[(code, GROUND_BY_CODE[code].short) for code in member.grounds], particulars=particulars,
                 route=how_to_challenge(listing.tenancy in (ExchangeTenancy.SECURE, ExchangeTenancy.FLEXIBLE)))
    end_match(session, actor, match, members(session, match.id), "A landlord refused consent.", now,
              template_context={"why": "a landlord of one of the households refused consent to the exchange"},
              close_listing_of=member.id)
    return member


def _ground_order(code: str) -> int:
    return list(GROUND_BY_CODE).index(code)


def _landlord(session: Session, member: ExchangeMember) -> Organisation:
    return session.get_one(Organisation, member.landlord_id)


def _agreed_if_all(session: Session, actor: Actor, match: ExchangeMatch, now: datetime) -> bool:
    """Every application consented to, or no longer refusable: the exchange is agreed, and every household told."""
    everyone = members(session, match.id)
    if any(m.decision not in (ConsentDecision.CONSENTED, ConsentDecision.UNREFUSABLE) for m in everyone):
        return False
    match.status, match.agreed_at = ExchangeMatchStatus.AGREED, now
    session.add(match)
    audit(session, actor, "exchange.agreed", match)
    for member in everyone:
        issue_letter(session, member.applicant_id, "exchange_agreed", "Your mutual exchange is agreed", now,
                     landlord=_landlord(session, member).name, unrefusable=member.decision is
                     ConsentDecision.UNREFUSABLE, conditions=[CONDITIONS[c] for c in member.conditions],
                     particulars=member.particulars)
    return True


def mark_unrefusable(session: Session, actor: Actor, now: datetime) -> int:
    """Applications whose 42 days have passed without a refusal notice may no longer be refused (s92(4)): marked
    so, with a letter to the household (run daily by the scheduler; running it twice marks nothing twice)."""
    actor.require(Right.EXCHANGE_CONSENT)
    today = local_date(now)
    due = session.exec(select(ExchangeMember).join(ExchangeMatch, ExchangeMatch.id == ExchangeMember.match_id)
                       .where(ExchangeMatch.status == ExchangeMatchStatus.WITH_LANDLORDS,
                              ExchangeMember.decision == ConsentDecision.PENDING,
                              ExchangeMember.consent_by < today)
                       .order_by(ExchangeMember.match_id, ExchangeMember.position).with_for_update()).all()
    matches: dict[int, ExchangeMatch] = {}
    for member in due:
        member.decision = ConsentDecision.UNREFUSABLE
        session.add(member)
        audit(session, actor, "exchange.unrefusable", member, {"consent_by": member.consent_by})
        landlord = _landlord(session, member)
        issue_letter(session, member.applicant_id, "exchange_consent", "Your landlord may no longer refuse your "
                     "mutual exchange", now, landlord=landlord.name, conditions=[], particulars=None,
                     unrefusable=True, consent_by=member.consent_by)
        _tell_landlord(session, landlord, member.consent_by)
        matches[member.match_id] = session.get_one(ExchangeMatch, member.match_id)
    for match in matches.values():
        _agreed_if_all(session, actor, match, now)
    return len(due)


def _tell_landlord(session: Session, landlord: Organisation, consent_by: date) -> None:
    subject = "A mutual exchange may no longer be refused"
    body = (f"The 42 days for refusing a tenant's application for consent to a mutual exchange ended on "
            f"{consent_by:%-d %B %Y} without a notice of refusal: consent may no longer be refused on any ground of "
            "Schedule 3 (Housing Act 1985 s92(4)).")
    if landlord.kind is OrganisationKind.PROVIDER:
        session.add(OutboxMessage(channel=Channel.EMAIL, template="exchange", organisation_id=landlord.id,
                                  subject=subject, body=body))
        return
    for officer_id in session.exec(select(StaffUser.id).where(StaffUser.role == StaffRole.OFFICER,
                                                                StaffUser.active)).all():
        session.add(OutboxMessage(channel=Channel.EMAIL, template="exchange", staff_user_id=officer_id,
                                  subject=subject, body=body))


def record_completion(session: Session, actor: Actor, match_id: int, took_effect: date,
                      now: datetime) -> ExchangeMatch:
    """The assignments took effect on this day: the exchange is complete and its listings close."""
    actor.require(Right.EXCHANGE_CONSENT)
    match = session.exec(select(ExchangeMatch).where(ExchangeMatch.id == match_id).with_for_update()).first()
    if match is None:
        raise NotFound("No such exchange.")
    if match.status is not ExchangeMatchStatus.AGREED:
        raise Conflict("Only an agreed exchange can be completed.")
    if took_effect > local_date(now):
        raise InvalidInput("The day the assignments took effect cannot be in the future.", field="took_effect")
    if match.applied_on and took_effect < match.applied_on:
        raise InvalidInput(f"The assignments cannot have taken effect before the applications for consent on "
                           f"{match.applied_on:%-d %B %Y}.", field="took_effect")
    match.status, match.completed_on = ExchangeMatchStatus.COMPLETED, took_effect
    session.add(match)
    everyone = members(session, match.id)
    for member in everyone:
        listing = session.get(ExchangeListing, member.listing_id)
        listing.status, listing.changed_at = ListingStatus.CLOSED, now
        session.add(listing)
    audit(session, actor, "exchange.completed", match, {"took_effect": took_effect})
    for member in everyone:
        home = session.get(ExchangeListing, member.moves_into_id)
        issue_letter(session, member.applicant_id, "exchange_completed", "Your mutual exchange is complete", now,
                     home=f"{home.address}, {home.postcode}", took_effect=took_effect)
    return match
