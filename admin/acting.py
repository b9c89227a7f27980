"""How every admin form acts: the change runs as the signed-in member of staff in one transaction; on
success the browser goes on to a page (303), and on a refusal the same page is shown again with the reason.
A "not found" is not the user's to correct on the page, so it stays a 404."""

from collections.abc import Callable
from typing import Any

from litestar import Request
from litestar.response import Redirect, Template

from cbl.database import Database
from cbl.services.actors import staff as staff_actor
from cbl.services.errors import DomainError, NotFound
from cbl.web import forms

from .guards import current_staff


def act(db: Database, request: Request, action: Callable[..., Any], refused: Callable[[DomainError], Template],
        done: str, *args: Any) -> Template | Redirect:
    """Run `action(session, actor, *args)`; on to `done`, or `refused(error)`: the page with the refusal."""
    try:
        db.run(action, staff_actor(current_staff(request)), *args)
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        return refused(error)
    return Redirect(done, status_code=303)


def submit(db: Database, request: Request, form: forms.Form, action: Callable[..., Any],
           page: Callable[[forms.Form], Template], done: str, *args: Any) -> Template | Redirect:
    """Check `form`; if it holds, run `action(session, actor, form, *args)` and go on to `done`; else show
    `page(form)`: the same page with every error in the summary and beside its field, and all that was typed."""
    if form.validate():
        try:
            db.run(action, staff_actor(current_staff(request)), form, *args)
            return Redirect(done, status_code=303)
        except DomainError as error:
            if isinstance(error, NotFound):
                raise
            form.refuse(error)
    return page(form)
