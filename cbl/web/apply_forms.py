"""The online application's forms: the account's, and one per question page, each drawn by
public/apply/question.html field by field. What a page holds is the household's answer, kept as plain JSON
(dates as ISO text, sums as pence) in its draft: `answer` and `shown` turn one into the other."""

from datetime import date
from typing import Any

from cbl.rules.application_questions import (
    ACCESS_NEEDS, CHANGES, CONNECTIONS, EVIDENCE, IMMIGRATION, MEMBER_RELATIONSHIPS, PRIORITIES, SERVICE, TENURES,
)
from cbl.rules.scheme import Scheme
from cbl.services.passwords import MAX_LENGTH
from cbl.web import forms

YES_NO = [("yes", "Yes"), ("no", "No")]
SEXES = [("F", "Female"), ("M", "Male")]


class AccountForm(forms.Form):
    contact = forms.Text("E-mail address or UK mobile number", limit=254,
                         required="Enter your e-mail address or UK mobile number",
                         description="We will send a code there to check it is yours.")
    password = forms.Password("Create a password", limit=MAX_LENGTH, required="Enter a password",
                              description="At least 10 characters. Three or four unrelated words make a strong one.")
    confirmation = forms.Password("Type the password again", limit=MAX_LENGTH, required="Type the password again")


class CodeForm(forms.Form):
    code = forms.Text("Code", limit=12, required="Enter the code we sent you",
                      description="The 6-digit code in the message we sent you.")


class HouseholdSignIn(forms.Form):
    contact = forms.Text("E-mail address or UK mobile number", limit=254,
                         required="Enter your e-mail address or mobile number")
    password = forms.Password("Password", limit=200, required="Enter your password")
    next = forms.Text("Where to go next", limit=500)


class _Person(forms.Form):
    name = forms.Text("Full name", limit=200, required="Enter the person's full name")
    date_of_birth = forms.Day("Date of birth")
    sex = forms.Choice("Sex (optional)", required=None, description="We use it to work out how many bedrooms "
                                                                       "you need.")


class Lead(_Person):
    name = forms.Text("Your full name", limit=200, required="Enter your full name")
    date_of_birth = forms.Day("Your date of birth")


class Joint(forms.Form):
    joint = forms.Choice("Will someone apply with you as a joint applicant?", required="Choose yes if someone will "
                         "apply with you", description="A joint applicant would share the tenancy with you.")
    relationship = forms.Choice("How are they related to you?", required=None)
    name = forms.Text("Their full name", limit=200)
    date_of_birth = forms.Day("Their date of birth", required=False)

    def validate(self, extra_validators: Any = None) -> bool:
        """The joint applicant's details, only when there is one."""
        valid = super().validate(extra_validators)
        if self.joint.data != "yes":
            return valid
        for field, message in ((self.relationship, "Choose how they are related to you"),
                               (self.name, "Enter their full name"), (self.date_of_birth, "Enter their date of birth")):
            if not field.data and not field.errors:
                field.errors = [message]
                if isinstance(field, forms.Day):
                    field.wrong = forms.Day.PARTS
        return not self.summary


class MoreMembers(forms.Form):
    more = forms.Choice("Does anyone else live with you, or will they live with you?",
                        required="Choose yes if anyone else will live with you")


class Member(_Person):
    relationship = forms.Choice("How are they related to you?", required="Choose how they are related to you")


class Address(forms.Form):
    address = forms.Text("Your address", limit=400, required="Enter your address",
                         description="The building and street, and the town", render_kw={"rows": 3})
    postcode = forms.Text("Postcode", limit=10, required="Enter your postcode")


class Tenure(forms.Form):
    tenure = forms.Choice("How do you live there?", required="Choose how you live there")


class Area(forms.Form):
    years = forms.WholeNumber("Years", low=0, high=99, required=True,
                              message="Enter the whole number of years, like 3 (0 if less than a year)")
    connections = forms.Many("Does your household have any other connection with the area? (optional)")


class Immigration(forms.Form):
    british_or_irish = forms.Choice("Are you a British or Irish citizen?", required="Choose yes if you are a "
                                    "British or Irish citizen")
    leave = forms.Choice("If not, what is your immigration status?", required=None)
    resident = forms.Choice("Have you lived in the UK, Ireland, the Channel Islands or the Isle of Man for all of "
                            "the last 2 years?", required="Choose yes if you have lived here for the last 2 years")

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.british_or_irish.data == "no" and not self.leave.data and not self.leave.errors:
            self.leave.errors = ["Choose your immigration status"]
            return False
        return valid


class Circumstances(forms.Form):
    priorities = forms.Many("Do any of these apply to your household? (optional)",
                            description="Select all that apply. Leave them all unticked if none do.")
    detail = forms.Text("Tell us more (optional)", limit=2000, render_kw={"rows": 5})


class Medical(forms.Form):
    condition = forms.Text("Who has the condition, and what is it?", limit=2000,
                           required="Tell us who has the condition and what it is", render_kw={"rows": 4})
    effect = forms.Text("How does your home make it worse?", limit=2000,
                        required="Tell us how your home makes it worse", render_kw={"rows": 4},
                        description="For example, stairs you cannot manage, or damp that affects breathing.")
    needs = forms.Many("Does anyone need any of these? (optional)")


class ArmedForces(forms.Form):
    service = forms.Choice("Which of these describes the armed forces service?", required="Choose which describes "
                           "the service")


