"""Who works in the system: the council, registered providers and their staff."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .columns import UTCDateTime, state, utcnow
from .states import OrganisationKind, StaffRole


class Organisation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=200)
    kind: OrganisationKind = Field(sa_type=state(OrganisationKind))
    api_key_hash: str | None = Field(default=None, max_length=200)
    # The organisation's ID in the national CORE lettings service, for the return.
    core_id: str | None = Field(default=None, max_length=20)
    # Where a provider's nominations are e-mailed.
    lettings_email: str | None = Field(default=None, max_length=254)
    # Printed on the council's letters: address, telephone, e-mail (one line each).
    contact_details: str | None = Field(default=None, max_length=400)


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_user"
    # E-mail addresses are matched whatever the case of their letters (sign-in, invitations), so the
    # database holds one account an address in any case, even when two invitations cross.
    __table_args__ = (sa.Index("uq_staff_user_email_any_case", sa.text("lower(email)"), unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=200)
    role: StaffRole = Field(sa_type=state(StaffRole))
    # Reviews must be decided by someone senior to the original decision maker.
    grade: int = Field(default=1, ge=1, le=10)
    # Empty (matching no password) until an invited member of staff sets one with their invitation's link.
    password_hash: str = Field(max_length=200)
    # A disabled account cannot sign in; its sessions and invitations end when it is disabled.
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
