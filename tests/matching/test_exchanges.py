"""Mutual exchanges: 2- and 3-way rings in which every household gets a home it would take, as many
households moving as possible (checked against a brute force on small registers)."""

import itertools

import numpy as np

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.exchange_bound import _Program, lp_bound
from matching.exchange_classes import class_register
from matching.exchange_model import cycle_limits
from matching.exchanges import Home, Listing, Wants, accepts, match_exchanges
from matching.generate_exchanges import generate_listings

AREAS = ["North", "South", "East"]
KINDS = ["flat", "house"]


@st.composite
def listings(draw, max_size: int = 8) -> list[Listing]:
    """Small registers over few areas, sizes and kinds, so that rings are common and compete."""
    count = draw(st.integers(0, max_size))
    result = []
    for i in range(count):
        low = draw(st.integers(0, 2))
        result.append(
            Listing(
                id=f"L{i}",
                home=Home(draw(st.sampled_from(AREAS)), draw(st.integers(0, 2)), draw(st.sampled_from(KINDS))),
                wants=Wants(
                    areas=frozenset(draw(st.lists(st.sampled_from(AREAS), min_size=1, max_size=3))),
                    min_bedrooms=low,
                    max_bedrooms=low + draw(st.integers(0, 1)),
                    kinds=frozenset(draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=2))),
                ),
            )
        )
    return result


def brute_force(register: list[Listing], max_ring: int) -> int:
    """The most households moving over every set of disjoint valid rings of 2..max_ring listings."""
    rings = [
        set(ring)
        for length in range(2, max_ring + 1)
        for ring in itertools.permutations(range(len(register)), length)
        if ring[0] == min(ring)
        and all(accepts(register[ring[k]], register[ring[(k + 1) % length]].home) for k in range(length))
    ]

    def best(start: int, used: frozenset[int]) -> int:
        most = 0
        for i in range(start, len(rings)):
            if not rings[i] & used:
                most = max(most, len(rings[i]) + best(i + 1, used | rings[i]))
        return most

    return best(0, frozenset())


def check_rings(register: list[Listing], result, max_ring: int) -> None:
    by_id = {listing.id: listing for listing in register}
    seen: list[str] = []
    for exchange in result.exchanges:
        ring = exchange.ring
        assert 2 <= len(ring) <= max_ring
        for k, moving in enumerate(ring):
            assert accepts(by_id[moving], by_id[ring[(k + 1) % len(ring)]].home)
        seen.extend(ring)
    assert len(seen) == len(set(seen)), "a listing is in two exchanges"
    assert result.households_moving == len(seen)
    assert result.upper_bound >= result.households_moving


@settings(max_examples=60, deadline=None)
@given(listings(), st.sampled_from([2, 3]))
def test_as_many_households_move_as_in_any_set_of_valid_exchanges(register, max_ring):
    result = match_exchanges(register, max_ring=max_ring, workers=1)
    check_rings(register, result, max_ring)
    assert result.households_moving == brute_force(register, max_ring)
    assert result.optimal and result.upper_bound == result.households_moving


@settings(max_examples=25, deadline=None)
@given(listings(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_order_of_the_listings(register, rng):
    shuffled = list(register)
    rng.shuffle(shuffled)
    first = match_exchanges(register)
    again = match_exchanges(shuffled)
    assert first.exchanges == again.exchanges
    assert (first.households_moving, first.upper_bound, first.optimal) == (
        again.households_moving, again.upper_bound, again.optimal,
    )  # fmt: skip


def flat(area: str, bedrooms: int) -> Home:
    return Home(area, bedrooms, "flat")


def wanting(area: str, bedrooms: int) -> Wants:
    return Wants(frozenset({area}), bedrooms, bedrooms, frozenset({"flat"}))


def test_a_three_way_exchange_where_no_two_households_would_swap():
    register = [
        Listing("A", flat("North", 1), wanting("South", 1)),
        Listing("B", flat("South", 1), wanting("East", 1)),
        Listing("C", flat("East", 1), wanting("North", 1)),
    ]
    # A moves into B's home, B into C's, C into A's.
    assert match_exchanges(register).exchanges[0].ring == ("A", "B", "C")
    two_way_only = match_exchanges(register, max_ring=2)
    assert two_way_only.exchanges == () and two_way_only.households_moving == 0 and two_way_only.optimal


def test_a_household_that_accepts_nothing_never_moves():
    nothing = Wants(frozenset(), 0, 5, frozenset({"flat"}))
    register = [
        Listing("A", flat("North", 1), wanting("South", 1)),
        Listing("B", flat("South", 1), wanting("North", 1)),
        Listing("C", flat("South", 1), nothing),
        Listing("D", flat("North", 1), Wants(frozenset({"South"}), 2, 1, frozenset({"flat"}))),  # an empty range
    ]
    result = match_exchanges(register)
    assert [e.ring for e in result.exchanges] == [("A", "B")]


@settings(max_examples=30, deadline=None)
@given(listings(max_size=6), st.lists(st.floats(-3, 3), min_size=200, max_size=200))
def test_the_lagrangian_bound_holds_whatever_the_prices(register, prices):
    classes = class_register(sorted(register, key=lambda listing: listing.id), 3)
    limits = cycle_limits(classes)
    if limits:
        program = _Program(classes, limits)
        assert program.lagrangian(np.array(prices[: program.arcs])) >= brute_force(register, 3)


def test_a_generated_register_gives_valid_exchanges_within_the_lp_bound():
    register = generate_listings(300, seed=3)
    result = match_exchanges(register, time_limit_s=1.0, workers=1)
    check_rings(register, result, 3)
    assert result.households_moving > 150
    classes = class_register(sorted(register, key=lambda listing: listing.id), 3)
    bound = lp_bound(classes, cycle_limits(classes), time_limit_s=5.0, workers=1).bound
    assert result.households_moving <= bound < len(register)


def test_a_repeated_id_or_a_ring_of_four_is_refused():
    listing = Listing("A", flat("North", 1), wanting("South", 1))
    for call in (lambda: match_exchanges([listing, listing]), lambda: match_exchanges([listing], max_ring=4)):
        try:
            call()
        except ValueError:
            continue
        raise AssertionError("not refused")