class Money(forms.Form):
    income = forms.Money("Yearly household income, before tax", description="Everyone's pay, pensions and "
                                                                            "benefits for a year, in pounds.")
    savings = forms.Money("Savings and capital", description="Money in the bank, shares, and property you own, "
                                                           "in pounds.")


class Contact(forms.Form):
    ways = forms.Many("How would you like us to tell you about your application? (optional)",
                      description="We always post decisions to you as well.")
    email = forms.Text("E-mail address (optional)", limit=254)
    phone = forms.Text("Phone number (optional)", limit=32)
    large_print = forms.Ticked("Send my letters in large print")


class Upload(forms.Form):
    shows = forms.Choice("What does the file show?", required=None)
    # The file itself is read apart from the form (cbl/web/application_pages.py); this field carries its errors.
    file = forms.Text("Upload a file", limit=0)


class Change(forms.Form):
    what = forms.Choice("What has changed?", required="Choose what has changed")
    on = forms.Day("When did it change?")


class ChangeAddress(Address):
    address = forms.Text("Your new address", limit=400, required="Enter your new address", render_kw={"rows": 3})


class ChangeMedical(Medical):
    pass


class Declaration(forms.Form):
    declaration = forms.Ticked("I confirm that the information I have given is true and complete, and that I will "
                               "tell the council if anything changes")


# Each question page: its form, its heading, and where its answer is kept in the draft.
PAGES: dict[str, tuple[type[forms.Form], str, str]] = {
    "lead": (Lead, "About you", "lead"),
    "joint": (Joint, "A joint applicant", "joint"),
    "members": (MoreMembers, "Who will live with you", "members"),
    "member": (Member, "Add someone who will live with you", "member"),
    "address": (Address, "Where you live now", "address"),
    "tenure": (Tenure, "Your home", "tenure"),
    "area": (Area, "How long have you lived in the area?", "area"),
    "immigration": (Immigration, "Your nationality and immigration status", "immigration"),
    "circumstances": (Circumstances, "Your housing circumstances", "circumstances"),
    "medical": (Medical, "Medical or welfare need", "medical"),
    "armed-forces": (ArmedForces, "Armed forces service", "armed_forces"),
    "money": (Money, "Income and savings", "money"),
    "contact": (Contact, "How we contact you", "contact"),
    "change": (Change, "What has changed", "change"),
    "change-member": (Member, "Who has joined your household", "change_member"),
    "change-address": (ChangeAddress, "Your new address", "change_address"),
    "change-medical": (ChangeMedical, "The medical or welfare need", "change_medical"),
}


def choices(scheme: Scheme, joint: bool = False) -> dict[str, list]:
    """Every list a page may offer, from the rules' lists (the priorities the scheme asks about)."""
    return {
        "sex": SEXES, "joint": YES_NO, "more": YES_NO, "british_or_irish": YES_NO, "resident": YES_NO,
        "relationship": [item for item in MEMBER_RELATIONSHIPS.items() if not joint or item[0] in
                         ("partner", "other_adult")],
        "tenure": list(TENURES.items()), "connections": list(CONNECTIONS.items()),
        "leave": list(IMMIGRATION.items()), "needs": list(ACCESS_NEEDS.items()),
        "priorities": [(code, PRIORITIES[code]) for code in scheme.application.priorities],
        "service": list(SERVICE.items()), "shows": list(EVIDENCE.items()), "what": list(CHANGES.items()),
        "ways": [("by_email", "E-mail"), ("by_text", "Text message")],
    }


def read_page(page: str, scheme: Scheme, body: dict | None, answer: dict | None = None) -> forms.Form:
    """The page's form: from a submitted body, or showing the answer kept (or empty)."""
    kind = PAGES[page][0]
    fields = kind()._fields
    wanted = {name: options for name, options in choices(scheme, joint=page == "joint").items() if name in fields}
    return forms.read(kind, body, choices=wanted, **(shown(kind, answer) if body is None and answer else {}))


def answer(form: forms.Form) -> dict:
    """What the page's form holds, as the draft keeps it."""
    kept: dict[str, Any] = {}
    for field in form:
        value = field.data
        kept[field.name] = value.isoformat() if isinstance(value, date) else value
    return kept


def shown(kind: type[forms.Form], kept: dict) -> dict:
    """A kept answer as the form's data again."""
    data = {}
    for name, field in kind()._fields.items():
        value = kept.get(name)
        data[name] = date.fromisoformat(value) if isinstance(field, forms.Day) and value else value
    return data


def summary(form: forms.Form) -> list[tuple[str, str]]:
    """Each question and its answer in words, for check your answers."""
    rows = []
    for field in form:
        value = field.data
        if isinstance(field, (forms.Choice, forms.Many)):
            labels = dict(field.options())
            value = ", ".join(labels.get(v, v) for v in value) if isinstance(value, list) else labels.get(value, "")
            value = value or "None"
        elif isinstance(field, forms.Day):
            value = f"{value.day} {value:%B %Y}" if value else ""
        elif isinstance(field, forms.Money):
            value = f"£{(value or 0) / 100:,.2f}"
        elif isinstance(field, forms.Ticked):
            value = "Yes" if value else "No"
        if value not in (None, ""):
            rows.append((field.label.text.removesuffix(" (optional)"), str(value)))
    return rows
