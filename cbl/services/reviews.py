"""Statutory reviews of housing decisions (Housing Act 1996 s202 for Part 7; s166A(9) and s160ZA(9) for Part 6).

A review is asked for within the period for its decision (later only at the council's discretion, in
writing), acknowledged with the procedure at once, and decided within the period for its decision
(cbl/rules/decision_types.py: the law's for Part 7, the scheme's for Part 6; longer only with the
applicant's written agreement) by an officer who was not involved in the original decision and is senior
to whoever made it (cbl/services/review_independence.py). Where the reviewer finds a deficiency or
irregularity in the original decision but is minded to decide against the applicant, a "minded to" notice
and a chance to make representations must come first (reg 7). An overturn puts right what the decision did."""

from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from cbl.rules.working_days import add_working_days, local_date
from cbl.messages.letters import issue_letter
from cbl.models import (
    Advert, Applicant, AuditEvent, Nomination, Offer, OutboxMessage, Refusal, Review, ShortlistEntry,
    StaffUser,
)
from cbl.models.states import (
    ActorKind, AdvertStatus, ApplicationStatus, Channel, NominationStatus, OfferStatus, ReviewOutcome, ReviewStatus,
    ReviewType, ShortlistStatus, StaffRole,
)
from cbl.rules import decision_types
from cbl.rules.challenge_routes import route_after_review
from cbl.rules.decision_types import TYPE_WORDS, kind_of  # noqa: F401 - pages name the decisions
from cbl.rules.scheme import Scheme

from .actors import Actor
from .audit import audit
from .errors import Conflict, InvalidInput, NotAllowed, NotFound, within
from .register import record_band
from .review_independence import check_decider, involved, refusal_for  # noqa: F401 - pages ask who may decide
from .reviewable import Decision, reviewable_decisions  # noqa: F401 - pages list the decisions
from cbl.services.rights import Right

OPEN = (ReviewStatus.REQUESTED, ReviewStatus.ACKNOWLEDGED, ReviewStatus.MINDED_TO)
PART_7 = tuple(kind for kind in ReviewType if kind_of(kind).part_7)


def deadline(review: Review) -> date:
    return review.extended_to or review.decide_by


def request_review(session: Session, actor: Actor, scheme: Scheme, applicant_id: int, decision_key: str,
                   reasons: str, now: datetime, *, requested_on: date | None = None, notified_on: date | None = None,
                   late_reason: str = "", pending_accommodation: bool = False) -> Review:
    """A household asks for a review, online or by a letter an officer logs; it is acknowledged at once."""
    own = actor.kind is ActorKind.APPLICANT and actor.id == applicant_id
    if not own:
        actor.require(Right.REVIEW_LOG)
    today = local_date(now)
    decision = next((d for d in reviewable_decisions(session, applicant_id) if d.key == decision_key), None)
    if decision is None:
        raise InvalidInput("Choose the decision to be reviewed.", field="decision")
    if own and not reasons.strip():
        raise InvalidInput("Tell us why you think the decision is wrong.", field="reasons")
    reasons = within(reasons, 8000, "reasons", "The reasons")
    late_reason = within(late_reason, 2000, "late_reason", "The reason for accepting a late request")
    requested_on = requested_on or today
    notified_on = notified_on or decision.made_on
    if notified_on < decision.made_on:
        raise InvalidInput(f"The household cannot have been told of the decision before it was made "
                           f"({decision.made_on:%-d %B %Y}).", field="notified_on")
    if requested_on > today:
        raise InvalidInput("The request cannot be dated after today.", field="requested_on")
    if requested_on < notified_on:
        raise InvalidInput("The request cannot come before the household was told of the decision.",
                           field="requested_on")
    if session.exec(select(Review.id).where(Review.subject_type == decision.subject_type,
                                            Review.subject_id == decision.subject_id,
                                            Review.status.in_(OPEN))).first():
        raise Conflict("A review of this decision is already under way.")
    request_by = decision_types.request_by(decision.decision_type, scheme.reviews, notified_on)
    late = requested_on > request_by
    review = Review(applicant_id=applicant_id, decision_type=decision.decision_type,
                    subject_type=decision.subject_type, subject_id=decision.subject_id,
                    original_decision_maker_id=decision.maker_id, notified_on=notified_on, requested_on=requested_on,
                    request_by=request_by, applicant_reasons=reasons, late=late,
                    late_accepted_reason=late_reason or None if late and not own else None,
                    status=ReviewStatus.ACKNOWLEDGED, acknowledged_on=today,
                    decide_by=decision_types.decide_by(decision.decision_type, scheme.reviews, requested_on),
                    pending_accommodation_asked=pending_accommodation,
                    logged_by_id=None if own else actor.id, created_at=now)
    session.add(review)
    session.flush()
    audit(session, actor, "review.requested", review, {"decision": decision.description, "late": late,
                                                       "request_by": request_by, "decide_by": review.decide_by})
    kind = kind_of(decision.decision_type)
    issue_letter(session, applicant_id, "review_acknowledgement", "We have received your request for a review", now,
                 about=kind.words, decision=decision.description, review=review, part_7=kind.part_7,
                 section=kind.section, awaiting_late=late and not review.late_accepted_reason)
    return review


