"""Households' own accounts on the public site: made with an e-mail address or a UK mobile number and a
password, confirmed by a one-time code sent there, signed in to with the same. Asking is throttled: accounts
made from one address, and codes sent to one account, each cost a message to someone."""

import secrets
from datetime import datetime, timedelta

from sqlmodel import Session, select

from cbl.messages import phones
from cbl.models import HouseholdAccount, OutboxMessage
from cbl.models.states import Channel
from cbl.services import throttling
from cbl.services.passwords import check_new_password, hash_password

from .actors import household
from .audit import audit
from .errors import Conflict, InvalidInput
from .sign_in import _password_matches, account_key, digest

CODE_LIFETIME = timedelta(minutes=30)
CODE_TRIES = 5  # wrong codes before the code stops working and a new one must be asked for
ACCOUNTS_PER_ADDRESS = 10
CODES_PER_ACCOUNT = 5
ASKING_WINDOW = timedelta(hours=1)
CONTACT = "contact"  # the form field the e-mail address or mobile number is typed in


def read_contact(typed: str) -> tuple[str, str]:
    """("email", address) or ("mobile", 447...) from what was typed; refused if it is neither."""
    typed = typed.strip()
    if "@" in typed:
        name, _, domain = typed.rpartition("@")
        if not name or "." not in domain.strip(".") or " " in typed or len(typed) > 254:
            raise InvalidInput("Enter an e-mail address in the right format, like name@example.com.", field=CONTACT)
        return "email", typed.lower()
    mobile = phones.mobile(typed)
    if mobile is None:
        raise InvalidInput("Enter an e-mail address, or a UK mobile number like 07700 900123.", field=CONTACT)
    return "mobile", mobile


def _find(session: Session, kind: str, contact: str) -> HouseholdAccount | None:
    column = HouseholdAccount.email if kind == "email" else HouseholdAccount.mobile
    return session.exec(select(HouseholdAccount).where(column == contact).with_for_update()).first()


def create_account(session: Session, typed_contact: str, password: str, confirmation: str, address: str,
                   now: datetime) -> HouseholdAccount:
    """A new account, not yet confirmed: a code goes to the e-mail address or mobile number. An unconfirmed
    account for the same address (nothing is kept in one) gives way to the new one."""
    throttling.limit(session, f"accounts:{address}", ACCOUNTS_PER_ADDRESS, ASKING_WINDOW, now,
                     "Too many accounts have been made from your network.")
    kind, contact = read_contact(typed_contact)
    existing = _find(session, kind, contact)
    if existing is not None and existing.confirmed_at is not None:
        what = "e-mail address" if kind == "email" else "mobile number"
        raise Conflict(f"There is already an account with this {what}. Sign in to it instead.", field=CONTACT)
    check_new_password(password, about=[contact, typed_contact])
    if password != confirmation:
        raise InvalidInput("The passwords do not match.", field="confirmation")
    if existing is not None:
        session.delete(existing)
        session.flush()
    account = HouseholdAccount(password_hash=hash_password(password), created_at=now, **{kind: contact})
    session.add(account)
    session.flush()
    audit(session, household(account), "account.created", account, {"confirmed_by": kind})
    send_code(session, account, now)
    return account


def send_code(session: Session, account: HouseholdAccount, now: datetime) -> None:
    """A new one-time code to the account's e-mail address or mobile: the last one stops working."""
    throttling.limit(session, f"codes:{account.id}", CODES_PER_ACCOUNT, ASKING_WINDOW, now,
                     "We have sent you several codes already.")
    code = f"{secrets.randbelow(10**6):06d}"
    account.code_hash, account.code_expires_at, account.code_tries = _code_hash(account, code), now + CODE_LIFETIME, 0
    session.add(account)
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    body = (f"Your code is {code}. Enter it to confirm your housing register account. It expires in {minutes} "
            "minutes. If you did not ask for it, you can ignore this message.")
    session.add(OutboxMessage(channel=Channel.EMAIL if account.email else Channel.SMS, template="account_code",
                              recipient=account.email or account.mobile, subject="Your code to confirm your account",
                              body=body, created_at=now))
    audit(session, household(account), "account.code_sent", account)


def _code_hash(account: HouseholdAccount, code: str) -> str:
    return digest(f"{account.id}:{code}")


def confirm(session: Session, account_id: int, code: str, now: datetime) -> bool:
    """Confirm the account with the code sent to it; False (and the wrong try counted, in this transaction)
    if the code is wrong. A code that has expired or been tried too often is refused: ask for a new one."""
    account = session.exec(select(HouseholdAccount).where(HouseholdAccount.id == account_id)
                           .with_for_update()).one()
    if account.confirmed_at is not None:
        return True
    if account.code_hash is None or account.code_expires_at is None or account.code_expires_at <= now:
        raise InvalidInput("This code has expired. Ask for a new one.", field="code")
    if account.code_tries >= CODE_TRIES:
        raise InvalidInput("This code was entered wrongly too many times. Ask for a new one.", field="code")
    typed = "".join(code.split())
    if not secrets.compare_digest(_code_hash(account, typed), account.code_hash):
        account.code_tries += 1
        session.add(account)
        return False
    account.confirmed_at, account.code_hash, account.code_expires_at = now, None, None
    session.add(account)
    audit(session, household(account), "account.confirmed", account)
    return True


def authenticate(session: Session, typed_contact: str, password: str, address: str, now: datetime,
                 *, device: str | None = None) -> HouseholdAccount | None:
    """The account, or None (the failure counted, as for every sign-in: cbl/services/throttling.py)."""
    try:
        kind, contact = read_contact(typed_contact)
    except InvalidInput:
        kind, contact = "email", typed_contact.strip().lower()
    attempt = throttling.begin(session, account_key("household", contact), address, device, now)
    account = _find(session, kind, contact)
    if not _password_matches(account.password_hash if account else None, password):
        attempt.failed(now)
        return None
    attempt.succeeded()
    audit(session, household(account), "signed_in", account)
    return account
