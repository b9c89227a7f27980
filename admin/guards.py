"""Every admin route declares the right it needs (`opt={"right": ...}`), or that it is public or open to
any signed-in member of staff; this guard enforces it.

A route without a declared right is refused outright, so a new page cannot be left open by
forgetting (the route-by-role test also fails on it).
"""

import anyio
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from sqlmodel import Session

from cbl.database import Database
from cbl.models import StaffUser
from cbl.services import actors
from cbl.services.errors import NotAllowed
from cbl.web.auth import COOKIE, SignInRequired, Viewer, load_viewer_with, now

PUBLIC = "public"  # the sign-in pages themselves
SIGNED_IN = "signed-in"  # any member of staff's own things (their second factor), whatever their role


def _load_staff(db: Database, token: str | None) -> StaffUser | None:
    """The member of staff signed in, read with their session (one read transaction)."""
    def staff_of(session: Session, viewer: Viewer) -> StaffUser | None:
        return session.get(StaffUser, viewer.id) if viewer.kind == "staff" else None

    found = load_viewer_with(db, token, now(), staff_of)
    user = found[1] if found is not None else None
    return user if user is not None and user.active else None


async def staff_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    right = handler.opt.get("right")
    if right == PUBLIC:
        return
    if right is None:
        raise NotAllowed("This page has no access rule, so no one may use it.")
    db = connection.app.state["db"]
    user = await anyio.to_thread.run_sync(_load_staff, db, connection.cookies.get(COOKIE))
    if user is None:
        raise SignInRequired(f"/admin/sign-in?next={connection.url.path}")
    if right != SIGNED_IN and not actors.staff(user).may(right):
        raise NotAllowed("Your role does not give you access to this page.")
    connection.state.staff = user


def current_staff(request: Request) -> StaffUser:
    return request.state.staff
