"""Homes: those standing empty, or found by reference, UPRN, address and postcode, a page at a time (a GET form:
nothing in it is about a person)."""

from urllib.parse import urlencode

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template
from wtforms.validators import ValidationError

from cbl.database import Database
from cbl.queries import stock as stock_queries
from cbl.queries.paging import PAGE_MAX
from cbl.queries.search_terms import REFERENCE_MARKS
from cbl.rules.digits import only_digits
from cbl.rules.search_keys import words
from cbl.services.lettings import void_days
from cbl.services.rights import Right
from cbl.web import forms
from cbl.web.auth import now

from .guards import current_staff


class HomeSearch(forms.Form):
    reference = forms.Text("Landlord's reference", limit=32)
    uprn = forms.Text("UPRN", limit=12)
    address = forms.Text("Address", limit=200)
    postcode = forms.Text("Postcode", limit=10)
    page = forms.WholeNumber("Page", low=1, high=PAGE_MAX, message=f"Page must be a whole number from 1 to {PAGE_MAX}")

    def validate_reference(self, field: forms.Text) -> None:
        if not all(c.isalnum() or c.isspace() or c in REFERENCE_MARKS for c in field.data):
            raise ValidationError("Enter a home's reference, or part of one, like S000123")

    def validate_uprn(self, field: forms.Text) -> None:
        if not only_digits(field.data):
            raise ValidationError("Enter a UPRN: up to 12 digits, like 100023336956")

    def validate_address(self, field: forms.Text) -> None:
        if not any(len(word) >= 2 for word in words(field.data)):
            raise ValidationError("Enter at least 2 letters or numbers of the address")

    def validate_postcode(self, field: forms.Text) -> None:
        typed = "".join(field.data.split())
        if not (typed.isascii() and typed.isalnum() and typed[0].isalpha() and 2 <= len(typed) <= 7):
            raise ValidationError("Enter a postcode, or its first part, like AT1 or AT1 2BC")

    def criteria(self) -> stock_queries.HomeSearch:
        return stock_queries.HomeSearch(reference=self.reference.data or "", uprn=self.uprn.data or "",
                                        address=self.address.data or "", postcode=self.postcode.data or "",
                                        page=self.page.data or 1)


@get("/stock", opt={"right": Right.STOCK_READ}, sync_to_thread=True)
def stock(db: NamedDependency[Database], request: Request, reference: FromQuery[str | None] = None,
          uprn: FromQuery[str | None] = None, address: FromQuery[str | None] = None,
          postcode: FromQuery[str | None] = None, page: FromQuery[str | None] = None) -> Template:
    """The homes standing empty, or those found."""
    form = forms.read(HomeSearch, {"reference": reference or "", "uprn": uprn or "", "address": address or "",
                                   "postcode": postcode or "", "page": page or ""})
    found, criteria = None, stock_queries.HomeSearch()
    if form.validate():
        criteria = form.criteria()
        with db.reading() as session:
            found = stock_queries.homes(session, criteria)
    today = now().date()
    return Template("admin/stock/list.html", status_code=form.status, context={
        "staff": current_staff(request), "form": form, "found": found, "criteria": criteria,
        "ages": {row.void.id: void_days(row.void.tenancy_end_date, today) for row in (found.rows if found else [])
                 if row.void},
        "page_link": lambda number: "/admin/stock?" + urlencode({**criteria.given(), "page": number})})
