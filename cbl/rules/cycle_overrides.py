"""A manager's overrides of a bidding cycle's clock: closing an open cycle before its time, and reopening one
that has just closed (docs/decisions/0015-closing-early-and-reopening.md).

Both are the council's own choices, not the law's: the scheme sets how long after a close a cycle may still
be reopened (`[cycle] reopen_within_hours`). What no setting changes: a reopening throws the close's shortlists
away, so it is refused once anything has been done from them (a place verified or skipped, a check, a viewing,
an offer or a nomination, an advert withdrawn or let), since each of those is a step a household may already
have heard of, or a decision it may ask to have reviewed.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cbl.models.states import CycleStatus
from cbl.rules.wording import day_and_time

REASON_LIMIT = 1000  # characters: a manager's reason, kept in the audit trail
# A reopened cycle closes again at a time the manager sets: after now, within a week, and before the scheme's
# pattern opens the next cycle (the scheduler plans the next cycle once no cycle is open: cycles.plan_next_cycle).
# A reopening corrects a cycle; a longer one is a new cycle, which the pattern plans.
LONGEST_REOPENING = timedelta(days=7)


def early_close_refused(status: CycleStatus, opens_at: datetime, closes_at: datetime, now: datetime) -> str | None:
    """Why an open cycle cannot be closed now, before its time; None if it can."""
    if status is CycleStatus.SCHEDULED:
        return "This cycle has not opened yet: there are no bids to rank."
    if status is not CycleStatus.OPEN:
        return "This cycle has already closed."
    if closes_at <= now:
        return "This cycle is already due to close: the scheduler closes it within a minute."
    if opens_at >= now:
        return "This cycle opened this moment: try again in a minute."
    return None


def reopen_refused(status: CycleStatus, closed_at: datetime | None, now: datetime, within_hours: int) -> str | None:
    """Why a cycle cannot be reopened now, as far as its state and the scheme's window go; None if it can."""
    if status is not CycleStatus.CLOSED or closed_at is None:
        return "Only a closed cycle can be reopened."
    if within_hours == 0:
        return "The allocation scheme does not let a closed cycle be reopened."
    if now > closed_at + timedelta(hours=within_hours):
        return (f"A cycle can be reopened for {within_hours} hours after it closes, under the allocation scheme; "
                "this one closed longer ago than that.")
    return None


def new_close_refused(closes_at: datetime, now: datetime, next_opening: datetime, zone: ZoneInfo) -> str | None:
    """Why a reopened cycle cannot close at `closes_at`, `next_opening` being when the scheme's pattern opens the
    next cycle; None if it can."""
    if closes_at <= now:
        return "The new closing time must be in the future."
    if closes_at > now + LONGEST_REOPENING:
        return "The new closing time must be within 7 days: for longer, advertise the homes in a later cycle."
    if closes_at > next_opening:
        return (f"The new closing time must be no later than the next cycle opens, {day_and_time(next_opening, zone)}: "
                "for longer, advertise the homes in that cycle.")
    return None


@dataclass(frozen=True)
class Worked:
    """What has been done from a closed cycle's shortlists since it closed."""

    places: int = 0  # shortlist places verified, skipped, offered, nominated or housed
    checks: int = 0  # checks recorded before an offer
    viewings: int = 0
    offers: int = 0
    nominations: int = 0
    adverts: int = 0  # adverts withdrawn, advertised again or let since the close


def worked_refusal(worked: Worked) -> str | None:
    """Why a cycle whose shortlists have been worked from cannot be reopened; None if nothing has been done."""
    done = [(worked.offers, "offer", "offers"), (worked.nominations, "nomination", "nominations"),
            (worked.viewings, "viewing", "viewings"),
            (worked.checks, "check before an offer", "checks before an offer"),
            (worked.places, "shortlist place worked on", "shortlist places worked on"),
            (worked.adverts, "advert withdrawn, advertised again or let", "adverts withdrawn, advertised again or let")]
    named = [f"{count} {one if count == 1 else many}" for count, one, many in done if count]
    if not named:
        return None
    return ("This cycle's shortlists have been worked from (" + ", ".join(named) + "): reopening would throw that "
            "work away, and households may have heard of it. Correct the adverts one by one instead.")
