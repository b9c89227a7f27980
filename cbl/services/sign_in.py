"""Signing in: applicants by application reference and password, throttled; one-time links; API tokens."""

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from cbl.models import ApiToken, Applicant, Organisation, SignInToken, StaffUser, Throttle
from cbl.models.states import OrganisationKind
from cbl.services.passwords import check_password, hash_password

from .actors import Actor, applicant as applicant_actor
from .audit import audit
from .errors import InvalidInput, NotAllowed, NotFound
from cbl.services.rights import Right

# Fixed windows: at most this many failed attempts per account, and per address, in the window.
ACCOUNT_ATTEMPTS = 5
ADDRESS_ATTEMPTS = 30
WINDOW = timedelta(minutes=15)
LINK_LIFETIME = timedelta(days=7)
API_TOKEN_LIFETIME = timedelta(days=30)
MIN_PASSWORD_LENGTH = 10


class TooManyAttempts(NotAllowed):
    status_code = 429
    code = "too_many_requests"


def digest(token: str) -> str:
    """Tokens are kept only as their hash, so a copy of the database signs no one in."""
    return hashlib.sha256(token.encode()).hexdigest()


def _attempts(session: Session, key: str, now: datetime) -> Throttle:
    row = session.exec(select(Throttle).where(Throttle.key == key).with_for_update()).first()
    if row is None:
        row = Throttle(key=key, count=0, window_ends_at=now + WINDOW)
        session.add(row)
    elif row.window_ends_at <= now:
        row.count, row.window_ends_at = 0, now + WINDOW
    return row


def _refuse_if_throttled(session: Session, keys: dict[str, int], now: datetime) -> list[Throttle]:
    rows = [_attempts(session, key, now) for key in keys]
    for row, limit in zip(rows, keys.values()):
        if row.count >= limit:
            minutes = max(1, int((row.window_ends_at - now).total_seconds() // 60) + 1)
            raise TooManyAttempts(f"Too many attempts to sign in. Wait {minutes} minutes and try again.")
    return rows


def authenticate_staff(session: Session, email: str, password: str, address: str,
                       now: datetime) -> StaffUser | None:
    """The member of staff, or None (and the failure counted) if the email and password don't match."""
    email = email.strip().lower()
    rows = _refuse_if_throttled(session, {f"staff:{email}": ACCOUNT_ATTEMPTS, f"ip:{address}": ADDRESS_ATTEMPTS}, now)
    user = session.exec(select(StaffUser).where(sa.func.lower(StaffUser.email) == email)).first()
    if user is None or not user.active or not check_password(user.password_hash, password):
        for row in rows:
            row.count += 1
        return None
    rows[0].count = 0
    return user


def authenticate_applicant(session: Session, reference: str, password: str, address: str,
                           now: datetime) -> Applicant | None:
    """The applicant, or None (and the failure counted) if the reference and password don't match.

    Failure is a return value, not an exception, so that the caller's transaction commits the count.
    """
    reference = reference.strip().upper()
    keys = {f"applicant:{reference}": ACCOUNT_ATTEMPTS, f"ip:{address}": ADDRESS_ATTEMPTS}
    rows = _refuse_if_throttled(session, keys, now)
    applicant = session.exec(select(Applicant).where(Applicant.reference == reference)).first()
    if applicant is None or not check_password(applicant.password_hash, password):
        for row in rows:
            row.count += 1
        return None
    rows[0].count = 0
    return applicant


def issue_sign_in_link(session: Session, actor: Actor, applicant_id: int, now: datetime) -> str:
    """A one-time token with which the applicant sets a password; the officer sends the link."""
    actor.require(Right.REGISTER_WRITE)
    applicant = session.get(Applicant, applicant_id)
    if applicant is None:
        raise NotFound("No such application.")
    token = secrets.token_urlsafe(32)
    session.add(SignInToken(applicant_id=applicant.id, token_hash=digest(token), expires_at=now + LINK_LIFETIME,
                            issued_by_id=actor.id))
    audit(session, actor, "sign_in_link.issued", applicant, {"expires_at": now + LINK_LIFETIME})
    return token


def set_password_with_link(session: Session, token: str, password: str, confirmation: str,
                           now: datetime) -> Applicant:
    link = session.exec(select(SignInToken).where(SignInToken.token_hash == digest(token)).with_for_update()).first()
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise NotFound("This link has expired or has already been used. Ask your housing officer for a new one.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"Password must be {MIN_PASSWORD_LENGTH} characters or more.", field="password")
    if password != confirmation:
        raise InvalidInput("The passwords do not match.", field="confirmation")
    applicant = session.get(Applicant, link.applicant_id)
    applicant.password_hash = hash_password(password)
    link.used_at = now
    session.add_all([applicant, link])
    audit(session, applicant_actor(applicant), "password.set", applicant, {"by": "one-time link"})
    return applicant


def issue_api_token(session: Session, applicant: Applicant, now: datetime) -> tuple[str, datetime]:
    token = secrets.token_urlsafe(32)
    expires_at = now + API_TOKEN_LIFETIME
    session.add(ApiToken(applicant_id=applicant.id, token_hash=digest(token), expires_at=expires_at))
    audit(session, applicant_actor(applicant), "api_token.issued", applicant, {"expires_at": expires_at})
    return token, expires_at


# The application whose live API token hashes to :token_hash at :now (its whole row).
_APPLICANT_FOR_TOKEN = (
    sa.select(*Applicant.__table__.c).join(ApiToken, ApiToken.applicant_id == Applicant.id)
    .where(ApiToken.token_hash == sa.bindparam("token_hash"), ApiToken.revoked_at.is_(None),
           ApiToken.expires_at > sa.bindparam("now"))
)


def applicant_for_token(session: Session, token: str, now: datetime):  # noqa: ANN201 - an applicant row
    """The application a live token belongs to, as a plain row (read on every API request)."""
    # On the connection, not through the ORM: the row is all that is needed, on every request.
    return session.connection().execute(_APPLICANT_FOR_TOKEN, {"token_hash": digest(token), "now": now}).first()


def record_sign_in(session: Session, applicant: Applicant) -> None:
    audit(session, applicant_actor(applicant), "signed_in", applicant)


def issue_provider_key(session: Session, actor: Actor, organisation_code: str) -> str:
    """A new API key for a provider's housing system; the old one stops working. Shown once."""
    actor.require(Right.STAFF_MANAGE)
    organisation = session.exec(select(Organisation).where(Organisation.code == organisation_code)).first()
    if organisation is None or organisation.kind is not OrganisationKind.PROVIDER:
        raise NotFound(f"There is no registered provider {organisation_code}.")
    key = f"cblp_{secrets.token_urlsafe(32)}"
    organisation.api_key_hash = digest(key)
    session.add(organisation)
    audit(session, actor, "provider_key.issued", organisation)
    return key


def provider_for_key(session: Session, key: str) -> Organisation | None:
    return session.exec(select(Organisation).where(Organisation.api_key_hash == digest(key),
                                                   Organisation.kind == OrganisationKind.PROVIDER)).first()