def _open_review(session: Session, review_id: int) -> Review:
    review = session.exec(select(Review).where(Review.id == review_id).with_for_update()).first()
    if review is None:
        raise NotFound("No such review.")
    if review.status not in OPEN:
        raise Conflict(f"This review is {review.status.value}.")
    return review


def _not_involved(session: Session, review: Review, actor: Actor) -> None:
    """The review's own work (its draft, a minded-to notice) is part of the review: refused to anyone involved in
    the decision under review, as deciding it is (cbl/services/review_independence.py)."""
    did = involved(session, review).get(actor.id) if actor.kind is ActorKind.STAFF else None
    if did is not None:
        raise NotAllowed(f"You are recorded as involved in the decision under review ({did}): the review must be "
                         "carried out by someone not involved in it.")


def accept_late_request(session: Session, actor: Actor, review_id: int, accept: bool, reason: str,
                        now: datetime) -> Review:
    """A request made after the statutory period is reviewed only if the council agrees, for a recorded reason."""
    actor.require(Right.REVIEW_WORK)
    review = _open_review(session, review_id)
    if not review.late or review.late_accepted_reason:
        raise Conflict("This request was not late, or has already been accepted.")
    if not reason.strip():
        raise InvalidInput("Record the reason for the decision on the late request.", field="reason")
    reason = within(reason, 2000, "reason", "The reason")
    if accept:
        review.late_accepted_reason = reason
    else:
        review.status, review.outcome, review.decided_at = ReviewStatus.WITHDRAWN, ReviewOutcome.WITHDRAWN, now
        review.decision_reasons = f"Late request not accepted: {reason}"
    session.add(review)
    audit(session, actor, "review.late_accepted" if accept else "review.late_refused", review, {"reason": reason})
    return review


def allocate(session: Session, actor: Actor, review_id: int, reviewer_id: int, now: datetime) -> Review:
    actor.require(Right.REVIEW_READ_ALL)
    review = _open_review(session, review_id)
    reviewer = session.get(StaffUser, reviewer_id)
    if reviewer is None or not reviewer.active:
        raise InvalidInput("Choose the reviewing officer.", field="reviewer")
    check_decider(session, review, reviewer)
    review.reviewer_id = reviewer.id
    session.add(review)
    audit(session, actor, "review.allocated", review, {"reviewer": reviewer.name})
    return review


def extend(session: Session, actor: Actor, review_id: int, to: date, agreement: str, now: datetime) -> Review:
    """A later decision date, only with the applicant's written agreement, which is recorded."""
    actor.require(Right.REVIEW_WORK)
    review = _open_review(session, review_id)
    if to <= deadline(review):
        raise InvalidInput("The new date must be after the present one.", field="extended_to")
    if not agreement.strip():
        raise InvalidInput("Record the applicant's written agreement (for example, their letter of 3 March).",
                           field="agreement")
    review.extended_to = to
    review.extension_agreement = within(agreement, 2000, "agreement", "The applicant's written agreement")
    session.add(review)
    audit(session, actor, "review.extended", review, {"to": to, "agreement": review.extension_agreement})
    return review


