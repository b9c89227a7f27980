"""The housing register: applications, households, bands and what officers record on a case."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from cbl.rules import search_keys as keys

from .columns import empty_list, JSONList, state, unique_where, UTCDateTime, utcnow
from .search_keys import derived
from .states import ApplicationStatus, AssessmentKind, CheckKind, Relationship, Sex


class Applicant(SQLModel, table=True):
    """One application to the register: a household, led by its lead applicant."""

    __table_args__ = (
        # The cases each officer holds, counted by state for the team's page: read from this index alone, not from
        # the rows of a register of 150,000 (migration 0030).
        sa.Index("ix_applicant_case_officer_id_status", "case_officer_id", "status"),
        # The register by band and status, and by the start of a postcode, counted and paged by reference from an
        # index alone (migration 0034).
        sa.Index("ix_applicant_band_status_reference", "band", "status", "reference"),
        sa.Index("ix_applicant_postcode_key_reference", "postcode_key", "reference"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=32, unique=True)
    status: ApplicationStatus = Field(default=ApplicationStatus.PENDING, sa_type=state(ApplicationStatus))
    band: str | None = Field(default=None, max_length=16)
    band_date: date | None = None
    points: int | None = None
    registration_date: date
    # Derived from the household whenever it changes (bedroom need by the scheme's rule);
    # stored because the engine ranks hundreds of thousands of bids at once.
    bedroom_need: int = Field(default=1, ge=0)
    household_size: int = Field(default=1, ge=1)
    lead_date_of_birth: date | None = None
    local_connection: list[str] = Field(default_factory=empty_list, sa_type=JSONList)
    needs: list[str] = Field(default_factory=empty_list, sa_type=JSONList)
    # Set by a panel's decision (cbl/services/panels.py): a bedroom for a carer who stays overnight (counted in
    # bedroom_need), and the areas the household may not be housed in (its bids there are refused).
    carer_bedroom: bool = False
    area_restrictions: list[str] = Field(default_factory=empty_list, sa_type=JSONList)
    homeless_duty: bool = False
    transfer_tenant: bool = False
    housing_debt: bool = False
    verified: bool = False
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    verified_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    suspended_until: date | None = None
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    address: str = Field(default="", max_length=400)
    postcode: str = Field(default="", max_length=10, index=True)
    # The address, postcode, e-mail and phone as the register search compares them (cbl/rules/search_keys.py),
    # kept in step with what was typed by cbl/models/search_keys.py; indexed for search (migration 0034).
    address_key: str | None = Field(default=None, max_length=800,
                                    sa_column_kwargs={"default": derived("address", keys.search_text, 800)})
    postcode_key: str | None = Field(default=None, max_length=16,
                                     sa_column_kwargs={"default": derived("postcode", keys.postcode_key, 16)})
    email_key: str | None = Field(default=None, max_length=320, index=True,
                                  sa_column_kwargs={"default": derived("email", keys.email_key, 320)})
    phone_key: str | None = Field(default=None, max_length=40, index=True,
                                  sa_column_kwargs={"default": derived("phone", keys.phone_key, 40)})
    password_hash: str | None = Field(default=None, max_length=200)
    review_due: date | None = Field(default=None, index=True)
    # The annual review of the register: the letter sent, the answer due, and a closure for no answer.
    review_letter_on: date | None = None
    review_answer_by: date | None = Field(default=None, index=True)
    closed_on: date | None = None
    closed_reason: str | None = Field(default=None, max_length=400)
    # What the application was before it closed, so a reinstatement puts it back as it was.
    closed_from: ApplicationStatus | None = Field(default=None, sa_type=state(ApplicationStatus, "closed_from_status"))
    # The officer who holds the case: its work is on their queues (cbl/queries/work_queues.py). None: no one yet.
    # Changed only through cbl/services/case_officers.py, which checks the right and audits it.
    case_officer_id: int | None = Field(default=None, foreign_key="staff_user.id")  # indexed with the status
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # One more on every update of the row, by a trigger on the table (migration 0017), whoever updates it
    # and however: a household's place in a live queue is worked out from records memoised by it
    # (services/live_rankings.py). Never set it: the trigger does; a loaded row's value may be behind.
    row_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class HouseholdMember(SQLModel, table=True):
    __tablename__ = "household_member"

    id: int | None = Field(default=None, primary_key=True)
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    name: str = Field(max_length=200)
    date_of_birth: date = Field(index=True)  # to find the same person on another application
    # In capitals without spaces (cbl/rules/national_insurance.py); also to find the same person.
    national_insurance_number: str | None = Field(default=None, max_length=9, index=True)
    # The name as the register search compares it (cbl/rules/search_keys.py), kept in step by
    # cbl/models/search_keys.py; indexed for search (migration 0034).
    name_key: str | None = Field(default=None, max_length=400,
                                 sa_column_kwargs={"default": derived("name", keys.search_text, 400)})
    sex: Sex | None = Field(default=None, sa_type=state(Sex))
    relationship: Relationship = Field(sa_type=state(Relationship))
    # A disabled child or an adult who cannot share for a recorded reason.
    needs_own_room: bool = False


class RegistrationBackdating(SQLModel, table=True):
    """A registration date earlier than the day the application was received: a decision on the household's
    place in the queue, asked for by an officer with the reason and approved or turned down by a manager."""

    __tablename__ = "registration_backdating"
    __table_args__ = (unique_where("uq_registration_backdating_pending", "applicant_id", "decided_at IS NULL"),)

    id: int | None = Field(default=None, primary_key=True)
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    registered_on: date  # the date asked for
    received_on: date  # the day the application was taken in: the registration date until approved
    reason: str = Field(max_length=2000)
    requested_by_id: int = Field(foreign_key="staff_user.id")
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    approved: bool | None = None
    decided_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str | None = Field(default=None, max_length=2000)


class BandAssessment(SQLModel, table=True):
    """Band history: every change is a new row; the newest is the applicant's band."""

    __tablename__ = "band_assessment"

    id: int | None = Field(default=None, primary_key=True)
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    band: str = Field(max_length=16)
    effective_date: date
    points: int | None = None
    reason: str = Field(max_length=2000)
    decided_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Assessment(SQLModel, table=True):
    """A medical adviser's, occupational therapist's or panel's recommendation."""

    id: int | None = Field(default=None, primary_key=True)
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    kind: AssessmentKind = Field(sa_type=state(AssessmentKind))
    recommendation: str = Field(max_length=4000)
    effect: str = Field(default="", max_length=400)
    # Access requirements it recommends (cbl/rules/final_offers.py REQUIREMENTS), which a final offer must meet.
    requirements: list[str] = Field(default_factory=empty_list, sa_type=JSONList)
    recorded_by_id: int = Field(foreign_key="staff_user.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CaseCheck(SQLModel, table=True):
    """Housing-debt, affordability and fraud checks."""

    __tablename__ = "case_check"

    id: int | None = Field(default=None, primary_key=True)
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    kind: CheckKind = Field(sa_type=state(CheckKind))
    passed: bool
    note: str = Field(default="", max_length=4000)
    recorded_by_id: int = Field(foreign_key="staff_user.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CaseNote(SQLModel, table=True):
    __tablename__ = "case_note"

    id: int | None = Field(default=None, primary_key=True)
    applicant_id: int = Field(foreign_key="applicant.id", index=True)
    text: str = Field(max_length=8000)
    written_by_id: int = Field(foreign_key="staff_user.id")
    written_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class BiddingPreference(SQLModel, table=True):
    """What a household wants, used by auto-bid when a cycle opens."""

    __tablename__ = "bidding_preference"

    applicant_id: int = Field(foreign_key="applicant.id", primary_key=True)
    areas: list[str] = Field(default_factory=empty_list, sa_type=JSONList)
    property_types: list[str] = Field(default_factory=empty_list, sa_type=JSONList)
    max_floor: int | None = None
    needs_lift: bool = False
    wants_garden: bool = False
    auto_bid: bool = False
    set_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
