"""Whether a household that applied online looks eligible for an allocation and qualifies under the scheme.

These are indications for the officer, who decides (and whose decision against the household goes to it as a
letter with its right to a review): they read the household's own answers, which the officer checks.

Eligibility is the law's (s160ZA(2)-(5) Housing Act 1996 and the Allocation of Housing and Homelessness
(Eligibility) (England) Regulations 2006, SI 2006/1294); qualification is the council's own criteria
(s160ZA(6)-(7)), read from the scheme's [application] section, within the limits the law sets on them
(cbl/rules/scheme.py checks those).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .application_questions import IMMIGRATION, SERVICE

Answers = Mapping[str, Any]


@dataclass(frozen=True)
class Eligibility:
    outcome: Literal["eligible", "not_eligible", "check"]
    reason: str


def eligibility(answers: Answers) -> Eligibility:
    """Eligibility from the immigration answers about the lead applicant."""
    given = answers.get("immigration") or {}
    resident = given.get("resident") == "yes"
    if given.get("british_or_irish") == "yes":
        if resident:
            return Eligibility("eligible", "British or Irish citizen living in the Common Travel Area.")
        # reg 4(1)(a), (2) of the 2006 Regulations: not habitually resident in the Common Travel Area.
        return Eligibility("check", "Has not lived in the UK, Ireland, the Channel Islands or the Isle of Man for "
                                    "the last 2 years: check habitual residence (reg 4 of SI 2006/1294).")
    status = given.get("leave", "")
    if status == "refugee":  # reg 3(a), (b)
        return Eligibility("eligible", "Refugee status or humanitarian protection (reg 3 of SI 2006/1294).")
    if status == "settled":
        if resident:  # reg 3(c): indefinite leave, habitually resident
            return Eligibility("eligible", "Settled status or indefinite leave to remain, habitually resident "
                                           "(reg 3(c) of SI 2006/1294).")
        return Eligibility("check", "Indefinite leave, but not living in the Common Travel Area for the last 2 years: "
                                    "check habitual residence (reg 3(c) of SI 2006/1294).")
    if status == "no_recourse":  # s160ZA(2): subject to immigration control, in no eligible class
        return Eligibility("not_eligible", "Leave with no recourse to public funds: a person subject to immigration "
                                           "control in no class the regulations make eligible (s160ZA(2)).")
    label = IMMIGRATION.get(status, "Immigration status not given")
    return Eligibility("check", f"{label}: check the status and any right to reside (s160ZA(2), (4); "
                                "reg 3 and 4 of SI 2006/1294).")


@dataclass(frozen=True)
class Qualification:
    qualifies: bool
    reasons: tuple[str, ...]  # why not, each as the letter would say it; or the exemptions that applied


def _exempt(answers: Answers, exemptions: tuple[str, ...]) -> list[str]:
    chosen = set((answers.get("circumstances") or {}).get("priorities") or [])
    service = (answers.get("armed_forces") or {}).get("service", "")
    found = []
    # The Allocation of Housing (Qualification Criteria for Armed Forces) (England) Regulations 2012
    # (SI 2012/1869), reg 3: no local connection test for those serving, those who left within 5 years,
    # bereaved spouses and civil partners, and seriously injured reservists. Service longer ago is not exempt.
    if "armed_forces" in exemptions and "armed_forces" in chosen and service in SERVICE \
            and service != "left_earlier":
        found.append("armed_forces")
    for code in ("homelessness", "leaving_care"):
        if code in exemptions and code in chosen:
            found.append(code)
    return found


def qualification(answers: Answers, *, area: str, residence_years: int, residence_exemptions: tuple[str, ...],
                  income_limit: int, savings_limit: int, financial_exemptions: tuple[str, ...]) -> Qualification:
    """The scheme's qualification criteria (s160ZA(7)) applied to the answers. Limits are in pounds; 0 is no
    test. A household exempt from a test (as the scheme lists) is not held to it."""
    reasons: list[str] = []
    exempt_residence = _exempt(answers, residence_exemptions)
    years = int((answers.get("area") or {}).get("years") or 0)
    if residence_years and years < residence_years:
        if exempt_residence:
            reasons.append(f"Exempt from the residence test ({', '.join(exempt_residence)}).")
        else:
            reasons.append(f"The household has lived in {area} for {years} year{'s' * (years != 1)}; the scheme "
                           f"asks for {residence_years} years' residence before an application qualifies.")
    money = answers.get("money") or {}
    exempt_money = _exempt(answers, financial_exemptions)
    over = []
    if income_limit and int(money.get("income") or 0) > income_limit * 100:
        over.append(f"a yearly household income above £{income_limit:,}")
    if savings_limit and int(money.get("savings") or 0) > savings_limit * 100:
        over.append(f"savings or capital above £{savings_limit:,}")
    if over:
        if exempt_money:
            reasons.append(f"Exempt from the financial test ({', '.join(exempt_money)}).")
        else:
            reasons.append(f"The household has {' and '.join(over)}: the scheme expects it can meet its housing "
                           "need without social housing.")
    failing = [reason for reason in reasons if not reason.startswith("Exempt")]
    return Qualification(not failing, tuple(reasons))
