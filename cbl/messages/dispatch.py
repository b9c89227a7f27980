"""The dispatcher: sends what waits in the outbox through the carriers set up, each message once.

It runs in the scheduler process (scheduler/jobs.py), never in web workers. See claims.py for how a
message survives a dispatcher killed half way through a batch.
"""

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cbl.database import Database
from cbl.models import OutboxMessage
from cbl.models.columns import utcnow
from cbl.services.actors import SYSTEM
from cbl.services.audit import audit

from . import claims
from .carriers import Carrier, PermanentFailure, TemporaryFailure
from .config import DeliverySettings
from .parcels import parcel_for

log = logging.getLogger("cbl.messages")

# A claim outlasts any one request to a carrier (20 s) several times over, so a message is only
# looked up again once no request for it can still be on its way.
LEASE = timedelta(minutes=2)
BATCH = 50
# Requests to Notify in flight at once. Notify takes ~3,000 messages a minute per key; one request
# at a time, at a round trip of ~100 ms, would reach a fifth of that.
SENDERS = 4
# After a carrier refused everything (rate limit, outage) without saying how long to wait.
CARRIER_PAUSE_SECONDS = 30


def carriers_for(settings: DeliverySettings) -> dict[str, Carrier]:
    """The carrier for each channel that has one: Notify for all three, else SMTP for e-mail."""
    if settings.notify:
        from .notify import NotifyCarrier

        notify = NotifyCarrier(settings)
        return dict.fromkeys(notify.channels, notify)
    if settings.smtp:
        from .smtp import SmtpCarrier

        return {"email": SmtpCarrier(settings)}
    return {}


@dataclass
class Outcome:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    paused: bool = False  # a carrier refused everything: stopped until the next run
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, what: str) -> None:
        with self._lock:
            setattr(self, what, getattr(self, what) + 1)

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed


@dataclass
class Dispatcher:
    db: Database
    carriers: dict[str, Carrier]
    lease: timedelta = LEASE
    batch: int = BATCH
    clock: Callable[[], datetime] = utcnow
    senders: int = SENDERS
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}")

    def run(self, *, limit: int | None = None) -> Outcome:
        """Send batches until nothing is due (or `limit` messages were handled, or a carrier pauses)."""
        outcome = Outcome()
        with ThreadPoolExecutor(self.senders, thread_name_prefix="cbl-dispatch") as pool:
            while limit is None or outcome.handled < limit:
                claimed = self.db.run(claims.claim, frozenset(self.carriers), self.worker, self.clock(), self.lease,
                                      self.batch)
                if not claimed:
                    break
                if self._send_batch(pool, claimed, outcome):
                    outcome.paused = True
                    break
        return outcome

    def _send_batch(self, pool: ThreadPoolExecutor, claimed: list[claims.Claim], outcome: Outcome) -> bool:
        """Send a claimed batch; True once a carrier refused, with the messages not yet tried released."""
        paused = threading.Event()

        def deliver(claim: claims.Claim) -> int | None:
            """None once handled; the message's id if it was left untried."""
            if paused.is_set():
                return claim.message_id
            if not self._deliver(claim, outcome):
                paused.set()
            return None

        untried = [message_id for message_id in pool.map(deliver, claimed) if message_id is not None]
        if not paused.is_set():
            return False
        self.db.run(claims.release, untried, self.worker, CARRIER_PAUSE_SECONDS, self.clock())
        return True

    def _deliver(self, claim: claims.Claim, outcome: Outcome) -> bool:
        """Send one claimed message; False when its carrier refuses everything for now."""
        with self.db.reading() as session:
            message = session.get(OutboxMessage, claim.message_id)
            carrier = self.carriers[message.channel.value]
            try:
                parcel = parcel_for(session, message)
            except PermanentFailure as failure:
                self._fail(message, failure.reason, outcome)
                return True
            except Exception:  # a letter that cannot be drawn, say: tried again, then failed, never a loop
                log.exception("message %s could not be made ready", message.id)
                self.db.run(claims.retry_later, message.id, self.worker, "It could not be made ready to send.",
                            self.clock())
                outcome.count("retrying")
                return True
        try:
            carrier_id = carrier.find(parcel.reference) if claim.ask_first else None
            if carrier_id is None:
                carrier_id = carrier.send(parcel)
        except TemporaryFailure as failure:
            if failure.whole_carrier:
                log.warning("%s refuses messages for now: %s", carrier.name, failure.reason)
                wait = failure.retry_after or CARRIER_PAUSE_SECONDS
                self.db.run(claims.retry_later, message.id, self.worker, failure.reason, self.clock(),
                            counts=False, after=wait)
                return False
            self.db.run(claims.retry_later, message.id, self.worker, failure.reason, self.clock())
            outcome.count("retrying")
            return True
        except PermanentFailure as failure:
            self._fail(message, failure.reason, outcome)
            return True
        if self.db.run(claims.confirm, message.id, self.worker, carrier.name, carrier_id, parcel.recipient,
                       self.clock()):
            outcome.count("sent")
        else:
            log.error("message %s was sent but its claim had passed to another dispatcher", message.id)
        return True

    def _fail(self, message: OutboxMessage, reason: str, outcome: Outcome) -> None:
        def record(session, now):  # noqa: ANN001, ANN202
            if claims.fail(session, message.id, self.worker, reason, now):
                audit(session, SYSTEM, "message.failed", message,
                      {"channel": message.channel.value, "subject": message.subject, "reason": reason},
                      applicant_id=message.applicant_id)

        self.db.run(record, self.clock())
        outcome.count("failed")
