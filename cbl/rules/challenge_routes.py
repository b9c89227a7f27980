"""Where a household may go after a review, by who made the decision and under which Part.

- Part 7 (homelessness): an appeal on a point of law to the county court, within 21 days of being
  notified of the review decision (Housing Act 1996 s204(1), (2)).
- Part 6 (allocation) decisions of the council: there is no appeal; the household may complain to the
  Local Government and Social Care Ombudsman (Local Government Act 1974 Part 3), or seek judicial review.
- A registered provider's own decisions as landlord (for example declining a nomination): the
  provider's complaints procedure, then the Housing Ombudsman (Housing Act 1996 s51 and Sch 2). The
  Housing Ombudsman does not look at a council's allocation decisions.
- A complaint about the council's allocations, once its complaints procedure has ended (the stage 2
  answer): the Local Government and Social Care Ombudsman, who expects the council's own procedure to
  have been used first and a complaint within 12 months of the person knowing of the matter (Local
  Government Act 1974 ss26(5), 26B(1)).
"""

from dataclasses import dataclass
from enum import StrEnum


class DecidedBy(StrEnum):
    COUNCIL = "council"
    PROVIDER = "provider"


class Route(StrEnum):
    COUNTY_COURT = "county_court"
    LGSCO = "lgsco"
    HOUSING_OMBUDSMAN = "housing_ombudsman"


@dataclass(frozen=True)
class ChallengeRoute:
    route: Route
    heading: str
    sentence: str


COUNTY_COURT = ChallengeRoute(
    Route.COUNTY_COURT, "Your right of appeal",
    "If you disagree with the decision on the review, you may appeal to the county court on a point of law "
    "(section 204 of the Housing Act 1996). You must appeal within 21 days of being told of the review decision.")
LGSCO = ChallengeRoute(
    Route.LGSCO, "If you disagree with the review",
    "If you disagree with the decision on the review, you may complain to the Local Government and Social Care "
    "Ombudsman, or seek advice about a judicial review.")
HOUSING_OMBUDSMAN = ChallengeRoute(
    Route.HOUSING_OMBUDSMAN, "If you disagree",
    "This is the landlord's own decision. If you disagree, use the landlord's complaints procedure; if you are "
    "still unhappy when it ends, you may complain to the Housing Ombudsman.")


AFTER_COMPLAINT = ChallengeRoute(
    Route.LGSCO, "If you are still unhappy",
    "This is our final answer: our complaints procedure has ended. If you are still unhappy, you may complain to "
    "the Local Government and Social Care Ombudsman, who looks at complaints about councils' housing allocations. "
    "The Ombudsman usually expects you to complain within 12 months of when you first knew of the matter.")


def route_after_complaint() -> ChallengeRoute:
    """Where a complaint about the council's allocations goes once the council's last stage has answered it.
    (A registered provider's own decisions go through its procedure to the Housing Ombudsman: not ours.)"""
    return AFTER_COMPLAINT


def route_after_review(part_7: bool, decided_by: DecidedBy = DecidedBy.COUNCIL) -> ChallengeRoute:
    """The route after the review (or, for a provider's decision, after its complaints procedure)."""
    if decided_by is DecidedBy.PROVIDER:
        return HOUSING_OMBUDSMAN
    return COUNTY_COURT if part_7 else LGSCO
