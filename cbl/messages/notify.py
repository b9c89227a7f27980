"""GOV.UK Notify as a carrier, through its official client: e-mails and texts through Notify
templates with personalisation, letters as precompiled PDFs. The outbox id is Notify's reference."""

import io
import threading

import requests
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from .carriers import Parcel, PermanentFailure, TemporaryFailure
from .config import DeliverySettings

# How long one request may take. A claim on a message outlasts it (see dispatch.LEASE), so a
# message is only looked up again once no request for it can still be on its way.
TIMEOUT_SECONDS = 20


class NotifyCarrier:
    name = "notify"
    channels = frozenset({"email", "sms", "letter"})

    def __init__(self, settings: DeliverySettings) -> None:
        self.settings = settings
        self._local = threading.local()

    @property
    def client(self) -> NotificationsAPIClient:
        # The client is not thread-safe (its requests session): one for each dispatching thread.
        if not hasattr(self._local, "client"):
            self._local.client = NotificationsAPIClient(self.settings.notify_api_key,
                                                        base_url=self.settings.notify_base_url,
                                                        timeout=TIMEOUT_SECONDS)
        return self._local.client

    def send(self, parcel: Parcel) -> str:
        personalisation = {"subject": parcel.subject, "body": parcel.body, **parcel.personalisation}
        template_id = self._template(parcel) if parcel.channel != "letter" else ""
        if parcel.channel == "email":
            call = lambda: self.client.send_email_notification(  # noqa: E731
                parcel.recipient, template_id, personalisation=personalisation, reference=parcel.reference)
        elif parcel.channel == "sms":
            call = lambda: self.client.send_sms_notification(  # noqa: E731
                parcel.recipient, template_id, personalisation=personalisation, reference=parcel.reference)
        else:
            call = lambda: self.client.send_precompiled_letter_notification(  # noqa: E731
                parcel.reference, io.BytesIO(parcel.pdf), postage="second")
        return _answer(call)["id"]

    def _template(self, parcel: Parcel) -> str:
        try:
            return self.settings.notify_template(parcel.channel, parcel.template)
        except KeyError:
            # Start-up checks every message the code makes; this one was made some other way.
            raise PermanentFailure(f"No Notify template is set for {parcel.channel} messages of the kind "
                                   f"{parcel.template!r}: add one to CBL_NOTIFY_TEMPLATES, then send it again.") \
                from None

    def find(self, reference: str) -> str | None:
        found = _answer(lambda: self.client.get_all_notifications(reference=reference))["notifications"]
        return found[0]["id"] if found else None


def _answer(call) -> dict:  # noqa: ANN001
    try:
        return call()
    except APIError as error:
        status, detail = error.status_code, _detail(error)
        if status == 429:
            raise TemporaryFailure(f"Notify's rate limit: {detail}", whole_carrier=True,
                                   retry_after=_retry_after(error)) from error
        if status in {401, 403}:
            # A key Notify does not accept fails every message alike: not the message's fault.
            raise TemporaryFailure(f"Notify refused the API key: {detail}", whole_carrier=True) from error
        if status >= 500:
            raise TemporaryFailure(f"Notify answered {status}: {detail}") from error
        raise PermanentFailure(detail) from error
    except requests.RequestException as error:
        raise TemporaryFailure(f"Notify could not be reached: {error.__class__.__name__}",
                               whole_carrier=True) from error


def _detail(error: APIError) -> str:
    message = error.message
    if isinstance(message, list):
        return "; ".join(str(item.get("message", item)) if isinstance(item, dict) else str(item) for item in message)
    return str(message)


def _retry_after(error: APIError) -> float | None:
    value = getattr(error.response, "headers", {}).get("Retry-After") if error.response is not None else None
    try:
        return float(value) if value else None
    except ValueError:
        return None
