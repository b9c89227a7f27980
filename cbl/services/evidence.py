"""Evidence a household uploads: PDF, JPEG, PNG or HEIC, up to 10 MB, its type read from its content (never
from its name or the browser's word), kept outside the web root under a generated name, given only to the
household and to staff who may read the register."""

import secrets
import unicodedata
from datetime import datetime
from pathlib import Path

import filetype
from sqlmodel import Session, func, select

from cbl.models import EvidenceFile, OnlineApplication
from cbl.models.states import OnlineStatus
from cbl.rules.application_questions import EVIDENCE

from . import stored_files
from .actors import Actor
from .applying import OPEN, Owner, draft
from .audit import audit
from .errors import Conflict, InvalidInput, NotFound
from .rights import Right

MAX_BYTES = 10 * 1024 * 1024
MOST_FILES = 20  # on one application
# The types taken, as the content shows them, and the words for them.
TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG", "image/heic": "HEIC"}
FIELD = "file"


def content_type(content: bytes) -> str | None:
    """The type the file's own first bytes show (its signature, read by `filetype`), if it is one we take."""
    found = filetype.guess(content[:8192])
    return found.mime if found is not None and found.mime in TYPES else None


def shown_name(name: str) -> str:
    """The name the file had, to show: its last part only (browsers may send a whole path), without control
    characters. It is never used to find or store the file."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    clean = "".join(c for c in unicodedata.normalize("NFC", last) if unicodedata.category(c)[0] != "C").strip()
    if len(clean) > 255:
        raise InvalidInput("The file's name must be 255 characters or fewer: rename it and upload it again.",
                           field=FIELD)
    return clean or "unnamed file"


def checked(content: bytes, shows: str) -> str:
    """The file's type, read from its content, if it is a file we take that shows something we know of; else
    refused with the reason, beside the file's field."""
    if not content:
        raise InvalidInput("The selected file is empty.", field=FIELD)
    if len(content) > MAX_BYTES:
        raise InvalidInput("The selected file must be smaller than 10 MB.", field=FIELD)
    kind = content_type(content)
    if kind is None:
        raise InvalidInput("The selected file must be a PDF, JPEG, PNG or HEIC (its content is not one, whatever its "
                           "name says).", field=FIELD)
    if shows not in EVIDENCE:
        raise InvalidInput("Choose what the file shows.", field="shows")
    return kind


def _target(session: Session, owner: Owner) -> OnlineApplication:
    """Where the owner's uploads go: its draft, or the application or change it sent and an officer is looking
    at (an officer may ask for more)."""
    found = draft(session, owner) or session.exec(
        select(OnlineApplication).where(owner.owns(), OnlineApplication.status.in_(OPEN))
        .order_by(OnlineApplication.id.desc())).first()
    if found is None:
        raise Conflict("There is no application or change waiting for evidence. Start one first.")
    return found


def add_evidence(session: Session, owner: Owner, uploads: Path, name: str, content: bytes, shows: str,
                 now: datetime) -> EvidenceFile:
    """Keep an uploaded file for the owner's application: on disk under its own name once the transaction commits,
    gone if it rolls back (cbl/services/stored_files.py)."""
    kind = checked(content, shows)
    original = shown_name(name)
    found = _target(session, owner)
    count = session.exec(select(func.count()).select_from(EvidenceFile)
                         .where(EvidenceFile.online_application_id == found.id)).one()
    if count >= MOST_FILES:
        raise Conflict(f"You can upload up to {MOST_FILES} files. Remove one you do not need first.", field=FIELD)
    stored = secrets.token_hex(16)
    stored_files.write(session, uploads, stored, content)
    evidence = EvidenceFile(online_application_id=found.id, stored_name=stored, original_name=original,
                            content_type=kind, size=len(content), shows=shows, uploaded_at=now)
    session.add(evidence)
    if found.status is OnlineStatus.EVIDENCE_REQUESTED:
        found.status = OnlineStatus.SUBMITTED  # back with the officer, who asked for it
        session.add(found)
    audit(session, owner.actor(session), "evidence.uploaded", evidence,
          {"online_application_id": found.id, "shows": shows, "type": TYPES[kind], "size": len(content)},
          applicant_id=found.applicant_id)
    return evidence


def remove_evidence(session: Session, owner: Owner, file_id: int) -> str:
    """Take a file off the owner's draft; its stored name, to remove from the disk once committed."""
    found = draft(session, owner)
    evidence = session.get(EvidenceFile, file_id)
    if found is None or evidence is None or evidence.online_application_id != found.id:
        raise NotFound("There is no such file on your application.")
    audit(session, owner.actor(session), "evidence.removed", evidence, {"online_application_id": found.id},
          applicant_id=found.applicant_id)
    session.delete(evidence)
    return evidence.stored_name


def evidence_files(session: Session, online_application_id: int) -> list[EvidenceFile]:
    return list(session.exec(select(EvidenceFile).where(EvidenceFile.online_application_id == online_application_id)
                             .order_by(EvidenceFile.uploaded_at, EvidenceFile.id)).all())


def owners_file(session: Session, owner: Owner, file_id: int) -> EvidenceFile:
    """One of the owner's own files; anyone else's is not found."""
    evidence = session.get(EvidenceFile, file_id)
    found = session.get(OnlineApplication, evidence.online_application_id) if evidence else None
    mine = found is not None and (found.account_id == owner.account_id if owner.account_id is not None
                                  else found.applicant_id == owner.applicant_id)
    if evidence is None or not mine:
        raise NotFound("There is no such file of yours.")
    return evidence


def staff_file(session: Session, actor: Actor, file_id: int) -> EvidenceFile:
    actor.require(Right.REGISTER_READ)
    evidence = session.get(EvidenceFile, file_id)
    if evidence is None:
        raise NotFound("There is no such file.")
    return evidence


def read_file(uploads: Path, evidence: EvidenceFile) -> bytes:
    """The file's content, found by its generated name only."""
    try:
        return (uploads / evidence.stored_name).read_bytes()
    except FileNotFoundError:
        raise NotFound("The file is no longer kept.") from None


def forget_files(uploads: Path, stored_names: list[str]) -> None:
    """Remove files whose rows were deleted (after the deletion was committed)."""
    for stored in stored_names:
        (uploads / stored).unlink(missing_ok=True)
