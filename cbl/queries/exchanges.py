"""Reads of mutual exchanges for pages: a household's listing and matches, the officers' lists, a landlord's
applications for consent. Each reads a bounded number of statements, whatever the register's size."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from cbl.models import Applicant, ExchangeListing, ExchangeMatch, ExchangeMember, Organisation
from cbl.models.states import ConsentDecision, ExchangeMatchStatus, ListingStatus, OrganisationKind
from cbl.services.exchanges import LIVE_MATCH, describe_home, own_listing, resting

SHOWN = 50  # rows of each list on the officers' page (the newest first)


@dataclass(frozen=True)
class HouseholdMatch:
    member: ExchangeMember
    match: ExchangeMatch
    moves_into: str  # the home it would move into, described without anyone's details
    others: list[str]  # the other homes of a three-way exchange
    everyone_interested: bool


def landlords(session: Session) -> list[tuple[str, str]]:
    """The council and its providers, by code, for a household to choose its landlord."""
    rows = session.exec(select(Organisation.code, Organisation.name, Organisation.kind)
                        .order_by(Organisation.kind, Organisation.name)).all()
    return [(code, name) for code, name, kind in rows if kind in (OrganisationKind.COUNCIL,
                                                                  OrganisationKind.PROVIDER)]


def household_exchange(session: Session, applicant_id: int) -> tuple[ExchangeListing | None, list[HouseholdMatch]]:
    """The household's listing in play and its matches (live ones, and those ended in the last year): three
    statements."""
    listing = own_listing(session, applicant_id)
    rows = session.exec(select(ExchangeMember, ExchangeMatch)
                        .join(ExchangeMatch, ExchangeMatch.id == ExchangeMember.match_id)
                        .where(ExchangeMember.applicant_id == applicant_id)
                        .order_by(ExchangeMatch.proposed_at.desc()).limit(10)).all()
    match_ids = [match.id for _, match in rows]
    everyone = session.exec(select(ExchangeMember, ExchangeListing)
                            .join(ExchangeListing, ExchangeListing.id == ExchangeMember.listing_id)
                            .where(ExchangeMember.match_id.in_(match_ids))).all() if match_ids else []
    homes = {home.id: home for _, home in everyone}
    found = []
    for member, match in rows:
        ring = [(m, home) for m, home in everyone if m.match_id == match.id]
        found.append(HouseholdMatch(
            member, match, describe_home(homes[member.moves_into_id]),
            [describe_home(home) for m, home in ring if home.id not in (member.listing_id, member.moves_into_id)],
            all(m.interested for m, _ in ring)))
    return listing, found


def is_resting(session: Session, listing_id: int) -> bool:
    """Whether the household's listing rests after it said it was not interested (cbl/services/exchanges.py)."""
    return session.exec(select(ExchangeListing.id).where(ExchangeListing.id == listing_id, resting())).first() \
        is not None


def is_own_member(session: Session, applicant_id: int, member_id: int) -> bool:
    found = session.exec(select(ExchangeMember.id).where(ExchangeMember.id == member_id,
                                                         ExchangeMember.applicant_id == applicant_id)).first()
    return found is not None


@dataclass(frozen=True)
class ListingRow:
    listing: ExchangeListing
    reference: str
    landlord: str


def listings(session: Session) -> list[ListingRow]:
    """The listings in play, the newest first (one statement)."""
    rows = session.exec(select(ExchangeListing, Applicant.reference, Organisation.name)
                        .join(Applicant, Applicant.id == ExchangeListing.applicant_id)
                        .join(Organisation, Organisation.id == ExchangeListing.landlord_id)
                        .where(ExchangeListing.status.in_([ListingStatus.ACTIVE, ListingStatus.MATCHED]))
                        .order_by(ExchangeListing.listed_at.desc(), ExchangeListing.id.desc()).limit(SHOWN)).all()
    return [ListingRow(*row) for row in rows]


@dataclass(frozen=True)
class MemberRow:
    member: ExchangeMember
    reference: str
    landlord: str
    landlord_kind: OrganisationKind
    area: str


@dataclass(frozen=True)
class MatchRow:
    match: ExchangeMatch
    members: list[MemberRow]


def matches(session: Session) -> list[MatchRow]:
    """The live matches (and those completed or ended most recently), with their households: two statements."""
    found = session.exec(select(ExchangeMatch).order_by(
        (ExchangeMatch.status.in_(LIVE_MATCH)).desc(), ExchangeMatch.proposed_at.desc(), ExchangeMatch.id.desc())
        .limit(SHOWN)).all()
    ids = [match.id for match in found]
    rows = session.exec(select(ExchangeMember, Applicant.reference, Organisation.name, Organisation.kind,
                               ExchangeListing.area)
                        .join(Applicant, Applicant.id == ExchangeMember.applicant_id)
                        .join(Organisation, Organisation.id == ExchangeMember.landlord_id)
                        .join(ExchangeListing, ExchangeListing.id == ExchangeMember.listing_id)
                        .where(ExchangeMember.match_id.in_(ids)).order_by(ExchangeMember.position)).all() if ids else []
    return [MatchRow(match, [MemberRow(*row) for row in rows if row[0].match_id == match.id]) for match in found]


@dataclass(frozen=True)
class ConsentCase:
    """An application for consent as its landlord decides it: the household, its home and the home it would move
    into (with the household moving into its home), and the exchange's state."""

    member: ExchangeMember
    match: ExchangeMatch
    reference: str
    home: ExchangeListing
    moves_into: ExchangeListing
    incoming: ExchangeMember  # the household that would take this home (the proposed assignee)
    incoming_reference: str
    incoming_need: int
    landlord: Organisation


def consent_case(session: Session, member: ExchangeMember) -> ConsentCase:
    match = session.get(ExchangeMatch, member.match_id)
    incoming = session.exec(select(ExchangeMember).where(ExchangeMember.match_id == member.match_id,
                                                         ExchangeMember.moves_into_id == member.listing_id)).one()
    people = dict(session.exec(select(Applicant.id, Applicant.reference)
                               .where(Applicant.id.in_([member.applicant_id, incoming.applicant_id]))).all())
    need = session.get(Applicant, incoming.applicant_id).bedroom_need
    return ConsentCase(member, match, people[member.applicant_id], session.get(ExchangeListing, member.listing_id),
                       session.get(ExchangeListing, member.moves_into_id), incoming, people[incoming.applicant_id],
                       need, session.get(Organisation, member.landlord_id))


@dataclass(frozen=True)
class ConsentRow:
    member: ExchangeMember
    reference: str
    area: str
    consent_by: date | None


def provider_requests(session: Session, provider_id: int) -> list[ConsentRow]:
    """A provider's tenants' applications waiting for its decision, the soonest deadline first (one statement)."""
    rows = session.exec(select(ExchangeMember, Applicant.reference, ExchangeListing.area)
                        .join(ExchangeMatch, ExchangeMatch.id == ExchangeMember.match_id)
                        .join(Applicant, Applicant.id == ExchangeMember.applicant_id)
                        .join(ExchangeListing, ExchangeListing.id == ExchangeMember.listing_id)
                        .where(ExchangeMember.landlord_id == provider_id,
                               ExchangeMatch.status == ExchangeMatchStatus.WITH_LANDLORDS,
                               ExchangeMember.decision.in_([ConsentDecision.PENDING, ConsentDecision.UNREFUSABLE]))
                        .order_by(ExchangeMember.consent_by, ExchangeMember.id).limit(SHOWN)).all()
    return [ConsentRow(member, reference, area, member.consent_by) for member, reference, area in rows]
