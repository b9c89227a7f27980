"""Staff sign in with a second factor: a time-based one-time password (RFC 6238) from an authenticator
app, or one of ten one-time recovery codes for when the app is lost.

Every member of staff has one. Someone without one is asked, after their password, to set it up: the
secret is shown (as a QR code and as text) and kept until a code from it is confirmed. A code is
accepted once: the step it belongs to is remembered, and no code of that step or an earlier one is
accepted again, so a code seen over a shoulder or replayed from a log is refused. Wrong codes are
counted with wrong passwords (services.sign_in, services.throttling).

The secret is kept encrypted (Fernet) under a key derived from the site's secret key (CBL_SECRET_KEY),
so a copy of the database alone does not give anyone the codes. The functions that read or make a
secret take that key (`site_key`).
"""

import base64
import hmac
import secrets
from datetime import datetime

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
import sqlalchemy as sa
from sqlmodel import Session, select

from cbl.models import Organisation, StaffRecoveryCode, StaffSecondFactor, StaffUser
from cbl.models.states import OrganisationKind

from .actors import Actor, staff as staff_actor
from .audit import audit
from .errors import Conflict, InvalidInput
from . import throttling
from .sign_in import account_key, digest

# Six digits, a new code every 30 seconds, HMAC-SHA1: what every authenticator app reads without asking.
STEP_SECONDS = 30
# A code from the step before or after the current one is accepted too: phones' clocks drift, and typing
# a code takes a few seconds.
DRIFT_STEPS = 1
RECOVERY_CODES = 10
WRONG_CODE = "Enter the 6-digit code your authenticator app shows now"
UNREADABLE = ("Your authenticator app's key cannot be read: the site's secret key has changed since you set it "
              "up. Ask a system administrator to reset your second factor.")
WRONG_SIGN_IN_CODE = ("The code is not right, or has been used already. Enter the code your authenticator "
                      "app shows now, or a recovery code you have not used")


def _step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def new_secret() -> str:
    """160 random bits in base32, as RFC 4226 recommends and authenticator apps expect."""
    return pyotp.random_base32(32)


def _box(site_key: str) -> Fernet:
    """Fernet (AES-CBC with HMAC-SHA256) under a key derived from the site's secret key for this use alone."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"cbl: staff second factor secrets").derive(site_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(secret: str, site_key: str) -> str:
    """The secret as kept in the database."""
    return _box(site_key).encrypt(secret.encode()).decode()


def unsealed(sealed: str, site_key: str) -> str:
    """The secret kept as `sealed`; Conflict if it was sealed under another secret key."""
    try:
        return _box(site_key).decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise Conflict(UNREADABLE) from None


def _unsealed(factor: StaffSecondFactor, site_key: str) -> str:
    return unsealed(factor.secret, site_key)


def _readable(factor: StaffSecondFactor, site_key: str) -> bool:
    try:
        _unsealed(factor, site_key)
    except Conflict:
        return False
    return True


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, interval=STEP_SECONDS).at(step * STEP_SECONDS)


def current_code(secret: str, now: datetime) -> str:
    return code_at(secret, _step(now))


def _factor(session: Session, user_id: int, *, lock: bool = False) -> StaffSecondFactor | None:
    query = select(StaffSecondFactor).where(StaffSecondFactor.staff_user_id == user_id)
    return session.exec(query.with_for_update() if lock else query).first()


def is_enrolled(session: Session, user_id: int) -> bool:
    factor = _factor(session, user_id)
    return factor is not None and factor.enrolled_at is not None


def has_any(session: Session, user_id: int) -> bool:
    """Set up, or being set up (its secret shown but no code from it confirmed yet)."""
    return _factor(session, user_id) is not None


def enrolled_at(session: Session, user_id: int) -> datetime | None:
    factor = _factor(session, user_id)
    return factor.enrolled_at if factor is not None else None


def recovery_codes_left(session: Session, user_id: int) -> int:
    return session.exec(select(sa.func.count()).select_from(StaffRecoveryCode).where(
        StaffRecoveryCode.staff_user_id == user_id, StaffRecoveryCode.used_at.is_(None))).one()


def begin_enrolment(session: Session, user: StaffUser, now: datetime, site_key: str) -> None:
    """Make the secret to be set up, unless one is already waiting: showing the page again, or signing in
    again before confirming, keeps the secret that may already be in the app."""
    factor = _factor(session, user.id)
    if factor is None:
        session.add(StaffSecondFactor(staff_user_id=user.id, secret=seal(new_secret(), site_key), created_at=now))
        session.flush()
    elif factor.enrolled_at is None and not _readable(factor, site_key):  # sealed under a secret key since changed
        factor.secret = seal(new_secret(), site_key)
        session.add(factor)


def enrolment_secret(session: Session, user_id: int, site_key: str) -> str:
    """The secret being set up, to show; Conflict if there is none waiting (already set up, or reset)."""
    factor = _factor(session, user_id)
    if factor is None or factor.enrolled_at is not None:
        raise Conflict("There is no authenticator app being set up for this account: sign in again.")
    return _unsealed(factor, site_key)


def issuer(session: Session) -> str:
    """The name an authenticator app lists the account under."""
    council = session.exec(select(Organisation.name).where(Organisation.kind == OrganisationKind.COUNCIL)
                           .order_by(Organisation.id)).first()
    return f"{council or 'Council'} lettings admin"


def provisioning_uri(secret: str, email: str, issuer: str) -> str:
    """The otpauth:// address a QR code carries (Key Uri Format, read by every authenticator app)."""
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(name=email, issuer_name=issuer)


