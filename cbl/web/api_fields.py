"""What the JSON API's bodies and addresses may hold, declared once so the schema says it: callers see
the limits in /api/v1/schema, and anything outside them is refused (400) before a handler runs."""

from typing import Annotated, Any

import msgspec
from litestar.params import PathParameter

# PostgreSQL stores no NUL character in text, so none is taken (the schema says so, as a pattern).
NO_NUL = "^[^\u0000]*$"

# A record's number in an address: what the database can hold, so a larger number is refused as not
# what the API takes rather than looked up and not found.
RecordId = Annotated[int, PathParameter(ge=1, le=2_147_483_647, description="The record's number")]


def limit(characters: int, **meta: Any) -> msgspec.Meta:
    """Free text's constraints: at most `characters`, no NUL, and any others (`min_length`, `description`).
    Used as `Annotated[str, limit(200)]`."""
    return msgspec.Meta(max_length=characters, pattern=meta.pop("pattern", NO_NUL), **meta)
