"""Live rankings kept in memory while an advert's bids stay the same, and the records they are
ranked from while they are recent.

"My bids" ranks every advert the household bid for; a popular advert has hundreds of bidders,
so ranking it afresh on each page view would make the busiest page the slowest. A ranking is
reused while the advert's bid fingerprint (how many bids, the newest bid, placement and
withdrawal) is unchanged. While bidding is busy the fingerprints change every second, so the
households and adverts a ranking is made from are kept too, as the engine reads them.

Nothing is kept longer than `seconds` after it was read from the database, and a ranking not
longer than that after the oldest record it was made from was read: a change to a household's
or an advert's record (a new band, say) shows in queue positions within that time. Each worker
keeps its own, and forgets at once what a change committed through its own ORM sessions touched.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from itertools import chain
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from cbl.models import Advert, Applicant, Property

SECONDS = 30.0


class RankingCache:
    def __init__(self, seconds: float = SECONDS, max_entries: int = 5000) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, Hashable, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, fingerprint: Hashable) -> Any | None:
        entry = self._entries.get(key)
        if entry is None or entry[1] != fingerprint or entry[0] <= time.monotonic():
            return None
        return entry[2]

    def put(self, key: Hashable, fingerprint: Hashable, value: Any, read_at: float | None = None) -> None:
        """Keep a ranking made from records read at `read_at` or later (time.monotonic(); now if None)."""
        expires = (time.monotonic() if read_at is None else read_at) + self.seconds
        with self._lock:
            self._entries[key] = (expires, fingerprint, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class RecentRecords:
    """Records as read from the database, each with when it was read, for `seconds`."""

    def __init__(self, seconds: float = SECONDS, max_entries: int = 200_000) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[float, Hashable, Any]] = {}  # (database, id) -> (read at, for, record)
        self._lock = threading.Lock()

    def recent_or_read(self, database: str, ids: Iterable[int], read: Callable[[list[int]], Iterable[tuple[int, Any]]],
                       made_for: Hashable = None) -> dict[int, tuple[float, Any]]:
        """Each id's record, with when it was read (time.monotonic()): from memory if it was read
        within `seconds` and made for the same `made_for` (a scheme and a day, say); the others by
        `read(ids)`, which gives (id, record) pairs, kept for next time."""
        found, unread = {}, []
        oldest_kept = time.monotonic() - self.seconds
        for id_ in ids:
            entry = self._entries.get((database, id_))
            if entry is not None and entry[0] > oldest_kept and entry[1] == made_for:
                found[id_] = (entry[0], entry[2])
            else:
                unread.append(id_)
        if unread:
            read_at = time.monotonic()
            records = list(read(unread))
            with self._lock:
                if len(self._entries) + len(records) > self.max_entries:
                    self._entries = {k: v for k, v in self._entries.items() if v[0] > oldest_kept}
                    if len(self._entries) + len(records) > self.max_entries:
                        self._entries.clear()
                for id_, record in records:
                    self._entries[(database, id_)] = (read_at, made_for, record)
                    found[id_] = (read_at, record)
        return found

    def forget(self, keys: set[Hashable]) -> None:
        with self._lock:
            for key in keys:
                self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


RANKINGS = RankingCache()
HOUSEHOLDS = RecentRecords()  # applicant id -> matching.Applicant, made for a scheme and a day
ENGINE_ADVERTS = RecentRecords()  # advert id -> matching.Advert

_CHANGED = "cbl.ranked_records_changed"  # session.info: households changed, and whether an advert or home was


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context: object) -> None:
    changed = None
    for record in chain(session.new, session.dirty, session.deleted):
        if isinstance(record, (Applicant, Advert, Property)):
            changed = changed if changed is not None else session.info.setdefault(_CHANGED, set())
            changed.add(record.id if isinstance(record, Applicant) else "adverts")


@event.listens_for(Session, "after_commit")
def _forget_changes(session: Session) -> None:
    # Officers' edits (a band, a suspension, an advert's criteria) are rare beside the page views:
    # every ranking is made again, from the records as they are now.
    if (changed := session.info.pop(_CHANGED, None)) and session.bind is not None:
        database = str(session.bind.url)
        HOUSEHOLDS.forget({(database, applicant_id) for applicant_id in changed if applicant_id != "adverts"})
        if "adverts" in changed:
            ENGINE_ADVERTS.clear()
        RANKINGS.clear()


@event.listens_for(Session, "after_rollback")
def _drop_changes(session: Session) -> None:
    session.info.pop(_CHANGED, None)
