"""Signing in: applicants by application reference and password, staff by e-mail and password, throttled;
API tokens, listed and revoked by their owner; providers' API keys."""

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from sqlmodel import Session, select

from cbl.models import ApiToken, Applicant, Organisation, StaffUser
from cbl.models.states import ActorKind, OrganisationKind
from cbl.services import throttling
from cbl.services.passwords import check_password, hash_password
from cbl.services.throttling import TooManyAttempts  # noqa: F401 - callers catch it from here

from .actors import Actor, applicant as applicant_actor, staff as staff_actor
from .audit import audit
from .errors import NotAllowed, NotFound, within
from cbl.services.rights import Right

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


TOKEN_LABEL_LIMIT = 100
# How stale a token's "last used" may be: written at most this often, not on every request.
LAST_USE_PRECISION = timedelta(minutes=5)


def issue_api_token(session: Session, applicant: Applicant, now: datetime, label: str = "") -> tuple[str, datetime]:
    label = within(label, TOKEN_LABEL_LIMIT, "label", "Label")
    token = secrets.token_urlsafe(32)
    expires_at = now + API_TOKEN_LIFETIME
    session.add(ApiToken(applicant_id=applicant.id, token_hash=digest(token), expires_at=expires_at, label=label,
                         created_at=now))
    audit(session, applicant_actor(applicant), "api_token.issued", applicant, {"expires_at": expires_at,
                                                                               "label": label})
    return token, expires_at


# The application whose live API token hashes to :token_hash at :now (its whole row), with the token's id
# and when it was last used.
_APPLICANT_FOR_TOKEN = (
    sa.select(*Applicant.__table__.c, ApiToken.id.label("api_token_id"),
              ApiToken.last_used_at.label("api_token_last_used_at"))
    .join(ApiToken, ApiToken.applicant_id == Applicant.id)
    .where(ApiToken.token_hash == sa.bindparam("token_hash"), ApiToken.revoked_at.is_(None),
           ApiToken.expires_at > sa.bindparam("now"))
)


def applicant_for_token(session: Session, token: str, now: datetime):  # noqa: ANN201 - an applicant row
    """The application a live token belongs to, as a plain row (read on every API request)."""
    # On the connection, not through the ORM: the row is all that is needed, on every request.
    return session.connection().execute(_APPLICANT_FOR_TOKEN, {"token_hash": digest(token), "now": now}).first()


def use_is_news(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether a use of a token at `now` should be written down (see LAST_USE_PRECISION)."""
    return last_used_at is None or now - last_used_at >= LAST_USE_PRECISION


def note_token_use(session: Session, token_id: int, now: datetime) -> None:
    """Record that the token was used at `now` (not audited: using a token changes nothing)."""
    session.execute(sa.update(ApiToken).where(ApiToken.id == token_id,
                                              sa.or_(ApiToken.last_used_at.is_(None),
                                                     ApiToken.last_used_at <= now - LAST_USE_PRECISION))
                    .values(last_used_at=now))


def _owner_only(actor: Actor, applicant_id: int) -> None:
    """A household's tokens are its own business: no one else lists or revokes them."""
    if actor.kind is not ActorKind.APPLICANT or actor.id != applicant_id:
        raise NotFound("There is no such API token of yours.")


def api_tokens(session: Session, actor: Actor, applicant_id: int, now: datetime) -> list[ApiToken]:
    """The application's tokens that still work, newest first."""
    _owner_only(actor, applicant_id)
    return list(session.exec(select(ApiToken).where(ApiToken.applicant_id == applicant_id,
                                                    ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
                             .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())).all())


def revoke_api_token(session: Session, actor: Actor, applicant_id: int, token_id: int, now: datetime) -> ApiToken:
    """The token stops working at once (every API request reads it). Revoking one already revoked or expired
    changes nothing; another household's token is not found."""
    _owner_only(actor, applicant_id)
    token = session.exec(select(ApiToken).where(ApiToken.id == token_id, ApiToken.applicant_id == applicant_id)
                         .with_for_update()).first()
    if token is None:
        raise NotFound("There is no such API token of yours.")
    if token.revoked_at is None and token.expires_at > now:
        token.revoked_at = now
        session.add(token)
        audit(session, actor, "api_token.revoked", token, {"label": token.label})
    return token


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
