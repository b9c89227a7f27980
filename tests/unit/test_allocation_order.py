"""The shortlist's order (Housing Act 1996 s167(8)) over random shortlists: which place holds up place N."""

from hypothesis import given
from hypothesis import strategies as st

from cbl.models.states import NominationStatus, OfferStatus, ShortlistStatus
from cbl.rules.allocation_order import Place, each_held_up, first_open, holding_up, settled

# Every state a line can be in, with the latest offer's or nomination's status that state can go with.
STATES = [
    (ShortlistStatus.PENDING, None, None),
    (ShortlistStatus.VERIFIED, None, None),
    (ShortlistStatus.VERIFIED, None, OfferStatus.WITHDRAWN),  # withdrawn, the place kept
    (ShortlistStatus.SKIPPED, "no_contact", None),
    (ShortlistStatus.SKIPPED, "refused", OfferStatus.REFUSED),
    (ShortlistStatus.SKIPPED, "offer_lapsed", OfferStatus.LAPSED),
    (ShortlistStatus.SKIPPED, "offer_withdrawn", OfferStatus.WITHDRAWN),  # withdrawn, passed over
    (ShortlistStatus.SKIPPED, "provider_declined", NominationStatus.DECLINED),
    (ShortlistStatus.OFFERED, None, OfferStatus.MADE),
    (ShortlistStatus.OFFERED, None, OfferStatus.ACCEPTED),
    (ShortlistStatus.OFFERED, None, OfferStatus.REFUSED),  # refused, not yet judged
    (ShortlistStatus.OFFERED, None, OfferStatus.LAPSED),  # lapsed, counted as a refusal, not yet judged
    (ShortlistStatus.NOMINATED, None, NominationStatus.SENT),
    (ShortlistStatus.NOMINATED, None, NominationStatus.VIEWING_ARRANGED),
    (ShortlistStatus.NOMINATED, None, NominationStatus.ACCEPTED),
    (ShortlistStatus.NOMINATED, None, NominationStatus.WITHDRAWN),
]
# The brief's words, written out: a place above no longer holds up those below once it was offered (or
# nominated) and answered, or skipped with a recorded reason.
DEALT_WITH = {3, 4, 5, 6, 7, 10, 11, 15}


@st.composite
def shortlists(draw):
    """A shortlist of 1 to 12 lines in any order, some ineligible (no place, or a place number of their own)."""
    size = draw(st.integers(1, 12))
    lines = []
    for position in range(1, size + 1):
        state = draw(st.integers(0, len(STATES) - 1))
        eligible = draw(st.booleans()) if draw(st.integers(0, 4)) == 0 else True
        status, reason, answer = STATES[state]
        lines.append(Place(position if eligible or draw(st.booleans()) else None, eligible, status, reason, answer,
                           key=state))
    return draw(st.permutations(lines))


def _oracle(places: list[Place], position: int) -> Place | None:
    """Straight from the rule's words: the best eligible place above `position` not dealt with."""
    above = [p for p in places if p.eligible and p.position is not None and p.position < position
             and p.key not in DEALT_WITH]
    return min(above, key=lambda p: p.position) if above else None


@given(shortlists(), st.integers(1, 13))
def test_a_place_is_held_up_exactly_by_the_best_eligible_place_above_it_not_yet_dealt_with(places, position):
    assert holding_up(places, position) == _oracle(places, position)


@given(shortlists())
def test_reading_the_shortlist_once_for_every_line_gives_what_each_line_alone_gives(places):
    assert each_held_up(places) == [holding_up(places, place.position) for place in places]


@given(shortlists())
def test_the_next_place_to_work_is_never_held_up_and_every_place_above_it_is_dealt_with(places):
    first = first_open(places)
    if first is None:
        assert all(settled(p) for p in places if p.eligible and p.position is not None)
        return
    assert first.eligible and not settled(first) and holding_up(places, first.position) is None
    assert all(settled(p) for p in places if p.eligible and p.position is not None and p.position < first.position)
    assert all(holding_up(places, p.position) is first for p in places
               if p.position is not None and p.position > first.position)


@given(shortlists(), st.integers(1, 13), st.data())
def test_ineligible_bids_never_hold_anyone_up(places, position, data):
    """Whatever state an ineligible bid is in, changing it changes nothing."""
    changed = [Place(p.position, p.eligible, *STATES[data.draw(st.integers(0, len(STATES) - 1))][:2])
               if not p.eligible else p for p in places]
    assert holding_up(changed, position) == holding_up(places, position)


@given(shortlists(), st.integers(1, 13), st.data())
def test_dealing_with_a_place_never_holds_up_a_place_that_could_go(places, position, data):
    """Settling any one line (skip it with a reason) can only free places, never block one that was free."""
    target = data.draw(st.integers(0, len(places) - 1))
    before = holding_up(places, position)
    after_places = [Place(p.position, p.eligible, ShortlistStatus.SKIPPED, "no_contact", None, p.key)
                    if i == target else p for i, p in enumerate(places)]
    after = holding_up(after_places, position)
    if before is None:
        assert after is None
    else:
        assert after is None or after.position >= before.position


def test_the_edges_by_hand():
    place = lambda n, state, eligible=True: Place(n, eligible, *STATES[state])  # noqa: E731
    # Place 1 refused (judged), place 2 untouched: place 3 waits for place 2.
    assert holding_up([place(1, 4), place(2, 1), place(3, 1)], 3).position == 2
    # Place 2 skipped with a reason: place 3 may go.
    assert holding_up([place(1, 4), place(2, 3), place(3, 1)], 3) is None
    # A skip without a recorded reason settles nothing.
    assert holding_up([Place(1, True, ShortlistStatus.SKIPPED, None), place(2, 1)], 2).position == 1
    # An offer out and not answered (or accepted) holds up everyone below; an unjudged refusal does not.
    assert holding_up([place(1, 8), place(2, 1)], 2).position == 1
    assert holding_up([place(1, 9), place(2, 1)], 2).position == 1
    assert holding_up([place(1, 10), place(2, 1)], 2) is None
    # An ineligible bid above holds nothing up; place 1 itself is never held up.
    assert holding_up([place(1, 0, eligible=False), place(2, 1)], 2) is None
    assert holding_up([place(1, 1), place(2, 1)], 1) is None
    # A withdrawal that kept the place puts the household back in line: it holds up those below again.
    assert holding_up([place(1, 2), place(2, 1)], 2).position == 1
