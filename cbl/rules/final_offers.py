"""Whether a home may be made a final offer to a household: the suitability findings an officer records.

Housing Act 1996 s193(7F): the authority shall not approach the applicant with a final offer under Part 6
unless satisfied that the accommodation is suitable for the applicant and that it is reasonable for the
applicant to accept it. Suitability covers the household's size and needs (s210 and the Homelessness
(Suitability of Accommodation) Order 1996, which requires affordability to be considered), access and
medical needs and location. Each factor has a finding and reasons; a home that fails a need recorded on
the case is refused, whatever the officer records, because no finding could make it suitable.
"""

from dataclasses import dataclass
from enum import StrEnum


class Factor(StrEnum):
    BEDROOMS = "bedrooms"
    ACCESS = "access"
    AFFORDABILITY = "affordability"
    LOCATION = "location"
    OTHER = "other"


LABELS = {
    Factor.BEDROOMS: "Size: bedroom need against the home's bedrooms",
    Factor.ACCESS: "Access and medical needs: floor, lift, steps and adaptations",
    Factor.AFFORDABILITY: "Affordability: rent and charges against income",
    Factor.LOCATION: "Location: school, work, care, support and risk",
    Factor.OTHER: "Any other factor",
}
REQUIRED = (Factor.BEDROOMS, Factor.ACCESS, Factor.AFFORDABILITY, Factor.LOCATION)

# Access requirements a household can have recorded (its needs, or a medical, OT or panel recommendation).
REQUIREMENTS = {
    "step_free": "a home without steps",
    "wheelchair": "a wheelchair-accessible home",
    "ground_floor": "a ground-floor home",
    "lift": "a lift above the ground floor",
}


@dataclass(frozen=True)
class Home:
    bedrooms: int
    floor: int
    lift: bool
    step_free: bool
    wheelchair_adapted: bool
    weekly_rent_pence: int
    weekly_charges_pence: int

    @property
    def weekly_cost_pence(self) -> int:
        return self.weekly_rent_pence + self.weekly_charges_pence


@dataclass(frozen=True)
class Requirement:
    code: str
    source: str  # where it is recorded, e.g. "the application" or "panel recommendation of 3 December 2026"


def _meets(code: str, home: Home) -> bool:
    return {
        "step_free": home.step_free or home.wheelchair_adapted,
        "wheelchair": home.wheelchair_adapted,
        "ground_floor": home.floor <= 0,
        "lift": home.floor <= 0 or home.lift,
    }[code]


def _where(home: Home) -> str:
    return "on the ground floor" if home.floor <= 0 else f"on floor {home.floor}{'' if home.lift else ' with no lift'}"


def failed_needs(bedroom_need: int, requirements: list[Requirement], home: Home,
                 weekly_income_pence: int | None = None) -> list[str]:
    """Each recorded need the home fails, in words that name it; empty if it fails none."""
    failures = []
    if home.bedrooms < bedroom_need:
        failures.append(f"The household needs {bedroom_need} bedrooms and the home has {home.bedrooms}.")
    for requirement in requirements:
        if not _meets(requirement.code, home):
            failures.append(f"The household needs {REQUIREMENTS[requirement.code]} ({requirement.source}); "
                            f"the home is {_where(home)}"
                            f"{'' if home.step_free else ', with steps'}"
                            f"{'' if home.wheelchair_adapted else ', not wheelchair-adapted'}.")
    if weekly_income_pence is not None and home.weekly_cost_pence > weekly_income_pence:
        failures.append(f"The rent and charges (£{home.weekly_cost_pence / 100:.2f} a week) are more than the "
                        f"household's recorded income (£{weekly_income_pence / 100:.2f} a week).")
    return failures


@dataclass(frozen=True)
class Finding:
    factor: Factor
    suitable: bool
    reasons: str


def finding_problems(findings: list[Finding], reasonable_to_accept: bool, reasons: str) -> list[str]:
    """What stops these findings supporting a final offer: a factor not addressed, a finding without
    reasons, a finding of unsuitability, or no finding that it is reasonable to accept."""
    problems = []
    by_factor = {finding.factor: finding for finding in findings}
    for factor in REQUIRED:
        finding = by_factor.get(factor)
        if finding is None or not finding.reasons.strip():
            problems.append(f"Record a finding and reasons for {LABELS[factor].split(':')[0].lower()}.")
    for finding in findings:
        if not finding.suitable:
            problems.append(f"The home was found unsuitable on {LABELS[finding.factor].split(':')[0].lower()}: "
                            "it cannot be a final offer.")
    if not reasonable_to_accept or not reasons.strip():
        problems.append("Record that it is reasonable for the household to accept the home, with reasons "
                        "(s193(7F)).")
    return problems
