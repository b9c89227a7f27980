"""How a household hears from us: its choices, its consent to notices by e-mail, its mobile number."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from cbl.messages import phones
from cbl.messages.routing import text_to_number
from cbl.models import Applicant, ContactPreference
from cbl.models.states import ActorKind
from cbl.services.actors import Actor
from cbl.services.audit import audit
from cbl.services.errors import InvalidInput
from cbl.services.rights import Right


@dataclass(frozen=True)
class ContactChoices:
    by_email: bool
    by_text: bool
    by_post: bool
    large_print: bool
    email_consent: bool  # written notices (decisions) may come by e-mail instead of post
    mobile: str
    new_homes_alert: bool


class RefusedChoices(InvalidInput):
    """Every reason a household's choices cannot be saved, each by its field, so all are shown at once."""

    def __init__(self, problems: list[InvalidInput]) -> None:
        super().__init__(problems[0].message, field=problems[0].field)
        self.problems = problems


def save_contact_choices(session: Session, actor: Actor, applicant_id: int, choices: ContactChoices,
                         now: datetime) -> ContactPreference:
    if not (actor.kind is ActorKind.APPLICANT and actor.id == applicant_id):
        actor.require(Right.REGISTER_WRITE)
    applicant = session.get(Applicant, applicant_id)
    mobile = phones.mobile(choices.mobile) if choices.mobile else None
    problems = _problems_with(choices, applicant, mobile)
    if problems:
        raise RefusedChoices(problems)
    preference = session.get(ContactPreference, applicant_id) or ContactPreference(applicant_id=applicant_id)
    new_number = mobile is not None and mobile != preference.confirmed_mobile
    preference.by_email, preference.by_text, preference.by_post = choices.by_email, choices.by_text, choices.by_post
    preference.large_print, preference.new_homes_alert = choices.large_print, choices.new_homes_alert
    _record_email_consent(preference, choices.email_consent, now)
    if mobile is None:
        preference.confirmed_mobile = preference.mobile_confirmed_at = None
    elif new_number:
        _ask_to_confirm_mobile(session, preference, mobile, now)
    preference.updated_at = now
    session.add(preference)
    audit(session, actor, "contact.choices_saved", applicant, {
        "by_email": choices.by_email, "by_text": choices.by_text, "by_post": choices.by_post,
        "large_print": choices.large_print, "email_consent": choices.email_consent,
        "new_homes_alert": choices.new_homes_alert, "mobile_changed": new_number}, applicant_id=applicant_id)
    return preference


def _problems_with(choices: ContactChoices, applicant: Applicant, mobile: str | None) -> list[InvalidInput]:
    """Every reason the choices cannot be kept, by field (the mobile number as read, None if none or unreadable)."""
    problems = []
    if (choices.by_email or choices.new_homes_alert) and not applicant.email:
        problems.append(InvalidInput("We have no e-mail address for you. Ask us to add one, or choose another way.",
                                     field="by_email"))
    if choices.mobile and mobile is None:
        problems.append(InvalidInput("Enter a UK mobile number, like 07700 900123.", field="mobile"))
    elif choices.by_text and mobile is None:
        problems.append(InvalidInput("Enter your mobile number to get text messages.", field="mobile"))
    if not choices.by_post and not (choices.by_email and choices.email_consent):
        problems.append(InvalidInput("We must post decisions to you unless you agree to get them by e-mail instead.",
                                     field="email_consent"))
    return problems


def _record_email_consent(preference: ContactPreference, consent: bool, now: datetime) -> None:
    """Consent keeps the moment it was first given; withdrawing it forgets that moment."""
    if consent and preference.email_consent_at is None:
        preference.email_consent_at = now
    elif not consent:
        preference.email_consent_at = None


def _ask_to_confirm_mobile(session: Session, preference: ContactPreference, mobile: str, now: datetime) -> None:
    # Confirmed only when the household answers from that phone: nothing personal goes to it before.
    preference.confirmed_mobile, preference.mobile_confirmed_at = mobile, None
    text_to_number(session, mobile, "mobile_confirmation",
                   "Reply YES to this message to get texts about your housing application on this number.",
                   now, applicant_id=preference.applicant_id)
