"""Taking in an application and keeping its household and details right, from the case page."""

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import Session

from cbl.rules.digits import only_digits
from cbl.database import Database
from cbl.queries import register
from cbl.models import HouseholdMember
from cbl.rules.scheme import Scheme
from cbl.services.actors import staff as staff_actor
from cbl.services.applications import (
    Circumstances, ContactDetails, MemberDetails, add_member, create_application, known_areas, remove_member,
    update_details, update_member,
)
from cbl.services.auto_bid import save_bidding_preference
from cbl.services.errors import DomainError, InvalidInput, NotFound
from cbl.services.register_review import record_review_answer, reinstate_closed
from cbl.web import forms
from cbl.web.auth import now

from .guards import current_staff
from .register import CASE_CHOICES, decide_on_case
from cbl.services.rights import Right


def _contact(data: dict[str, Any]) -> ContactDetails:
    return ContactDetails(forms.text(data, "address", 400), forms.text(data, "postcode", 10),
                          forms.text(data, "email", 254), forms.text(data, "phone", 32))


def _circumstances(data: dict[str, Any]) -> Circumstances:
    flags = set(forms.many(data, "circumstances", 32))
    return Circumstances("homeless_duty" in flags, "transfer_tenant" in flags,
                         tuple(forms.many(data, "local_connection", 100)), tuple(forms.many(data, "needs", 32)))


def _member(data: dict[str, Any], relationship: str | None = None) -> MemberDetails:
    born = forms.day(data, "date_of_birth")
    return MemberDetails(forms.text(data, "name", 200), born, relationship or forms.text(data, "relationship", 32),
                         forms.text(data, "sex", 1), forms.ticked(data, "needs_own_room"))


class NewApplication(forms.Form):
    name = forms.Text("Full name", limit=200, required="Enter the person's full name")
    date_of_birth = forms.Day("Date of birth")
    sex = forms.Choice("Sex", required=None)
    address = forms.Text("Current address", limit=400, required="Enter the household's current address")
    postcode = forms.Text("Postcode", limit=10, required="Enter the postcode")
    email = forms.Text("E-mail address (optional)", limit=254)
    phone = forms.Text("Phone number (optional)", limit=32)
    circumstances = forms.Many("The household")
    local_connection = forms.Many("Local connection to")
    needs = forms.Many("Access needs")
    registration_date = forms.Day("Registration date", required=False)


def _new_form(db: Database, body: dict | None = None) -> NewApplication:
    with db.reading() as session:
        areas = register.areas(session)
    return forms.read(NewApplication, body, choices={
        "sex": CASE_CHOICES["sexes"], "circumstances": CASE_CHOICES["circumstances"],
        "local_connection": [(area, area) for area in areas], "needs": CASE_CHOICES["needs"]})


def _new_page(request: Request, form: NewApplication) -> Template:
    return Template("admin/applicants/new.html", status_code=form.status,
                    context={"staff": current_staff(request), "form": form})


@get("/applicants/new", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def new_application(db: NamedDependency[Database], request: Request) -> Template:
    return _new_page(request, _new_form(db))


@post("/applicants/new", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def new_application_submit(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                           data: forms.Body) -> Template | Redirect:
    form = _new_form(db, data)
    if form.validate():
        lead = MemberDetails(form.name.data, form.date_of_birth.data, "lead", form.sex.data, False)
        contact = ContactDetails(form.address.data, form.postcode.data, form.email.data or "", form.phone.data or "")
        flags = set(form.circumstances.data)
        circumstances = Circumstances("homeless_duty" in flags, "transfer_tenant" in flags,
                                      tuple(form.local_connection.data), tuple(form.needs.data))
        try:
            applicant = db.run(lambda session, actor: create_application(
                session, actor, scheme, lead, contact, circumstances, known_areas(session),
                form.registration_date.data, now()), staff_actor(current_staff(request)))
            return Redirect(f"/admin/applicants/{applicant.reference}", status_code=303)
        except DomainError as error:
            form.refuse(error)
    return _new_page(request, form)


@post("/applicants/{reference:str}/details", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def details(db: NamedDependency[Database], request: Request, reference: FromPath[str],
            data: forms.Body) -> Template | Redirect:
    return decide_on_case(db, request, reference, "details", lambda s, actor, applicant_id: update_details(
        s, actor, applicant_id, _contact(data), _circumstances(data), known_areas(s), now()))


@post("/applicants/{reference:str}/members", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def member_added(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                 reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    return decide_on_case(db, request, reference, "member", lambda s, actor, applicant_id: add_member(
        s, actor, scheme, applicant_id, _member(data), now()))


def _own_member(session: Session, applicant_id: int, member_id: int) -> int:
    """A member id from the form must belong to the case in the address, or it is not found."""
    member = session.get(HouseholdMember, member_id)
    if member is None or member.applicant_id != applicant_id:
        raise NotFound("No such household member.")
    return member_id


@post("/applicants/{reference:str}/members/{member_id:int}", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def member_changed(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                   reference: FromPath[str], member_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    return decide_on_case(db, request, reference, f"member-{member_id}", lambda s, actor, applicant_id: update_member(
        s, actor, scheme, _own_member(s, applicant_id, member_id), _member(data), now()))


@post("/applicants/{reference:str}/members/{member_id:int}/removal", opt={"right": Right.REGISTER_WRITE},
      sync_to_thread=True)
def member_removed(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                   reference: FromPath[str], member_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    return decide_on_case(db, request, reference, f"remove-{member_id}", lambda s, actor, applicant_id: remove_member(
        s, actor, scheme, _own_member(s, applicant_id, member_id), forms.text(data, "reason", 500), now()))


@post("/applicants/{reference:str}/preferences", opt={"right": Right.BID_ON_BEHALF}, sync_to_thread=True)
def preferences(db: NamedDependency[Database], request: Request, reference: FromPath[str],
                data: forms.Body) -> Template | Redirect:
    """Auto-bid for a household that cannot bid itself: its wishes, saved by the officer who knows them."""

    def save(session: Session, actor, applicant_id: int):  # noqa: ANN202
        floor = forms.text(data, "max_floor", 3)
        if floor and not only_digits(floor):
            raise InvalidInput("Highest floor must be a number from 0 (ground floor) to 60.", field="max_floor")
        wishes = set(forms.many(data, "wishes", 32))
        return save_bidding_preference(
            session, actor, applicant_id, areas=forms.many(data, "areas", 100),
            property_types=forms.many(data, "property_types", 32), max_floor=int(floor) if floor else None,
            needs_lift="needs_lift" in wishes, wants_garden="wants_garden" in wishes, auto_bid="auto_bid" in wishes)

    return decide_on_case(db, request, reference, "preferences", save)


@post("/applicants/{reference:str}/register-review", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def review_answer(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                  reference: FromPath[str], data: forms.Body) -> Template | Redirect:

    def record(session: Session, actor, applicant_id: int):  # noqa: ANN202
        answer = forms.text(data, "stays", 3)
        if answer not in ("yes", "no"):
            raise InvalidInput("Say whether the household wants to stay on the register.", field="stays")
        return record_review_answer(session, actor, scheme, applicant_id, answer == "yes",
                                    forms.text(data, "note", 500), now())

    return decide_on_case(db, request, reference, "review", record)


@post("/applicants/{reference:str}/reopening", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def reopening(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
              reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    return decide_on_case(db, request, reference, "reopen", lambda s, actor, applicant_id: reinstate_closed(
        s, actor, scheme, applicant_id, forms.text(data, "reason", 2000), now()))
