"""Signing in: applicants by application reference and password, throttled; one-time links; API tokens."""

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from sqlmodel import Session, select

from cbl.models import ApiToken, Applicant, Organisation, SignInToken, StaffUser
from cbl.models.states import OrganisationKind
from cbl.services import throttling
from cbl.services.passwords import check_new_password, check_password, hash_password
from cbl.services.throttling import TooManyAttempts  # noqa: F401 - callers catch it from here

from .actors import Actor, applicant as applicant_actor, staff as staff_actor
from .audit import audit
from .errors import InvalidInput, NotAllowed, NotFound
from cbl.services.rights import Right

LINK_LIFETIME = timedelta(days=7)
API_TOKEN_LIFETIME = timedelta(days=30)


def digest(token: str) -> str:
    """Tokens are kept only as their hash, so a copy of the database signs no one in."""
    return hashlib.sha256(token.encode()).hexdigest()


def account_key(kind: str, name: str) -> str:
    """What an account's sign-ins are counted (and its device cookies signed) under."""
    name = name.strip().lower() if kind == "staff" else name.strip().upper()
    return f"{kind}:{name}" if len(name) <= 100 else f"{kind}#{digest(name)}"


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def _password_matches(password_hash: str | None, password: str) -> bool:
    """Checked against a stand-in hash when there is no account, so that an unknown name takes as
    long to refuse as a known one (the time would otherwise tell which accounts exist)."""
    matches = check_password(password_hash or _dummy_hash(), password)
    return matches and password_hash is not None


def authenticate_staff(session: Session, email: str, password: str, address: str, now: datetime,
                       *, device: str | None = None) -> StaffUser | None:
    """The member of staff, or None (and the failure counted) if the email and password don't match.
    The password is only the first step: a staff session starts after the second (services.second_factor).

    `device` is the id from a valid device cookie for this account (see services.throttling).
    """
    attempt = throttling.begin(session, account_key("staff", email), address, device, now)
    user = session.exec(select(StaffUser).where(sa.func.lower(StaffUser.email) == email.strip().lower())).first()
    if not _password_matches(user.password_hash if user else None, password) or not user.active:
        attempt.failed(now)
        return None
    # The count is not cleared yet: the second step (services.second_factor) clears it when the code is
    # right. Cleared here, someone who knows the password could clear their wrong codes by typing it again.
    return user


NO_STAFF_ACCOUNT = NotAllowed("There is no staff account for the e-mail address your sign-in service gave, or it "
                              "is disabled. Ask your system administrator.")


def staff_for_identity(session: Session, email: str) -> StaffUser | None:
    """The enabled member of staff whose e-mail address the identity provider has verified, if any."""
    user = session.exec(select(StaffUser).where(sa.func.lower(StaffUser.email) == email.strip().lower())).first()
    return user if user is not None and user.active else None


def record_identity(session: Session, user: StaffUser, issuer: str, subject: str) -> None:
    """The first step passed at the identity provider (the second factor follows): who vouched, for whom."""
    audit(session, staff_actor(user), "identity_provider.confirmed", user, {"issuer": issuer, "subject": subject})


def authenticate_applicant(session: Session, reference: str, password: str, address: str, now: datetime,
                           *, device: str | None = None) -> Applicant | None:
    """The applicant, or None (and the failure counted) if the reference and password don't match.

    Failure is a return value, not an exception, so that the caller's transaction commits the count.
    """
    attempt = throttling.begin(session, account_key("applicant", reference), address, device, now)
    applicant = session.exec(select(Applicant).where(Applicant.reference == reference.strip().upper())).first()
    if not _password_matches(applicant.password_hash if applicant else None, password):
        attempt.failed(now)
        return None
    attempt.succeeded()
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


LINK_GONE = "This link has expired or has already been used. Ask your housing officer for a new one."


def check_link(session: Session, token: str, now: datetime) -> None:
    """Refuse a one-time link that was never issued, is used or has expired (404)."""
    link = session.exec(select(SignInToken).where(SignInToken.token_hash == digest(token))).first()
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise NotFound(LINK_GONE)


def set_password_with_link(session: Session, token: str, password: str, confirmation: str,
                           now: datetime) -> Applicant:
    link = session.exec(select(SignInToken).where(SignInToken.token_hash == digest(token)).with_for_update()).first()
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise NotFound(LINK_GONE)
    applicant = session.get_one(Applicant, link.applicant_id)
    check_new_password(password, about=[applicant.reference, applicant.email or "", applicant.phone or ""])
    if password != confirmation:
        raise InvalidInput("The passwords do not match.", field="confirmation")
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
