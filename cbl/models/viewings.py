"""Viewings of a council home: one household's (or several times one household's) while its offer waits for an
answer, or a block viewing of a new build's home for the households at the top of its shortlist at once."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .columns import UTCDateTime, unique_where, utcnow


class Viewing(SQLModel, table=True):
    __table_args__ = (
        # One block viewing of an advert's home open at a time: its offer is made from it, in shortlist order.
        unique_where("uq_viewing_open_block", "advert_id", "block AND concluded_at IS NULL"),
    )

    id: int | None = Field(default=None, primary_key=True)
    void_id: int = Field(foreign_key="void.id", index=True)
    advert_id: int | None = Field(default=None, foreign_key="advert.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    place: str = Field(default="", max_length=400)  # where to meet; empty: at the home
    accompanied: bool = False
    # Several households invited at one time, in shortlist order; the home is offered from it afterwards.
    block: bool = False
    arranged_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    arranged_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # A block viewing ends once: with the offer to the first household in order that came and wants the home
    # (offer_id; none if no one did), or cancelled with its reason.
    concluded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    concluded_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    offer_id: int | None = Field(default=None, foreign_key="offer.id")
    cancel_reason: str | None = Field(default=None, max_length=500)


class ViewingInvitation(SQLModel, table=True):
    """A household asked to a viewing, and what the officer recorded of it: whether it came and, at a block
    viewing, whether it wants the home."""

    __tablename__ = "viewing_invitation"
    __table_args__ = (sa.UniqueConstraint("viewing_id", "applicant_id"),)

    id: int | None = Field(default=None, primary_key=True)
    viewing_id: int = Field(foreign_key="viewing.id", index=True)
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    offer_id: int | None = Field(default=None, foreign_key="offer.id", index=True)  # the offer it is a viewing of
    entry_id: int | None = Field(default=None, foreign_key="shortlist_entry.id")  # a block viewing's place
    position: int | None = None  # the place on the shortlist when invited: a block viewing's order
    attended: bool | None = None
    wants_home: bool | None = None
    recorded_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
