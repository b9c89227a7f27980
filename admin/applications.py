"""Taking in an application and keeping its household and details right, from the case page."""

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import Session

from cbl.database import Database
from cbl.queries import register
from cbl.models import HouseholdMember
from cbl.models.states import Relationship
from cbl.rules.scheme import Scheme
from cbl.rules.working_days import local_date
from cbl.services.actors import staff as staff_actor
from cbl.services.applications import (
    BACKDATING_REASON_LIMIT, BACKDATING_REASON_NEEDED, NEEDS, Circumstances, ContactDetails, MemberDetails,
    PossibleDuplicates, add_member, create_application, known_areas, remove_member, update_details, update_member,
)
from cbl.services.auto_bid import save_bidding_preference
from cbl.services.errors import DomainError, NotFound
from cbl.services.register_review import record_review_answer, reinstate_closed
from cbl.web import forms
from cbl.web.auth import now

from .guards import current_staff
from .case_forms import CIRCUMSTANCES, SEXES, BiddingWishes, Details, Member, Removal, Reopening, ReviewAnswer
from .register import decide_on_case, read_case
from cbl.services.rights import Right


class NewApplication(forms.Form):
    name = forms.Text("Full name", limit=200, required="Enter the person's full name")
    date_of_birth = forms.Day("Date of birth")
    national_insurance_number = forms.Text("National Insurance number (optional)", limit=13)
    sex = forms.Choice("Sex", required=None)
    address = forms.Text("Current address", limit=400, required="Enter the household's current address")
    postcode = forms.Text("Postcode", limit=10, required="Enter the postcode")
    email = forms.Text("E-mail address (optional)", limit=254)
    phone = forms.Text("Phone number (optional)", limit=32)
    circumstances = forms.Many("The household")
    local_connection = forms.Many("Local connection to")
    needs = forms.Many("Access needs")
    registration_date = forms.Day("Registration date", required=False)
    backdating_reason = forms.Text("Reason for the earlier date", limit=BACKDATING_REASON_LIMIT)
    different_household = forms.Ticked("This is a different household")

    def validate(self, extra_validators: Any = None) -> bool:
        """As every form, and the service's rule that an earlier date needs its reason shown with the rest."""
        valid = super().validate(extra_validators)
        day, reason = self.registration_date.data, self.backdating_reason
        if day and day < local_date(now()) and not reason.data and not reason.errors:
            reason.errors = [BACKDATING_REASON_NEEDED]
            return False
        return valid


def _new_form(db: Database, body: dict | None = None) -> NewApplication:
    with db.reading() as session:
        areas = register.areas(session)
    return forms.read(NewApplication, body, choices={
        "sex": SEXES, "circumstances": CIRCUMSTANCES, "local_connection": [(area, area) for area in areas],
        "needs": list(NEEDS.items())})


def _new_page(request: Request, form: NewApplication, duplicates: list | None = None) -> Template:
    return Template("admin/applicants/new.html", status_code=form.status,
                    context={"staff": current_staff(request), "form": form, "duplicates": duplicates or []})


