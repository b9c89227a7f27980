"""Staff administration: inviting staff by a one-time link, their role and grade, disabling and
enabling their accounts. Each change needs the staff-management right and is audited.

An administrator may also reset someone's second factor (services.second_factor) when they have lost it.

A disabled account ends at once: its sessions are deleted (its next request is sent to sign in) and
its unused password links stop working; signing in refuses it (services.sign_in). The invitation is a
one-time password link (services.password_links).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from cbl.models import Organisation, OutboxMessage, StaffUser
from cbl.models.states import Channel, OrganisationKind, PasswordLinkPurpose, StaffRole

from cbl.rules.working_days import LONDON

from . import second_factor
from .actors import Actor
from .audit import audit
from .errors import Conflict, InvalidInput, NotFound, within
from . import password_links
from .rights import Right

# Long enough to reach someone back from a few days off, short enough that an old e-mail is no key.
INVITATION_LIFETIME = timedelta(days=3)
LOWEST_GRADE, HIGHEST_GRADE = 1, 10
# The roles a council's member of staff may hold; staff of a registered provider hold the provider role.
COUNCIL_ROLES = (StaffRole.OFFICER, StaffRole.REVIEW_OFFICER, StaffRole.MANAGER, StaffRole.AUDITOR, StaffRole.ADMIN)
ROLE_NAMES = {StaffRole.OFFICER: "Officer", StaffRole.REVIEW_OFFICER: "Review officer",
              StaffRole.MANAGER: "Manager", StaffRole.AUDITOR: "Auditor", StaffRole.ADMIN: "System administrator",
              StaffRole.PROVIDER: "Registered provider"}
# The password hash of an account whose invited owner has not yet set a password: no password matches it.
NO_PASSWORD = ""
ALREADY_STAFF = "There is already a staff account with this e-mail address"


@dataclass(frozen=True)
class Invitee:
    name: str
    email: str
    role: StaffRole
    grade: int


def checked_email(typed: str) -> str:
    """An e-mail address as kept: trimmed, and shaped like one (the invitation is the real test)."""
    email = within(typed, 254, "email", "E-mail address")
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain.strip(".") or any(c.isspace() for c in email):
        raise InvalidInput("Enter an e-mail address in the correct format, like name@example.org", field="email")
    return email


def _grade(grade: int) -> int:
    if not LOWEST_GRADE <= grade <= HIGHEST_GRADE:
        raise InvalidInput(f"Grade must be a whole number from {LOWEST_GRADE} to {HIGHEST_GRADE}", field="grade")
    return grade


def _council_role(role: StaffRole) -> StaffRole:
    if role not in COUNCIL_ROLES:
        raise InvalidInput("Choose a role from the list", field="role")
    return role


def _member(session: Session, staff_id: int, *, lock: bool = False) -> StaffUser:
    query = select(StaffUser).where(StaffUser.id == staff_id)
    user = session.exec(query.with_for_update() if lock else query).first()
    if user is None:
        raise NotFound("There is no such member of staff.")
    return user


def _not_yourself(actor: Actor, user: StaffUser, what: str) -> None:
    """An administrator cannot lock themselves out: another administrator must do it."""
    if actor.id == user.id:
        raise Conflict(f"You cannot {what} your own account: ask another system administrator.")


def invite(session: Session, actor: Actor, invitee: Invitee, link: Callable[[str], str],
           now: datetime) -> StaffUser:
    """A new council account with no password, and an e-mail with the one-time link that sets one.

    `link` makes the absolute address of a path on the site (settings.link: never the Host header).
    """
    actor.require(Right.STAFF_MANAGE)
    name = within(invitee.name, 200, "name", "Full name")
    if not name:
        raise InvalidInput("Enter the person's full name", field="name")
    email = checked_email(invitee.email)
    role, grade = _council_role(invitee.role), _grade(invitee.grade)
    taken = session.exec(select(StaffUser.id).where(sa.func.lower(StaffUser.email) == email.lower())).first()
    if taken is not None:
        raise Conflict(ALREADY_STAFF, field="email")
    council = session.exec(select(Organisation).where(Organisation.kind == OrganisationKind.COUNCIL)
                           .order_by(Organisation.id)).first()
    if council is None:
        raise Conflict("There is no council organisation to add staff to.")
    user = StaffUser(organisation_id=council.id, email=email, name=name, role=role, grade=grade,
                     password_hash=NO_PASSWORD)
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # another administrator invited the same address a moment ago
        raise Conflict(ALREADY_STAFF, field="email") from None
    audit(session, actor, "staff.invited", user, {"name": name, "email": email, "role": role, "grade": grade})
    _send_invitation(session, actor, user, link, now)
    return user


def invite_again(session: Session, actor: Actor, staff_id: int, link: Callable[[str], str], now: datetime) -> None:
    """A fresh link for someone whose invitation expired or was lost; any earlier link stops working."""
    actor.require(Right.STAFF_MANAGE)
    user = _member(session, staff_id, lock=True)
    if not user.active:
        raise Conflict("This account is disabled: enable it before inviting again.")
    if user.password_hash != NO_PASSWORD:
        raise Conflict(f"{user.name} has already set a password.")
    _send_invitation(session, actor, user, link, now)


def _send_invitation(session: Session, actor: Actor, user: StaffUser, link: Callable[[str], str],
                     now: datetime) -> None:
    issued = password_links.issue(session, user, PasswordLinkPurpose.INVITATION, INVITATION_LIFETIME, now, actor)
    # The e-mail has to carry the link itself (kept as sent, like every message); the link keeps only
    # its hash, and works once, for three days, while the account stays enabled.
    session.add(OutboxMessage(
        channel=Channel.EMAIL, template="staff_invitation", staff_user_id=user.id,
        subject="Set your password for the lettings admin",
        body=(f"{actor.name} has given you an account on the lettings admin as {ROLE_NAMES[user.role].lower()}. "
              f"Set your password with this link: {link(f'/admin/set-password/{issued.token}')}\n\n"
              f"The link works once, until {_when(issued.expires_at)}. If it has expired, ask "
              f"your system administrator to invite you again. If you did not expect this, ignore it."),
    ))
    audit(session, actor, "staff.invitation_sent", user, {"expires_at": issued.expires_at})


def _when(moment: datetime) -> str:
    """A moment as people in the council's area read it: 2:05pm on Friday 4 December 2026."""
    local = moment.astimezone(LONDON)
    return f"{local:%I:%M%p}".lstrip("0").lower() + f" on {local:%A} {local.day} {local:%B %Y}"