def decide_pending_accommodation(session: Session, actor: Actor, review_id: int, granted: bool, reasons: str,
                                 now: datetime) -> Review:
    actor.require(Right.REVIEW_WORK)
    review = _open_review(session, review_id)
    if not review.pending_accommodation_asked:
        raise Conflict("The applicant has not asked for accommodation pending the review.")
    if review.pending_accommodation_granted is not None:
        raise Conflict("The request for accommodation pending the review has been decided.")
    if not reasons.strip():
        raise InvalidInput("Give the reasons; they go in the letter.", field="reasons")
    reasons = within(reasons, 4000, "reasons", "The reasons")
    review.pending_accommodation_granted, review.pending_accommodation_reasons = granted, reasons
    session.add(review)
    audit(session, actor, "review.pending_accommodation", review, {"granted": granted, "reasons": reasons})
    issue_letter(session, review.applicant_id, "pending_accommodation", "Accommodation while we review our decision",
                 now, granted=granted, reasons=reasons)
    return review


def _outcome(value: str) -> ReviewOutcome:
    try:
        outcome = ReviewOutcome(value)
    except ValueError:
        raise InvalidInput("Choose the outcome: upheld or overturned.", field="outcome") from None
    if outcome is ReviewOutcome.WITHDRAWN:
        raise InvalidInput("Record a withdrawal as a withdrawal, not as an outcome.", field="outcome")
    return outcome


def draft(session: Session, actor: Actor, review_id: int, outcome: str, reasons: str, deficiency_found: bool,
          now: datetime) -> Review:
    """A review officer investigates and drafts; the reviewing officer authorises and issues."""
    actor.require(Right.REVIEW_WORK)
    review = _open_review(session, review_id)
    _not_involved(session, review, actor)
    review.draft_outcome = _outcome(outcome)
    review.draft_reasons = within(reasons, 16000, "reasons", "The reasons")
    review.deficiency_found, review.drafted_by_id = deficiency_found, actor.id
    session.add(review)
    audit(session, actor, "review.drafted", review, {"outcome": review.draft_outcome,
                                                     "deficiency_found": deficiency_found})
    return review


def send_minded_to(session: Session, actor: Actor, scheme: Scheme, review_id: int, deficiency: str, reasons: str,
                   now: datetime) -> Review:
    """Notice that the reviewer is minded to decide against the applicant despite a deficiency or irregularity
    in the original decision or the way it was made (reg 7(1) of SI 2018/223). Reg 7(2): the notice says the
    reviewer is so minded and why, and that the applicant, or someone for them, may make representations orally
    or in writing or both. The deficiency found is recorded and stated, so that the applicant can answer it."""
    actor.require(Right.REVIEW_WORK)
    if not deficiency.strip():
        raise InvalidInput("Say what the deficiency or irregularity in the original decision is; the notice states it.",
                           field="deficiency")
    if not reasons.strip():
        raise InvalidInput("Set out the reasons the reviewer is minded to decide against the applicant.",
                           field="reasons")
    deficiency = within(deficiency, 4000, "deficiency", "The deficiency or irregularity")
    # Not stored on the review: they go in the letter, which is kept, and is refused rather than cut too.
    reasons = within(reasons, 16000, "reasons", "The reasons")
    review = _open_review(session, review_id)
    _not_involved(session, review, actor)
    today = local_date(now)
    review.status, review.minded_to_sent_on, review.deficiency_found = ReviewStatus.MINDED_TO, today, True
    review.deficiency = deficiency
    review.representations_by = add_working_days(today, scheme.reviews.representations_working_days)
    session.add(review)
    audit(session, actor, "review.minded_to", review, {"representations_by": review.representations_by,
                                                       "deficiency": deficiency[:200]})
    issue_letter(session, review.applicant_id, "review_minded_to", "We are minded to decide your review against you",
                 now, about=kind_of(review.decision_type).words, deficiency=deficiency, reasons=reasons,
                 representations_by=review.representations_by)
    return review


def record_representations(session: Session, actor: Actor, review_id: int, representations: str,
                           now: datetime) -> Review:
    actor.require(Right.REVIEW_WORK)
    review = _open_review(session, review_id)
    if not representations.strip():
        raise InvalidInput("Record what the applicant said or wrote.", field="representations")
    review.representations = within(representations, 16000, "representations", "The representations")
    session.add(review)
    audit(session, actor, "review.representations", review, {"summary": review.representations[:200]})
    return review


