"""The forms of a household's case page (docs/decisions/0002-forms.md).

The page holds many forms, several with fields of the same name (a reason, a note), so each is read
with its own id suffix and keyed by it: `case_forms` gives them all as the case stands, and a refused
one replaces its fresh self, so the page comes back with that form as it was typed and the rest as new.
"""

from typing import Any

from wtforms.validators import StopValidation

from cbl.models import Applicant, HouseholdMember
from cbl.models.states import AssessmentKind, CheckKind, PropertyType, Relationship
from cbl.rules.final_offers import LABELS, REQUIREMENTS, Factor
from cbl.rules.scheme import Scheme
from cbl.services.applications import NEEDS
from cbl.web import forms

RELATIONSHIPS = [(r.value, r.value.replace("_", " ").capitalize()) for r in Relationship if r is not Relationship.LEAD]
LEAD = [(Relationship.LEAD.value, "Lead applicant")]
SEXES = [("", "Not given"), ("F", "Female"), ("M", "Male")]
CIRCUMSTANCES = [("homeless_duty", "Is owed the main homelessness duty"),
                 ("transfer_tenant", "Are social tenants asking to transfer")]
ASSESSORS = [(AssessmentKind.MEDICAL.value, "Medical adviser"),
             (AssessmentKind.OCCUPATIONAL_THERAPY.value, "Occupational therapist"),
             (AssessmentKind.WELFARE.value, "Welfare officer"), (AssessmentKind.PANEL.value, "Panel")]
CHECKS = [(CheckKind.HOUSING_DEBT.value, "Housing-related debt"), (CheckKind.AFFORDABILITY.value, "Affordability"),
          (CheckKind.FRAUD.value, "Fraud")]
YES_NO = [("yes", "Yes"), ("no", "No")]
WISHES = [("needs_lift", "Needs a lift above the ground floor"), ("wants_garden", "Wants a garden"),
          ("auto_bid", "Bid automatically for it when a cycle opens (for a household that cannot bid itself)")]
STAYS = [("yes", "Yes: keep the application, with its dates"), ("no", "No: close the application")]
NOT_ALLOCATABLE = [("not_eligible", "Not eligible for an allocation (section 160ZA(2) or (4): for example, "
                                    "immigration status)"),
                   ("not_qualifying", "Not a qualifying person under the allocation scheme (section 160ZA(7))")]


class BandDecision(forms.Form):
    band = forms.Choice("Band", required="Choose the band")
    effective = forms.Day("Effective date")
    points = forms.WholeNumber("Points (points schemes only)", low=-999_999, high=999_999,
                               message="Points must be a whole number, like 120")
    reason = forms.Text("Reason", limit=2000, required="Give the reason for the band; it goes in the decision letter")


class Verification(forms.Form):
    documents = forms.Text("Documents seen", limit=2000, required="List the documents you have seen")


class Suspension(forms.Form):
    until = forms.Day("Suspended until", required=False)
    reason = forms.Text("Reason", limit=2000, required="Give the reason for the suspension; it goes in the letter")


class Reinstatement(forms.Form):
    reason = forms.Text("Reason for reinstating", limit=2000,
                        required="Give the reason for reinstating the application")


class NotAllocatable(forms.Form):
    """A decision under s160ZA(9): the household cannot be allocated housing. It closes the application and
    sends the letter with the grounds and the right to a review."""

    decision = forms.Choice("Decision", required="Choose the decision: not eligible, or not a qualifying person")
    grounds = forms.Text("Grounds", limit=4000, required="Give the grounds for the decision; they go in the letter")


class Note(forms.Form):
    note = forms.Text("Add a note", limit=8000, required="Write the note")


class AssessmentRecord(forms.Form):
    kind = forms.Choice("Made by", required="Choose who made the assessment")
    recommendation = forms.Text("Recommendation", limit=4000, required="Write the recommendation")
    effect = forms.Text("Effect on band or access needs", limit=400)
    requirements = forms.Many("Access requirements it recommends (any final offer must meet them)")


FINDINGS = [("yes", "Suitable"), ("no", "Not suitable")]


