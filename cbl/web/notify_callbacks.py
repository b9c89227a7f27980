"""GOV.UK Notify's callbacks: delivery receipts (/api/v1/notify/callback) and received text messages
(/api/v1/notify/inbound). Each carries the bearer token set in Notify's admin for it."""

import hmac

import msgspec
from litestar import Request, Router, post
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.params import JSONBody

from cbl.database import Database
from cbl.messages.receipts import record_receipt
from cbl.messages.texts import answer_text
from cbl.rules.scheme import Scheme
from cbl.services.errors import InvalidInput
from cbl.settings import Settings
from cbl.web.auth import now
from cbl.web.errors import error_responses


class Receipt(msgspec.Struct):
    id: str
    status: str
    reference: str | None = None


class InboundText(msgspec.Struct):
    id: str
    source_number: str
    message: str


def _check_token(request: Request, expected: str | None) -> None:
    if not expected:
        raise NotFoundException("This callback is not set up.")
    given = request.headers.get("authorization", "")
    # Compared in constant time, so the token cannot be guessed a character at a time.
    if not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
        raise NotAuthorizedException("The bearer token is missing or wrong.")


@post("/callback", responses=error_responses(401, 404, 422), sync_to_thread=True, status_code=204,
      summary="Notify delivery receipt")
def delivery_receipt(request: Request, db: NamedDependency[Database], settings: NamedDependency[Settings],
                     data: JSONBody[Receipt]) -> None:
    _check_token(request, settings.delivery.notify_callback_token)
    if not data.reference:
        return  # not sent by us (Notify's own test messages have no reference)
    db.run(record_receipt, data.reference, data.id, data.status, now())


@post("/inbound", responses=error_responses(401, 404, 422), sync_to_thread=True, status_code=204,
      summary="Notify received text message")
def received_text(request: Request, db: NamedDependency[Database], scheme: NamedDependency[Scheme],
                  settings: NamedDependency[Settings], data: JSONBody[InboundText]) -> None:
    _check_token(request, settings.delivery.notify_inbound_token)
    if len(data.message) > 918 or len(data.id) > 64:  # Notify's own limits for a text
        raise InvalidInput("The text message is longer than a text message can be.")
    db.run(answer_text, scheme, data.id, data.source_number, data.message, now())


notify_router = Router(path="/api/v1/notify", route_handlers=[delivery_receipt, received_text], tags=["notify"])