def decide(session: Session, actor: Actor, scheme: Scheme, review_id: int, outcome: str, reasons: str,
           deficiency_found: bool, now: datetime) -> Review:
    """The reviewing officer authorises and issues the decision; an overturn applies its effect."""
    actor.require(Right.REVIEW_DECIDE)
    review = _open_review(session, review_id)
    if review.reviewer_id is None:
        raise Conflict("Allocate the review to a reviewing officer first.")
    if review.reviewer_id != actor.id:
        reviewer = session.get(StaffUser, review.reviewer_id)
        raise NotAllowed(f"This review is allocated to {reviewer.name}; only they may decide it.")
    check_decider(session, review, session.get(StaffUser, actor.id))
    if review.late and not review.late_accepted_reason:
        raise Conflict("The request was late: record whether it is accepted before deciding it.")
    result = _outcome(outcome)
    if not reasons.strip():
        raise InvalidInput("Give the reasons for the decision; they go in the letter.", field="reasons")
    reasons = within(reasons, 16000, "reasons", "The reasons")
    today = local_date(now)
    deficiency = deficiency_found or review.deficiency_found
    if result is ReviewOutcome.UPHELD and deficiency:
        if review.minded_to_sent_on is None:
            raise Conflict("There was a deficiency or irregularity in the original decision: send a 'minded to' "
                           "notice and allow representations before deciding against the applicant.")
        if not review.representations and today <= review.representations_by:
            raise Conflict(f"The applicant may make representations until {review.representations_by:%-d %B %Y}.")
    review.status, review.outcome, review.decision_reasons = ReviewStatus.DECIDED, result, reasons
    review.deficiency_found, review.decided_at = deficiency, now
    if result is ReviewOutcome.OVERTURNED:
        review.effect = _put_right(session, actor, review, now)
    session.add(review)
    in_time = today <= deadline(review)
    audit(session, actor, "review.decided", review, {"outcome": result, "in_time": in_time, "effect": review.effect,
                                                     "drafted_by_id": review.drafted_by_id})
    kind = kind_of(review.decision_type)
    issue_letter(session, review.applicant_id, "review_decision", "The decision on your review", now,
                 about=kind.words, upheld=result is ReviewOutcome.UPHELD, reasons=reasons,
                 effect=review.effect, part_7=kind.part_7, route=route_after_review(kind.part_7))
    return review


def _put_right(session: Session, actor: Actor, review: Review, now: datetime) -> str:
    """Undo what the overturned decision did; returns what was done, in words for the letter and the record."""
    applicant = session.get(Applicant, review.applicant_id)
    if review.subject_type == "refusal":
        done = _treat_refusal_as_reasonable(session, applicant, review.subject_id)
    elif review.subject_type == "offer":
        done = _owe_another_offer(session, applicant, review.subject_id)
    elif review.subject_type == "band_assessment":
        done = _restore_previous_band(session, actor, applicant, review, now)
    elif review.decision_type is ReviewType.SUSPENSION:
        done = _lift_suspension(applicant)
    elif review.decision_type in (ReviewType.ELIGIBILITY, ReviewType.QUALIFICATION, ReviewType.CLOSURE) \
            and applicant.status is ApplicationStatus.CLOSED:
        done = _reopen(applicant)
    elif review.decision_type is ReviewType.SKIP:
        done = _restore_place(session, review)
    elif review.decision_type is ReviewType.BEDROOM_NEED:
        done = ["the bedroom need is to be assessed again"]
    else:
        done = ["the decision is to be made again"]
    session.add(applicant)
    effect = "; ".join(done)
    audit(session, actor, "review.effect_applied", applicant, {"review_id": review.id, "effect": effect})
    return effect[0].upper() + effect[1:] + "."


def _treat_refusal_as_reasonable(session: Session, applicant: Applicant, refusal_id: int) -> list[str]:
    refusal = session.get(Refusal, refusal_id)
    refusal.reasonable = True
    done = ["the refusal is treated as reasonable"]
    if refusal.duty_ended:
        refusal.duty_ended, applicant.homeless_duty = False, True
        done.append("our homelessness duty continues")
    if applicant.suspended_until is not None:
        applicant.suspended_until = None
        done.append("the suspension from bidding is lifted")
    session.add(refusal)
    return done


def _owe_another_offer(session: Session, applicant: Applicant, offer_id: int) -> list[str]:
    """The offer was unsuitable: refusing it was reasonable and ended no duty."""
    refusal = session.exec(select(Refusal).where(Refusal.offer_id == offer_id)).first()
    if refusal is not None:
        refusal.reasonable, refusal.duty_ended = True, False
        applicant.homeless_duty = True
        session.add(refusal)
    return ["the offer was not suitable; another offer is due"]


