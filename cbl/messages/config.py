"""How messages leave the system: GOV.UK Notify, an SMTP server, or neither (they wait in the outbox).

Read from the environment and checked when the app or the scheduler starts, so a mistyped key or
template id stops start-up with a message rather than failing every send later.
"""

import uuid
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

NOTIFY_BASE_URL = "https://api.notifications.service.gov.uk"

# Every message the system makes, by channel. A Notify template id is needed for each, or one for
# the channel as a whole (a template whose content is ((subject)) and ((body))).
# tests/unit/test_delivery_settings.py reads the code for the names, so a new message cannot be left out.
EMAIL_TEMPLATES = (
    "account_code", "advert_withdrawn", "application_received", "bid_placed", "bidding_reopened", "change_received",
    "cycle_closed", "cycle_reopened", "direct_offer_approval", "draft_expiring", "evidence_requested", "exchange",
    "letter", "new_homes", "nomination", "offer_lapsed", "offer_made", "offer_reminder", "offer_withdrawn",
    "password_reset", "registration_backdating", "review_reminder", "shortlisted", "staff_invitation",
)
SMS_TEMPLATES = ("account_code", "application_received", "bid_placed", "bidding_reopened", "change_received",
                 "draft_expiring", "evidence_requested", "letter", "mobile_confirmation", "offer_lapsed", "offer_made",
                 "offer_reminder", "offer_withdrawn", "password_reset", "shortlisted", "text_reply")
# Messages whose words are a secret for their recipient alone: a one-time code, or a link that sets a
# password. The dispatcher sends them; staff never read them (the outbox shows that they went, not what
# they said) and cannot send them again to an address changed on the case.
SECRET_TEMPLATES = frozenset({"account_code", "password_reset", "staff_invitation"})
SECRET_NOT_SHOWN = ("Not shown: it carries a one-time code or a link to set a password, for the person it went "
                    "to alone. They can ask for a new one.")


class DeliveryConfigError(ValueError):
    """The delivery settings cannot work; the message says which one and why."""


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool


@dataclass(frozen=True)
class DeliverySettings:
    notify_api_key: str | None = None
    """CBL_NOTIFY_API_KEY: the service's Notify API key (`name-<service id>-<secret>`)."""
    notify_base_url: str = NOTIFY_BASE_URL
    """CBL_NOTIFY_BASE_URL: Notify's API (its own by default)."""
    notify_templates: dict[str, str] = field(default_factory=dict)
    """CBL_NOTIFY_TEMPLATES: `email=<id>,sms=<id>,email:offer_made=<id>,...`"""
    notify_callback_token: str | None = None
    """CBL_NOTIFY_CALLBACK_TOKEN: the bearer token Notify sends with delivery receipts."""
    notify_inbound_token: str | None = None
    """CBL_NOTIFY_INBOUND_TOKEN: the bearer token Notify sends with received text messages."""
    smtp: SmtpServer | None = None
    """CBL_SMTP_URL: `smtp://user:pass@host:587` (STARTTLS), used for e-mail where Notify is not."""
    mail_from: str | None = None
    """CBL_MAIL_FROM: the From address of e-mails sent by SMTP."""
    outbox_shows_secrets: bool = False
    """CBL_OUTBOX_SHOWS_SECRETS=1: staff read one-time codes and password links in the outbox. For a demo
    that delivers nothing (refused with Notify or SMTP set up), so its visitors can confirm accounts."""

    @property
    def notify(self) -> bool:
        return bool(self.notify_api_key)

    def channels(self) -> frozenset[str]:
        """The channels some carrier can deliver."""
        if self.notify:
            return frozenset({"email", "sms", "letter"})
        return frozenset({"email"}) if self.smtp else frozenset()

    def warning(self) -> str | None:
        """What staff should know when some messages cannot leave."""
        if not self.channels():
            return ("Messages are not being delivered: neither GOV.UK Notify nor an e-mail server is set up, "
                    "so every letter, e-mail and text waits in the outbox.")
        if not self.notify:
            return ("Only e-mail is being delivered (by the council's mail server): letters and text messages "
                    "wait in the outbox until GOV.UK Notify is set up.")
        return None

    def shown_to_staff(self, template: str, body: str) -> str:
        """A message's words as the outbox shows them to staff: a secret's are withheld."""
        return SECRET_NOT_SHOWN if template in SECRET_TEMPLATES and not self.outbox_shows_secrets else body

    def notify_template(self, channel: str, template: str) -> str:
        return self.notify_templates.get(f"{channel}:{template}") or self.notify_templates[channel]


