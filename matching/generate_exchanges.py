"""A realistic generated mutual exchange register for the exchange benchmark, deterministic for a seed.

Shaped like a council's and its providers' register of tenants who want to swap: 24 areas on a
6 by 4 map (each area's neighbours are the areas around it; a few areas are wanted more than
others); homes weighted like social stock (1-bedroom flats and 3-bedroom houses common, bedsits,
maisonettes and 4-5 bedroom houses rare); households sized around their home, with under-occupiers
(who want fewer bedrooms) and overcrowded households (who want more); each wants its own area and
1-4 neighbouring ones, 1-3 kinds of home and a bedroom range from its need (single people sometimes
take a bedsit, some households one bedroom more than they need).
"""

from __future__ import annotations

import random

from .exchanges import Home, Listing, Wants

AREAS = (
    "Northgate", "Riverside", "Castle", "Abbey", "Southbank", "Hillside",
    "Meadows", "Westfield", "Eastbrook", "Oakwood", "Moorside", "Fenton",
    "Kingsway", "Ashby", "Marsh End", "Greenlow", "Millbrook", "Priory",
    "Stonebridge", "Larkhill", "Quayside", "Thornbury", "Elmfield", "Brookvale",
)  # fmt: skip
COLUMNS = 6  # the areas as a map: 4 rows of 6, neighbours are the (up to 8) areas around
# (kind, bedrooms) -> share of the stock, in percent.
STOCK = {
    ("bedsit", 0): 3,
    ("flat", 1): 26, ("flat", 2): 16, ("flat", 3): 3,
    ("maisonette", 2): 3, ("maisonette", 3): 2,
    ("house", 2): 11, ("house", 3): 22, ("house", 4): 4, ("house", 5): 1,
    ("bungalow", 1): 6, ("bungalow", 2): 3,
}  # fmt: skip
# Which kinds households of a bedroom need look for, and how much.
KIND_TASTE = {
    1: {"flat": 6, "bungalow": 3, "house": 1, "maisonette": 1},
    2: {"house": 5, "flat": 4, "maisonette": 2, "bungalow": 2},
    3: {"house": 8, "maisonette": 2, "flat": 1},
}
UNDER_OCCUPYING, OVERCROWDED = 0.25, 0.2  # shares of households


def generate_listings(count: int, *, seed: int = 1) -> list[Listing]:
    """``count`` listings with ids ``MX-000000`` up."""
    rng = random.Random(seed)
    appeal = [rng.lognormvariate(0, 0.6) for _ in AREAS]  # some areas are wanted more than others
    stock, stock_weights = list(STOCK), list(STOCK.values())
    listings = []
    for i in range(count):
        area = rng.randrange(len(AREAS))
        kind, bedrooms = rng.choices(stock, weights=stock_weights)[0]
        need = _bedroom_need(rng, bedrooms)
        listings.append(
            Listing(
                id=f"MX-{i:06d}",
                home=Home(area=AREAS[area], bedrooms=bedrooms, kind=kind),
                wants=Wants(
                    areas=_wanted_areas(rng, area, appeal),
                    min_bedrooms=0 if need == 1 and rng.random() < 0.3 else need,
                    max_bedrooms=need + (1 if rng.random() < 0.3 and need < 5 else 0),
                    kinds=_wanted_kinds(rng, need),
                ),
            )
        )
    return listings


def household_bedroom_need(size: int) -> int:
    """A simplified bedroom standard by household size: one or two people need 1, each further two a room more."""
    return min(5, max(1, (size + 1) // 2))


def _bedroom_need(rng: random.Random, bedrooms: int) -> int:
    """The need of the household living in a home of ``bedrooms``: usually its size, or fewer, or more."""
    fitting = max(1, bedrooms)
    roll = rng.random()
    if roll < UNDER_OCCUPYING and fitting > 1:
        need = fitting - (2 if fitting > 2 and rng.random() < 0.3 else 1)
    elif roll < UNDER_OCCUPYING + OVERCROWDED and fitting < 5:
        need = fitting + (2 if fitting < 4 and rng.random() < 0.2 else 1)
    else:
        need = fitting
    size = rng.choice((2 * need - 1, 2 * need)) if need > 1 else rng.choice((1, 1, 2))
    return household_bedroom_need(size)


def _neighbours(area: int) -> list[int]:
    row, column = divmod(area, COLUMNS)
    rows = len(AREAS) // COLUMNS
    return [
        r * COLUMNS + c
        for r in range(row - 1, row + 2)
        for c in range(column - 1, column + 2)
        if 0 <= r < rows and 0 <= c < COLUMNS and (r, c) != (row, column)
    ]


def _wanted_areas(rng: random.Random, area: int, appeal: list[float]) -> frozenset[str]:
    """The household's own area and 1-4 of its neighbours, the more appealing ones more often."""
    candidates = _neighbours(area)
    chosen: set[int] = {area}
    wanted = rng.randint(1, min(4, len(candidates)))
    while len(chosen) < wanted + 1:
        chosen.add(rng.choices(candidates, weights=[appeal[a] for a in candidates])[0])
    return frozenset(AREAS[a] for a in chosen)


def _wanted_kinds(rng: random.Random, need: int) -> frozenset[str]:
    taste = KIND_TASTE[min(need, 3)]
    kinds, weights = list(taste), list(taste.values())
    wanted = rng.choice((1, 1, 2, 2, 3))
    chosen: set[str] = set()
    while len(chosen) < wanted:
        chosen.add(rng.choices(kinds, weights=weights)[0])
    if need == 1 and rng.random() < 0.15:
        chosen.add("bedsit")
    return frozenset(chosen)
