"""Subject access: everything held about one applicant, as one archive, for a data protection request
(UK GDPR article 15). Exporting is itself recorded."""

import io
import json
import zipfile
from datetime import date, datetime
from enum import Enum

from sqlmodel import Session, SQLModel, select

from cbl.messages.config import SECRET_NOT_SHOWN, SECRET_TEMPLATES
from cbl.models import (
    Applicant, Assessment, AuditEvent, BandAssessment, Bid, BiddingPreference, CaseCheck, CaseNote,
    DirectOfferRequest, Enquiry, EqualityAnswers, ExchangeListing, ExchangeMember, HouseholdMember, Nomination, Offer,
    OutboxMessage, PanelDecision, PanelEvidence, PanelReferral, PreOfferCheck, Refusal, Review,
    ShortlistEntry, Viewing, ViewingInvitation,
)

from cbl.reports.csv_files import records_csv
from cbl.rules.equality_categories import QUESTIONS
from cbl.services.actors import Actor
from cbl.services.audit import audit
from cbl.services.errors import NotFound
from cbl.services.rights import Right

# Secrets, not personal data about the household, and the database's own book-keeping (a count of the
# row's updates, which says nothing about the household): never exported.
WITHHELD = {"password_hash", "row_version"}


def _plain(value: object) -> object:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _rows(rows: list[SQLModel]) -> list[dict]:
    return [{k: _plain(v) for k, v in row.model_dump().items() if k not in WITHHELD} for row in rows]


def _csv(rows: list[dict]) -> str:
    return records_csv([{k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in row.items()}
                        for row in rows])


def _viewings(session: Session, applicant_id: int) -> list[dict]:
    """Each viewing the household was asked to, with when and where it was and what was recorded of it."""
    rows = session.exec(select(ViewingInvitation, Viewing).join(Viewing, Viewing.id == ViewingInvitation.viewing_id)
                        .where(ViewingInvitation.applicant_id == applicant_id).order_by(ViewingInvitation.id)).all()
    return [{**_rows([invitation])[0], **{key: value for key, value in _rows([viewing])[0].items()
                                          if key in ("at", "place", "accompanied", "block")}}
            for invitation, viewing in rows]


def _equality(session: Session, applicant_id: int) -> dict:
    """The answers as the household gave them, each in words ("Not answered" where none was given)."""
    found = session.exec(select(EqualityAnswers).where(EqualityAnswers.applicant_id == applicant_id)).first()
    if found is None:
        return {}
    return {"answered_at": _plain(found.answered_at), "given": found.source,
            **{question.question: question.label(getattr(found, question.key)) for question in QUESTIONS}}


def _moves(session: Session, applicant_id: int) -> dict:
    from cbl.models import DecantHousehold, DownsizingMark, MovePayment, PaymentReceipt, SocialTenancy

    payments = list(session.exec(select(MovePayment).where(MovePayment.applicant_id == applicant_id)))
    receipts = list(session.exec(select(PaymentReceipt).where(PaymentReceipt.payment_id.in_(
        [p.id for p in payments])))) if payments else []
    tenancy = session.get(SocialTenancy, applicant_id)
    return {"social_home": _rows([tenancy])[0] if tenancy else None,
            "downsizing": _rows(list(session.exec(select(DownsizingMark).where(
                DownsizingMark.applicant_id == applicant_id)))),
            "regeneration_schemes": _rows(list(session.exec(select(DecantHousehold).where(
                DecantHousehold.applicant_id == applicant_id)))),
            "payments": _rows(payments),
            "receipts": [{k: v for k, v in row.items() if k != "stored_name"} for row in _rows(receipts)]}


def subject_access_archive(session: Session, actor: Actor, reference: str, now: datetime) -> tuple[str, bytes]:
    """The archive's file name and bytes; the export is audited in the caller's transaction."""
    actor.require(Right.DATA_SUBJECT_ACCESS)
    applicant = session.exec(select(Applicant).where(Applicant.reference == reference)).first()
    if applicant is None:
        raise NotFound(f"There is no application {reference}.")
    mine = {"applicant_id": applicant.id}

    def of(model: type[SQLModel]) -> list[dict]:
        return _rows(list(session.exec(select(model).filter_by(**mine))))

    offers = list(session.exec(select(Offer).filter_by(**mine)))
    refusals = list(session.exec(select(Refusal).where(Refusal.offer_id.in_([o.id for o in offers])))) if offers else []
    letters = list(session.exec(select(OutboxMessage).filter_by(**mine).order_by(OutboxMessage.id)))
    referrals = list(session.exec(select(PanelReferral).filter_by(**mine).order_by(PanelReferral.id)))
    panel_files = list(session.exec(select(PanelEvidence).where(PanelEvidence.referral_id.in_(
        [r.id for r in referrals])))) if referrals else []
    tables = {
        "application.json": _rows([applicant])[0],
        "household.json": of(HouseholdMember),
        "bands.json": of(BandAssessment),
        "assessments.json": of(Assessment),
        "checks.json": of(CaseCheck),
        "notes.json": of(CaseNote),
        "bidding_preferences.json": of(BiddingPreference),
        "offers.json": _rows(offers),
        "refusals.json": _rows(refusals),
        "checks_before_offers.json": of(PreOfferCheck),
        "viewings.json": _viewings(session, applicant.id),
        "direct_offer_requests.json": of(DirectOfferRequest),
        "nominations.json": of(Nomination),
        "reviews.json": of(Review),
        "enquiries.json": of(Enquiry),
        # The files before a panel are listed (what they show, when); their stored names are the system's own.
        "panels.json": {"referrals": _rows(referrals), "decisions": of(PanelDecision),
                        "evidence": [{k: v for k, v in row.items() if k != "stored_name"}
                                     for row in _rows(panel_files)]},
        # Downsizing and decants: its social home, its marks, its regeneration schemes, the payments and their receipts
        # (listed, as a panel's files are).
        "moves.json": _moves(session, applicant.id),
        # Its mutual exchange listings, and its places in proposed exchanges with its landlord's answers (the other
        # households in them are theirs, not its).
        "mutual_exchange.json": {"listings": of(ExchangeListing), "exchanges": of(ExchangeMember)},
        # The household's own equality monitoring answers (kept apart from its case, but its data all the same).
        "equality_monitoring.json": _equality(session, applicant.id),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", (
            f"Everything held about application {reference}, exported {now:%Y-%m-%d %H:%M} UTC.\n"
            "JSON files hold the records; bids.csv, shortlists.csv and audit.csv the longer lists; letters/ holds "
            "each letter and message as sent. Passwords are held only as one-way hashes and are not included.\n"))
        for name, content in tables.items():
            archive.writestr(name, json.dumps(content, indent=2, ensure_ascii=False))
        archive.writestr("bids.csv", _csv(of(Bid)))
        archive.writestr("shortlists.csv", _csv(of(ShortlistEntry)))
        archive.writestr("audit.csv", _csv(_rows(list(session.exec(
            select(AuditEvent).filter_by(**mine).order_by(AuditEvent.id))))))
        for letter in letters:
            suffix = "html" if letter.channel.value == "letter" else "txt"
            # Staff download the archive: a password link in it would let them into the household's account.
            words = SECRET_NOT_SHOWN if letter.template in SECRET_TEMPLATES else letter.body
            archive.writestr(f"letters/{letter.id:06d}-{letter.template}.{suffix}", words)
    audit(session, actor, "subject_access.exported", applicant, {"files": len(tables) + 4 + len(letters)})
    return f"subject-access-{reference}-{now:%Y%m%d}.zip", buffer.getvalue()
