"""What households hear of as things happen: bids placed for them, shortlist places, offers and their
deadlines, and new homes they can bid for. Each is queued in the outbox in the caller's transaction,
by the channels the household chose (routing.py); decisions go as letters (letters.py)."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from cbl.models import (
    Advert, Applicant, BiddingPreference, ContactPreference, Offer, OutboxMessage, Property, ShortlistEntry, Void,
)
from cbl.models.states import ApplicationStatus, Channel, OfferStatus, OutboxStatus
from cbl.rules.scheme import Scheme
from cbl.rules.wording import day_and_time, ordinal
from cbl.rules.working_days import LONDON, add_working_days, local_date

from cbl.database import insert_rows

from .routing import preference, tell_household


def bid_placed_for(session: Session, applicant_id: int, advert: str, by: str, now: datetime) -> None:
    """A bid someone else placed for the household (an officer, or auto-bid)."""
    body = f"{by} placed a bid for you for the home advertised as {advert}. You can see it, and withdraw it, " \
           "under My bids when you sign in."
    tell_household(session, applicant_id, "bid_placed", f"A bid was placed for you: {advert}", body, now,
                   text=f"{by} placed a bid for you for {advert}. Sign in to see it.")


_SHORTLISTED_COLUMNS = ("created_at", "template", "applicant_id", "subject", "status", "personalisation",
                        "large_print", "attempts", "channel", "recipient", "body")


def shortlisted(session: Session, cycle_id: int, now: datetime) -> int:
    """Each household on a shortlist of the closed cycle hears its place. Read and written in bulk (one
    statement, then COPY on PostgreSQL): a close of a large scheme shortlists hundreds of thousands of bids.
    Only the places of households that can be reached are read."""
    reachable = sa.or_(sa.and_(Applicant.email.is_not(None), Applicant.email != ""),
                       sa.and_(ContactPreference.by_text.is_(True), ContactPreference.confirmed_mobile.is_not(None),
                               ContactPreference.mobile_confirmed_at.is_not(None)))
    rows = session.connection().execute(
        sa.select(ShortlistEntry.applicant_id, ShortlistEntry.position, Advert.reference, Applicant.email,
                  ContactPreference.by_email, ContactPreference.by_text, ContactPreference.confirmed_mobile,
                  ContactPreference.mobile_confirmed_at)
        .join(Advert, Advert.id == ShortlistEntry.advert_id)
        .join(Applicant, Applicant.id == ShortlistEntry.applicant_id)
        .outerjoin(ContactPreference, ContactPreference.applicant_id == ShortlistEntry.applicant_id)
        .where(Advert.cycle_id == cycle_id, ShortlistEntry.position.is_not(None), reachable)
        .order_by(ShortlistEntry.id)).all()
    pending = OutboxStatus.PENDING.value
    messages = []
    for row in rows:
        place = ordinal(row.position)
        common = (now, "shortlisted", row.applicant_id, f"You are {place} on the shortlist for {row.reference}",
                  pending, "{}", False, 0)
        wants_email = row.by_email if row.by_email is not None else bool(row.email)
        if wants_email and row.email:
            messages.append((*common, Channel.EMAIL.value, None,
                             f"Bidding has closed. You are {place} on the shortlist for the home advertised as "
                             f"{row.reference}. We will contact you if we can offer it to you."))
        if row.by_text and row.confirmed_mobile and row.mobile_confirmed_at:
            messages.append((*common, Channel.SMS.value, row.confirmed_mobile,
                             f"Bidding has closed: you are {place} for {row.reference}."))
    insert_rows(session.connection(), OutboxMessage.__table__, _SHORTLISTED_COLUMNS, messages,
                json_columns={"personalisation"})
    return len(messages)


def bidding_reopened(session: Session, cycle_id: int, closes_at: datetime, now: datetime) -> int:
    """Each household told of a shortlist place when the cycle closed hears, once, that a manager has reopened it
    and that place no longer stands (cbl/services/cycle_overrides.py). Read before the places are thrown away."""
    told = (select(ShortlistEntry.applicant_id).join(Advert, Advert.id == ShortlistEntry.advert_id)
            .where(Advert.cycle_id == cycle_id, ShortlistEntry.position.is_not(None)).distinct().subquery())
    rows = session.execute(
        select(Applicant.id, Applicant.email, ContactPreference.by_email, ContactPreference.by_text,
               ContactPreference.confirmed_mobile, ContactPreference.mobile_confirmed_at)
        .join(told, told.c.applicant_id == Applicant.id)
        .outerjoin(ContactPreference, ContactPreference.applicant_id == Applicant.id)).all()
    until = day_and_time(closes_at, LONDON)
    subject = "Bidding has reopened: your shortlist places will change"
    messages = []
    for row in rows:
        common = {"created_at": now, "template": "bidding_reopened", "applicant_id": row.id, "subject": subject,
                  "status": OutboxStatus.PENDING.value, "personalisation": {}, "large_print": False, "attempts": 0}
        wants_email = row.by_email if row.by_email is not None else bool(row.email)
        if wants_email and row.email:
            messages.append({**common, "channel": Channel.EMAIL.value, "recipient": None, "body":
                             "We have reopened bidding for the homes in the cycle that closed recently, until "
                             f"{until}. The shortlist places we told you about no longer stand: your bids still "
                             "count, you can change them until bidding closes, and we will tell you your new places "
                             "then."})
        if row.by_text and row.confirmed_mobile and row.mobile_confirmed_at:
            messages.append({**common, "channel": Channel.SMS.value, "recipient": row.confirmed_mobile,
                             "body": f"Bidding has reopened until {until}. Your shortlist places will change: we "
                                     "will tell you the new ones when it closes."})
    if messages:
        session.execute(sa.insert(OutboxMessage.__table__), messages)
    return len(messages)


def offer_made(session: Session, offer: Offer, address: str, now: datetime) -> None:
    deadline = f"{offer.respond_by:%A %-d %B %Y}"
    tell_household(session, offer.applicant_id, "offer_made", f"We are offering you {address}",
                   f"We are offering you a tenancy of {address}. Your offer letter has the details. Please tell us "
                   f"whether you accept it by the end of {deadline}: sign in and go to My offers, or call us.", now,
                   text=f"We are offering you {address}. Please answer by the end of {deadline}: sign in to "
                        "your account (My offers) or call us.")


def offer_ended(session: Session, offer: Offer, address: str, now: datetime) -> None:
    """An offer withdrawn or lapsed, by e-mail and text as the household chose; the letter says why and
    how to challenge it."""
    if offer.status is OfferStatus.WITHDRAWN:
        template, told = "offer_withdrawn", f"We have withdrawn our offer of {address}."
    else:
        template, told = "offer_lapsed", f"We did not hear from you in time, so our offer of {address} has lapsed."
    tell_household(session, offer.applicant_id, template, told.rstrip("."),
                   f"{told} Our letter tells you why, what it means for your application and how to ask us to "
                   "look at it again: sign in and go to My letters.", now,
                   text=f"{told} Sign in (My letters) for our letter: it says why and how to challenge it.")


def offer_reminders(session: Session, now: datetime) -> int:
    """Remind each household whose offer's answer is due by the end of the next working day, once."""
    due = add_working_days(local_date(now), 1)
    offers = session.exec(select(Offer, Property.address).join(Void, Void.id == Offer.void_id)
                          .join(Property, Property.id == Void.property_id)
                          .where(Offer.status == OfferStatus.MADE, Offer.reminder_sent_at.is_(None),
                                 Offer.respond_by <= due, Offer.respond_by >= local_date(now))).all()
    for offer, address in offers:
        deadline = f"{offer.respond_by:%A %-d %B %Y}"
        tell_household(session, offer.applicant_id, "offer_reminder", f"Reminder: answer our offer of {address}",
                       f"Please tell us whether you accept our offer of {address} by the end of {deadline}. "
                       "If we do not hear from you, the offer may lapse.", now,
                       text=f"Reminder: please answer our offer of {address} by the end of {deadline}.")
        offer.reminder_sent_at = now
        session.add(offer)
    return len(offers)


