"""Texts households send to the council's Notify number: bids, a list of bids, and confirming a
mobile number. Every answer goes back by text through the outbox; a number no household has
confirmed learns nothing about anyone."""

import re
from datetime import datetime

from sqlmodel import Session, select

from cbl.models import Advert, Applicant, ContactPreference, ReceivedText
from cbl.rules.scheme import Scheme
from cbl.services import actors
from cbl.services.audit import audit
from cbl.services.bidding import live_bids, place_bid, queue_position
from cbl.services.errors import DomainError

from . import phones
from .routing import text_to_number

BID = re.compile(r"^\s*BID\s+([A-Z]{2}\d{1,10})\s*$", re.IGNORECASE)
HELP = "To bid for a home, text BID and the advert's number, for example BID AD00026. Text BIDS to see your bids."
UNKNOWN = ("This number is not set up for bidding by text. Sign in to your housing account, choose text "
           "messages on the contact page and confirm your number.")


def answer_text(session: Session, scheme: Scheme, notify_id: str, source_number: str, text: str,
                now: datetime) -> str | None:
    """Act on a text received, once (Notify may send the same one again); the reply queued, or None."""
    if session.get(ReceivedText, notify_id) is not None:
        return None
    number = phones.mobile(source_number) or source_number[:20]
    command = " ".join(text.split()).upper()
    household = _household(session, number)
    if command == "YES":
        reply, household = _confirm_mobile(session, number, now)
    elif household is None:
        reply = UNKNOWN if BID.match(command) or command == "BIDS" else HELP
    elif match := BID.match(command):
        reply = _bid(session, scheme, household, match.group(1).upper(), now)
    elif command == "BIDS":
        reply = _bids(session, scheme, household, now)
    else:
        reply = HELP
    session.add(ReceivedText(notify_id=notify_id, received_at=now, source_number=number, text=text[:160],
                             applicant_id=household.id if household else None, outcome=reply[:300]))
    text_to_number(session, number, "text_reply", reply, now, applicant_id=household.id if household else None)
    return reply


def _household(session: Session, number: str) -> Applicant | None:
    return session.exec(select(Applicant).join(ContactPreference, ContactPreference.applicant_id == Applicant.id)
                        .where(ContactPreference.confirmed_mobile == number,
                               ContactPreference.mobile_confirmed_at.is_not(None))
                        .order_by(ContactPreference.mobile_confirmed_at.desc())).first()


def _confirm_mobile(session: Session, number: str, now: datetime) -> tuple[str, Applicant | None]:
    waiting = session.exec(select(ContactPreference).where(ContactPreference.confirmed_mobile == number,
                                                           ContactPreference.mobile_confirmed_at.is_(None))
                           .order_by(ContactPreference.updated_at.desc())).first()
    if waiting is None:
        return HELP, _household(session, number)
    waiting.mobile_confirmed_at, waiting.updated_at = now, now
    session.add(waiting)
    applicant = session.get(Applicant, waiting.applicant_id)
    audit(session, actors.applicant(applicant), "contact.mobile_confirmed", applicant, {"number": number[-4:]},
          applicant_id=applicant.id)
    return "Thank you: this number is confirmed. We will text you about your housing application. " + HELP, applicant


def _bid(session: Session, scheme: Scheme, household: Applicant, reference: str, now: datetime) -> str:
    try:
        with session.begin_nested():  # a refused bid leaves nothing behind, the reply still goes
            place_bid(session, actors.applicant(household), scheme, household.id, reference, now)
    except DomainError as refusal:
        return f"Your bid for {reference} was not placed: {refusal.message}"
    advert = session.exec(select(Advert).where(Advert.reference == reference)).one()
    place = queue_position(session, scheme, advert, household, now)
    return f"Your bid for {reference} is placed. {place.words}."


def _bids(session: Session, scheme: Scheme, household: Applicant, now: datetime) -> str:
    bids = live_bids(session, scheme, household, now)
    if not bids:
        return "You have no bids in this cycle. " + HELP
    return "Your bids: " + "; ".join(f"{bid.advert}: {bid.position.words}" for bid in bids) + "."
