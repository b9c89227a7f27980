"""Which channels a message to a household takes, from the choices the household made.

A letter is a written notice: it goes by post unless the household has chosen e-mail instead and
its consent to written notices by e-mail is recorded. Whatever else they chose (e-mail, text) comes
as well, pointing to the letter in their account.
"""

from datetime import datetime

from sqlmodel import Session

from cbl.models import Applicant, ContactPreference, OutboxMessage
from cbl.models.states import Channel, OutboxStatus

from . import phones


def preference(session: Session, applicant_id: int) -> ContactPreference:
    """The household's choices; without any recorded, e-mail where we have an address, and post."""
    chosen = session.get(ContactPreference, applicant_id)
    if chosen is not None:
        return chosen
    applicant = session.get(Applicant, applicant_id)
    return ContactPreference(applicant_id=applicant_id, by_email=bool(applicant and applicant.email), by_post=True)


def mobile_for(session: Session, chosen: ContactPreference) -> str | None:
    """Texts go only to a number the household confirmed."""
    return chosen.confirmed_mobile if chosen.by_text and chosen.mobile_confirmed_at else None


def route_letter(session: Session, letter: OutboxMessage, now: datetime) -> None:
    """Decide how the letter just issued travels, and add the e-mail and text that go with it."""
    from .letters import letter_text

    chosen = preference(session, letter.applicant_id)
    applicant = session.get(Applicant, letter.applicant_id)
    letter.large_print = chosen.large_print
    by_email = chosen.by_email and bool(applicant.email)
    if by_email and chosen.email_consent_at is not None and not chosen.by_post:
        # Consent to notices by e-mail is recorded: the e-mail is the notice, the letter stays in the account.
        letter.status, letter.carrier, letter.sent_at = OutboxStatus.SENT, "account", now
    session.add(letter)
    if by_email:
        posted = "" if letter.status is OutboxStatus.SENT else "We have also posted this letter to you.\n\n"
        session.add(OutboxMessage(channel=Channel.EMAIL, template="letter", applicant_id=letter.applicant_id,
                                  subject=letter.subject, body=posted + letter_text(letter.body), created_at=now))
    if mobile := mobile_for(session, chosen):
        session.add(OutboxMessage(channel=Channel.SMS, template="letter", applicant_id=letter.applicant_id,
                                  recipient=mobile, subject=letter.subject, created_at=now,
                                  body=f"We have sent you a letter: {letter.subject}. Sign in to your account "
                                       "to read it."))


def tell_household(session: Session, applicant_id: int, template: str, subject: str, body: str, now: datetime,
                   *, text: str | None = None, personalisation: dict | None = None) -> list[OutboxMessage]:
    """An e-mail and/or a text (`text`, if given) to the household, as they chose. Not a notice:
    nothing goes by post."""
    chosen = preference(session, applicant_id)
    applicant = session.get(Applicant, applicant_id)
    made = []
    if chosen.by_email and applicant.email:
        made.append(OutboxMessage(channel=Channel.EMAIL, template=template, applicant_id=applicant_id,
                                  subject=subject, body=body, personalisation=personalisation or {}, created_at=now))
    if text and (mobile := mobile_for(session, chosen)):
        made.append(OutboxMessage(channel=Channel.SMS, template=template, applicant_id=applicant_id, recipient=mobile,
                                  subject=subject, body=text, personalisation=personalisation or {}, created_at=now))
    session.add_all(made)
    return made


def text_to_number(session: Session, number: str, template: str, body: str, now: datetime,
                   applicant_id: int | None = None) -> OutboxMessage | None:
    """A text to a number (a reply to a text we received); None if it is not a UK mobile."""
    mobile = phones.mobile(number)
    if mobile is None:
        return None
    message = OutboxMessage(channel=Channel.SMS, template=template, applicant_id=applicant_id, recipient=mobile,
                            subject="Text message", body=body, created_at=now)
    session.add(message)
    return message
