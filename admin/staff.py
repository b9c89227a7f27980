"""Staff administration for the system administrator: who has an account, inviting someone, their
role and grade, disabling and enabling. (The invited member of staff sets a password on admin/auth.py's page.)"""

from collections.abc import Callable

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from wtforms.validators import ValidationError

from cbl.database import Database
from cbl.models import StaffUser
from cbl.models.states import StaffRole
from cbl.queries import staff as staff_query
from cbl.services import staff as staff_admin
from cbl.services.actors import Actor, staff as staff_actor
from cbl.services.errors import DomainError
from cbl.services.rights import Right
from cbl.settings import Settings
from cbl.web import forms
from cbl.web.auth import now

from .guards import current_staff

GRADE_MESSAGE = (f"Grade must be a whole number from {staff_admin.LOWEST_GRADE} to "
                 f"{staff_admin.HIGHEST_GRADE}")


class Invitation(forms.Form):
    name = forms.Text("Full name", limit=200, required="Enter the person's full name")
    email = forms.Text("E-mail address", limit=254, required="Enter the person's e-mail address")
    role = forms.Choice("Role", required="Choose a role")
    grade = forms.WholeNumber("Grade", low=staff_admin.LOWEST_GRADE, high=staff_admin.HIGHEST_GRADE,
                              message=GRADE_MESSAGE, required=True)

    def validate_email(self, field: forms.Text) -> None:
        """Shown with the form's other mistakes, not after them: the service's own check, run early."""
        try:
            staff_admin.checked_email(field.data)
        except DomainError as error:
            raise ValidationError(error.message) from None


class RoleAndGrade(forms.Form):
    role = forms.Choice("Role", required="Choose a role")
    grade = forms.WholeNumber("Grade", low=staff_admin.LOWEST_GRADE, high=staff_admin.HIGHEST_GRADE,
                              message=GRADE_MESSAGE, required=True)


class Button(forms.Form):
    """A button with nothing to fill in (disable, enable, invite again): only a refusal to show."""


def _roles(user: StaffUser | None = None) -> list[tuple[str, str]]:
    """The roles on offer: a council role, or for a provider's staff their provider role alone."""
    roles = [StaffRole.PROVIDER] if user is not None and user.role is StaffRole.PROVIDER else staff_admin.COUNCIL_ROLES
    return [(role.value, staff_admin.ROLE_NAMES[role]) for role in roles]


def _actor(request: Request) -> Actor:
    return staff_actor(current_staff(request))


@get("/staff", opt={"right": Right.STAFF_MANAGE}, sync_to_thread=True)
def staff_list(db: NamedDependency[Database], request: Request) -> Template:
    with db.reading() as session:
        rows = staff_query.everyone(session)
    return Template("admin/staff/list.html", context={
        "staff": current_staff(request), "rows": rows, "role_names": staff_admin.ROLE_NAMES})


def _invite_page(request: Request, form: Invitation) -> Template:
    return Template("admin/staff/invite.html", status_code=form.status,
                    context={"staff": current_staff(request), "form": form})


@get("/staff/invite", opt={"right": Right.STAFF_MANAGE}, sync_to_thread=False)
def invite_page(request: Request) -> Template:
    return _invite_page(request, forms.read(Invitation, None, choices={"role": _roles()}))


@post("/staff/invite", opt={"right": Right.STAFF_MANAGE}, sync_to_thread=True)
def invite_submit(db: NamedDependency[Database], settings: NamedDependency[Settings], request: Request,
                  data: forms.Body) -> Template | Redirect:
    form = forms.read(Invitation, data, choices={"role": _roles()})
    if form.validate():
        invitee = staff_admin.Invitee(form.name.data, form.email.data, StaffRole(form.role.data), form.grade.data)
        try:
            user = db.run(staff_admin.invite, _actor(request), invitee, settings.link, now())
            return Redirect(f"/admin/staff/{user.id}?invited=1", status_code=303)
        except DomainError as error:
            form.refuse(error)
    return _invite_page(request, form)


def _member_page(db: Database, request: Request, staff_id: int, *, change: RoleAndGrade | None = None,
                 button: Button | None = None, invited: bool = False) -> Template:
    with db.reading() as session:
        found = staff_query.one(session, staff_id)
    user = found.user
    change = change or forms.read(RoleAndGrade, None, choices={"role": _roles(user)}, role=user.role.value,
                                  grade=user.grade)
    button = button or forms.read(Button, None)
    status = change.status if change.summary else button.status
    return Template("admin/staff/member.html", status_code=status, context={
        "staff": current_staff(request), "member": found, "change": change, "button": button,
        "role_names": staff_admin.ROLE_NAMES, "invited": invited,
        "yourself": user.id == current_staff(request).id})


@get("/staff/{staff_id:int}", opt={"right": Right.STAFF_MANAGE}, sync_to_thread=True)
def member_page(db: NamedDependency[Database], request: Request, staff_id: FromPath[int],
                invited: FromQuery[str | None] = None) -> Template:
    return _member_page(db, request, staff_id, invited=invited == "1")


@post("/staff/{staff_id:int}", opt={"right": Right.STAFF_MANAGE}, sync_to_thread=True)
def role_and_grade(db: NamedDependency[Database], request: Request, staff_id: FromPath[int],
                   data: forms.Body) -> Template | Redirect:
    with db.reading() as session:
        user = staff_query.one(session, staff_id).user
    form = forms.read(RoleAndGrade, data, choices={"role": _roles(user)})
    if form.validate():
        try:
            db.run(staff_admin.change_role_and_grade, _actor(request), staff_id, StaffRole(form.role.data),
                   form.grade.data, now())
            return Redirect(f"/admin/staff/{staff_id}", status_code=303)
        except DomainError as error:
            form.refuse(error)
    return _member_page(db, request, staff_id, change=form)


def _press(db: Database, request: Request, staff_id: int, action: Callable[..., object],
           *args: object) -> Template | Redirect:
    """Run a button's service; a refusal (yourself, already so) is shown on the member's page."""
    try:
        db.run(action, _actor(request), staff_id, *args, now())
        return Redirect(f"/admin/staff/{staff_id}", status_code=303)
    except DomainError as error:
        if error.status_code == 404:
            raise
        button = forms.read(Button, None)
        button.refuse(error)
        return _member_page(db, request, staff_id, button=button)


@post("/staff/{staff_id:int}/disable", opt={"right": Right.STAFF_MANAGE}, sync_to_thread=True)
def disable(db: NamedDependency[Database], request: Request, staff_id: FromPath[int]) -> Template | Redirect:
    return _press(db, request, staff_id, staff_admin.disable)


@post("/staff/{staff_id:int}/enable", opt={"right": Right.STAFF_MANAGE}, sync_to_thread=True)
def enable(db: NamedDependency[Database], request: Request, staff_id: FromPath[int]) -> Template | Redirect:
    return _press(db, request, staff_id, staff_admin.enable)


@post("/staff/{staff_id:int}/invitation", opt={"right": Right.STAFF_MANAGE}, sync_to_thread=True)
def invite_again(db: NamedDependency[Database], settings: NamedDependency[Settings], request: Request,
                 staff_id: FromPath[int]) -> Template | Redirect:
    return _press(db, request, staff_id, staff_admin.invite_again, settings.link)


@post("/staff/{staff_id:int}/second-factor", opt={"right": Right.STAFF_MANAGE}, sync_to_thread=True)
def reset_second_factor(db: NamedDependency[Database], request: Request,
                        staff_id: FromPath[int]) -> Template | Redirect:
    return _press(db, request, staff_id, staff_admin.reset_second_factor)
