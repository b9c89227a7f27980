"""Downsizing and decants: a household's social home recorded, the household marked as downsizing (or the mark
ended), regeneration schemes and the households they decant. Each gives the household the scheme's band from that day
unless it holds a better one (docs/decisions/0023-downsizing-and-decants.md): a decision on its priority, told by
letter with the right to a review under s166A(9) Housing Act 1996, and kept in the band history like any other."""

from datetime import date, datetime

from sqlmodel import Session, select

from cbl.messages.letters import issue_letter
from cbl.models import (
    Applicant, DecantHousehold, DownsizingMark, RegenerationScheme, SocialTenancy,
)
from cbl.models.states import ApplicationStatus, ReviewType
from cbl.rules.decision_types import review_rights
from cbl.rules.moves import under_occupied_by
from cbl.rules.scheme import Decants, Downsizing, Scheme
from cbl.rules.working_days import local_date

from .actors import Actor
from .audit import audit
from .errors import Conflict, InvalidInput, NotFound, within
from .register import locked_application, record_band
from .rights import Right

_OPEN = (ApplicationStatus.PENDING, ApplicationStatus.ACTIVE, ApplicationStatus.SUSPENDED)


def downsizing_of(scheme: Scheme) -> Downsizing:
    if scheme.downsizing is None:
        raise Conflict("The allocation scheme has no [downsizing] section: downsizing is not part of this scheme.")
    return scheme.downsizing


def decants_of(scheme: Scheme) -> Decants:
    if scheme.decants is None:
        raise Conflict("The allocation scheme has no [decants] section: decants are not part of this scheme.")
    return scheme.decants


def record_tenancy(session: Session, actor: Actor, applicant_id: int, landlord: str, address: str, bedrooms: int,
                   tenancy_start: date, now: datetime) -> SocialTenancy:
    """The social home the household lives in now: its landlord, bedrooms and the day the tenancy began."""
    actor.require(Right.MOVES_MANAGE)
    landlord = within(landlord, 200, "landlord", "The landlord")
    address = within(address, 400, "address", "The address")
    if not landlord:
        raise InvalidInput("Enter the landlord of the household's home.", field="landlord")
    if not 0 <= bedrooms <= 20:
        raise InvalidInput("The bedrooms must be a whole number from 0 to 20.", field="bedrooms")
    if tenancy_start > local_date(now):
        raise InvalidInput("The tenancy must have begun by today.", field="tenancy_start")
    applicant = locked_application(session, applicant_id)
    tenancy = session.get(SocialTenancy, applicant.id) or SocialTenancy(
        applicant_id=applicant.id, landlord=landlord, bedrooms=bedrooms, tenancy_start=tenancy_start,
        recorded_by_id=actor.id or 0)
    tenancy.landlord, tenancy.address, tenancy.bedrooms = landlord, address, bedrooms
    tenancy.tenancy_start = tenancy_start
    tenancy.recorded_by_id, tenancy.recorded_at = actor.id or 0, now
    session.add(tenancy)
    audit(session, actor, "moves.tenancy_recorded", applicant, {"landlord": landlord, "bedrooms": bedrooms,
                                                                "tenancy_start": tenancy_start})
    return tenancy


def _band_from(session: Session, actor: Actor, scheme: Scheme, applicant: Applicant, band: str, on: date,
               reason: str, now: datetime) -> str | None:
    """Give the household `band` from `on`, unless it holds a better one already: the band given, or None if kept."""
    order = scheme.bands.order
    if applicant.band in order and order.index(applicant.band) <= order.index(band):
        return None
    record_band(session, actor, applicant, band, on, reason, now)
    if applicant.status is ApplicationStatus.PENDING:
        applicant.status = ApplicationStatus.ACTIVE
    session.add(applicant)
    return band


def _open_mark(session: Session, applicant_id: int) -> DownsizingMark | None:
    return session.exec(select(DownsizingMark).where(DownsizingMark.applicant_id == applicant_id,
                                                     DownsizingMark.ended_at.is_(None))).first()


def mark_downsizing(session: Session, actor: Actor, scheme: Scheme, applicant_id: int, now: datetime) -> DownsizingMark:
    """Mark an under-occupying household as downsizing: its bedrooms over its need, and the scheme's band from today
    unless it holds a better one; the household is told by letter, with its right to a review."""
    actor.require(Right.MOVES_MANAGE)
    policy = downsizing_of(scheme)
    applicant = locked_application(session, applicant_id)
    if applicant.status not in _OPEN:
        raise Conflict(f"Application {applicant.reference} is {applicant.status.value}: only an open application can "
                       "be marked as downsizing.")
    tenancy = session.get(SocialTenancy, applicant.id)
    if tenancy is None:
        raise Conflict("Record the household's social home (its landlord, bedrooms and tenancy start) first.")
    if _open_mark(session, applicant.id) is not None:
        raise Conflict("The household is already marked as downsizing.")
    spare = under_occupied_by(tenancy.bedrooms, applicant.bedroom_need)
    if not spare:
        raise Conflict(f"The household does not under-occupy its home: it has {tenancy.bedrooms} bedrooms and needs "
                       f"{applicant.bedroom_need}.")
    today = local_date(now)
    reason = (f"You are under-occupying your home: it has {tenancy.bedrooms} bedrooms and your household needs "
              f"{applicant.bedroom_need}, so {spare} {'is' if spare == 1 else 'are'} spare. Our scheme gives "
              f"households moving to a smaller home band {policy.band}.")
    before = (applicant.band, applicant.band_date)
    given = _band_from(session, actor, scheme, applicant, policy.band, today, reason, now)
    mark = DownsizingMark(applicant_id=applicant.id, bedrooms=tenancy.bedrooms, bedroom_need=applicant.bedroom_need,
                          band_given=given, band_before=before[0], band_date_before=before[1],
                          marked_by_id=actor.id or 0, marked_at=now)
    session.add(mark)
    audit(session, actor, "moves.downsizing_marked", mark, {"bedrooms": tenancy.bedrooms, "spare": spare,
                                                            "band_given": given, "band_before": before[0]})
    issue_letter(session, applicant.id, "downsizing_decision", "Moving to a smaller home: your priority", now,
                 marked=True, spare=spare, bedrooms=tenancy.bedrooms, need=applicant.bedroom_need, band=policy.band,
                 label=scheme.bands.label(policy.band), given=given, kept=applicant.band, effective=today,
                 reasons=reason, policy=policy,
                 rights=review_rights(ReviewType.BAND, scheme.reviews, today))
    return mark