def load_delivery(env: dict[str, str]) -> DeliverySettings:
    settings = DeliverySettings(
        notify_api_key=env.get("CBL_NOTIFY_API_KEY") or None,
        notify_base_url=env.get("CBL_NOTIFY_BASE_URL") or NOTIFY_BASE_URL,
        notify_templates=_templates(env.get("CBL_NOTIFY_TEMPLATES", "")),
        notify_callback_token=env.get("CBL_NOTIFY_CALLBACK_TOKEN") or None,
        notify_inbound_token=env.get("CBL_NOTIFY_INBOUND_TOKEN") or None,
        smtp=_smtp(env["CBL_SMTP_URL"]) if env.get("CBL_SMTP_URL") else None,
        mail_from=env.get("CBL_MAIL_FROM") or None,
        outbox_shows_secrets=env.get("CBL_OUTBOX_SHOWS_SECRETS", "").lower() in {"1", "true", "yes"},
    )
    check(settings)
    return settings


def check(settings: DeliverySettings) -> None:
    if settings.notify:
        key = settings.notify_api_key
        try:
            uuid.UUID(key[-73:-37]), uuid.UUID(key[-36:])
        except ValueError as error:
            raise DeliveryConfigError(
                "CBL_NOTIFY_API_KEY is not a Notify API key (name-<service id>-<secret>)") from error
        for channel, names in (("email", EMAIL_TEMPLATES), ("sms", SMS_TEMPLATES)):
            missing = [name for name in names if f"{channel}:{name}" not in settings.notify_templates]
            if missing and channel not in settings.notify_templates:
                raise DeliveryConfigError(
                    f"CBL_NOTIFY_TEMPLATES has no Notify template for {channel} messages: give `{channel}=<id>` "
                    f"(a template of ((subject)) and ((body))) or one for each of {', '.join(missing)}")
    if settings.outbox_shows_secrets and settings.channels():
        raise DeliveryConfigError("CBL_OUTBOX_SHOWS_SECRETS is for a demo that delivers nothing: with GOV.UK Notify "
                                  "or an e-mail server set up, codes and password links reach their owners alone")
    if settings.smtp and not settings.mail_from:
        raise DeliveryConfigError("CBL_SMTP_URL is set but CBL_MAIL_FROM is not: e-mails need a From address")


def _templates(text: str) -> dict[str, str]:
    templates = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, template_id = item.partition("=")
        channel = name.split(":", 1)[0].strip()
        if channel not in {"email", "sms"}:
            raise DeliveryConfigError(f"CBL_NOTIFY_TEMPLATES: {name!r} is not email, sms, email:<name> or sms:<name>")
        try:
            uuid.UUID(template_id.strip())
        except ValueError as error:
            raise DeliveryConfigError(
                f"CBL_NOTIFY_TEMPLATES: the id for {name.strip()} is not a Notify template id") from error
        templates[name.strip()] = template_id.strip()
    return templates


def _smtp(url: str) -> SmtpServer:
    parts = urlsplit(url)
    if parts.scheme != "smtp" or not parts.hostname:
        raise DeliveryConfigError("CBL_SMTP_URL must look like smtp://user:password@host:587")
    return SmtpServer(host=parts.hostname, port=parts.port or 587,
                      username=unquote(parts.username) if parts.username else None,
                      password=unquote(parts.password) if parts.password else None,
                      # STARTTLS unless told otherwise: ?starttls=no is for a relay on the same host.
                      starttls="starttls=no" not in parts.query)
