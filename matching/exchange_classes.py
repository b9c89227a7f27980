"""The exchange register seen by kinds of home: classes, interchangeable listings, and the class cycles.

Whether a household would take a home depends only on the home's (area, bedrooms, kind), its
*class*. So two listings whose homes are of the same class and who accept the same classes are
interchangeable in any exchange: the register becomes a few hundred classes with arcs between them
("some listing at class a would take a home of class b") and groups of interchangeable listings,
and an exchange of listings is a cycle of classes. Only the 2- and 3-cycles of classes are
enumerated; an arc that lies on none of them can never be used and is dropped.

Everything here is sorted (classes, groups, cycles, listing ids), so that what the matcher builds
from it does not depend on the order the listings came in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # exchanges.py imports this module
    from .exchanges import Listing

ClassKey = tuple[str, int, str]  # a home's (area, bedrooms, kind)
Cycle = tuple[int, ...]  # classes c0 -> c1 (-> c2) -> c0: a household at c[k] moves into a home of class c[k+1]
Arc = tuple[int, int]


@dataclass(frozen=True)
class Group:
    """Interchangeable listings: homes of one class, accepting the same (useful) classes."""

    home: int  # the class of their homes
    destinations: tuple[int, ...]  # the classes they accept, sorted, only those on some enumerated cycle
    ids: tuple[str, ...]  # sorted


@dataclass(frozen=True)
class ClassRegister:
    classes: tuple[ClassKey, ...]  # sorted; a class is its index here
    groups: tuple[Group, ...]  # sorted by (home, destinations)
    two_cycles: tuple[Cycle, ...]  # (a, b) with a <= b
    three_cycles: tuple[Cycle, ...]  # each once, as its smallest rotation
    capacity: dict[Arc, int]  # useful arcs -> how many listings at the arc's tail accept its head


def class_register(listings: Sequence[Listing], max_ring: int) -> ClassRegister:
    """The listings (sorted by id, ids unique) as classes, groups and class cycles of length 2..max_ring."""
    classes = tuple(sorted({(x.home.area, x.home.bedrooms, x.home.kind) for x in listings}))
    index = {key: i for i, key in enumerate(classes)}
    # (area, kind) -> [(bedrooms, class)], for finding the classes a listing accepts without testing them all.
    by_area_kind: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for i, (area, bedrooms, kind) in enumerate(classes):
        by_area_kind.setdefault((area, kind), []).append((bedrooms, i))
    accepted_by_wants: dict[object, tuple[int, ...]] = {}
    members: dict[tuple[int, tuple[int, ...]], list[str]] = {}
    for listing in listings:
        wants = listing.wants
        accepted = accepted_by_wants.get(wants)
        if accepted is None:
            accepted = tuple(
                sorted(
                    c
                    for area in wants.areas
                    for kind in wants.kinds
                    for bedrooms, c in by_area_kind.get((area, kind), ())
                    if wants.min_bedrooms <= bedrooms <= wants.max_bedrooms
                )
            )
            accepted_by_wants[wants] = accepted
        if accepted:
            home = index[(listing.home.area, listing.home.bedrooms, listing.home.kind)]
            members.setdefault((home, accepted), []).append(listing.id)
    out: list[set[int]] = [set() for _ in classes]
    into: list[set[int]] = [set() for _ in classes]
    for home, accepted in members:
        out[home].update(accepted)
        for c in accepted:
            into[c].add(home)
    two_cycles, three_cycles = _class_cycles(out, into, max_ring)
    useful = {(c[k], c[(k + 1) % len(c)]) for c in two_cycles + three_cycles for k in range(len(c))}
    return _register(classes, members, two_cycles, three_cycles, useful)


def _class_cycles(out: list[set[int]], into: list[set[int]], max_ring: int) -> tuple[list[Cycle], list[Cycle]]:
    """Every 2-cycle (a, b), a <= b, and (if max_ring is 3) every 3-cycle as its smallest rotation."""
    two_cycles: list[Cycle] = []
    three_cycles: list[Cycle] = []
    for a in range(len(out)):
        later = sorted(b for b in out[a] if b >= a)
        two_cycles.extend((a, b) for b in later if a in out[b])
        if max_ring < 3:
            continue
        for b in later:
            # c closes a -> b -> c -> a; (a, b, c) is the smallest rotation when a <= c, except (a, b, a) with
            # b > a, whose smallest rotation (a, a, b) is found from b = a.
            for c in sorted(out[b] & into[a]):
                if c > a or (c == a and b == a):
                    three_cycles.append((a, b, c))
    return two_cycles, three_cycles


def _register(
    classes: tuple[ClassKey, ...],
    members: dict[tuple[int, tuple[int, ...]], list[str]],
    two_cycles: list[Cycle],
    three_cycles: list[Cycle],
    useful: set[Arc],
) -> ClassRegister:
    """Groups re-formed on the useful arcs only (listings that differ only in useless arcs merge)."""
    merged: dict[tuple[int, tuple[int, ...]], list[str]] = {}
    for (home, accepted), ids in members.items():
        destinations = tuple(c for c in accepted if (home, c) in useful)
        if destinations:
            merged.setdefault((home, destinations), []).extend(ids)
    capacity: dict[Arc, int] = {}
    groups = []
    for (home, destinations), ids in sorted(merged.items()):
        groups.append(Group(home, destinations, tuple(sorted(ids))))
        for c in destinations:
            capacity[home, c] = capacity.get((home, c), 0) + len(ids)
    return ClassRegister(classes, tuple(groups), tuple(two_cycles), tuple(three_cycles), capacity)