def new_homes(session: Session, scheme: Scheme, cycle_id: int, now: datetime) -> int:
    """The weekly alert, when a cycle opens: to each household that asked, the homes in it that it can
    bid for and that fit its saved preferences."""
    from cbl.services.auto_bid import wanted
    from cbl.services.bidding import bid_options

    households = session.exec(select(Applicant, BiddingPreference)
                              .join(ContactPreference, ContactPreference.applicant_id == Applicant.id)
                              .outerjoin(BiddingPreference, BiddingPreference.applicant_id == Applicant.id)
                              .where(ContactPreference.new_homes_alert, Applicant.email.is_not(None),
                                     Applicant.status == ApplicationStatus.ACTIVE)).all()
    homes = dict(session.exec(select(Advert.id, Property).join(Property, Property.id == Advert.property_id)
                              .where(Advert.cycle_id == cycle_id)).all())
    sent = 0
    for applicant, wants in households:
        fitting = [option.advert for option in bid_options(session, scheme, applicant, now)
                   if option.barrier is None and option.advert.id in homes
                   and (wants is None or wanted(wants, homes[option.advert.id]))]
        if not fitting:
            continue
        lines = "\n".join(f"- {advert.reference}: {homes[advert.id].bedrooms}-bedroom "
                          f"{homes[advert.id].property_type.value} in {homes[advert.id].area}"
                          for advert in fitting[:20])
        more = f"\n... and {len(fitting) - 20} more." if len(fitting) > 20 else ""
        if preference(session, applicant.id).new_homes_alert:
            session.add(OutboxMessage(channel=Channel.EMAIL, template="new_homes", applicant_id=applicant.id,
                                      subject=f"{len(fitting)} new home{'s' if len(fitting) > 1 else ''} you can "
                                              "bid for", created_at=now,
                                      body=f"Bidding is open. These homes fit what you are looking for:\n{lines}{more}"
                                           "\n\nSign in to bid. You can stop these e-mails on your account's "
                                           "contact page."))
            sent += 1
    return sent