def end_downsizing(session: Session, actor: Actor, scheme: Scheme, applicant_id: int, reason: str,
                   now: datetime) -> DownsizingMark:
    """End a household's downsizing mark: the band it had before comes back if the mark gave it one."""
    actor.require(Right.MOVES_MANAGE)
    reason = within(reason, 2000, "reason", "The reason")
    if not reason:
        raise InvalidInput("Give the reason for ending the downsizing priority; it goes in the letter.", field="reason")
    applicant = locked_application(session, applicant_id)
    mark = _open_mark(session, applicant.id)
    if mark is None:
        raise Conflict("The household is not marked as downsizing.")
    mark.ended_by_id, mark.ended_at, mark.end_reason = actor.id, now, reason
    session.add(mark)
    today = local_date(now)
    restored = None
    if mark.band_given is not None and applicant.band == mark.band_given and mark.band_before is not None:
        restored = mark.band_before
        record_band(session, actor, applicant, restored, mark.band_date_before or today, reason, now)
    audit(session, actor, "moves.downsizing_ended", mark, {"reason": reason, "band_restored": restored})
    issue_letter(session, applicant.id, "downsizing_decision", "Moving to a smaller home: your priority has ended",
                 now, marked=False, restored=restored, label=scheme.bands.label(restored) if restored else "",
                 reasons=reason, effective=today, rights=review_rights(ReviewType.BAND, scheme.reviews, today))
    return mark


def create_regeneration_scheme(session: Session, actor: Actor, name: str, area: str, decant_date: date,
                               now: datetime) -> RegenerationScheme:
    actor.require(Right.MOVES_MANAGE)
    name, area = within(name, 200, "name", "The name"), within(area, 2000, "area", "The homes or area")
    if not name:
        raise InvalidInput("Enter the regeneration scheme's name.", field="name")
    if not area:
        raise InvalidInput("Enter the homes, addresses or area the scheme covers.", field="area")
    if session.exec(select(RegenerationScheme.id).where(RegenerationScheme.name == name)).first() is not None:
        raise Conflict(f"There is a regeneration scheme called {name} already.", field="name")
    created = RegenerationScheme(name=name, area=area, decant_date=decant_date, created_by_id=actor.id or 0,
                                 created_at=now)
    session.add(created)
    audit(session, actor, "moves.regeneration_scheme_created", created, {"name": name, "decant_date": decant_date})
    return created


def add_decant_household(session: Session, actor: Actor, scheme: Scheme, regeneration_id: int, reference: str,
                         now: datetime) -> DecantHousehold:
    """Add a household to a regeneration scheme: it is decanted, with the scheme's band from today unless it holds a
    better one, and told by letter with its right to a review."""
    actor.require(Right.MOVES_MANAGE)
    policy = decants_of(scheme)
    regeneration = session.get(RegenerationScheme, regeneration_id)
    if regeneration is None:
        raise NotFound("No such regeneration scheme.")
    reference = reference.strip().upper()[:32]
    found = session.exec(select(Applicant.id).where(Applicant.reference == reference)).first()
    if found is None:
        raise InvalidInput(f"No application has the reference {reference or '(none given)'}.", field="reference")
    applicant = locked_application(session, found)
    if applicant.status not in _OPEN:
        raise Conflict(f"Application {applicant.reference} is {applicant.status.value}: only an open application can "
                       "be decanted.", field="reference")
    if session.exec(select(DecantHousehold.id).where(DecantHousehold.scheme_id == regeneration.id,
                                                     DecantHousehold.applicant_id == applicant.id)).first():
        raise Conflict(f"{applicant.reference} is in this regeneration scheme already.", field="reference")
    today = local_date(now)
    reason = (f"Your home is in the {regeneration.name} regeneration scheme ({regeneration.area}) and you must move "
              f"by {regeneration.decant_date:%-d %B %Y}. Our scheme gives households who must move for regeneration "
              f"band {policy.band}.")
    given = _band_from(session, actor, scheme, applicant, policy.band, today, reason, now)
    added = DecantHousehold(scheme_id=regeneration.id, applicant_id=applicant.id, band_given=given,
                            added_by_id=actor.id or 0, added_at=now)
    session.add(added)
    audit(session, actor, "moves.decant_added", added, {"scheme": regeneration.name, "band_given": given})
    issue_letter(session, applicant.id, "decant_decision", "Your home is being redeveloped: your priority to move",
                 now, regeneration=regeneration, band=policy.band, label=scheme.bands.label(policy.band), given=given,
                 kept=applicant.band, effective=today, reasons=reason,
                 rights=review_rights(ReviewType.BAND, scheme.reviews, today))
    return added
