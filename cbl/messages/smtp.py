"""E-mail through the council's own mail server (SMTP with STARTTLS), where Notify is not used."""

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from .carriers import Parcel, PermanentFailure, TemporaryFailure
from .config import DeliverySettings

TIMEOUT_SECONDS = 20


class SmtpCarrier:
    name = "smtp"
    channels = frozenset({"email"})

    def __init__(self, settings: DeliverySettings) -> None:
        self.server, self.sender = settings.smtp, settings.mail_from
        self.domain = self.sender.rpartition("@")[2] or "localhost"

    def send(self, parcel: Parcel) -> str:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, parcel.recipient, parcel.subject
        message["Date"] = formatdate(localtime=False)
        # One Message-ID per outbox message: were it ever sent twice, mail clients show it once.
        message["Message-ID"] = message_id = f"<outbox-{parcel.reference}@{self.domain}>"
        message.set_content(parcel.body)
        try:
            with smtplib.SMTP(self.server.host, self.server.port, timeout=TIMEOUT_SECONDS) as smtp:
                if self.server.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.server.username:
                    smtp.login(self.server.username, self.server.password or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()))
            if 400 <= code < 500:
                raise TemporaryFailure(f"the mail server deferred the address ({code})") from error
            raise PermanentFailure(f"the mail server refused the address: {code} {_text(text)}") from error
        except smtplib.SMTPResponseException as error:
            if 400 <= error.smtp_code < 500:
                raise TemporaryFailure(f"the mail server answered {error.smtp_code}") from error
            if error.smtp_code in {530, 535, 534}:  # authentication: wrong for every message
                raise TemporaryFailure(f"the mail server refused to sign in ({error.smtp_code})", whole_carrier=True) \
                    from error
            raise PermanentFailure(
                f"the mail server refused the message: {error.smtp_code} {_text(error.smtp_error)}") from error
        except (OSError, smtplib.SMTPException) as error:
            raise TemporaryFailure(f"the mail server could not be reached: {error.__class__.__name__}",
                                   whole_carrier=True) from error
        return message_id

    def find(self, reference: str) -> str | None:
        # A mail server cannot be asked what it received. A message whose sending was cut short is
        # sent again with the same Message-ID, which mail clients show once.
        return None


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
