"""Who is signed in: sessions kept in the database, a fresh random id at every sign-in.

The cookie holds a random token; the database keeps only its hash, the account it belongs to and
when it expires. Signing in always starts a new session (no fixation); signing out deletes it;
an idle session expires. Every worker sees the same sessions.
"""

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import TypeVar

from litestar import Request, Response
from litestar.di import NamedDependency
from litestar.response import Redirect
import sqlalchemy as sa
from sqlmodel import Session

from cbl.database import Database
from cbl.models import Applicant, HouseholdAccount, WebSession
from cbl.services import actors
from cbl.services.actors import Actor
from cbl.services.sign_in import digest

COOKIE = "cbl_session"
IDLE_TIMEOUT = timedelta(minutes=30)
# A member of staff whose password was right but who has not yet given the code from their authenticator
# app: no staff page opens for this kind of session, and it lasts long enough to set an app up, no longer.
STAFF_SECOND_STEP = "staff-second-step"
SECOND_STEP_TIMEOUT = timedelta(minutes=10)

# The response a cookie is set on is handed back as it came (a Redirect stays a Redirect).
R = TypeVar("R", bound=Response)
T = TypeVar("T")


@dataclass(frozen=True)
class Viewer:
    kind: str  # "applicant", "staff", or STAFF_SECOND_STEP (half way through a staff sign-in)
    id: int
    token: str
    # A household signed in, as read with its session by the `viewer` dependency (one read transaction for
    # both: `signed_in_applicant` then reads nothing more).
    applicant: Applicant | None = field(default=None, compare=False, repr=False)


class SignInRequired(Exception):
    """Raised by pages that need a signed-in user; answered with a redirect to the sign-in page."""

    def __init__(self, path: str = "/sign-in") -> None:
        self.path = path


def now() -> datetime:
    return datetime.now(timezone.utc)


def start_session(session: Session, kind: str, user_id: int, at: datetime) -> str:
    token = secrets.token_urlsafe(32)
    lifetime = SECOND_STEP_TIMEOUT if kind == STAFF_SECOND_STEP else IDLE_TIMEOUT
    # The second step's session is staff's too, so that ending an account's sessions ends it as well.
    account = WebSession.account_of("staff" if kind == STAFF_SECOND_STEP else kind, user_id)
    session.add(WebSession(key=digest(token), data=json.dumps({"kind": kind, "id": user_id}).encode(),
                           expires_at=at + lifetime, account=account))
    return token


def end_session(session: Session, token: str) -> None:
    row = session.get(WebSession, digest(token))
    if row is not None:
        session.delete(row)


def load_viewer(db: Database, token: str | None, at: datetime) -> Viewer | None:
    found = load_viewer_with(db, token, at, lambda _session, _viewer: None)
    return found[0] if found is not None else None


def load_viewer_with(db: Database, token: str | None, at: datetime,
                     read: Callable[[Session, Viewer], T]) -> tuple[Viewer, T] | None:
    """The viewer of a session cookie, and what `read` reads for it in the same read transaction (the staff
    site's guard reads the member of staff with it: one transaction a request for signing in, not two)."""
    if not token or len(token) > 100:
        return None
    with db.reading() as session:
        row = session.get(WebSession, digest(token))
        if row is None or row.expires_at is None or row.expires_at <= at:
            return None
        data = json.loads(row.data)
        renew = row.expires_at - at < IDLE_TIMEOUT / 2 and data["kind"] != STAFF_SECOND_STEP
        viewer = Viewer(data["kind"], data["id"], token)
        found = read(session, viewer)
    if renew:  # sliding expiry, written at most every quarter of an hour
        with db.transaction() as session:
            stored = session.get(WebSession, digest(token))
            if stored is not None:
                stored.expires_at = at + IDLE_TIMEOUT
    return viewer, found


def set_session_cookie(response: R, request: Request, token: str) -> R:
    secure = request.url.scheme == "https" or request.app.state["settings"].https
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=secure,
                        path="/")
    return response


def clear_session_cookie(response: R) -> R:
    response.delete_cookie(COOKIE, path="/")
    return response


# --- dependencies ----------------------------------------------------------------------------

def viewer(request: Request, db: NamedDependency[Database]) -> Viewer | None:
    def household(session: Session, viewer: Viewer) -> Applicant | None:
        return session.get(Applicant, viewer.id) if viewer.kind == "applicant" else None

    found = load_viewer_with(db, request.cookies.get(COOKIE), now(), household)
    return replace(found[0], applicant=found[1]) if found is not None else None


def signed_in_applicant(viewer: Viewer | None, db: NamedDependency[Database], request: Request) -> Applicant:
    if viewer is None or viewer.kind != "applicant":
        raise SignInRequired(f"/sign-in?next={request.url.path}")
    applicant = viewer.applicant
    if applicant is None:  # (a viewer not read by the dependency)
        with db.reading() as session:
            applicant = session.get(Applicant, viewer.id)
    if applicant is None:
        raise SignInRequired()
    return applicant


def signed_in_account(viewer: Viewer | None, db: Database, request: Request) -> HouseholdAccount:
    """The household's own account, for applying. A household whose application is on the register is signed in
    as that application and goes to its pages; anyone else signs in to an account first."""
    if viewer is not None and viewer.kind == "applicant":
        raise SignInRequired("/account")
    if viewer is None or viewer.kind != "household":
        raise SignInRequired(f"/apply/sign-in?next={request.url.path}")
    with db.reading() as session:
        account = session.get(HouseholdAccount, viewer.id)
    if account is None:
        raise SignInRequired("/apply/sign-in")
    return account


def applicant_actor(applicant: Applicant) -> Actor:
    return actors.applicant(applicant)


def sign_in_required(request: Request, error: SignInRequired) -> Response:
    return Redirect(error.path, status_code=303)


def purge_expired(session: Session, at: datetime) -> int:
    """Forget expired sessions and finished sign-in throttling windows (run by the scheduler)."""
    from cbl.models import Throttle

    sessions = session.execute(sa.delete(WebSession).where(WebSession.expires_at <= at)).rowcount
    windows = session.execute(sa.delete(Throttle).where(Throttle.window_ends_at <= at)).rowcount  # ended counts
    return sessions + windows