def _restore_previous_band(session: Session, actor: Actor, applicant: Applicant, review: Review,
                           now: datetime) -> list[str]:
    # The band and date the household had before: as recorded when the overturned band was set.
    event = session.exec(select(AuditEvent).where(AuditEvent.subject_type == "band_assessment",
                                                  AuditEvent.subject_id == review.subject_id,
                                                  AuditEvent.action == Right.BAND_SET)).first()
    band = event.details.get("previous_band") if event else None
    if event is None or band is None:
        return ["the band is to be assessed again"]
    since = date.fromisoformat(event.details["previous_date"])
    record_band(session, actor, applicant, band, since, f"Restored on review {review.id}", now)
    return [f"band {band} from {since:%-d %B %Y} is restored"]


def _restore_place(session: Session, review: Review) -> list[str]:
    """The household was wrongly passed over: its bid goes back to its place on the shortlist, unless the home
    has gone (let, accepted, or the advert withdrawn), when the pass-over is only set aside."""
    event = session.get(AuditEvent, review.subject_id)
    entry = None
    if event is not None and event.subject_type == "shortlist_entry":
        entry = session.get(ShortlistEntry, event.subject_id)
    elif event is not None and event.subject_type == "offer":
        offer = session.get(Offer, event.subject_id)
        entry = session.exec(select(ShortlistEntry).where(ShortlistEntry.advert_id == offer.advert_id,
                                                          ShortlistEntry.applicant_id == offer.applicant_id)).first()
    if entry is None:
        return ["the decision to pass the household over is set aside"]
    advert = session.get(Advert, entry.advert_id)
    taken = session.exec(select(Offer.id).where(Offer.advert_id == advert.id, Offer.status.in_(
        [OfferStatus.ACCEPTED, OfferStatus.LET]))).first() or session.exec(select(Nomination.id).where(
            Nomination.advert_id == advert.id, Nomination.status == NominationStatus.ACCEPTED)).first()
    if advert.status is not AdvertStatus.SHORTLISTED or taken or entry.status is not ShortlistStatus.SKIPPED:
        return [f"the decision to pass the household over for advert {advert.reference} is set aside; the home "
                "has been let or withdrawn, so the place on its shortlist cannot be given back"]
    entry.status, entry.skip_reason, entry.skip_note = ShortlistStatus.PENDING, None, None
    session.add(entry)
    return [f"the bid for advert {advert.reference} is back in its place ({entry.position}) on the shortlist"]


def _lift_suspension(applicant: Applicant) -> list[str]:
    applicant.suspended_until = None
    if applicant.status is ApplicationStatus.SUSPENDED:
        applicant.status = ApplicationStatus.ACTIVE
    return ["the suspension is lifted"]


def _reopen(applicant: Applicant) -> list[str]:
    applicant.status = applicant.closed_from or ApplicationStatus.ACTIVE
    applicant.closed_on = applicant.closed_reason = applicant.closed_from = None
    return ["the application is reopened with its original dates"]


def due(session: Session, today: date, within_days: int = 7) -> tuple[list[Review], list[Review]]:
    """Open reviews due within `within_days`, and those already overdue."""
    open_reviews = session.exec(select(Review).where(Review.status.in_(OPEN))).all()
    overdue = sorted((r for r in open_reviews if deadline(r) < today), key=deadline)
    soon = sorted((r for r in open_reviews if today <= deadline(r) <= today + timedelta(days=within_days)),
                  key=deadline)
    return soon, overdue


def send_reminders(session: Session, actor: Actor, now: datetime) -> int:
    """Tell the reviewing officer (or the managers, if no one is allocated) of reviews due soon or overdue;
    once a day at most for each review. Run by the scheduler."""
    actor.require(Right.REVIEW_WORK)
    today = local_date(now)
    soon, overdue = due(session, today, within_days=5)
    managers = session.exec(select(StaffUser.id).where(StaffUser.role == StaffRole.MANAGER, StaffUser.active)).all()
    sent = 0
    for review in [*overdue, *soon]:
        if review.reminded_on == today:
            continue
        review.reminded_on = today
        session.add(review)
        late = deadline(review) < today
        for staff_id in [review.reviewer_id] if review.reviewer_id else managers:
            session.add(OutboxMessage(
                channel=Channel.EMAIL, template="review_reminder", staff_user_id=staff_id,
                subject=f"Review {review.id} {'is overdue' if late else 'is due soon'}",
                body=f"The review {review.id} must be decided by {deadline(review):%-d %B %Y}."))
        sent += 1
    return sent
