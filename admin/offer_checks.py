"""A shortlist place's checks before an offer: what has been recorded (passed or failed, with the note, who and
when), what still stops the offer, and the form to record another."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import Session

from cbl.database import Database
from cbl.models.states import OfferCheckKind
from cbl.queries.viewings import place_checks
from cbl.rules.pre_offer_checks import NAMES
from cbl.rules.scheme import Scheme
from cbl.services.actors import Actor
from cbl.services.pre_offer_checks import NOTE_MAX, record_check
from cbl.services.rights import Right
from cbl.web import forms
from cbl.web.auth import now

from .acting import submit
from .guards import current_staff

RESULTS = [("passed", "Passed"), ("failed", "Not passed: the household is passed over for this home")]


class PlaceCheck(forms.Form):
    kind = forms.Choice("Check", required="Choose the check")
    result = forms.Choice("Result", required="Say whether the check was passed")
    note = forms.Text("Note", limit=NOTE_MAX)

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        super().validate(extra_validators)
        # A check not passed needs its note (it goes in the letter): shown with every other error at once.
        if self.result.data == "failed" and not self.note.errors and not (self.note.data or "").strip():
            self.note.errors = [*self.note.errors, "Say why the check was not passed: it goes in the letter"]
        return not self.summary


def check_form(body: dict | None = None) -> PlaceCheck:
    return forms.read(PlaceCheck, body, choices={"kind": [(kind.value, NAMES[kind]) for kind in OfferCheckKind],
                                                 "result": RESULTS})


def _page(db: Database, scheme: Scheme, request: Request, reference: str, entry_id: int,
          form: PlaceCheck | None = None) -> Template:
    with db.reading() as session:
        found = place_checks(session, scheme, reference, entry_id)
    return Template("admin/adverts/checks.html", status_code=form.status if form else 200, context={
        "staff": current_staff(request), "found": found, "form": form or check_form(), "names": NAMES,
        "required": [NAMES[kind] for kind in scheme.offers.checks_before_offer]})


@get("/adverts/{reference:str}/shortlist/{entry_id:int}/checks", opt={"right": Right.REGISTER_READ},
     sync_to_thread=True)
def checks_page(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                reference: FromPath[str], entry_id: FromPath[int]) -> Template:
    return _page(db, scheme, request, reference, entry_id)


@post("/adverts/{reference:str}/shortlist/{entry_id:int}/checks", opt={"right": Right.SHORTLIST_WORK},
      sync_to_thread=True)
def record_a_check(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                   reference: FromPath[str], entry_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    with db.reading() as session:
        place_checks(session, scheme, reference, entry_id)  # a place of another advert is not found

    def record(session: Session, actor: Actor, form: PlaceCheck):  # noqa: ANN202
        return record_check(session, actor, scheme, entry_id, form.kind.data, form.result.data == "passed",
                            form.note.data or "", now())

    return submit(db, request, check_form(data), record,
                  lambda form: _page(db, scheme, request, reference, entry_id, form),
                  f"/admin/adverts/{reference}/shortlist/{entry_id}/checks")
