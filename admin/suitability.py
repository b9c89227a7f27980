"""The officer's suitability assessment of a home for a household owed the main homelessness duty, before a
final offer (Housing Act 1996 s193(7F)), whether the offer comes from a shortlist or is a direct offer: a finding
with reasons on each factor, and that it is reasonable for the household to accept. A home that fails a need
recorded on the case is refused by the service, naming the need."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlmodel import Session

from cbl.database import Database
from cbl.queries.final_offers import assessing
from cbl.rules.final_offers import LABELS, REQUIRED, Factor
from cbl.services.actors import Actor
from cbl.services.errors import InvalidInput
from cbl.services.final_offers import FINDING_MAX, REASONS_MAX, assess_suitability
from cbl.services.rights import Right
from cbl.web import forms
from cbl.web.auth import now

from .acting import submit
from .guards import current_staff

FINDINGS = [("suitable", "Suitable"), ("unsuitable", "Not suitable")]


def _short(factor: Factor) -> str:
    return LABELS[factor].split(":")[0].lower()


def _finding(factor: Factor) -> forms.Choice:
    return forms.Choice(LABELS[factor], required=f"Give your finding on {_short(factor)}" if factor in REQUIRED
                        else None)


def _reasons(factor: Factor) -> forms.Text:
    return forms.Text(f"Reasons on {_short(factor)}", limit=FINDING_MAX)


class Suitability(forms.Form):
    household = forms.Text("Application reference", limit=32, required="Enter the application reference")
    bedrooms, bedrooms_reasons = _finding(Factor.BEDROOMS), _reasons(Factor.BEDROOMS)
    access, access_reasons = _finding(Factor.ACCESS), _reasons(Factor.ACCESS)
    affordability, affordability_reasons = _finding(Factor.AFFORDABILITY), _reasons(Factor.AFFORDABILITY)
    weekly_income = forms.Money("The household's weekly income, where it is held", required=False)
    location, location_reasons = _finding(Factor.LOCATION), _reasons(Factor.LOCATION)
    other, other_reasons = _finding(Factor.OTHER), _reasons(Factor.OTHER)
    reasonable = forms.Ticked("It is reasonable for the household to accept this home")
    reasons = forms.Text("Why it is reasonable to accept", limit=REASONS_MAX)

    def findings(self) -> dict[str, tuple[bool, str]]:
        """Each factor given a finding: whether the home suits the household on it, and the reasons."""
        return {factor.value: (self[factor.value].data == "suitable", self[f"{factor.value}_reasons"].data or "")
                for factor in Factor if self[factor.value].data}

    def income_pence(self) -> int | None:
        return self.weekly_income.data if (self.weekly_income.raw_data or [""])[0].strip() else None


def suitability_form(body: dict | None = None) -> Suitability:
    return forms.read(Suitability, body, choices={factor.value: FINDINGS for factor in Factor})


def _page(db: Database, request: Request, void_id: int, reference: str | None,
          form: Suitability | None = None) -> Template:
    with db.reading() as session:
        found = assessing(session, void_id, reference)
    if form is None:
        form = suitability_form({"household": reference} if reference else None)
    return Template("admin/suitability.html", status_code=form.status, context={
        "staff": current_staff(request), "found": found, "form": form,
        "factors": [(factor.value, factor in REQUIRED) for factor in Factor]})


@get("/voids/{void_id:int}/suitability", opt={"right": Right.OFFER_FINAL_ASSESS}, sync_to_thread=True)
def suitability_page(db: NamedDependency[Database], request: Request, void_id: FromPath[int],
                     household: FromQuery[str | None] = None) -> Template:
    return _page(db, request, void_id, (household or "")[:32] or None)


@post("/voids/{void_id:int}/suitability", opt={"right": Right.OFFER_FINAL_ASSESS}, sync_to_thread=True)
def record_suitability(db: NamedDependency[Database], request: Request, void_id: FromPath[int],
                       data: forms.Body) -> Template | Redirect:
    form = suitability_form(data)
    reference = (form.household.data or "").strip().upper()
    with db.reading() as session:
        found = assessing(session, void_id, reference)  # no such home: not found

    def record(session: Session, actor: Actor, form: Suitability) -> None:
        if found.household is None or found.household.id is None:
            raise InvalidInput(f"There is no application {reference}", field="household")
        assess_suitability(session, actor, found.household.id, void_id, form.findings(),
                           bool(form.reasonable.data), form.reasons.data or "", now(),
                           weekly_income_pence=form.income_pence())

    return submit(db, request, form, record, lambda refused: _page(db, request, void_id, reference, refused),
                  f"/admin/voids/{void_id}/suitability?household={reference}")
