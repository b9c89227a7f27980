"""The forms of the panels' pages (docs/decisions/0002-forms.md): a referral with its evidence, the panel arranged,
and its decision as structured findings, each list taking only the values it offers."""

from typing import Any

from wtforms.validators import StopValidation

from cbl.models import StaffUser
from cbl.models.states import PanelKind
from cbl.rules.application_questions import EVIDENCE
from cbl.rules.panels import ACCESS, FEWEST_MEMBERS
from cbl.rules.scheme import Scheme
from cbl.services.panels import KIND_WORDS, Recommendation
from cbl.web import forms

KINDS = [(kind.value, f"{KIND_WORDS[kind].capitalize()} panel") for kind in PanelKind]
SHOWS = [("", "Choose"), *EVIDENCE.items()]


class Referral(forms.Form):
    kind = forms.Choice("Which panel should hear the case?", required="Choose the panel to refer the case to")
    reason = forms.Text("Why the case needs the panel, and what it should decide", limit=2000,
                        required="Say why the case needs the panel and what it should decide")
    shows = forms.Choice("What does the file show?", required=None)
    # The file itself is read apart from the form (admin/panels.py); this field carries its errors.
    file = forms.Upload("Evidence for the panel (optional: you can add more later)")


class EvidenceUpload(forms.Form):
    shows = forms.Choice("What does the file show?", required="Choose what the file shows")
    file = forms.Upload("Upload a file")


class Arrangement(forms.Form):
    meets_on = forms.Day("Date the panel meets")
    members = forms.Many("Members of the panel", required=f"Choose at least {FEWEST_MEMBERS} members of staff to "
                                                          "sit on the panel")

    def validate_members(self, field: forms.Many) -> None:
        if len(set(field.data or [])) < FEWEST_MEMBERS:
            raise StopValidation(f"Choose at least {FEWEST_MEMBERS} members of staff to sit on the panel")

    def member_ids(self) -> list[int]:
        return [int(member) for member in self.members.data or []]


class Decision(forms.Form):
    band = forms.Choice("Band awarded (leave unchanged for no band award)", required=None)
    band_effective = forms.Day("Date the band takes effect from", required=False)
    points = forms.WholeNumber("Points (points schemes only)", low=-999_999, high=999_999,
                               message="Points must be a whole number, like 120")
    access = forms.Many("Access needs the panel found")
    carer_bedroom = forms.Ticked("Needs a bedroom for a carer who stays overnight")
    area_restrictions = forms.Many("Areas the household should not be housed in")
    reasons = forms.Text("The panel's reasons", limit=4000,
                         required="Give the panel's reasons; they go in the decision letter")

    def validate_band_effective(self, field: forms.Day) -> None:
        if self.band.data and field.data is None and not field.errors:
            raise StopValidation("Enter the date the band takes effect from")
        if field.data is not None and not self.band.data:
            raise StopValidation("Choose the band the date is for, or leave the date empty")

    def recommendation(self) -> Recommendation:
        return Recommendation(band=self.band.data or None, band_effective=self.band_effective.data,
                              points=self.points.data, access=frozenset(self.access.data or []),
                              carer_bedroom=bool(self.carer_bedroom.data),
                              area_restrictions=frozenset(self.area_restrictions.data or []))


def choices(scheme: Scheme, staff: list[StaffUser], areas: list[str]) -> dict[type[forms.Form], dict[str, Any]]:
    return {
        Referral: {"kind": KINDS, "shows": SHOWS},
        EvidenceUpload: {"shows": SHOWS},
        Arrangement: {"members": [(str(user.id), f"{user.name} ({user.role.value.replace('_', ' ')})")
                                 for user in staff]},
        Decision: {"band": [("", "Unchanged"), *((band, f"{band}: {scheme.bands.label(band)}")
                                                 for band in scheme.bands.order)],
                   "access": [(code, words[0].upper() + words[1:]) for code, words in ACCESS.items()],
                   "area_restrictions": [(area, area) for area in areas]},
    }


def read(kind: type[forms.F], body: dict | None, scheme: Scheme, staff: list[StaffUser], areas: list[str],
         **data: Any) -> forms.F:
    return forms.read(kind, body, choices=choices(scheme, staff, areas).get(kind, {}), **data)
