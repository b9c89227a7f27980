"""Slowing password guessing without letting anyone lock others out.

An account's failed sign-ins from devices it has not signed in on before slow further attempts
from such devices: five free, then a wait that doubles from 30 seconds to at most 15 minutes after
each failure, forgotten after 15 quiet minutes. An address may fail 50 times in 15 minutes, across
all accounts. A device the account has signed in on (a signed cookie set at that sign-in) passes
both, so guessing from elsewhere cannot keep its owner out; the device's own failures are counted
too, and after five it is treated as unknown.

Other requests that must not be repeated without end (asking for a password link) are counted per key
in a fixed window (`spend`).

Counts live in the database (every worker sees them), one row per key, created race-free.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from cbl.models import Throttle

from .errors import NotAllowed

FREE_ATTEMPTS = 5
FIRST_WAIT = timedelta(seconds=30)
QUIET = timedelta(minutes=15)  # an account's (or device's) failures are forgotten after this long without one
ADDRESS_ATTEMPTS = 50
ADDRESS_WINDOW = timedelta(minutes=15)


class TooManyAttempts(NotAllowed):
    status_code = 429
    code = "too_many_requests"


def wait_after(failures: int) -> timedelta:
    """How long after the last failure another attempt from an unknown device must wait."""
    if failures < FREE_ATTEMPTS:
        return timedelta(0)
    return min(QUIET, FIRST_WAIT * 2 ** min(failures - FREE_ATTEMPTS, 10))


def _row(session: Session, key: str, now: datetime, window: timedelta) -> Throttle:
    """The key's row, locked for this transaction; made if missing, even by two requests at once."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(Throttle).values(key=key, count=0, window_ends_at=now + window)
                    .on_conflict_do_nothing(index_elements=["key"]))
    row = session.exec(select(Throttle).where(Throttle.key == key).with_for_update()
                       .execution_options(populate_existing=True)).one()
    if row.window_ends_at <= now:
        row.count, row.window_ends_at = 0, now + window
    return row


def _in_words(wait: timedelta) -> str:
    seconds = int(wait.total_seconds()) + 1
    return f"{seconds} seconds" if seconds < 90 else f"{(seconds + 59) // 60} minutes"


@dataclass
class Attempt:
    """One sign-in attempt being counted: call `failed` or `succeeded` in the same transaction."""

    account: Throttle | None
    address: Throttle | None
    device: Throttle | None

    @property
    def from_known_device(self) -> bool:
        return self.account is None

    def failed(self, now: datetime) -> None:
        for row in (self.account, self.device):
            if row is not None:
                row.count, row.window_ends_at = row.count + 1, now + QUIET
        if self.address is not None:
            self.address.count += 1

    def succeeded(self) -> None:
        # A known device's success does not reset the account: a guesser elsewhere stays slowed.
        for row in (self.account, self.device):
            if row is not None:
                row.count = 0


def begin(session: Session, account_key: str, address: str, device: str | None, now: datetime) -> Attempt:
    """Start counting an attempt on `account_key` from `address`, on `device` (the id from a device
    cookie this account was given, or None); refused with TooManyAttempts if it must wait."""
    device_row = _row(session, f"device:{device}", now, QUIET) if device else None
    if device_row is not None and device_row.count < FREE_ATTEMPTS:
        return Attempt(None, None, device_row)
    address_row = _row(session, f"ip:{address}", now, ADDRESS_WINDOW)
    account = _row(session, account_key, now, QUIET)
    if address_row.count >= ADDRESS_ATTEMPTS:
        raise TooManyAttempts("Too many failed sign-ins from your network. "
                              f"Wait {_in_words(address_row.window_ends_at - now)} "
                              "and try again, or sign in on a device you have used before.")
    wait = account.window_ends_at - QUIET + wait_after(account.count) - now
    if wait > timedelta(0):
        raise TooManyAttempts(f"Too many failed sign-ins to this account. Wait {_in_words(wait)} and try again.")
    return Attempt(account, address_row, device_row)


def spend(session: Session, key: str, allowed: int, window: timedelta, now: datetime, refusal: str) -> None:
    """Count one request under `key`, at most `allowed` in a window of `window` from the first; beyond that
    refused with TooManyAttempts (`refusal`, its `{wait}` filled in) and not counted."""
    row = _row(session, key, now, window)
    if row.count >= allowed:
        raise TooManyAttempts(refusal.format(wait=_in_words(row.window_ends_at - now)))
    row.count += 1


def forget_finished(session: Session, at: datetime) -> int:
    return session.execute(sa.delete(Throttle).where(Throttle.window_ends_at <= at)).rowcount


def limit(session: Session, key: str, most: int, window: timedelta, now: datetime, what: str) -> None:
    """Count one request under `key`: more than `most` in `window` is refused (TooManyAttempts), saying how
    long to wait. For asking (accounts made, codes sent), where each request costs a message to someone."""
    row = _row(session, key, now, window)
    if row.count >= most:
        raise TooManyAttempts(f"{what} Wait {_in_words(row.window_ends_at - now)} and try again.")
    row.count += 1
