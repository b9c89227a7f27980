"""Staff accounts as the system administrator sees them: who, where, role, grade, and whether they can sign in."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from cbl.models import Organisation, PasswordLink, StaffSecondFactor, StaffUser
from cbl.models.states import PasswordLinkPurpose
from cbl.services.errors import NotFound
from cbl.services.staff import NO_PASSWORD


@dataclass(frozen=True)
class StaffMember:
    user: StaffUser
    organisation: str
    # "Active", "Invited" (no password set yet) or "Disabled".
    status: str
    # When the latest invitation link was sent and stops working, for someone who has not yet accepted it.
    invited_at: datetime | None = None
    invitation_ends_at: datetime | None = None
    # "Set up" (with when), "Being set up" (its key shown at a sign-in, no code confirmed yet) or "Not set up".
    second_factor: str = "Not set up"
    second_factor_since: datetime | None = None


def _status(user: StaffUser) -> str:
    if not user.active:
        return "Disabled"
    return "Invited" if user.password_hash == NO_PASSWORD else "Active"


def everyone(session: Session) -> list[StaffMember]:
    """Every staff account, the council's first, each organisation's by name."""
    rows = session.exec(select(StaffUser, Organisation.name).join(Organisation)
                        .order_by(Organisation.kind, Organisation.name, sa.func.lower(StaffUser.name))).all()
    return [StaffMember(user, organisation, _status(user)) for user, organisation in rows]


def one(session: Session, staff_id: int) -> StaffMember:
    row = session.exec(select(StaffUser, Organisation.name).join(Organisation).where(StaffUser.id == staff_id)).first()
    if row is None:
        raise NotFound("There is no such member of staff.")
    user, organisation = row
    latest = session.exec(select(PasswordLink).where(PasswordLink.staff_user_id == staff_id,
                                                     PasswordLink.purpose == PasswordLinkPurpose.INVITATION)
                          .order_by(PasswordLink.id.desc())).first()
    factor = session.get(StaffSecondFactor, staff_id)
    second = {"second_factor": "Not set up" if factor is None else "Set up" if factor.enrolled_at else "Being set up",
              "second_factor_since": factor.enrolled_at if factor is not None else None}
    if latest is None or user.password_hash != NO_PASSWORD:
        return StaffMember(user, organisation, _status(user), **second)
    return StaffMember(user, organisation, _status(user), latest.created_at, latest.expires_at, **second)