def spaced(secret: str) -> str:
    """The secret in groups of four, as people type it into an app."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _normalised(typed: str) -> str:
    return "".join(typed.split()).replace("-", "").lower()


def _matching_step(factor: StaffSecondFactor, code: str, now: datetime, site_key: str) -> int | None:
    """The step whose code this is, within the drift allowed and later than the last one used, or None."""
    if not (len(code) == 6 and code.isdigit()):
        return None
    secret, current = _unsealed(factor, site_key), _step(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if (factor.last_step is None or step > factor.last_step) and hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def confirm_enrolment(session: Session, user_id: int, typed: str, now: datetime, site_key: str) -> list[str]:
    """Set up the app once a current code from it is typed; the new recovery codes, to show once."""
    factor = _factor(session, user_id, lock=True)
    if factor is None or factor.enrolled_at is not None:
        raise Conflict("There is no authenticator app being set up for this account: sign in again.")
    code = _normalised(typed)
    if not code:
        raise InvalidInput(WRONG_CODE, field="code")
    step = _matching_step(factor, code, now, site_key)
    if step is None:
        raise InvalidInput("The code is not right. Check the app shows this account, then enter the 6-digit "
                           "code it shows now", field="code")
    factor.enrolled_at, factor.last_step = now, step
    session.add(factor)
    user = session.get_one(StaffUser, user_id)
    audit(session, staff_actor(user), "second_factor.enrolled", user)
    return _new_recovery_codes(session, user, now)


def check_code(session: Session, user: StaffUser, typed: str, now: datetime, site_key: str) -> str | None:
    """How the second step was passed ("authenticator app" or "recovery code"), or None if the code is wrong,
    already used or the account has no second factor set up. A recovery code is used up."""
    factor = _factor(session, user.id, lock=True)
    if factor is None or factor.enrolled_at is None:
        return None
    code = _normalised(typed)
    step = _matching_step(factor, code, now, site_key)
    if step is not None:
        factor.last_step = step
        session.add(factor)
        return "authenticator app"
    if len(code) == 6 and code.isdigit():  # a code from the app that is wrong: not worth a recovery look-up
        return None
    recovery = session.exec(select(StaffRecoveryCode).where(
        StaffRecoveryCode.staff_user_id == user.id, StaffRecoveryCode.code_hash == digest(code),
        StaffRecoveryCode.used_at.is_(None)).with_for_update()).first()
    if recovery is None:
        return None
    recovery.used_at = now
    session.add(recovery)
    session.flush()
    audit(session, staff_actor(user), "second_factor.recovery_code_used", user,
          {"recovery_codes_left": recovery_codes_left(session, user.id)})
    return "recovery code"


def _new_recovery_codes(session: Session, user: StaffUser, now: datetime) -> list[str]:
    """Ten new codes; any earlier ones stop working. Shown once: only their hashes are kept.

    Each code is 80 random bits, so its SHA-256 is enough: a slow hash (argon2, as for passwords) is
    there to make guessing a human-chosen password from its hash costly; no guessing finds one of
    2**80 random codes, so the hash need not be slow.
    """
    session.execute(sa.delete(StaffRecoveryCode).where(StaffRecoveryCode.staff_user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()  # 16 characters
        codes.append("-".join(raw[i:i + 4] for i in range(0, 16, 4)))
        session.add(StaffRecoveryCode(staff_user_id=user.id, code_hash=digest(raw), created_at=now))
    return codes


def regenerate_recovery_codes(session: Session, actor: Actor, now: datetime) -> list[str]:
    """A member of staff's own new recovery codes; the old ones stop working."""
    user = session.get(StaffUser, actor.id)
    if user is None or not is_enrolled(session, user.id):
        raise Conflict("Set up an authenticator app first.")
    codes = _new_recovery_codes(session, user, now)
    audit(session, actor, "second_factor.recovery_codes_regenerated", user)
    return codes


def forget(session: Session, user_id: int) -> None:
    """The account's app and recovery codes are gone: it sets them up again at its next sign-in."""
    session.execute(sa.delete(StaffRecoveryCode).where(StaffRecoveryCode.staff_user_id == user_id))
    session.execute(sa.delete(StaffSecondFactor).where(StaffSecondFactor.staff_user_id == user_id))


def second_step(session: Session, user_id: int, typed: str, address: str, now: datetime, site_key: str,
                *, device: str | None = None) -> tuple[StaffUser, str] | None:
    """The second step of a staff sign-in: the member of staff and how they passed it, or None (and the
    failure counted with the account's wrong passwords, so that a guesser of codes is slowed like a
    guesser of passwords); TooManyAttempts if the account must wait."""
    user = session.get(StaffUser, user_id)
    if user is None or not user.active:
        return None
    attempt = throttling.begin(session, account_key("staff", user.email), address, device, now)
    how = check_code(session, user, typed, now, site_key)
    if how is None:
        attempt.failed(now)
        return None
    attempt.succeeded()
    return user, how
