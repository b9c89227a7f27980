"""What the online application asks: the answers each question allows, and which pages a household is asked,
given the scheme's [application] section and what it has answered so far. One list per question, so the form,
the check-your-answers page, the qualification rules and the officer's page read the same words."""

from collections.abc import Mapping
from typing import Any

# Circumstances that give priority under the scheme (s166A(3) Housing Act 1996: the reasonable preference
# groups, and the additional preference the Armed Forces regulations ask for).
PRIORITIES: dict[str, str] = {
    "homelessness": "We are homeless, or will be within 56 days",
    "overcrowding": "Our home is overcrowded",
    "medical": "A medical condition or disability, or a welfare need, made worse by our home",
    "disrepair": "Our home is in serious disrepair or is unsafe",
    "under_occupation": "We rent from the council or a housing association and have more bedrooms than we need",
    "armed_forces": "Someone in the household serves, or has served, in the armed forces",
    "leaving_care": "Someone in the household is leaving local authority care",
}

TENURES: dict[str, str] = {
    "social_tenant": "Renting from the council or a housing association",
    "private_tenant": "Renting from a private landlord",
    "owner": "Own the home (outright or with a mortgage)",
    "family_or_friends": "Living with family or friends",
    "temporary": "In temporary accommodation arranged by the council",
    "no_fixed_address": "No fixed address (sleeping rough or sofa surfing)",
    "other": "Something else",
}

# Immigration status of a person who is not a British or Irish citizen, as the eligibility rules read it
# (cbl/rules/qualification.py).
IMMIGRATION: dict[str, str] = {
    "settled": "Settled status or indefinite leave to remain",
    "pre_settled": "Pre-settled status under the EU Settlement Scheme",
    "refugee": "Refugee status or humanitarian protection",
    "limited_leave": "Another kind of limited leave to remain (for example a work or family visa)",
    "no_recourse": "Leave with a condition of no recourse to public funds",
    "not_sure": "Not sure, or another status",
}

SERVICE: dict[str, str] = {
    "serving": "Serving in the regular armed forces",
    "left_within_5_years": "Left the regular armed forces in the last 5 years",
    "left_earlier": "Left the regular armed forces more than 5 years ago",
    "bereaved_partner": "The husband, wife or civil partner of someone who died in service",
    "reserve_injured": "A reservist seriously injured or ill because of service",
}

MEMBER_RELATIONSHIPS: dict[str, str] = {
    "partner": "Husband, wife or partner",
    "child": "Son or daughter",
    "parent": "Mother or father",
    "other_adult": "Another adult",
    "other_child": "Another child",
}

CONNECTIONS: dict[str, str] = {
    "work": "Someone in the household works in the area",
    "family": "A close relative has lived in the area for 5 years or more",
}

ACCESS_NEEDS: dict[str, str] = {
    "step_free": "Needs a home without steps",
    "wheelchair": "Uses a wheelchair at home",
}

EVIDENCE: dict[str, str] = {
    "identity": "Identity (passport, driving licence, birth certificate)",
    "address": "Where you live (tenancy agreement, council tax or utility bill)",
    "immigration": "Immigration status (share code result, Home Office letter)",
    "income": "Income and savings (payslips, benefit letters, bank statements)",
    "medical": "Medical or welfare need (doctor's or specialist's letter)",
    "armed_forces": "Armed forces service (discharge papers, service record)",
    "other": "Something else",
}

CHANGES: dict[str, str] = {
    "new_member": "Someone has joined the household",
    "new_address": "We have moved to a new address",
    "medical": "A new medical condition or disability, or one that has got worse",
}

ANSWER = Mapping[str, Any]

# The pages of an application in the order asked, each with whether it is asked.
APPLICATION_PAGES = ("lead", "joint", "members", "address", "tenure", "area", "immigration", "circumstances",
                     "medical", "armed-forces", "money", "contact", "evidence", "equality")
# Pages a household may pass by: evidence (sent later if asked for) and the equality monitoring questions (each
# optional, kept apart from the application: cbl/rules/equality_categories.py).
OPTIONAL_PAGES = frozenset({"evidence", "equality"})
CHANGE_PAGES = ("change", "change-member", "change-address", "change-medical", "evidence")


def asked(page: str, answers: ANSWER, *, financial_test: bool, priorities: tuple[str, ...]) -> bool:
    """Whether the household is asked `page`: the medical form and the armed forces questions only when that
    circumstance was chosen; income and savings only where the scheme has a financial test; a change's pages
    only for the change reported."""
    chosen = set((answers.get("circumstances") or {}).get("priorities") or [])
    change = (answers.get("change") or {}).get("what")
    return {
        "medical": "medical" in chosen and "medical" in priorities,
        "armed-forces": "armed_forces" in chosen and "armed_forces" in priorities,
        "money": financial_test,
        "change-member": change == "new_member",
        "change-address": change == "new_address",
        "change-medical": change == "medical",
    }.get(page, True)


def pages_for(kind: str, answers: ANSWER, *, financial_test: bool, priorities: tuple[str, ...]) -> list[str]:
    order = APPLICATION_PAGES if kind == "application" else CHANGE_PAGES
    return [page for page in order if asked(page, answers, financial_test=financial_test, priorities=priorities)]


def unanswered(pages: list[str], answers: ANSWER) -> list[str]:
    """The pages still to answer (not the optional ones: a household may send no evidence and be asked later, and
    need answer no equality question)."""
    key = {"armed-forces": "armed_forces", "change-member": "change_member", "change-address": "change_address",
           "change-medical": "change_medical"}
    return [page for page in pages if page not in OPTIONAL_PAGES and key.get(page, page) not in answers]
