"""What the register's pages read: one household's whole case (the search is cbl/queries/register_search.py)."""

from dataclasses import asdict, dataclass

import sqlalchemy as sa
from sqlmodel import Session, func, select

from cbl.models import (
    Advert, Applicant, Assessment, AuditEvent, BandAssessment, Bid, BiddingPreference, CaseCheck, CaseNote,
    HouseholdMember, Offer, OutboxMessage, Property, RegistrationBackdating, StaffUser, SuitabilityAssessment, Void,
)
from cbl.models.states import Channel
from cbl.queries.duplicates import elsewhere
from cbl.queries.paging import Page
from cbl.services.applications import known_areas
from cbl.services.case_officers import holders
from cbl.services.errors import NotFound

# The case page's long lists, newest first, this many rows a page: a household registered for years has
# hundreds of bids, letters and events, more than anyone reads on one page.
BIDS_PER_PAGE, LETTERS_PER_PAGE, TIMELINE_PER_PAGE = 20, 20, 50


@dataclass(frozen=True)
class CasePages:
    """Which page of each of the case page's long lists is shown (1 for the first, the newest)."""

    bids: int = 1
    letters: int = 1
    timeline: int = 1

    def query(self) -> dict[str, int]:
        """The lists not on their first page, as the page's query string names them."""
        return {name: number for name, number in asdict(self).items() if number != 1}


FIRST_PAGES = CasePages()


def case(session: Session, reference: str, pages: CasePages = FIRST_PAGES) -> dict:
    """Everything on a household's case page, by the names the page uses; its bids, letters and timeline a
    page at a time (`pages`), each counted in the statement that reads the household."""
    letters = (OutboxMessage.applicant_id == Applicant.id, OutboxMessage.channel == Channel.LETTER)
    found = session.exec(select(
        Applicant, _counted(Bid, Bid.applicant_id == Applicant.id), _counted(OutboxMessage, *letters),
        _counted(AuditEvent, AuditEvent.applicant_id == Applicant.id), StaffUser.name)
        .outerjoin(StaffUser, StaffUser.id == Applicant.case_officer_id)
        .where(Applicant.reference == reference)).first()
    if found is None:
        raise NotFound(f"There is no application {reference}.")
    applicant, bids, letter_count, events, case_officer = found
    by_case = {"applicant_id": applicant.id}
    members = list(session.exec(select(HouseholdMember).filter_by(**by_case).order_by(HouseholdMember.date_of_birth)))
    return {
        "applicant": applicant,
        "members": members,
        # The same people, or the same e-mail or phone, on other applications.
        "elsewhere": elsewhere(session, applicant, members),
        "bands": session.exec(select(BandAssessment).filter_by(**by_case)
                              .order_by(BandAssessment.decided_at.desc())).all(),
        "bids": _page(session, select(Bid, Advert.reference).join(Advert, Advert.id == Bid.advert_id)
                      .where(Bid.applicant_id == applicant.id).order_by(Bid.placed_at.desc(), Bid.id.desc()),
                      pages.bids, BIDS_PER_PAGE, bids),
        "offers": session.exec(select(Offer).filter_by(**by_case).order_by(Offer.made_at.desc())).all(),
        "assessments": session.exec(select(Assessment).filter_by(**by_case)
                                    .order_by(Assessment.recorded_at.desc())).all(),
        "checks": session.exec(select(CaseCheck).filter_by(**by_case).order_by(CaseCheck.recorded_at.desc())).all(),
        # Each home assessed for a final offer (s193(7F)), with its reference.
        "suitability": session.exec(select(SuitabilityAssessment, Property.reference)
                                    .join(Void, Void.id == SuitabilityAssessment.void_id)
                                    .join(Property, Property.id == Void.property_id)
                                    .where(SuitabilityAssessment.applicant_id == applicant.id)
                                    .order_by(SuitabilityAssessment.assessed_at.desc())).all(),
        "notes": session.exec(select(CaseNote).filter_by(**by_case).order_by(CaseNote.written_at.desc())).all(),
        "letters": _page(session, select(OutboxMessage).filter_by(**by_case, channel=Channel.LETTER)
                         .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()),
                         pages.letters, LETTERS_PER_PAGE, letter_count),
        "preference": session.get(BiddingPreference, applicant.id),
        "backdating": session.exec(select(RegistrationBackdating).filter_by(**by_case)
                                   .order_by(RegistrationBackdating.requested_at.desc())).all(),
        "areas": [(area, area) for area in sorted(known_areas(session))],
        "case_officer": case_officer,  # the name of the officer who holds the case, if one does
        "holders": holders(session),  # the officers it may be given to
        "timeline": _page(session, select(AuditEvent).filter_by(**by_case)
                          .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()),
                          pages.timeline, TIMELINE_PER_PAGE, events),
    }


def _counted(table: type, *conditions: sa.ColumnElement[bool]) -> sa.ScalarSelect:
    """How many rows of `table` the household has: read with the household itself, by the tables' indexes."""
    return select(func.count()).select_from(table).where(*conditions).correlate(Applicant).scalar_subquery()


def _page(session: Session, query: sa.Select, number: int, size: int, total: int) -> Page:
    """Page `number` of a list of the case, counted beforehand (a page past the last holds nothing)."""
    return Page(list(session.exec(query.offset((number - 1) * size).limit(size)).all()), number, size, total)


def areas(session: Session) -> list[str]:
    """The areas a household can name for a local connection or a wish, in order."""
    return sorted(known_areas(session))


BACKDATING_REQUESTS_SHOWN = 100


def backdating_requests(session: Session) -> list[tuple[RegistrationBackdating, str, str]]:
    """Requests to back-date a registration, those waiting for a decision first, the latest first: each with the
    household's reference and who asked."""
    return list(session.exec(
        select(RegistrationBackdating, Applicant.reference, StaffUser.name)
        .join(Applicant, Applicant.id == RegistrationBackdating.applicant_id)
        .join(StaffUser, StaffUser.id == RegistrationBackdating.requested_by_id)
        .order_by(RegistrationBackdating.decided_at.is_not(None), RegistrationBackdating.requested_at.desc(),
                  RegistrationBackdating.id.desc())
        .limit(BACKDATING_REQUESTS_SHOWN)).all())