class SuitabilityRecord(forms.Form):
    """The officer's suitability assessment of a home for a final offer (s193(7F)): a finding and reasons on each
    factor, and whether it is reasonable for the household to accept. Checked against the needs on the case by
    cbl/services/final_offers.py, which names any the home fails."""

    home = forms.Text("Home (property reference)", limit=32, required="Enter the reference of the home, like P-1024")
    bedrooms = forms.Choice(LABELS[Factor.BEDROOMS], required="Give a finding on the home's size")
    bedrooms_reasons = forms.Text("Reasons on size", limit=2000, required="Give the reasons for the finding on size")
    access = forms.Choice(LABELS[Factor.ACCESS], required="Give a finding on access and medical needs")
    access_reasons = forms.Text("Reasons on access and medical needs", limit=2000,
                                required="Give the reasons for the finding on access and medical needs")
    affordability = forms.Choice(LABELS[Factor.AFFORDABILITY], required="Give a finding on affordability")
    affordability_reasons = forms.Text("Reasons on affordability", limit=2000,
                                       required="Give the reasons for the finding on affordability")
    weekly_income = forms.Money("Household's weekly income, where held", required=False)
    location = forms.Choice(LABELS[Factor.LOCATION], required="Give a finding on location")
    location_reasons = forms.Text("Reasons on location", limit=2000,
                                  required="Give the reasons for the finding on location")
    other = forms.Choice(LABELS[Factor.OTHER] + " (optional)", required=None)
    other_reasons = forms.Text("The other factor, and the reasons", limit=2000)
    reasonable = forms.Ticked("It is reasonable for the household to accept this home")
    reasons = forms.Text("Why it is reasonable to accept", limit=4000,
                         required="Give the reasons it is reasonable for the household to accept the home")

    def validate_other_reasons(self, field: forms.Text) -> None:
        if self.other.data and not field.data:
            raise StopValidation("Say what the other factor is, with the reasons for the finding")
        if field.data and not self.other.data:
            raise StopValidation("Give a finding on the other factor, or leave its reasons empty")

    def validate_reasonable(self, field: forms.Ticked) -> None:
        if not field.data:
            raise StopValidation("A final offer needs the finding that it is reasonable for the household to "
                                 "accept the home (s193(7F))")

    def findings(self) -> dict[str, tuple[bool, str]]:
        """Each factor answered, as the service takes it: its finding and reasons."""
        return {factor.value: (self[factor.value].data == "yes", self[f"{factor.value}_reasons"].data)
                for factor in Factor if self[factor.value].data}

    def income(self) -> int | None:
        """The weekly income in pence, or None where none is held (left empty)."""
        return self.weekly_income.data if self.weekly_income._value() else None


class CheckRecord(forms.Form):
    kind = forms.Choice("Check", required="Choose the kind of check")
    passed = forms.Choice("Passed?", required="Say whether the check was passed")
    note = forms.Text("Note", limit=4000)


class BidOnBehalf(forms.Form):
    advert = forms.Text("Advert reference", limit=32, required="Enter the reference of the advert to bid for")


class BiddingWishes(forms.Form):
    areas = forms.Many("Areas")
    property_types = forms.Many("Types of home")
    max_floor = forms.WholeNumber("Highest floor", low=0, high=60,
                                  message="Highest floor must be a number from 0 (ground floor) to 60")
    wishes = forms.Many("The household")


class ReviewAnswer(forms.Form):
    stays = forms.Choice("The household answered the annual review. Does it want to stay on the register?",
                         required="Say whether the household wants to stay on the register")
    note = forms.Text("Note (optional)", limit=500)


class Reopening(forms.Form):
    reason = forms.Text("Why it is being reinstated", limit=2000,
                        required="Say why the application is being reinstated")


class Details(forms.Form):
    address = forms.Text("Current address", limit=400, required="Enter the household's current address")
    postcode = forms.Text("Postcode", limit=10, required="Enter the postcode")
    email = forms.Text("E-mail address", limit=254)
    phone = forms.Text("Phone number", limit=32)
    circumstances = forms.Many("The household")
    local_connection = forms.Many("Local connection to")
    needs = forms.Many("Access needs")


class Member(forms.Form):
    name = forms.Text("Full name", limit=200, required="Enter the person's full name")
    date_of_birth = forms.Day("Date of birth")
    relationship = forms.Choice("Relationship to the lead applicant", required="Choose how the person is related "
                                                                               "to the lead applicant")
    national_insurance_number = forms.Text("National Insurance number (optional)", limit=13)
    sex = forms.Choice("Sex", required=None)
    needs_own_room = forms.Ticked("Needs a room of their own (disability or a recorded reason)")


