"""Live queue places: each advert's active bids ranked as the engine would rank them now, from memos
that cannot be stale (see docs/decisions/0010-exact-memos-for-live-places.md).

Every view reads which households bid on the adverts and each one's row version (one statement).
A household's engine record is memoised by (its id, its row version, today, the scheme's bands): the
row version moves on every update of the row, by a trigger, whichever process makes it, so a household
whose band, dates or needs changed has a new key and is read again. An advert's ranking is memoised by
everything it is made from: the advert's engine record as read this time, the (id, row version) of
each of its active bidders, today and the policy. A bid placed or withdrawn, a change to any bidder
or to the advert makes a new key. Nothing is ever forgotten by hand: a memo saves work, it never
answers with anything older than what the database holds.

The memos belong to one database (an engine's connection pool). They are bounded LRU caches, each
behind a lock, as a web worker's handler threads share them.
"""

import threading
import weakref
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from cachetools import LRUCache
from sqlalchemy.engine import Connection
from sqlalchemy.pool import Pool

import matching
from cbl.rules.scheme import Scheme
from cbl.rules.working_days import local_date

from . import bid_statements as statements
from . import engine_input

# Sized to hold the largest scheme's whole open cycle (1,500 adverts, 150,000 households, 450,000 bids): a
# third of it, as before, and a household viewing "My bids" at random found its adverts ranked one time in
# three, so most views read and ranked ~900 households again (issue 25: 32 ms of CPU a view, against 11 with
# the cycle held). Measured by tools/profile_live_places.py --memory on that cycle (--seed 150000):
# households' engine records, their keys and the cache's book-keeping 466 B each (69.9 MB for 150,000);
# ranked bids 277 B each (124.5 MB for 450,000; mostly each place's explanation). So up to ~195 MB in each
# web worker, only when a cycle that large is being viewed; a district's cycle takes a tenth of it.
HOUSEHOLDS = 150_000
RANKED_BIDS = 460_000

HouseholdKey = tuple[int, int, date, tuple[str, ...]]  # applicant id, row version, today, bands
RankingKey = tuple[matching.Advert, bytes, date, matching.Policy]


@dataclass
class Memos:
    """One database's memos."""

    households: LRUCache[HouseholdKey, matching.Applicant] = field(
        default_factory=lambda: LRUCache(maxsize=HOUSEHOLDS))
    rankings: LRUCache[RankingKey, tuple[matching.ShortlistEntry, ...]] = field(
        default_factory=lambda: LRUCache(maxsize=RANKED_BIDS, getsizeof=_bids_held))
    lock: threading.Lock = field(default_factory=threading.Lock)


def _bids_held(entries: tuple[matching.ShortlistEntry, ...]) -> int:
    return len(entries) + 1  # (an advert without bids still takes room)


_memos: "weakref.WeakKeyDictionary[Pool, Memos]" = weakref.WeakKeyDictionary()
_memos_lock = threading.Lock()


def memos_of(connection: Connection) -> Memos:
    """The memos of the connection's database (gone with its engine's pool)."""
    pool = connection.engine.pool
    with _memos_lock:
        memos = _memos.get(pool)
        if memos is None:
            memos = _memos[pool] = Memos()
        return memos


def forget() -> None:
    """Empty every database's memos: for measuring a cold start (no answer depends on it)."""
    with _memos_lock:
        _memos.clear()


def bidders_key(bidders: Iterable[tuple[int, int]]) -> bytes:
    """The (applicant id, row version) pairs of an advert's bidders as one exact, compact value: sorted
    and packed (a few kB for hundreds of bids, where a frozenset of tuples is ten times that)."""
    return array("q", [number for pair in sorted(bidders) for number in pair]).tobytes()


def rankings(connection: Connection, scheme: Scheme, adverts: Mapping[int, matching.Advert], now: datetime
             ) -> dict[int, Sequence[matching.ShortlistEntry]]:
    """Each advert's active bids (advert id -> its engine record, as read now) in priority order, as the
    engine would rank them now: eligible first, then the ineligible with their reasons.

    One statement (the bidders and their row versions), and one more for the households whose record
    is not memoised as it is now, when an advert's ranking is not memoised as it is now.
    """
    if not adverts:
        return {}
    memos = memos_of(connection)
    today, policy = local_date(now), engine_input.policy(scheme)
    bidders: dict[int, list[tuple[int, int]]] = {advert_id: [] for advert_id in adverts}
    for advert_id, applicant_id, row_version in connection.execute(
            statements.ACTIVE_BIDDERS, {"advert_ids": list(adverts)}).all():
        if row_version is not None:  # (a household gone since its bid was read has no place)
            bidders[advert_id].append((applicant_id, row_version))
    keys = {advert_id: (advert, bidders_key(bidders[advert_id]), today, policy)
            for advert_id, advert in adverts.items()}
    ranked: dict[int, Sequence[matching.ShortlistEntry]] = {}
    with memos.lock:
        for advert_id, key in keys.items():
            if (entries := memos.rankings.get(key)) is not None:
                ranked[advert_id] = entries
    unranked = [advert_id for advert_id in adverts if advert_id not in ranked]
    if not unranked:
        return ranked
    households = _households(connection, memos, scheme, today,
                             {pair for advert_id in unranked for pair in bidders[advert_id]})
    for advert_id in unranked:
        advert = adverts[advert_id]
        # Ranked from the records read, and memoised under the versions they were read at: a household
        # that changed between the two statements is ranked as it is now, and its new version is the key's.
        present = [households[applicant_id] for applicant_id, _ in bidders[advert_id] if applicant_id in households]
        records = {record.id: record for _, _, record in present}
        entries = tuple(matching.rank_advert(
            advert, [matching.Bid(reference, advert.id, 1) for reference in records], records, policy))
        key = (advert, bidders_key((applicant_id, version) for applicant_id, version, _ in present), today, policy)
        if len(entries) < RANKED_BIDS:
            with memos.lock:
                memos.rankings[key] = entries
        ranked[advert_id] = entries
    return ranked


def _households(connection: Connection, memos: Memos, scheme: Scheme, today: date,
                wanted: set[tuple[int, int]]) -> dict[int, tuple[int, int, matching.Applicant]]:
    """The engine's record of each household (applicant id -> (id, row version, record)): from the memo
    where it holds the household at the version read, else read now (one statement for them all)."""
    bands = tuple(scheme.bands.order)
    found: dict[int, tuple[int, int, matching.Applicant]] = {}
    with memos.lock:
        for applicant_id, row_version in wanted:
            if (record := memos.households.get((applicant_id, row_version, today, bands))) is not None:
                found[applicant_id] = (applicant_id, row_version, record)
    missing = sorted({applicant_id for applicant_id, _ in wanted} - found.keys())
    if missing:
        rows = connection.execute(statements.ranked_applicants(connection.dialect.name), {"applicant_ids": missing})
        read = [(row.id, row.row_version, engine_input.to_applicant(row, scheme, today)) for row in rows.all()]
        with memos.lock:
            for applicant_id, row_version, record in read:
                memos.households[(applicant_id, row_version, today, bands)] = record
        found.update((applicant_id, (applicant_id, row_version, record)) for applicant_id, row_version, record in read)
    return found
