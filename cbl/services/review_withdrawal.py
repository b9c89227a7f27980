"""Withdrawing a review: only at the applicant's request, recorded by someone who may act on reviews and
was not involved in the decision under review, and confirmed to the applicant in writing.

The right to a review is the applicant's (Housing Act 1996 s202(1); s166A(9)(c) for Part 6): so is
abandoning it. An officer cannot end a review on the council's own motion by calling it a withdrawal.
"""

from datetime import date, datetime

from sqlmodel import Session, select

from cbl.messages.letters import issue_letter
from cbl.models import Review, StaffUser
from cbl.models.states import ActorKind, ReviewOutcome, ReviewStatus
from cbl.rules.decision_types import kind_of
from cbl.rules.working_days import local_date

from .actors import Actor
from .audit import audit
from .errors import Conflict, InvalidInput, NotAllowed, NotFound, within
from .review_independence import involved
from cbl.services.rights import Right

OPEN = (ReviewStatus.REQUESTED, ReviewStatus.ACKNOWLEDGED, ReviewStatus.MINDED_TO)
CHANNELS = {"letter": "by letter", "email": "by e-mail", "online": "online", "phone": "by telephone"}


def withdraw(session: Session, actor: Actor, review_id: int, channel: str, request: str, now: datetime, *,
             requested_on: date | None = None, taken_by: str = "") -> Review:
    """Record the applicant's request to withdraw their review. An applicant withdrawing their own online
    needs no more; staff record how the request came and what it said."""
    review = session.exec(select(Review).where(Review.id == review_id).with_for_update()).first()
    own = review is not None and actor.kind is ActorKind.APPLICANT and actor.id == review.applicant_id
    if review is None or not (own or actor.may(Right.REVIEW_WORK)):
        if review is not None and actor.kind is ActorKind.STAFF:
            raise NotAllowed("Only someone who may work on reviews can record a withdrawal.")
        raise NotFound("No such review.")
    if review.status not in OPEN:
        raise Conflict(f"This review is {review.status.value}.")
    today = local_date(now)
    if own:
        channel, requested_on, taken_by = "online", today, ""
    else:
        did = involved(session, review).get(actor.id)
        if did is not None:
            raise NotAllowed(f"You are recorded as involved in the decision under review ({did}): someone not "
                             "involved must record the applicant's withdrawal.")
        if channel not in CHANNELS or channel == "online":
            raise InvalidInput("Say how the applicant asked to withdraw: by letter, e-mail or telephone.",
                               field="channel")
        if not request.strip():
            raise InvalidInput("Record what the applicant said or wrote when asking to withdraw the review.",
                               field="request")
        if channel == "phone" and not taken_by.strip():
            raise InvalidInput("Give the name of the officer who took the call.", field="taken_by")
        requested_on = requested_on or today
        if requested_on > today or requested_on < review.requested_on:
            raise InvalidInput("The withdrawal request must be dated between the review request and today.",
                               field="requested_on")
    review.status, review.outcome, review.decided_at = ReviewStatus.WITHDRAWN, ReviewOutcome.WITHDRAWN, now
    review.withdrawal_channel, review.withdrawal_requested_on = channel, requested_on
    review.withdrawal_request = within(request, 2000, "request", "The applicant's request") or None
    review.withdrawal_taken_by = within(taken_by, 200, "taken_by", "The officer's name") or None
    review.decision_reasons = (f"Withdrawn at the applicant's request, made {CHANNELS[channel]} on "
                               f"{requested_on:%-d %B %Y}.")
    session.add(review)
    audit(session, actor, "review.withdrawn", review, {"channel": channel, "requested_on": requested_on,
                                                       "request": request.strip()[:500],
                                                       "taken_by": taken_by.strip() or None})
    recorded_by = None if own else session.get(StaffUser, actor.id)
    issue_letter(session, review.applicant_id, "review_withdrawn", "Your review has been withdrawn", now,
                 about=kind_of(review.decision_type).words, how=CHANNELS[channel], requested_on=requested_on,
                 recorded_by=recorded_by.name if recorded_by else None)
    return review