class Removal(forms.Form):
    reason = forms.Text("Why they have left the household", limit=500,
                        required="Say why the person has left the household")


def _choices(scheme: Scheme, areas: list[tuple[str, str]]) -> dict[type[forms.Form], dict[str, Any]]:
    return {
        BandDecision: {"band": [(band, f"{band}: {scheme.bands.label(band)}") for band in scheme.bands.order]},
        AssessmentRecord: {"kind": ASSESSORS, "requirements": [(code, words[0].upper() + words[1:])
                                                               for code, words in REQUIREMENTS.items()]},
        CheckRecord: {"kind": CHECKS, "passed": YES_NO},
        SuitabilityRecord: {factor.value: FINDINGS for factor in Factor},
        NotAllocatable: {"decision": NOT_ALLOCATABLE},
        BiddingWishes: {"areas": areas,
                        "property_types": [(kind.value, kind.value.capitalize()) for kind in PropertyType],
                        "wishes": WISHES},
        ReviewAnswer: {"stays": STAYS},
        Details: {"circumstances": CIRCUMSTANCES, "local_connection": areas, "needs": list(NEEDS.items())},
        Member: {"relationship": RELATIONSHIPS, "sex": SEXES},
    }


def read(kind: type["forms.F"], key: str, body: dict | None, scheme: Scheme, areas: list[tuple[str, str]], /,
         lead: bool = False, **data: Any) -> "forms.F":
    """One of the page's forms, with the ids of its place on the page (`key`) and its lists; `data` fills
    a fresh one (its names are the fields', hence the positional-only parameters before them)."""
    choices = dict(_choices(scheme, areas).get(kind, {}))
    if lead:  # the lead's relationship is fixed: the page sends it hidden
        choices["relationship"] = LEAD
    return forms.read(kind, body, id_suffix=f"-{key}", choices=choices, **data)


def _member_data(member: HouseholdMember) -> dict[str, Any]:
    return {"name": member.name, "date_of_birth": member.date_of_birth, "relationship": member.relationship.value,
            "sex": member.sex.value if member.sex else "", "needs_own_room": member.needs_own_room,
            "national_insurance_number": member.national_insurance_number or ""}


def case_forms(case: dict, scheme: Scheme) -> dict[str, forms.Form]:
    """Every form on the case page, keyed by its place: empty, or filled with the case as it stands."""
    applicant: Applicant = case["applicant"]
    preference, areas = case["preference"], case["areas"]

    def fresh(kind: type[forms.Form], key: str, /, **data: Any) -> forms.Form:
        return read(kind, key, None, scheme, areas, **data)

    found = {
        "band": fresh(BandDecision, "band"), "verification": fresh(Verification, "verification"),
        "suspension": fresh(Suspension, "suspension"), "reinstatement": fresh(Reinstatement, "reinstatement"),
        "notes": fresh(Note, "notes"), "assessment": fresh(AssessmentRecord, "assessment"),
        "check": fresh(CheckRecord, "check"), "bid": fresh(BidOnBehalf, "bid"),
        "eligibility": fresh(NotAllocatable, "eligibility"), "suitability": fresh(SuitabilityRecord, "suitability"),
        "review": fresh(ReviewAnswer, "review"), "reopen": fresh(Reopening, "reopen"),
        "new-member": fresh(Member, "new-member"),
        "details": fresh(Details, "details", address=applicant.address, postcode=applicant.postcode,
                         email=applicant.email or "", phone=applicant.phone or "",
                         circumstances=[flag for flag, _ in CIRCUMSTANCES if getattr(applicant, flag)],
                         local_connection=list(applicant.local_connection), needs=list(applicant.needs)),
        "preferences": fresh(BiddingWishes, "preferences", **({} if preference is None else {
            "areas": list(preference.areas), "property_types": list(preference.property_types),
            "max_floor": preference.max_floor,
            "wishes": [wish for wish, _ in WISHES if getattr(preference, wish)]})),
    }
    for member in case["members"]:
        lead = member.relationship is Relationship.LEAD
        found[f"member-{member.id}"] = read(Member, f"member-{member.id}", None, scheme, areas, lead=lead,
                                            **_member_data(member))
        if not lead:  # the lead cannot be removed from their own application
            found[f"remove-{member.id}"] = fresh(Removal, f"remove-{member.id}")
    return found
