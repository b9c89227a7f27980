"""Domain errors. Each carries the HTTP status the web layers answer with and a message a person can act on."""


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    status_code = 422
    code = "invalid_input"


class NotAllowed(DomainError):
    """The actor may not do this."""

    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """The request clashes with the state of things: a limit, a closed cycle, a duplicate."""

    status_code = 409
    code = "conflict"


def within(text: str, limit: int, field: str, what: str) -> str:
    """`text` trimmed, refused when longer than its declared limit: what people typed is never cut."""
    text = text.strip()
    if len(text) > limit:
        raise InvalidInput(f"{what} must be {limit:,} characters or fewer (you entered {len(text):,}).", field=field)
    return text
