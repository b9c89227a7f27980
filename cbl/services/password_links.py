"""One-time links that set a password, for every kind of account: a member of staff's invitation, the link
an officer gives a household, and the link someone asks for when they have forgotten their password.

The link carries a random token; only its hash is kept. A link works once, until it expires, and only
the latest one an account was sent: sending another ends the earlier ones. Setting a password with it ends
every session and API token the account holds, so whoever knew the old password is signed out.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from cbl.models import ApiToken, Applicant, PasswordLink, StaffUser, WebSession
from cbl.models.states import ActorKind, PasswordLinkPurpose

from .actors import Actor, applicant as applicant_actor, staff as staff_actor
from .audit import audit
from .errors import InvalidInput, NotFound
from .passwords import check_new_password, hash_password
from .rights import Right
from .sign_in import digest

Account = Applicant | StaffUser

# A link an officer gives a household: long enough to reach it by post.
GIVEN_LIFETIME = timedelta(days=7)

APPLICANT, STAFF = "applicant", "staff"
# What the page says of a link that cannot be used: where to get another, by the site it was sent for.
GONE = {
    APPLICANT: "This link has expired or has already been used. Ask for a new one on the Forgotten your "
               "password page, or ask your housing officer.",
    STAFF: "This link has expired or has already been used. Ask for a new one on the Forgotten your password "
           "page, or ask your system administrator.",
}


@dataclass(frozen=True)
class Issued:
    token: str
    expires_at: datetime


def kind_of(account: Account) -> str:
    return APPLICANT if isinstance(account, Applicant) else STAFF


def issue(session: Session, account: Account, purpose: PasswordLinkPurpose, lifetime: timedelta, now: datetime,
          issued_by: Actor | None = None) -> Issued:
    """A new link for the account (only the latest one works); the caller sends it and audits why."""
    revoke(session, account, now)
    token = secrets.token_urlsafe(32)
    link = PasswordLink(purpose=purpose, token_hash=digest(token), created_at=now, expires_at=now + lifetime,
                        issued_by_id=issued_by.id if issued_by is not None and issued_by.kind is ActorKind.STAFF
                        else None)
    if isinstance(account, Applicant):
        link.applicant_id = account.id
    else:
        link.staff_user_id = account.id
    session.add(link)
    return Issued(token, link.expires_at)


def give(session: Session, actor: Actor, applicant_id: int, now: datetime) -> str:
    """A link with which the household sets its password, for the officer to pass on (shown once)."""
    actor.require(Right.REGISTER_WRITE)
    applicant = session.get(Applicant, applicant_id)
    if applicant is None:
        raise NotFound("No such application.")
    issued = issue(session, applicant, PasswordLinkPurpose.GIVEN, GIVEN_LIFETIME, now, actor)
    audit(session, actor, "sign_in_link.issued", applicant, {"expires_at": issued.expires_at})
    return issued.token


def revoke(session: Session, account: Account, now: datetime) -> int:
    """End the account's unused links (a newer one is on its way, or the account is disabled)."""
    column = PasswordLink.applicant_id if isinstance(account, Applicant) else PasswordLink.staff_user_id
    return session.execute(
        sa.update(PasswordLink)
        .where(column == account.id, PasswordLink.used_at.is_(None), PasswordLink.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount


def _live(session: Session, kind: str, token: str, now: datetime, *, lock: bool = False) -> tuple[PasswordLink,
                                                                                                  Account]:
    """The live link and its account; NotFound (404) for a link never issued, used, replaced, expired, sent
    for the other site's kind of account, or for a disabled member of staff."""
    query = select(PasswordLink).where(PasswordLink.token_hash == digest(token[:100]))
    link = session.exec(query.with_for_update() if lock else query).first()
    if (link is None or link.used_at is not None or link.revoked_at is not None or link.expires_at <= now):
        raise NotFound(GONE[kind])
    account: Account | None = (session.get(Applicant, link.applicant_id) if kind == APPLICANT and link.applicant_id
                               else session.get(StaffUser, link.staff_user_id) if kind == STAFF and link.staff_user_id
                               else None)
    if account is None or (isinstance(account, StaffUser) and not account.active):
        raise NotFound(GONE[kind])
    return link, account


def check(session: Session, kind: str, token: str, now: datetime) -> Account:
    """Whose password a live link sets (NotFound if it cannot be used)."""
    return _live(session, kind, token, now)[1]


def _about(account: Account) -> list[str]:
    """What a password must not be built from: the account's own names and addresses."""
    if isinstance(account, Applicant):
        return [account.reference, account.email or "", account.phone or ""]
    return [account.email, account.email.partition("@")[0], account.name]


def set_password(session: Session, kind: str, token: str, password: str, confirmation: str,
                 now: datetime) -> Account:
    """Set the account's password with the link, which is then used up; every session and API token of
    the account ends."""
    link, account = _live(session, kind, token, now, lock=True)
    check_new_password(password, about=_about(account))
    if password != confirmation:
        raise InvalidInput("The passwords do not match.", field="confirmation")
    account.password_hash = hash_password(password)
    link.used_at = now
    session.add_all([account, link])
    sessions, tokens = end_access(session, account, now)
    revoke(session, account, now)  # any other link sent meanwhile
    actor = applicant_actor(account) if isinstance(account, Applicant) else staff_actor(account)
    audit(session, actor, "password.set", account,
          {"by": link.purpose, "sessions_ended": sessions, "api_tokens_revoked": tokens})
    return account


def end_access(session: Session, account: Account, now: datetime) -> tuple[int, int]:
    """End every session and revoke every live API token of the account: how many of each."""
    sessions = session.execute(
        sa.delete(WebSession).where(WebSession.account == WebSession.account_of(kind_of(account), account.id))
    ).rowcount
    tokens = 0
    if isinstance(account, Applicant):
        tokens = session.execute(
            sa.update(ApiToken).where(ApiToken.applicant_id == account.id, ApiToken.revoked_at.is_(None),
                                      ApiToken.expires_at > now)
            .values(revoked_at=now)
        ).rowcount
    return sessions, tokens


def latest(session: Session, account: Account) -> PasswordLink | None:
    """The account's most recent link, used or not."""
    column = PasswordLink.applicant_id if isinstance(account, Applicant) else PasswordLink.staff_user_id
    return session.exec(select(PasswordLink).where(column == account.id).order_by(PasswordLink.id.desc())).first()