@get("/applicants/new", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def new_application(db: NamedDependency[Database], request: Request) -> Template:
    return _new_page(request, _new_form(db))


@post("/applicants/new", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def new_application_submit(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                           data: forms.Body) -> Template | Redirect:
    """A new application; a lead who may already be on the register comes back with the applications they are on,
    to be checked, or confirmed as a different household."""
    form = _new_form(db, data)
    duplicates = None
    if form.validate():
        lead = MemberDetails(form.name.data, form.date_of_birth.data, "lead", form.sex.data, False,
                             form.national_insurance_number.data or "")
        contact = ContactDetails(form.address.data, form.postcode.data, form.email.data or "", form.phone.data or "")
        flags = set(form.circumstances.data)
        circumstances = Circumstances("homeless_duty" in flags, "transfer_tenant" in flags,
                                      tuple(form.local_connection.data), tuple(form.needs.data))
        try:
            applicant = db.run(lambda session, actor: create_application(
                session, actor, scheme, lead, contact, circumstances, known_areas(session),
                form.registration_date.data, now(), backdating_reason=form.backdating_reason.data or "",
                different_household=form.different_household.data), staff_actor(current_staff(request)))
            return Redirect(f"/admin/applicants/{applicant.reference}", status_code=303)
        except PossibleDuplicates as error:
            form.refuse(error)
            duplicates = error.matches
        except DomainError as error:
            form.refuse(error)
    return _new_page(request, form, duplicates)


@post("/applicants/{reference:str}/details", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def details(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
            reference: FromPath[str], data: forms.Body) -> Template | Redirect:

    def save(session: Session, actor, form: Details, applicant_id: int):  # noqa: ANN001, ANN202
        contact = ContactDetails(form.address.data, form.postcode.data, form.email.data or "", form.phone.data or "")
        flags = set(form.circumstances.data)
        circumstances = Circumstances("homeless_duty" in flags, "transfer_tenant" in flags,
                                      tuple(form.local_connection.data), tuple(form.needs.data))
        return update_details(session, actor, applicant_id, contact, circumstances, known_areas(session), now())

    return decide_on_case(db, request, scheme, read_case(db, reference), "details", Details, data, save)


def _person(form: Member) -> MemberDetails:
    return MemberDetails(form.name.data, form.date_of_birth.data, form.relationship.data, form.sex.data or "",
                         form.needs_own_room.data, form.national_insurance_number.data or "")


@post("/applicants/{reference:str}/members", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def member_added(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                 reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    return decide_on_case(db, request, scheme, read_case(db, reference), "new-member", Member, data,
                          lambda s, actor, form, applicant_id: add_member(s, actor, scheme, applicant_id,
                                                                          _person(form), now()))


def _own_member(session: Session, applicant_id: int, member_id: int) -> int:
    """A member id from the form must belong to the case in the address, or it is not found."""
    member = session.get(HouseholdMember, member_id)
    if member is None or member.applicant_id != applicant_id:
        raise NotFound("No such household member.")
    return member_id


def _member_on(case: dict, member_id: int) -> HouseholdMember:
    member = next((m for m in case["members"] if m.id == member_id), None)
    if member is None:
        raise NotFound("No such household member.")
    return member


@post("/applicants/{reference:str}/members/{member_id:int}", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def member_changed(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                   reference: FromPath[str], member_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    case = read_case(db, reference)
    lead = _member_on(case, member_id).relationship is Relationship.LEAD
    return decide_on_case(db, request, scheme, case, f"member-{member_id}", Member, data,
                          lambda s, actor, form, applicant_id: update_member(
                              s, actor, scheme, _own_member(s, applicant_id, member_id), _person(form), now()),
                          lead=lead)


@post("/applicants/{reference:str}/members/{member_id:int}/removal", opt={"right": Right.REGISTER_WRITE},
      sync_to_thread=True)
def member_removed(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                   reference: FromPath[str], member_id: FromPath[int], data: forms.Body) -> Template | Redirect:
    case = read_case(db, reference)
    _member_on(case, member_id)
    return decide_on_case(db, request, scheme, case, f"remove-{member_id}", Removal, data,
                          lambda s, actor, form, applicant_id: remove_member(
                              s, actor, scheme, _own_member(s, applicant_id, member_id), form.reason.data, now()))


@post("/applicants/{reference:str}/preferences", opt={"right": Right.BID_ON_BEHALF}, sync_to_thread=True)
def preferences(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    """Auto-bid for a household that cannot bid itself: its wishes, saved by the officer who knows them."""

    def save(session: Session, actor, form: BiddingWishes, applicant_id: int):  # noqa: ANN001, ANN202
        wishes = set(form.wishes.data)
        return save_bidding_preference(
            session, actor, applicant_id, areas=form.areas.data, property_types=form.property_types.data,
            max_floor=form.max_floor.data, needs_lift="needs_lift" in wishes, wants_garden="wants_garden" in wishes,
            auto_bid="auto_bid" in wishes)

    return decide_on_case(db, request, scheme, read_case(db, reference), "preferences", BiddingWishes, data, save)


@post("/applicants/{reference:str}/register-review", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def review_answer(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
                  reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    return decide_on_case(db, request, scheme, read_case(db, reference), "review", ReviewAnswer, data,
                          lambda s, actor, form, applicant_id: record_review_answer(
                              s, actor, scheme, applicant_id, form.stays.data == "yes", form.note.data or "", now()))


@post("/applicants/{reference:str}/reopening", opt={"right": Right.REGISTER_WRITE}, sync_to_thread=True)
def reopening(db: NamedDependency[Database], scheme: NamedDependency[Scheme], request: Request,
              reference: FromPath[str], data: forms.Body) -> Template | Redirect:
    return decide_on_case(db, request, scheme, read_case(db, reference), "reopen", Reopening, data,
                          lambda s, actor, form, applicant_id: reinstate_closed(
                              s, actor, scheme, applicant_id, form.reason.data, now()))
