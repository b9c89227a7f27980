"""When a review may be asked for and when it must be decided.

Part 7 (homelessness) reviews follow the law, not the scheme: the request within 21 days (Housing Act
1996 s202(3)) and the decision within the period that reg 9 of the Homelessness (Review Procedure etc.)
Regulations 2018 (SI 2018/223) sets for the kind of decision. Part 6 (allocation) reviews (s166A(9),
s160ZA(9)) follow the council's own scheme, within the bounds `check_part6_periods` holds it to.

Every period here "begins with" a day: that day is day one, so n days beginning with day D end on
D + (n - 1) days. Neither the Act nor the Regulations move a period that ends on a weekend or bank
holiday, so nothing here does; only the applicant's written agreement makes a decision period longer
(reg 9(1), closing words).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

# s202(3): "before the end of the period of 21 days beginning with the day on which he is notified".
S202_REQUEST_DAYS = 21


def last_day(first_day: date, days: int) -> date:
    """The last day of a period of `days` days beginning with `first_day` (day one)."""
    if days < 1:
        raise ValueError("a period has at least one day")
    return first_day + timedelta(days=days - 1)


class S202(StrEnum):
    """The decisions s202(1) gives a right to review, each by its paragraph."""

    ELIGIBILITY = "202(1)(a)"  # eligibility for assistance
    DUTY_OWED = "202(1)(b)"  # what duty is owed under ss190-193, 195, 196 (a final offer refused ends s193)
    RELIEF_STEPS = "202(1)(ba)(i)"  # steps to be taken under s189B(2)
    RELIEF_ENDED = "202(1)(ba)(ii)"  # notice under s189B(5) ending the relief duty
    NON_COOPERATION_PREVENTION = "202(1)(bb) s195(2)"  # s193B(2) notice ending the s195(2) duty
    NON_COOPERATION_RELIEF = "202(1)(bb) s189B(2)"  # s193B(2) notice ending the s189B(2) duty
    PREVENTION = "202(1)(bc)"  # steps under s195(2), or notice under s195(5) ending that duty
    REFERRAL_NOTIFIED = "202(1)(c)"  # notifying another authority under s198(1)
    REFERRAL_CONDITIONS = "202(1)(d)"  # whether the conditions for referral are met (s198(5))
    REFERRAL_DUTY = "202(1)(e)"  # duty owed on a referral (s200(3), (4))
    SUITABILITY = "202(1)(f)"  # suitability of accommodation offered, including a s193(7) final offer
    PRIVATE_RENTED_OFFER = "202(1)(g)"  # suitability of a private rented sector offer
    FINAL_ACCOMMODATION_OFFER = "202(1)(h)"  # suitability of a final accommodation or final Part 6 offer


class ReviewedBy(StrEnum):
    """Who carries out the review, where reg 9 turns on it."""

    AUTHORITY = "authority"  # the authority that made the decision
    JOINT = "joint"  # notifying and notified authorities together, on a s202(1)(d) decision (reg 9(1)(c))
    REFEREE = "referee"  # a person appointed under reg 6, reviewing a referee's decision (reg 9(1)(d))


# reg 9(1)(a): three weeks; reg 9(1)(b): eight weeks.
_THREE_WEEKS = {S202.RELIEF_STEPS, S202.PREVENTION, S202.NON_COOPERATION_PREVENTION}
_EIGHT_WEEKS = set(S202) - _THREE_WEEKS


def s202_weeks(decision: S202, reviewed_by: ReviewedBy = ReviewedBy.AUTHORITY) -> int:
    """The weeks reg 9(1) allows for notifying the decision on a review of this decision."""
    if reviewed_by is ReviewedBy.REFEREE:
        return 12  # reg 9(1)(d)
    if reviewed_by is ReviewedBy.JOINT:
        if decision is not S202.REFERRAL_CONDITIONS:
            raise ValueError("only a s202(1)(d) decision is reviewed jointly by the two authorities")
        return 10  # reg 9(1)(c)
    return 3 if decision in _THREE_WEEKS else 8


def s202_decide_by(decision: S202, requested_on: date, *, reviewed_by: ReviewedBy = ReviewedBy.AUTHORITY,
                   representations_received_on: date | None = None) -> date:
    """The last day for notifying the decision on a s202 review (reg 9(1)).

    For the three-week decisions the period begins with the day reg 7 representations are received,
    where the applicant makes them; for every other decision it begins with the day of the request."""
    first_day = requested_on
    weeks = s202_weeks(decision, reviewed_by)
    if representations_received_on is not None and decision in _THREE_WEEKS and reviewed_by is ReviewedBy.AUTHORITY:
        if representations_received_on < requested_on:
            raise ValueError("representations on a review come after the request")
        first_day = representations_received_on
    return last_day(first_day, weeks * 7)


def s202_request_by(notified_on: date) -> date:
    """The last day for asking for a s202 review: 21 days beginning with the day of notification (s202(3))."""
    return last_day(notified_on, S202_REQUEST_DAYS)


def is_late(requested_on: date, request_by: date) -> bool:
    return requested_on > request_by


# --- Part 6: the council's own periods ----------------------------------------------------------

class Part6(StrEnum):
    """The allocation decisions a household may ask the council to review."""

    ELIGIBILITY = "160ZA(9) eligibility"  # not eligible for an allocation (s160ZA(2), (4))
    QUALIFICATION = "160ZA(9) qualification"  # not a qualifying person (s160ZA(7))
    FACTS = "166A(9)(b) facts"  # facts of the case taken into account: band, bedroom need, suspension


# Bounds for what a scheme may set. Not the law's numbers (Part 6 sets none), but a council that gives
# fewer than two weeks to ask, or takes longer than twelve weeks to decide, is not giving a review that
# a court would recognise as fair; the Code of Guidance on allocations suggests the 21 days s202 uses.
PART6_REQUEST_DAYS = (14, 56)
PART6_DECIDE_DAYS = (14, 84)


@dataclass(frozen=True)
class Part6Periods:
    request_within_days: int
    decide_within_days: int

    def request_by(self, notified_on: date) -> date:
        return last_day(notified_on, self.request_within_days)

    def decide_by(self, requested_on: date) -> date:
        return last_day(requested_on, self.decide_within_days)


def check_part6_periods(request_within_days: int, decide_within_days: int) -> list[str]:
    """What is implausible about a scheme's Part 6 review periods (nothing if they will do)."""
    problems = []
    low, high = PART6_REQUEST_DAYS
    if not low <= request_within_days <= high:
        problems.append(f"request_within_days must be between {low} and {high} days (given {request_within_days}): "
                        "a household needs time to get advice and ask")
    low, high = PART6_DECIDE_DAYS
    if not low <= decide_within_days <= high:
        problems.append(f"decide_within_days must be between {low} and {high} days (given {decide_within_days})")
    return problems
