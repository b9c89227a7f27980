"""Errors answered the same way everywhere: JSON for the API, a page for people. Never a bare 500."""

import logging
from typing import Any
import traceback

import msgspec
from litestar import MediaType, Request, Response
from litestar.openapi import ResponseSpec
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Template
from litestar.types import ExceptionHandlersMap
from sqlalchemy.exc import DataError, OperationalError, StatementError

from cbl.services.errors import DomainError
from cbl.web.auth import COOKIE, Viewer, load_viewer, now

log = logging.getLogger("cbl")


class ErrorDetail(msgspec.Struct):
    code: str  # e.g. not_found, conflict, invalid_input, unauthorised
    message: str  # what a person can do about it
    # The field at fault ({"field": "advert"}), or what could not be read of the request.
    details: dict[str, Any] | list[dict[str, Any]] | None = None


class ErrorBody(msgspec.Struct):
    """Every error the API answers, in its schema: `{"error": {"code", "message", "details"?}}`."""

    error: ErrorDetail


ERROR_MEANINGS = {
    400: "The request could not be read: malformed JSON, or a value of the wrong type.",
    401: "No valid credentials: send them as 'Authorization: Bearer ...'.",
    403: "These credentials may not do this.",
    404: "There is no such thing (or none of yours).",
    409: "It clashes with how things stand: a closed cycle, a limit reached, already done.",
    422: "Read, but not acceptable (a number out of range, too, such as an id): the message says why.",
    429: "Too many attempts: the message says how long to wait.",
    503: "The database is unreachable or cannot be written to; nothing was changed.",
}


def error_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """The OpenAPI responses for the errors an operation can answer: those given, and 400 (a request that
    cannot be read; Litestar would otherwise declare its own body for it, not ours) and 503, which any can."""
    return {status: ResponseSpec(data_container=ErrorBody, description=ERROR_MEANINGS[status],
                                 generate_examples=False)
            for status in sorted({*statuses, 400, 503})}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _answer(request: Request, status: int, code: str, message: str, details: object = None) -> Response:
    if _wants_json(request):
        body: dict[str, dict[str, object]] = {"error": {"code": code, "message": message}}
        if details:
            body["error"]["details"] = details
        return Response(body, status_code=status, media_type=MediaType.JSON)
    return Template("error.html", context={"status": status, "message": message, "viewer": _viewer(request, status)},
                    status_code=status)


def _viewer(request: Request, status: int) -> Viewer | None:
    """Who is signed in, so an error page's navigation is theirs (never "Sign in" to someone signed in)."""
    db = request.app.state.get("db")
    if db is None or status >= 500:  # the database may be the trouble: don't ask it again
        return None
    try:
        return load_viewer(db, request.cookies.get(COOKIE), now())
    except OperationalError:
        return None


def domain_error(request: Request, error: DomainError) -> Response:
    details = {"field": error.field} if error.field else None
    return _answer(request, error.status_code, error.code, error.message, details)


def validation_error(request: Request, error: ValidationException) -> Response:
    return _answer(request, 400, "invalid_request", "Some of what was sent could not be read.", error.extra)


def http_error(request: Request, error: HTTPException) -> Response:
    code = {400: "invalid_request", 401: "unauthorised", 403: "forbidden", 404: "not_found",
            405: "method_not_allowed", 413: "too_large", 429: "too_many_requests"}.get(error.status_code, "error")
    message = error.detail
    if error.status_code == 400 and message in ("Bad Request", ""):
        message = "The request could not be read. Send JSON (or a form) in the documented shape."
    if error.status_code == 413:
        message = "The request is too large. Nothing was saved; send less at once."
    if error.status_code == 403 and "CSRF" in message:
        message = "This form has expired. Go back, reload the page and try again."
    return _answer(request, error.status_code, code, message)


CANNOT_WRITE = ("readonly", "read-only", "disk is full", "no space left", "disk i/o error")


def database_unavailable(request: Request, error: OperationalError) -> Response:
    reason = str(error.orig or error).lower()
    if any(sign in reason for sign in CANNOT_WRITE):
        # Nothing is half-written: the transaction was refused whole. Operators must act, so say so loudly.
        log.critical("the database cannot be written to: %s", reason[:200])
        return _answer(request, 503, "cannot_write", "The service cannot save anything at the moment (its storage "
                       "is full or read-only). Nothing was changed; the council has been alerted.")
    log.error("database unavailable: %s", type(error.orig).__name__ if error.orig else error)
    return _answer(request, 503, "unavailable", "The service is busy or its database is unreachable. "
                   "Nothing was changed; please try again in a minute.")


def out_of_range(request: Request, error: Exception) -> Response:
    """A number too big for the database (an id of 2**63, say): the caller's mistake, not ours."""
    return _answer(request, 422, "out_of_range", "A number in the request is out of range.")


def too_deep(request: Request, error: RecursionError) -> Response:
    """JSON nested thousands deep: the parser gives up; the request is the caller's mistake."""
    return _answer(request, 400, "invalid_request", "The request is nested too deeply to read.")


def undecodable(request: Request, error: UnicodeDecodeError) -> Response:
    """A form field that is not UTF-8 text (bytes sent as a multipart field without a file name, say): the
    request parser gives up, and the request is the sender's mistake."""
    return _answer(request, 400, "invalid_request", "The form could not be read: a field holds text that is not "
                   "UTF-8. Nothing was saved.")


def statement_error(request: Request, error: StatementError) -> Response:
    """A value the database types could not take (a date past the calendar's end, say)."""
    if isinstance(error.orig, (OverflowError, ValueError)):
        return out_of_range(request, error)
    return unexpected_error(request, error)


def unexpected_error(request: Request, error: Exception) -> Response:
    if isinstance(error, StatementError):
        # The driver's message quotes the values (PostgreSQL: "Key (email)=(...) already exists"):
        # log where it happened and what kind of error, not what was in it.
        log.error("unexpected database error on %s %s: %s (%s)\n%s", request.method, request.url.path,
                  type(error).__name__, type(error.orig).__name__, "".join(traceback.format_tb(error.__traceback__)))
    else:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
    return _answer(request, 500, "internal_error", "Something went wrong on our side. Nothing was changed.")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: domain_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    OperationalError: database_unavailable,
    OverflowError: out_of_range,
    DataError: out_of_range,
    StatementError: statement_error,
    RecursionError: too_deep,
    UnicodeDecodeError: undecodable,
    Exception: unexpected_error,
}
