"""Imports of an existing register from another system: each file a manager uploads, its check and its run."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from .columns import empty_list, JSONList, state, UTCDateTime, utcnow
from .states import ImportStatus


class ImportRun(SQLModel, table=True):
    __tablename__ = "import_run"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # households, members or homes
    file_name: str = Field(max_length=200)  # as uploaded, to show
    stored_as: str = Field(max_length=500)  # where the upload is kept until it is imported or dropped
    size_bytes: int = Field(ge=0)
    status: ImportStatus = Field(default=ImportStatus.CHECKING, sa_type=state(ImportStatus))
    rows: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    problem_count: int = 0
    # The first problems, to show on the page; the whole list is a CSV file beside the upload.
    first_problems: list[dict] = Field(default_factory=empty_list, sa_type=JSONList)
    failure: str | None = Field(default=None, max_length=400)
    uploaded_by_id: int = Field(foreign_key="staff_user.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    confirmed_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
