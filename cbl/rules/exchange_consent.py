"""A landlord's consent to a mutual exchange: Housing Act 1985 s92 and Schedule 3.

- s92(1)-(2): it is a term of every secure tenancy that the tenant may, with the landlord's written consent, assign
  the tenancy to another secure tenant (or a qualifying assured tenant of a registered provider) who has their own
  landlord's written consent. Each household in an exchange applies to its own landlord.
- s92(3): the landlord may refuse its consent only on one or more of the grounds in Schedule 3 (GROUNDS below).
- s92(4): the landlord may not rely on any of those grounds unless, within 42 days of the tenant's application for
  the consent, it serves on the tenant a notice specifying the ground and giving particulars of it.
- s92(5): where rent lawfully due from the tenant has not been paid, or an obligation of the tenancy has been broken
  or not performed, the consent may be given subject to a condition requiring the tenant to pay the outstanding
  rent, remedy the breach or perform the obligation (CONDITIONS below).
- s92(6): except as s92(5) provides, a consent cannot be given subject to a condition, and any other condition is
  disregarded.
- s110: the county court has jurisdiction to decide questions arising under Part 4 (so whether consent was rightly
  refused): the tenant may apply to it.

Schedule 3's wording was checked with the search tool: grounds 1, 2, 2ZA and 2A against legislation.gov.uk
(ukpga/1985/68/schedule/3), grounds 3 to 7 against a council's published copy and the 1984 Bill's text, ground 8's
form against the like ground 12 of the Localism Act 2011 Sch 14. The search tool found no copy of s92's own
subsections: they are as summarised above, to be checked against legislation.gov.uk before go-live.

A provider's assured tenants exchange under their tenancy agreements, which the Regulator's Tenancy Standard
requires to give a right no less favourable than a secure tenant's: the same grounds, period and conditions are
applied to them.

How "within 42 days of the tenant's application" is counted: the day of the application is not counted (the
general rule for a period "within N days of" an event), so a notice may be served on any day up to and including
the 42nd day after it: applied on 1 March, the last day is 12 April. Days are UK calendar days (Europe/London):
an application made at 00:30 BST is dated that UK day, whatever the UTC date, and a clock change inside the period
neither adds nor takes away a day. The period is the law's, not the scheme's (docs/decisions/0007).
"""

from dataclasses import dataclass
from datetime import date, timedelta

REFUSAL_DAYS = 42  # s92(4)


@dataclass(frozen=True)
class Ground:
    code: str
    short: str  # a short description of Schedule 3's ground, for pages and letters


# Schedule 3, in its order (grounds 1, 2, 2ZA, 2A, 3 to 10).
GROUNDS: tuple[Ground, ...] = (
    Ground("1", "The tenant or the proposed assignee is subject to a court order for possession of their home"),
    Ground("2", "Possession proceedings have begun, or a notice of seeking possession is in force, on one of "
                "grounds 1 to 6 of Schedule 2, against the tenant or the proposed assignee"),
    Ground("2ZA", "Possession proceedings have begun, or a notice is in force, on the absolute ground for "
                  "anti-social behaviour (s84A) against the tenant or the proposed assignee"),
    Ground("2A", "An anti-social behaviour injunction or order, a demotion order or a suspended anti-social "
                 "behaviour possession order is in force or applied for against the tenant, the proposed "
                 "assignee or someone living with either"),
    Ground("3", "The home is substantially more extensive than the proposed assignee reasonably needs"),
    Ground("4", "The home is not reasonably suitable to the needs of the proposed assignee and their family"),
    Ground("5", "The home is in or by a building held mainly for non-housing purposes, or a cemetery, and was "
                "let because of the tenant's employment"),
    Ground("6", "The landlord is a charity and the proposed assignee's occupation would conflict with its objects"),
    Ground("7", "The home has features designed for a physically disabled person, and no such person would live "
                "there after the exchange"),
    Ground("8", "The landlord is a housing association or trust letting only to people whose circumstances make "
                "it especially difficult for them to meet their need for housing, and after the exchange no such "
                "person would live in the home"),
    Ground("9", "The home is one of a group let to people with special needs near a special service, and no one "
                "with those needs would live there after the exchange"),
    Ground("10", "The home is managed under a management agreement by a tenants' housing association, and the "
                 "proposed assignee is not, and is not willing to become, a member of it"),
)
GROUND_BY_CODE = {ground.code: ground for ground in GROUNDS}

# s92(5): the only conditions a consent may carry.
CONDITIONS: dict[str, str] = {
    "pay_rent": "Pay the rent lawfully due that has not been paid",
    "remedy_breach": "Remedy the breach of, or perform the obligation of, the tenancy",
}


def refuse_by(applied_on: date) -> date:
    """The last UK day on which a refusal notice may be served: the 42nd day after the application (s92(4))."""
    return applied_on + timedelta(days=REFUSAL_DAYS)


def may_refuse(applied_on: date, today: date) -> bool:
    """Whether a notice of refusal served today is in time (s92(4))."""
    return today <= refuse_by(applied_on)


def refusal_problem(grounds: list[str], particulars: str, applied_on: date, today: date) -> tuple[str, str] | None:
    """Why a refusal cannot be recorded, as (field, message), or None if it may be (s92(3)-(4))."""
    if not may_refuse(applied_on, today):
        return ("grounds", f"Consent may no longer be refused: the 42 days from the application on "
                           f"{applied_on:%-d %B %Y} ended on {refuse_by(applied_on):%-d %B %Y} (Housing Act 1985 "
                           "s92(4)).")
    if not grounds:
        return ("grounds", "Choose at least one ground of Schedule 3 to the Housing Act 1985: consent may be "
                           "refused on no other (s92(3)).")
    unknown = [code for code in grounds if code not in GROUND_BY_CODE]
    if unknown:
        return ("grounds", f"{unknown[0][:20]} is not a ground in Schedule 3 to the Housing Act 1985.")
    if not particulars.strip():
        return ("particulars", "Give particulars of the ground: the notice must give them (s92(4)).")
    return None


def conditions_problem(conditions: list[str]) -> str | None:
    """Why a consent's conditions cannot be recorded, or None (s92(5)-(6): only those two, no other)."""
    other = [code for code in conditions if code not in CONDITIONS]
    if other:
        return ("A consent may carry only a condition to pay rent owed or to remedy a breach of the tenancy "
                "(Housing Act 1985 s92(5)); any other condition would be disregarded (s92(6)).")
    return None


@dataclass(frozen=True)
class Challenge:
    heading: str
    sentence: str


COUNTY_COURT = Challenge(
    "If you disagree",
    "You may apply to the county court, which decides questions about a secure tenant's right to exchange "
    "(section 110 of the Housing Act 1985), for example whether your landlord was entitled to refuse consent on "
    "this ground. You may wish to get advice first, from Citizens Advice, Shelter or a solicitor.")
PROVIDER_ROUTE = Challenge(
    "If you disagree",
    "Your landlord's refusal is its own decision under your tenancy agreement. Use its complaints procedure; if "
    "you are still unhappy when it ends, you may complain to the Housing Ombudsman. You may also ask the county "
    "court to decide whether the refusal was lawful; get advice first from Citizens Advice, Shelter or a solicitor.")


def how_to_challenge(secure: bool) -> Challenge:
    """A secure (or flexible) tenant goes to the county court (s110); a provider's assured tenant to its landlord's
    complaints procedure and the Housing Ombudsman, or the court."""
    return COUNTY_COURT if secure else PROVIDER_ROUTE
