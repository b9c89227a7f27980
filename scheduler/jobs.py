"""The scheduled work. Each job is a thin wrapper around a service call.

APScheduler stores a job as a reference to a module-level function and its arguments, not a
closure, so the jobs find the database, scheme and scheduler through `configure()`.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from sqlmodel import select

from cbl.database import Database
from cbl.messages import notices
from cbl.messages.config import DeliverySettings
from cbl.models import Cycle
from cbl.models.states import CycleStatus
from cbl.rules.scheme import Scheme
from cbl.services import (
    applying, cycles, evidence, exchange_consent, exchanges, nominations, offers, register_review, reviews, suspensions,
)
from cbl.services.actors import SYSTEM
from cbl.services.auto_bid import auto_bid_cycle

log = logging.getLogger("cbl.scheduler")


@dataclass
class Runtime:
    db: Database
    scheme: Scheme
    zone: ZoneInfo
    scheduler: BaseScheduler | None = None
    delivery: DeliverySettings | None = None
    uploads: Path | None = None  # where evidence files are kept (cbl/services/evidence.py)


_runtime: Runtime | None = None


def configure(runtime: Runtime) -> None:
    global _runtime
    _runtime = runtime


def runtime() -> Runtime:
    if _runtime is None:
        raise RuntimeError("scheduler.jobs.configure() has not been called")
    return _runtime


def _now() -> datetime:
    return datetime.now(timezone.utc)


def open_cycle(cycle_id: int, now: datetime | None = None) -> None:
    rt = runtime()
    now = now or _now()
    # One transaction: a scheduler that dies half way leaves the cycle still to open, so the next
    # reconcile opens it and places its auto-bids, rather than an open cycle without them.
    with rt.db.transaction() as session:
        if not cycles.open_cycle(session, SYSTEM, cycle_id, now):
            return
        placed = auto_bid_cycle(session, SYSTEM, rt.scheme, cycle_id, now)
    alerts = rt.db.run(notices.new_homes, rt.scheme, cycle_id, now)
    log.info("opened cycle %s; auto-bid placed %d bids; %d new-homes alerts", cycle_id, placed, alerts)


def close_cycle(cycle_id: int, now: datetime | None = None) -> None:
    rt = runtime()
    rt.db.run(cycles.close_cycle, SYSTEM, rt.scheme, cycle_id, now or _now())


def reconcile(now: datetime | None = None) -> None:
    """Bring the cycles up to date with the clock: close, plan and open whatever is due.

    Runs at start-up and every minute, so a close that fell due while no scheduler was running
    happens as soon as one is, and a job APScheduler dropped as missed is made good.
    """
    rt = runtime()
    now = now or _now()
    for cycle_id in rt.db.run(cycles.due_to_close, now):
        close_cycle(cycle_id, now)
    try:
        rt.db.run(cycles.plan_next_cycle, rt.scheme, rt.zone, now)
    except Exception:  # a planning fault must not stop closes and opens
        log.exception("could not plan the next cycle")
    for cycle_id in rt.db.run(cycles.due_to_open, now):
        open_cycle(cycle_id, now)
    if rt.scheduler is not None:
        schedule_coming_cycles(rt.db, rt.scheduler)


def schedule_coming_cycles(db: Database, scheduler: BaseScheduler) -> None:
    """A date job for each coming open and close, so that they happen on the minute."""
    with db.reading() as session:
        coming = session.exec(select(Cycle).where(Cycle.status.in_([CycleStatus.SCHEDULED, CycleStatus.OPEN]))).all()
    for cycle in coming:
        if cycle.status is CycleStatus.SCHEDULED:
            scheduler.add_job(open_cycle, "date", run_date=cycle.opens_at, args=[cycle.id],
                              id=f"open-cycle-{cycle.id}", replace_existing=True)
        scheduler.add_job(close_cycle, "date", run_date=cycle.closes_at, args=[cycle.id],
                          id=f"close-cycle-{cycle.id}", replace_existing=True)


def purge_expired() -> None:
    from cbl.web.auth import purge_expired as purge

    runtime().db.run(purge, _now())


def close_unanswered_reviews(now: datetime | None = None) -> None:
    """Close, with notice, the applications whose annual-review answer is overdue."""
    rt = runtime()
    closed = rt.db.run(register_review.close_unanswered, SYSTEM, rt.scheme, now or _now())
    if closed:
        log.info("closed %d applications not answering the annual review", closed)


def remind_overdue_nominations(now: datetime | None = None) -> None:
    rt = runtime()
    reminded = rt.db.run(nominations.send_reminders, SYSTEM, now or _now())
    if reminded:
        log.info("reminded providers of %d overdue nominations", reminded)


def remind_reviews(now: datetime | None = None) -> None:
    rt = runtime()
    reminded = rt.db.run(reviews.send_reminders, SYSTEM, now or _now())
    if reminded:
        log.info("reminded reviewers of %d reviews due soon or overdue", reminded)


def end_suspensions(now: datetime | None = None) -> None:
    """End the fixed-term suspensions due today; running it twice ends nothing more."""
    rt = runtime()
    ended = rt.db.run(suspensions.end_due_suspensions, SYSTEM, now or _now())
    if ended:
        log.info("ended %d suspensions from bidding", ended)


def remind_offers(now: datetime | None = None) -> None:
    """Remind households whose offer must be answered by the end of the next working day."""
    reminded = runtime().db.run(notices.offer_reminders, now or _now())
    if reminded:
        log.info("reminded %d households of offers to answer", reminded)


def lapse_offers(now: datetime | None = None) -> None:
    """Lapse the offers whose last day to answer has ended, each with its letter. Safe to run twice, or from two
    schedulers at once, or while a household answers: each offer has one outcome (cbl/services/offers.py)."""
    rt = runtime()
    lapsed = rt.db.run(offers.lapse_overdue_offers, SYSTEM, rt.scheme, now or _now())
    if lapsed:
        log.info("lapsed %d offers not answered in time", len(lapsed))


def expire_drafts(now: datetime | None = None) -> None:
    """Warn of, then delete, drafts not saved for the scheme's draft days; their files go once the deletion is
    committed. Running it twice warns no one twice and deletes nothing more."""
    rt = runtime()
    done = rt.db.run(applying.expire_drafts, rt.scheme, now or _now())
    if rt.uploads is not None:
        evidence.forget_files(rt.uploads, done.files)
    if done.warned or done.deleted:
        log.info("drafts: %d warned, %d deleted", done.warned, done.deleted)


def match_exchanges(now: datetime | None = None) -> None:
    """Run the mutual exchange matcher over the listings not already in a match, proposing what it finds (each
    household told). Listings in a match are out of the pool, so running it twice proposes nothing twice."""
    rt = runtime()
    found = rt.db.run(exchanges.run_matching, SYSTEM, rt.scheme, now or _now())
    log.info("mutual exchanges: %d proposed, %d households (optimal: %s, %.1f s)", found.matches, found.households,
             found.optimal, found.seconds)


def exchange_deadlines(now: datetime | None = None) -> None:
    """Mark the applications for consent whose 42 days passed without a refusal as no longer refusable (Housing
    Act 1985 s92(4)), with their letters; an exchange all of whose applications are then settled is agreed."""
    marked = runtime().db.run(exchange_consent.mark_unrefusable, SYSTEM, now or _now())
    if marked:
        log.info("mutual exchanges: %d applications may no longer be refused", marked)


def dispatch_messages() -> None:
    """Send what waits in the outbox (messages.dispatch), a few thousand at most per run."""
    from cbl.messages.dispatch import Dispatcher, carriers_for

    rt = runtime()
    carriers = carriers_for(rt.delivery or DeliverySettings())
    if carriers:
        outcome = Dispatcher(rt.db, carriers).run(limit=5000)
        if outcome.sent or outcome.failed:
            log.info("messages: %d sent, %d retrying, %d failed", outcome.sent, outcome.retrying, outcome.failed)


# The recurring jobs: id -> (function, trigger, trigger arguments).
# id: (job, APScheduler trigger, the trigger's arguments)
RECURRING: dict[str, tuple[Callable[[], None], str, dict[str, Any]]] = {
    "reconcile-cycles": (reconcile, "interval", {"seconds": 60}),
    "dispatch-messages": (dispatch_messages, "interval", {"seconds": 10}),
    "purge-expired-sessions": (purge_expired, "interval", {"hours": 1}),
    # Early morning UK time, after the last day to answer has ended.
    "close-unanswered-reviews": (close_unanswered_reviews, "cron",
                                 {"hour": 2, "minute": 15, "timezone": "Europe/London"}),
    # Start of the working day, so the reminder is read that day.
    "remind-overdue-nominations": (remind_overdue_nominations, "cron",
                                   {"day_of_week": "mon-fri", "hour": 8, "minute": 0, "timezone": "Europe/London"}),
    # Just after midnight UK time, so a suspension ending today has ended before anyone bids.
    "end-suspensions": (end_suspensions, "cron", {"hour": 0, "minute": 5, "timezone": "Europe/London"}),
    # Just after midnight UK time: the last day to answer has ended, and the home can be offered to the next
    # household that morning. Hourly after that, so a scheduler that was down at 00:10 catches up.
    "lapse-offers": (lapse_offers, "cron", {"minute": 10, "timezone": "Europe/London"}),


    # Early morning UK time, once a day: the warning and the deletion are counted in days.
    "expire-drafts": (expire_drafts, "cron", {"hour": 3, "minute": 20, "timezone": "Europe/London"}),
    # Mutual exchanges: the matcher at night, when no one is changing a listing; the 42 days' end just after
    # midnight UK time, once the last day to serve a refusal has ended.
    "match-exchanges": (match_exchanges, "cron", {"hour": 1, "minute": 30, "timezone": "Europe/London"}),
    "exchange-deadlines": (exchange_deadlines, "cron", {"hour": 0, "minute": 20, "timezone": "Europe/London"}),
    "remind-offers": (remind_offers, "cron",
                      {"day_of_week": "mon-fri", "hour": 8, "minute": 10, "timezone": "Europe/London"}),
    "remind-reviews": (remind_reviews, "cron",
                       {"day_of_week": "mon-fri", "hour": 8, "minute": 5, "timezone": "Europe/London"}),
}
