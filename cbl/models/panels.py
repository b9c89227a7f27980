"""Medical, welfare and occupational therapy panels: a case referred with its evidence, the panel that hears it
(its date and members) and the decision it made, which is applied to the case (cbl/services/panels.py)."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .columns import empty_list, JSONList, state, UTCDateTime, utcnow
from .states import PanelKind, PanelStatus


class PanelReferral(SQLModel, table=True):
    """A case referred to a panel, and the panel arranged to hear it."""

    __tablename__ = "panel_referral"
    # One referral of a kind waiting for its panel per household (services/panels.py checks it under the household's
    # lock and says so; this holds it whatever writes).
    __table_args__ = (sa.Index("uq_panel_referral_waiting", "applicant_id", "kind", unique=True,
                               sqlite_where=sa.text("status = 'referred'"),
                               postgresql_where=sa.text("status = 'referred'")),)

    id: int | None = Field(default=None, primary_key=True)
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    kind: PanelKind = Field(sa_type=state(PanelKind))
    reason: str = Field(max_length=2000)
    status: PanelStatus = Field(default=PanelStatus.REFERRED, sa_type=state(PanelStatus), index=True)
    referred_by_id: int = Field(foreign_key="staff_user.id")
    referred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The day the panel should have decided by: the scheme's working days from the referral ([panels]).
    due_by: date
    # The panel arranged to hear it (its members are PanelMember rows): changed freely until it decides.
    meets_on: date | None = None
    arranged_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    arranged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PanelMember(SQLModel, table=True):
    """A member of staff who sits on the panel hearing a referral."""

    __tablename__ = "panel_member"

    referral_id: int = Field(foreign_key="panel_referral.id", primary_key=True)
    staff_user_id: int = Field(foreign_key="staff_user.id", primary_key=True)


class PanelEvidence(SQLModel, table=True):
    """A file put before the panel (a doctor's letter, an OT report), kept as households' evidence is: outside the
    web root under a generated name (cbl/services/evidence.py), the name it had kept only to show."""

    __tablename__ = "panel_evidence"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="panel_referral.id", index=True)
    stored_name: str = Field(max_length=64, unique=True)
    original_name: str = Field(max_length=255)
    content_type: str = Field(max_length=64)
    size: int
    shows: str = Field(max_length=32)  # cbl/rules/application_questions.py EVIDENCE
    uploaded_by_id: int = Field(foreign_key="staff_user.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class PanelDecision(SQLModel, table=True):
    """What the panel decided, as it was applied to the case: the band awarded (with its date), the access needs it
    found (cbl/rules/panels.py ACCESS), a bedroom for a carer, and the areas the household may not be housed in."""

    __tablename__ = "panel_decision"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="panel_referral.id", unique=True)
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    met_on: date
    band: str | None = Field(default=None, max_length=16)  # None: the band is left as it was
    band_effective: date | None = None
    points: int | None = None
    band_assessment_id: int | None = Field(default=None, foreign_key="band_assessment.id")
    access: list[str] = Field(default_factory=empty_list, sa_type=JSONList)
    carer_bedroom: bool = False
    area_restrictions: list[str] = Field(default_factory=empty_list, sa_type=JSONList)
    reasons: str = Field(max_length=4000)
    decided_by_id: int = Field(foreign_key="staff_user.id")
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
