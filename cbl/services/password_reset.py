"""Forgotten passwords: a one-time link (services.password_links) sent by e-mail or text to someone who
asks for it on the public site or the admin site.

A household gives its application reference and the e-mail address or confirmed mobile number we hold
for it, and the link goes there; a household that made its own account to apply online gives that account's
e-mail address or mobile number; a member of staff (a council's or a provider's) gives their e-mail address.
The answer is the same whether or not anything matched, and both ways do the same work bar writing the
link and its message (no password is checked on either), so neither words nor time tell who has an account.

Asking is limited per address and per account, the account counted whether or not it exists. The
account's limit is not applied on a device the account has signed in on (web.devices), so someone
asking for links to another's account cannot stop its owner asking for one.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from cbl.messages import phones
from cbl.models import Applicant, ContactPreference, OutboxMessage, StaffUser
from cbl.models.states import ActorKind, Channel, PasswordLinkPurpose
from cbl.rules.wording import day_and_time
from cbl.rules.working_days import LONDON

from . import accounts, password_links, throttling
from .actors import Actor
from .audit import Subject, audit
from .sign_in import account_key

LIFETIME = timedelta(hours=1)
WINDOW = timedelta(hours=1)
ADDRESS_ASKS = 10  # from one address in an hour, across all accounts (a council office shares one)
ACCOUNT_ASKS = 3  # for one account in an hour, from devices it has not signed in on

# Whoever asks has not signed in: the page, not a person, is recorded as acting.
ASKER = Actor(ActorKind.SYSTEM, None, "forgotten password page")


def _limit(session: Session, kind: str, name: str, address: str, trusted_device: bool, now: datetime) -> None:
    throttling.spend(session, f"reset-ip:{address}", ADDRESS_ASKS, WINDOW, now,
                     "Too many links have been asked for from your network. Wait {wait} and try again.")
    if not trusted_device:
        throttling.spend(session, f"reset:{account_key(kind, name)}", ACCOUNT_ASKS, WINDOW, now,
                         "Several links have been asked for this account in the last hour. Use the latest "
                         "one, or wait {wait} and ask again.")


def _contact(session: Session, applicant: Applicant, typed: str) -> tuple[Channel, str] | None:
    """Where the link goes: the e-mail address or confirmed mobile number typed, if it is the one we hold."""
    typed = typed.strip()
    if "@" in typed:
        held = (applicant.email or "").strip()
        return (Channel.EMAIL, held) if held and held.lower() == typed.lower() else None
    mobile = phones.mobile(typed)
    chosen = session.get(ContactPreference, applicant.id)
    if mobile and chosen is not None and chosen.mobile_confirmed_at and chosen.confirmed_mobile == mobile:
        return Channel.SMS, mobile
    return None


def ask_as_applicant(session: Session, reference: str, contact: str, address: str, trusted_device: bool,
                     link: Callable[[str], str], now: datetime) -> None:
    """Send a link to the household whose reference and contact these are; nothing if they match none.

    `link` makes the absolute address of a path on the site (settings.link: never the Host header).
    """
    _limit(session, "applicant", reference, address, trusted_device, now)
    applicant = session.exec(select(Applicant).where(Applicant.reference == reference.strip().upper())).first()
    found = _contact(session, applicant, contact) if applicant is not None else None
    if applicant is None or found is None:
        case = applicant.id if applicant is not None else None
        audit(session, ASKER, "password_reset.unmatched", Subject("applicant", case, case), {"address": address})
        return
    channel, recipient = found
    issued = password_links.issue(session, applicant, PasswordLinkPurpose.RESET, LIFETIME, now)
    url, ends = link(f"/set-password/{issued.token}"), day_and_time(issued.expires_at, LONDON)
    if channel is Channel.EMAIL:
        body = (f"We were asked to reset the password of application {applicant.reference}. Set a new password "
                f"with this link: {url}\n\nThe link works once, until {ends}. Setting a new "
                "password signs you out wherever you are signed in and ends your API tokens. If you did not ask "
                "for this, ignore it: your password has not changed.")
    else:
        # One text's worth (160 characters) with a council's address of some 30 characters.
        body = f"Set a new password for {applicant.reference}: {url} It works once, for an hour."
    _send(session, applicant, issued.expires_at, OutboxMessage(
        channel=channel, template="password_reset", applicant_id=applicant.id, recipient=recipient,
        subject="Set a new password for your housing application", body=body, created_at=now), address)


def ask_as_household(session: Session, contact: str, address: str, trusted_device: bool, link: Callable[[str], str],
                     now: datetime) -> None:
    """Send a link to the confirmed account for applying online with this e-mail address or mobile number, there;
    nothing if there is none (an account never confirmed is simply made again)."""
    _limit(session, password_links.HOUSEHOLD, accounts.sign_in_name(contact), address, trusted_device, now)
    account = accounts.find(session, contact)
    if account is None or account.confirmed_at is None:
        audit(session, ASKER, "password_reset.unmatched",
              Subject("household_account", account.id if account else None), {"address": address})
        return
    issued = password_links.issue(session, account, PasswordLinkPurpose.RESET, LIFETIME, now)
    url, ends = link(f"/apply/set-password/{issued.token}"), day_and_time(issued.expires_at, LONDON)
    if account.email:
        channel, recipient = Channel.EMAIL, account.email
        body = (f"We were asked to reset the password of your housing register account. Set a new password with "
                f"this link: {url}\n\nThe link works once, until {ends}. Setting a new password signs you out "
                "wherever you are signed in. If you did not ask for this, ignore it: your password has not changed.")
    else:
        # One text's worth (160 characters) with a council's address of some 30 characters.
        channel, recipient = Channel.SMS, account.mobile or ""
        body = f"Set a new password: {url} It works once, for an hour."
    _send(session, account, issued.expires_at, OutboxMessage(
        channel=channel, template="password_reset", applicant_id=account.applicant_id, recipient=recipient,
        subject="Set a new password for your housing register account", body=body, created_at=now), address)


def ask_as_staff(session: Session, email: str, address: str, trusted_device: bool, link: Callable[[str], str],
                 now: datetime) -> None:
    """Send a link to the enabled staff account with this e-mail address; nothing if there is none."""
    _limit(session, "staff", email, address, trusted_device, now)
    user = session.exec(select(StaffUser).where(sa.func.lower(StaffUser.email) == email.strip().lower())).first()
    if user is None or not user.active:
        audit(session, ASKER, "password_reset.unmatched", Subject("staff_user", user.id if user else None),
              {"address": address})
        return
    issued = password_links.issue(session, user, PasswordLinkPurpose.RESET, LIFETIME, now)
    ends = day_and_time(issued.expires_at, LONDON)
    _send(session, user, issued.expires_at, OutboxMessage(
        channel=Channel.EMAIL, template="password_reset", staff_user_id=user.id, recipient=user.email,
        subject="Set a new password for the lettings admin", created_at=now,
        body=(f"We were asked to reset the password of your lettings admin account. Set a new password with "
              f"this link: {link(f'/admin/set-password/{issued.token}')}\n\nThe link works once, until "
              f"{ends}. Setting a new password signs you out wherever you are signed in. If "
              "you did not ask for this, ignore it: your password has not changed.")), address)


def _send(session: Session, account: Any, expires_at: datetime, message: OutboxMessage, address: str) -> None:
    """The link's message into the outbox, and the audit event that says it went (never the link itself)."""
    session.add(message)
    audit(session, ASKER, "password_reset.sent", account,
          {"channel": message.channel, "address": address, "expires_at": expires_at})
