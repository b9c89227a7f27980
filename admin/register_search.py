"""The register search: one form of optional fields (reference, a person's name, date of birth and National
Insurance number, e-mail, phone, postcode, address, status, band), results a page at a time, each with why it was
found.

Anything about a person is searched by POST, so that it never sits in an address, a browser's history or an access
log; the register by status and band alone is an ordinary page (GET) with links to its pages.
"""

from urllib.parse import urlencode

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template
from wtforms.validators import ValidationError

from cbl.database import Database
from cbl.models.states import ApplicationStatus
from cbl.queries import register_search
from cbl.queries.paging import PAGE_MAX
from cbl.queries.search_terms import REFERENCE_MARKS
from cbl.rules.national_insurance import national_insurance_number
from cbl.rules.search_keys import words
from cbl.rules.scheme import Scheme
from cbl.services.rights import Right
from cbl.web import forms

from .guards import current_staff

PHONE_MARKS = set(" +-().")


class RegisterSearch(forms.Form):
    name = forms.Text("Name", limit=200)
    date_of_birth = forms.Day("Date of birth", required=False)
    national_insurance_number = forms.Text("National Insurance number", limit=13)
    reference = forms.Text("Application reference", limit=32)
    email = forms.Text("E-mail address", limit=254)
    phone = forms.Text("Phone number", limit=32)
    postcode = forms.Text("Postcode", limit=10)
    address = forms.Text("Address", limit=200)
    # Not "status": a form's status is the HTTP status it answers with (cbl/web/forms.py).
    application_status = forms.Choice("Status", required=None)
    band = forms.Choice("Band", required=None)
    page = forms.WholeNumber("Page", low=1, high=PAGE_MAX, message=f"Page must be a whole number from 1 to {PAGE_MAX}")

    def validate_name(self, field: forms.Text) -> None:
        if not any(len(word) >= 2 for word in words(field.data)):
            raise ValidationError("Enter at least 2 letters of a name")

    def validate_national_insurance_number(self, field: forms.Text) -> None:
        if national_insurance_number(field.data) is None:
            raise ValidationError("Enter a National Insurance number in the right format, like JG 10 37 59 A")

    def validate_reference(self, field: forms.Text) -> None:
        if not all(c.isalnum() or c.isspace() or c in REFERENCE_MARKS for c in field.data):
            raise ValidationError("Enter an application reference, or part of one, like HR000123")

    def validate_email(self, field: forms.Text) -> None:
        local, at, domain = field.data.partition("@")
        if not (local and at and domain) or any(c.isspace() for c in field.data):
            raise ValidationError("Enter a whole e-mail address, like name@example.com")

    def validate_phone(self, field: forms.Text) -> None:
        digits = sum(c.isascii() and c.isdigit() for c in field.data)
        if any(not (c.isascii() and c.isdigit()) and c not in PHONE_MARKS for c in field.data) or not 7 <= digits <= 15:
            raise ValidationError("Enter a phone number, like 01632 960 001 or +44 7700 900 982")

    def validate_postcode(self, field: forms.Text) -> None:
        typed = "".join(field.data.split())
        if not (typed.isascii() and typed.isalnum() and typed[0].isalpha() and 2 <= len(typed) <= 7):
            raise ValidationError("Enter a postcode, or its first part, like AT1 or AT1 2BC")

    def validate_address(self, field: forms.Text) -> None:
        if not any(len(word) >= 2 for word in words(field.data)):
            raise ValidationError("Enter at least 2 letters or numbers of the address")

    def criteria(self) -> register_search.RegisterSearch:
        """What to look for (the form having held)."""
        return register_search.RegisterSearch(
            reference=self.reference.data or "", name=self.name.data or "", date_of_birth=self.date_of_birth.data,
            national_insurance_number=national_insurance_number(self.national_insurance_number.data or "") or "",
            email=self.email.data or "", phone=self.phone.data or "", postcode=self.postcode.data or "",
            address=self.address.data or "", status=self.application_status.data or "", band=self.band.data or "",
            page=self.page.data or 1)


def _form(scheme: Scheme, body: dict) -> RegisterSearch:
    statuses = [(status.value, status.value.capitalize()) for status in ApplicationStatus]
    return forms.read(RegisterSearch, body, choices={"band": scheme.bands.order, "application_status": statuses})


def _page(db: Database, request: Request, form: RegisterSearch) -> Template:
    found = None
    if form.validate():
        with db.reading() as session:
            found = register_search.search(session, form.criteria())
    criteria = form.criteria() if found is not None else register_search.RegisterSearch()
    return Template("admin/applicants/search.html", status_code=form.status, context={
        "staff": current_staff(request), "form": form, "found": found, "criteria": criteria,
        # The register by status and band alone has links to its pages; a search about a person, buttons (POST).
        "page_link": lambda number: "/admin/applicants?" + urlencode(
            {**{k: v for k, v in (("status", criteria.status), ("band", criteria.band)) if v}, "page": number}),
        # Carried to the next page (POST) as typed.
        "carried": {name: value for name, value in _typed(form).items() if value}})


def _typed(form: RegisterSearch) -> dict[str, str]:
    typed = {field.name: str(field.data or "") if isinstance(field, forms.Choice) else field._value()
             for field in form if field.name not in ("page", "date_of_birth")}
    typed.update({f"date_of_birth-{part}": value for part, value in form.date_of_birth.parts.items()})
    return typed


@get("/applicants", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def applicant_search(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                     band: FromQuery[str | None] = None, status: FromQuery[str | None] = None,
                     page: FromQuery[str | None] = None) -> Template:
    """The register, by status and band. Anything about a person is searched by POST (below)."""
    return _page(db, request, _form(scheme, {"band": band or "", "application_status": status or "",
                                             "page": page or ""}))


@post("/applicants/search", opt={"right": Right.REGISTER_READ}, sync_to_thread=True, status_code=200)
def applicant_search_submit(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                            data: forms.Body) -> Template:
    return _page(db, request, _form(scheme, data))
