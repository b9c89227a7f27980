"""What the review team's pages read: reviews open and decided, one review with who may decide it, the
decisions a household can ask to have reviewed, and councillors' enquiries and complaints."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case
from sqlmodel import Session, func, select

from cbl.models import Applicant, Enquiry, Review, StaffUser
from cbl.models.states import StaffRole
from cbl.queries.paging import Page
from cbl.services import reviews
from cbl.services.errors import NotFound

DECIDED_SHOWN = 50
ENQUIRIES_PER_PAGE = 25  # each waiting one is drawn with the form for its next step


def staff_names(session: Session) -> dict[int, str]:
    return dict(session.exec(select(StaffUser.id, StaffUser.name)).all())


@dataclass(frozen=True)
class ReviewList:
    soon: list[Review]  # open, due within the week
    overdue: list[Review]
    open: list[Review]  # by their deadline
    decided: list[Review]  # the latest decided first
    references: dict[int, str]  # household id -> reference
    names: dict[int, str]  # staff id -> name


def review_list(session: Session, today: date) -> ReviewList:
    soon, overdue = reviews.due(session, today)
    open_reviews = session.exec(select(Review).where(Review.status.in_(reviews.OPEN)).order_by(Review.decide_by)).all()
    decided = session.exec(select(Review).where(Review.status.not_in(reviews.OPEN))
                           .order_by(Review.decided_at.desc()).limit(DECIDED_SHOWN)).all()
    references = dict(session.exec(select(Applicant.id, Applicant.reference).where(
        Applicant.id.in_({r.applicant_id for r in [*open_reviews, *decided]}))).all())
    return ReviewList(soon, overdue, list(open_reviews), list(decided), references, staff_names(session))


def household_decisions(session: Session, reference: str) -> tuple[Applicant, list[reviews.Decision]]:
    """A household, and the decisions on its case it may ask to have reviewed."""
    applicant = session.exec(select(Applicant).where(Applicant.reference == reference.strip().upper())).first()
    if applicant is None:
        raise NotFound(f"There is no application {reference}.")
    return applicant, reviews.reviewable_decisions(session, applicant.id)


@dataclass(frozen=True)
class ReviewCase:
    review: Review
    applicant: Applicant
    names: dict[int, str]  # staff id -> name
    maker: StaffUser | None  # who made the decision under review
    candidates: list[StaffUser]  # active review officers and managers, by name


def review_case(session: Session, review_id: int) -> ReviewCase:
    row = session.exec(select(Review, Applicant).join(Applicant, Applicant.id == Review.applicant_id)
                       .where(Review.id == review_id)).first()
    if row is None:
        raise NotFound("No such review.")
    review, applicant = row
    maker = session.get(StaffUser, review.original_decision_maker_id) if review.original_decision_maker_id else None
    candidates = session.exec(select(StaffUser).where(
        StaffUser.role.in_([StaffRole.REVIEW_OFFICER, StaffRole.MANAGER]), StaffUser.active)
        .order_by(StaffUser.name)).all()
    return ReviewCase(review, applicant, staff_names(session), maker, list(candidates))


def enquiries(session: Session, page: int = 1, holding: int | None = None) -> Page[Enquiry]:
    """Enquiries and complaints, those waiting for an answer (at stage 1, or at stage 2) first, the soonest
    due first, a page at a time: page `page`, or the page holding enquiry `holding` (one whose form was
    refused, shown again where it was typed)."""
    at_stage_two = Enquiry.escalated_on.is_not(None) & Enquiry.stage_two_answered_on.is_(None)
    waiting = Enquiry.answered_on.is_(None) | at_stage_two
    due = case((at_stage_two, Enquiry.stage_two_answer_by), else_=Enquiry.answer_by)
    order = (case((waiting, 0), else_=1), due, Enquiry.id)
    if holding is not None:
        ranked = select(Enquiry.id, func.row_number().over(order_by=order).label("place")).subquery()
        place = session.exec(select(ranked.c.place).where(ranked.c.id == holding)).first()
        page = (place - 1) // ENQUIRIES_PER_PAGE + 1 if place else 1
    total = session.exec(select(func.count()).select_from(Enquiry)).one()
    rows = session.exec(select(Enquiry).order_by(*order)
                        .offset((page - 1) * ENQUIRIES_PER_PAGE).limit(ENQUIRIES_PER_PAGE)).all()
    return Page(list(rows), page, ENQUIRIES_PER_PAGE, total)
