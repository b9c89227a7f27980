"""Shrinking the quota problem before CP-SAT sees it.

A designation changes the order at one advert, and the change can ripple through the market, so
in principle any bid might matter. In practice almost none do: a bid (a, h) can be dropped when
no stable matching under any choice of designations gives h to a. Two rules find such bids, and
are applied until nothing changes (each is sound given the bids dropped before it):

1. Blocked. If b ranks above a at h, and every home b prefers to h is already known to be out of
   b's reach, then in any stable matching b gets h or nothing better, so h must go to b or to
   someone above b: a cannot get h. Drop (a, h) when this holds in every order h can take
   (its usual order and each designated order).
2. Guaranteed. If a is the first bidder at h, in every order h can take, whose bid on h is not
   yet dropped, then every stable matching gives a the home h or one a prefers (else a and h
   would block). Drop a's bids on homes a likes less than h.

Rule 2 drops only bids after one it keeps, so it never changes what rule 1 finds out of reach:
rule 1 runs first, as proposals much like deferred acceptance, then rule 2 on the few bids left.

The stability conditions of dropped bids are implied by those of the bids kept (the blocker of
rule 1 keeps its bid, the guarantee of rule 2 is itself a kept condition), so a model over the
kept bids only still admits exactly the stable matchings. Kept bids form independent components;
only those with an advert under a quota need the solver.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence

Keys = tuple[int, ...]  # a bid's key in each order its advert can take, the usual order first
KeysOf = Callable[[str, str, int], Keys]  # (applicant, advert, key in the usual order) -> Keys


def possible_bids(
    choices: Mapping[str, Sequence[tuple[str, int]]],
    designations: Mapping[str, Sequence[str]],
    groups_of: Mapping[str, Collection[str]],
) -> set[tuple[str, str]]:
    """The (applicant, advert) bids that some stable matching, under some choice of
    designations, can contain.

    choices: each applicant's eligible adverts, most wanted first, each with the bid's key in the
    advert's usual order (smaller ranks higher; distinct per advert).
    designations: advert -> groups it may be designated for; each gives another order of its
    bidders, the group's members first, each part by key.
    groups_of: applicant -> groups.
    """
    shift = 1 + max((key for homes in choices.values() for _, key in homes), default=0)

    def keys(applicant: str, advert: str, key: int) -> Keys:
        """The bid's key in each order the advert can take (the usual order first)."""
        groups = designations.get(advert)
        if not groups:
            return (key,)
        mine = groups_of[applicant]
        return (key, *[key if g in mine else key + shift for g in groups])

    cutoffs, reached = _blocking_cutoffs(choices, keys)

    # Bids not blocked in every order, with their keys. An applicant's bids before the last
    # home it reached are all blocked (that is how it got past them).
    kept: dict[str, list[tuple[str, int, Keys]]] = {}  # applicant -> (advert, place in its list, keys)
    for applicant, homes in choices.items():
        for k in range(reached[applicant], len(homes)):
            advert, key = homes[k]
            bid_keys = keys(applicant, advert, key)
            limit = cutoffs.get(advert)
            if limit is None or any(mine <= best for mine, best in zip(bid_keys, limit, strict=True)):
                kept.setdefault(applicant, []).append((advert, k, bid_keys))
    return _drop_beyond_guarantees(kept)


