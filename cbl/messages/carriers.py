"""What the dispatcher hands to a carrier (GOV.UK Notify, an SMTP server) and what a carrier answers."""

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Parcel:
    """One outbox message, ready to go: the outbox id is the carrier's reference for it."""

    reference: str
    channel: str  # "email", "sms" or "letter"
    template: str
    recipient: str | None  # an e-mail address or a mobile number; None for a letter
    subject: str
    body: str  # plain text for e-mails and texts
    personalisation: dict = field(default_factory=dict)
    pdf: bytes | None = None  # a letter, drawn as Notify's precompiled letters must be


class TemporaryFailure(Exception):
    """Try again later. `whole_carrier`: the carrier refuses everything for now (rate limit, outage,
    a key it does not accept), so the dispatcher stops the batch instead of trying each message."""

    def __init__(self, reason: str, *, whole_carrier: bool = False, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason, self.whole_carrier, self.retry_after = reason, whole_carrier, retry_after


class PermanentFailure(Exception):
    """This message cannot be sent as it is (an invalid number or address): an officer must act."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Carrier(Protocol):
    name: str
    channels: frozenset[str]

    def send(self, parcel: Parcel) -> str:
        """Hand the parcel over; the carrier's id for it. Raises TemporaryFailure or PermanentFailure."""

    def find(self, reference: str) -> str | None:
        """The carrier's id for a parcel sent earlier with this reference, or None if it never arrived.
        Raises TemporaryFailure when the carrier cannot say."""
