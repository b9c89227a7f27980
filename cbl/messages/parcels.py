"""An outbox message made ready for its carrier: who it goes to, and a letter drawn as a PDF."""

from sqlmodel import Session

from cbl.models import Applicant, ContactPreference, Organisation, OutboxMessage, StaffUser
from cbl.models.states import Channel

from . import phones
from .carriers import Parcel, PermanentFailure
from .letters import letter_pdf


def parcel_for(session: Session, message: OutboxMessage) -> Parcel:
    """Raises PermanentFailure when the case lacks what the channel needs."""
    recipient = message.recipient or _recipient(session, message)
    pdf = None
    if message.channel is Channel.LETTER:
        applicant = session.get(Applicant, message.applicant_id) if message.applicant_id else None
        if applicant is None or not applicant.address.strip() or not applicant.postcode.strip():
            raise PermanentFailure("There is no postal address on the case.")
        pdf = letter_pdf(message.body, message.subject, large_print=message.large_print)
    elif recipient is None:
        what = "e-mail address" if message.channel is Channel.EMAIL else "UK mobile number"
        raise PermanentFailure(f"There is no {what} to send it to.")
    return Parcel(reference=str(message.id), channel=message.channel.value, template=message.template,
                  recipient=recipient, subject=message.subject, body=message.body,
                  personalisation=dict(message.personalisation or {}), pdf=pdf)


def _recipient(session: Session, message: OutboxMessage) -> str | None:
    if message.channel is Channel.SMS:
        if message.applicant_id is None:
            return None
        preference = session.get(ContactPreference, message.applicant_id)
        if preference and preference.confirmed_mobile:
            return preference.confirmed_mobile
        return phones.mobile(session.get(Applicant, message.applicant_id).phone)
    if message.channel is not Channel.EMAIL:
        return None
    if message.applicant_id is not None:
        return session.get(Applicant, message.applicant_id).email or None
    if message.staff_user_id is not None:
        return session.get(StaffUser, message.staff_user_id).email
    if message.organisation_id is not None:
        return session.get(Organisation, message.organisation_id).lettings_email or None
    return None