def _blocking_cutoffs(
    choices: Mapping[str, Sequence[tuple[str, int]]], keys: KeysOf
) -> tuple[dict[str, list[int]], dict[str, int]]:
    """Rule 1 to its fixed point, run as proposals: an applicant "reaches" a home once every
    home it prefers is out of reach, and then blocks everyone below it there (in every order).
    A bid below the blockers in every order is out of reach, and its bidder moves on.
    Returns each advert's best blocker key per order, and how far each applicant got."""
    cut: dict[str, list[int]] = {}
    held: dict[str, list[tuple[str, int, Keys]]] = {}  # advert -> bids not yet blocked
    reached = dict.fromkeys(choices, 0)
    free = list(choices)
    free.reverse()
    while free:
        applicant = free.pop()
        homes = choices[applicant]
        i = reached[applicant]
        while i < len(homes):
            advert, key = homes[i]
            bid_keys = keys(applicant, advert, key)
            best = cut.get(advert)
            if best is None:
                cut[advert] = list(bid_keys)
                held[advert] = [(applicant, i, bid_keys)]
                break
            improved = False
            for t, mine in enumerate(bid_keys):
                if mine < best[t]:
                    best[t] = mine
                    improved = True
            if not improved:
                i += 1  # blocked in every order: out of reach, try the next home
                continue
            still = [(applicant, i, bid_keys)]
            for other, j, other_keys in held[advert]:
                if any(mine <= b for mine, b in zip(other_keys, best, strict=True)):
                    still.append((other, j, other_keys))
                else:
                    reached[other] = j + 1  # now blocked here in every order
                    free.append(other)
            held[advert] = still
            break
        reached[applicant] = i
    return cut, reached


def _drop_beyond_guarantees(kept: Mapping[str, Sequence[tuple[str, int, Keys]]]) -> set[tuple[str, str]]:
    """Rule 2 to its fixed point on the bids rule 1 kept (a few per advert): when one bid is first
    at an advert in every order, its bidder is sure of that home or better."""
    bidders: dict[str, list[tuple[Keys, str, int]]] = {}
    for applicant, bids in kept.items():
        for advert, k, bid_keys in bids:
            bidders.setdefault(advert, []).append((bid_keys, applicant, k))
    orders: dict[str, list[list[tuple[str, int]]]] = {}  # advert -> each order's (applicant, place)
    for advert, at_advert in bidders.items():
        width = len(at_advert[0][0])
        orders[advert] = [[(a, k) for _, a, k in sorted(at_advert, key=lambda b: b[0][t])] for t in range(width)]
    dropped: set[tuple[str, str]] = set()
    worklist = list(orders)
    while worklist:
        advert = worklist.pop()
        leader = _common_leader(orders[advert], advert, dropped)
        if leader is None:
            continue  # bidders differ at the top of its orders (or none is left): no guarantee
        applicant, k = leader
        for other, j, _ in kept[applicant]:
            if j > k and (applicant, other) not in dropped:
                dropped.add((applicant, other))
                worklist.append(other)  # its first bidder may have changed
    return {(a, h) for a, bids in kept.items() for h, _, _ in bids if (a, h) not in dropped}


def _common_leader(
    orders: Sequence[Sequence[tuple[str, int]]], advert: str, dropped: Collection[tuple[str, str]]
) -> tuple[str, int] | None:
    """The bid first at ``advert`` among those not dropped, when it is the same in every order."""
    leaders = {next(((a, k) for a, k in order if (a, advert) not in dropped), None) for order in orders}
    if len(leaders) != 1:
        return None
    (leader,) = leaders
    return leader


def components(bids: Collection[tuple[str, str]]) -> list[tuple[set[str], set[str]]]:
    """Connected components (applicants, adverts) of the bid graph, via union-find on adverts."""
    parent: dict[str, str] = {}

    def find(h: str) -> str:
        while parent[h] != h:
            parent[h] = parent[parent[h]]
            h = parent[h]
        return h

    home_of_applicant: dict[str, str] = {}
    for a, h in bids:
        parent.setdefault(h, h)
        other = home_of_applicant.setdefault(a, h)
        root_h, root_other = find(h), find(other)
        if root_h != root_other:
            parent[max(root_h, root_other)] = min(root_h, root_other)
    groups: dict[str, tuple[set[str], set[str]]] = {}
    for h in parent:
        groups.setdefault(find(h), (set(), set()))[1].add(h)
    for a, h in home_of_applicant.items():
        groups[find(h)][0].add(a)
    return [groups[root] for root in sorted(groups)]
