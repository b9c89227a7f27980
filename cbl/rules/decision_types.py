"""Each decision a household may ask us to review: the provision that gives the right, and its words.

One table, so that the review's periods (cbl/rules/review_periods.py), the route after the review
(cbl/rules/challenge_routes.py) and the letters all read the same classification.
"""

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from cbl.models.states import ReviewType
from cbl.rules.challenge_routes import ChallengeRoute, route_after_review
from cbl.rules.review_periods import S202, S202_REQUEST_DAYS, Part6, s202_decide_by, s202_request_by

if TYPE_CHECKING:
    from cbl.rules.scheme import Reviews


@dataclass(frozen=True)
class DecisionKind:
    provision: S202 | Part6
    words: str  # "a review of ..." in a letter or on a page

    @property
    def part_7(self) -> bool:
        return isinstance(self.provision, S202)

    @property
    def section(self) -> str:
        """The provision as a letter cites it, e.g. "section 202(1)(f)" or "section 166A(9)"."""
        if self.part_7:
            return f"section {self.provision.value.split(' ')[0]}"
        return "section 160ZA(9)" if self.provision.value.startswith("160ZA") else "section 166A(9)"


KINDS: dict[ReviewType, DecisionKind] = {
    # The suitability of accommodation offered "as mentioned in section 193(7)" is s202(1)(f).
    ReviewType.SUITABILITY: DecisionKind(S202.SUITABILITY, "the suitability of a final offer (s202(1)(f))"),
    # That the s193 duty has ended is a decision "as to what duty (if any) is owed": s202(1)(b).
    ReviewType.FINAL_OFFER_DUTY: DecisionKind(
        S202.DUTY_OWED, "the decision that refusing a final offer ended our duty (s202(1)(b))"),
    ReviewType.ELIGIBILITY: DecisionKind(Part6.ELIGIBILITY, "a decision that you are not eligible for an allocation "
                                                            "(s160ZA(9))"),
    ReviewType.QUALIFICATION: DecisionKind(Part6.QUALIFICATION, "a decision that you do not qualify for an "
                                                                "allocation (s160ZA(9))"),
    ReviewType.BAND: DecisionKind(Part6.FACTS, "the band given to the application (s166A(9))"),
    ReviewType.BEDROOM_NEED: DecisionKind(Part6.FACTS, "the number of bedrooms the household needs (s166A(9))"),
    ReviewType.SUSPENSION: DecisionKind(Part6.FACTS, "a suspension from bidding (s166A(9))"),
    ReviewType.REFUSAL: DecisionKind(Part6.FACTS, "a decision that refusing an offer was unreasonable (s166A(9))"),
    ReviewType.SKIP: DecisionKind(Part6.FACTS, "a decision to pass over your bid (s166A(9))"),
    ReviewType.CLOSURE: DecisionKind(Part6.FACTS, "the closure of the application (s166A(9))"),
    # A panel's decision on the facts of the case that its place is decided by: its band, its access needs, a
    # bedroom for a carer, the areas it may not be housed in (s166A(9)(b)).
    ReviewType.PANEL: DecisionKind(Part6.FACTS, "a medical, welfare or occupational therapy panel's decision "
                                                "(s166A(9))"),
}

TYPE_WORDS = {kind: entry.words for kind, entry in KINDS.items()}


def kind_of(decision_type: ReviewType) -> DecisionKind:
    return KINDS[decision_type]


def request_by(decision_type: ReviewType, reviews: "Reviews", notified_on: date) -> date:
    """The last day to ask for a review: s202(3) for Part 7, the scheme's period for Part 6."""
    kind = kind_of(decision_type)
    if kind.part_7:
        return s202_request_by(notified_on)
    return reviews.periods(decision_type.value).request_by(notified_on)


def decide_by(decision_type: ReviewType, reviews: "Reviews", requested_on: date) -> date:
    """The last day to notify the decision on the review: reg 9(1) for Part 7, the scheme's period for Part 6.

    The system makes no decision reviewed jointly with another authority or by a referee (reg 9(1)(c), (d)),
    nor any three-week decision (reg 9(1)(a)); cbl/rules/review_periods.py has them all."""
    kind = kind_of(decision_type)
    if isinstance(kind.provision, S202):  # kind.part_7, spelt so that the type checker sees it
        return s202_decide_by(kind.provision, requested_on)
    return reviews.periods(decision_type.value).decide_by(requested_on)


@dataclass(frozen=True)
class ReviewRights:
    """What a decision letter tells the household about challenging it."""

    section: str
    request_by: date
    days: int
    route: ChallengeRoute


def review_rights(decision_type: ReviewType, reviews: "Reviews", told_on: date) -> ReviewRights:
    """The review right for a decision told on `told_on`: the provision, the last day to ask, and the route
    after the review."""
    kind = kind_of(decision_type)
    days = S202_REQUEST_DAYS if kind.part_7 else reviews.request_within_days
    return ReviewRights(kind.section, request_by(decision_type, reviews, told_on), days,
                        route_after_review(kind.part_7))
