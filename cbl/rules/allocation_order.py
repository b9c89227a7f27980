"""The order a shortlist is worked in: the one rule the server enforces and the shortlist page shows.

Housing Act 1996 s167(8): a local housing authority shall not allocate housing except in accordance
with its allocation scheme. The scheme ranks the bids (band, then its tie-breakers), so an offer or a
nomination for shortlist place N is made only when every eligible place above N has been dealt with:
offered and answered (refused or lapsed, or withdrawn with the household passed over), or skipped
with a recorded reason. Ineligible bids have no place in the order and hold nothing up.

A withdrawal the scheme says keeps the place ("kept": the household did nothing wrong) puts the
household back at its place, verified: it holds the places below it again until it is offered the
home again or skipped with a reason. A withdrawal that passes the household over is recorded as a
skip with its reason, so it settles the place like any other skip.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from cbl.models.states import NominationStatus, OfferStatus, ShortlistStatus

# An offer answered: the household (or the lapse of its time) gave its answer, or the council withdrew it.
ANSWERED_OFFERS = frozenset({OfferStatus.REFUSED, OfferStatus.LAPSED, OfferStatus.WITHDRAWN})
# A nomination answered: the provider declined, or it was withdrawn.
ANSWERED_NOMINATIONS = frozenset({NominationStatus.DECLINED, NominationStatus.WITHDRAWN})


@dataclass(frozen=True)
class Place:
    """One line of a shortlist as the order rule reads it. `answer` is the status of the latest offer or
    nomination made from this place (None if there was none); `key` is the caller's own (e.g. the entry)."""

    position: int | None
    eligible: bool
    status: ShortlistStatus
    skip_reason: str | None = None
    answer: OfferStatus | NominationStatus | None = None
    key: object = None


def settled(place: Place) -> bool:
    """The place no longer holds up those below it: skipped with a recorded reason, or offered (or nominated)
    and answered. Waiting to be verified or offered, or with an offer or nomination still open, it holds."""
    if place.status is ShortlistStatus.SKIPPED:
        return bool(place.skip_reason)
    if place.status in (ShortlistStatus.OFFERED, ShortlistStatus.NOMINATED):
        return place.answer in ANSWERED_OFFERS or place.answer in ANSWERED_NOMINATIONS
    return False  # pending, verified (again, after a withdrawal that kept its place), or housed


P = TypeVar("P", bound=Place)


def in_order(places: Iterable[P]) -> list[P]:
    """The eligible places in the scheme's order, best first (ineligible bids have no place)."""
    return sorted((p for p in places if p.eligible and p.position is not None), key=lambda p: p.position or 0)


def first_open(places: Iterable[P]) -> P | None:
    """The first eligible place, in order, still to be dealt with: the one the officer works next."""
    return next((place for place in in_order(places) if not settled(place)), None)


def holding_up(places: Iterable[P], position: int | None) -> P | None:
    """The place above `position` that must be dealt with before it may be offered or nominated, or None
    if it may be. A place without a position (an ineligible bid) is held up by any open place."""
    first = first_open(places)
    # (in_order keeps placed bids only, so the first open place has a position)
    if first is None or (position is not None and first.position is not None and first.position >= position):
        return None
    return first


def each_held_up(places: list[P]) -> list[P | None]:
    """`holding_up` for every place given, in the same order, reading the shortlist once (a popular advert's
    shortlist has hundreds of lines)."""
    first = first_open(places)
    return [holding_up([first] if first is not None else [], place.position) for place in places]