def change_role_and_grade(session: Session, actor: Actor, staff_id: int, role: StaffRole, grade: int,
                          now: datetime) -> StaffUser:
    """A new role or grade takes effect on the member of staff's next request (rights are read each time)."""
    actor.require(Right.STAFF_MANAGE)
    user = _member(session, staff_id, lock=True)
    grade = _grade(grade)
    if user.role is StaffRole.PROVIDER:
        if role is not StaffRole.PROVIDER:
            raise Conflict("Staff of a registered provider keep the provider role.", field="role")
    else:
        role = _council_role(role)
        if role is not user.role:
            _not_yourself(actor, user, "change the role of")
    before = {"role": user.role, "grade": user.grade}
    if (role, grade) == (user.role, user.grade):
        return user
    user.role, user.grade = role, grade
    session.add(user)
    audit(session, actor, "staff.regraded", user, {"before": before, "after": {"role": role, "grade": grade}})
    return user


def disable(session: Session, actor: Actor, staff_id: int, now: datetime) -> StaffUser:
    """The account can no longer sign in; its sessions and invitation links end now."""
    actor.require(Right.STAFF_MANAGE)
    user = _member(session, staff_id, lock=True)
    _not_yourself(actor, user, "disable")
    if not user.active:
        raise Conflict(f"{user.name}'s account is already disabled.")
    user.active = False
    session.add(user)
    sessions, _ = password_links.end_access(session, user, now)
    links = password_links.revoke(session, user, now)
    audit(session, actor, "staff.disabled", user, {"sessions_ended": sessions, "password_links_revoked": links})
    return user


def enable(session: Session, actor: Actor, staff_id: int, now: datetime) -> StaffUser:
    """The account may sign in again with its password (one never set needs a new invitation)."""
    actor.require(Right.STAFF_MANAGE)
    user = _member(session, staff_id, lock=True)
    if user.active:
        raise Conflict(f"{user.name}'s account is already enabled.")
    user.active = True
    session.add(user)
    audit(session, actor, "staff.enabled", user)
    return user


def reset_second_factor(session: Session, actor: Actor, staff_id: int, now: datetime) -> StaffUser:
    """For someone who lost their authenticator app and recovery codes: both are forgotten, their
    sessions end, and they set up an app again at their next sign-in (after their password)."""
    actor.require(Right.STAFF_MANAGE)
    user = _member(session, staff_id, lock=True)
    _not_yourself(actor, user, "reset the second factor of")
    if not second_factor.has_any(session, staff_id):
        raise Conflict(f"{user.name} has no second factor to reset: they set one up at their next sign-in.")
    had_one = second_factor.is_enrolled(session, staff_id)
    second_factor.forget(session, staff_id)
    sessions, _ = password_links.end_access(session, user, now)
    audit(session, actor, "staff.second_factor_reset", user, {"was_set_up": had_one, "sessions_ended": sessions})
    return user

