"""Realistic generated cycles for benchmarks and tests, deterministic for a seed.

Shaped like a sub-regional scheme's register: bands A 5%, B 20%, C 40%, D 35%; homeless
households mostly in the high bands; demand concentrated on popular areas and small homes;
adverts of very uneven appeal, so bids per advert are heavy-tailed; a third of the homes belong
to housing associations whose nomination agreements may carry a homeless quota.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

Record = dict[str, Any]  # an applicant, advert or bid as the instance's JSON holds it

AREAS = (
    "Northgate", "Riverside", "Castle", "Abbey", "Southbank", "Hillside", "Meadows", "Westfield",
    "Eastbrook", "Oakwood", "Moorside", "Fenton", "Kingsway", "Ashby", "Marsh End", "Greenlow",
)  # fmt: skip
BANDS = ("A", "B", "C", "D")
BAND_WEIGHTS = (5, 20, 40, 35)
HOMELESS_SHARE_BY_BAND = {"A": 0.55, "B": 0.3, "C": 0.08, "D": 0.03}
NEED_WEIGHTS = {1: 46, 2: 30, 3: 17, 4: 6, 5: 1}
BEDROOM_WEIGHTS = {1: 40, 2: 36, 3: 19, 4: 5}
PROVIDERS = ("Harbour Homes", "Northern Vale HA", "Sanctuary Lane", "Keystone Housing", "Brightwater HA")
# Nomination agreements' quotas: mostly half of lets to homeless households; one provider also
# promises a share to transfer tenants, and one a share to downsizers (who free family homes)
# that its bidders cannot fill, so that a shortfall has to be reported.
QUOTAS = {
    "Harbour Homes": ({"group": "homeless", "min_share": 0.5},),
    "Northern Vale HA": ({"group": "homeless", "min_share": 0.5},),
    "Sanctuary Lane": ({"group": "homeless", "min_share": 0.5}, {"group": "transfer", "min_share": 0.25}),
    "Keystone Housing": ({"group": "homeless", "min_share": 0.6},),
    "Brightwater HA": ({"group": "homeless", "min_share": 0.5}, {"group": "downsizer", "min_share": 0.3}),
}
START = date(2010, 1, 1)
END = date(2026, 3, 1)


def generate_cycle(
    applicants: int, adverts: int, *, bids_each: int = 3, quotas: bool = False, seed: int = 1
) -> Record:
    """A cycle in the JSON instance format (see matching/README.md)."""
    rng = random.Random(seed)
    area_weights = [1 / (i + 1) ** 1.1 for i in range(len(AREAS))]  # a few areas everyone wants
    people = [_applicant(rng, i, area_weights) for i in range(applicants)]
    homes = [_advert(rng, i) for i in range(adverts)]
    agreements = [
        {"id": f"NA-{p.split()[0].upper()}", "quotas": list(QUOTAS[p]) if quotas else []} for p in PROVIDERS
    ]
    return {
        "applicants": people,
        "adverts": homes,
        "bids": _bids(rng, people, homes, area_weights, bids_each),
        "policy": {"bands": list(BANDS), "tie_breakers": ["band", "band_date", "registration_date"]},
        "agreements": agreements,
    }


def _weighted(rng: random.Random, weights: dict[int, int]) -> int:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max(1, (end - start).days)))


def _applicant(rng: random.Random, i: int, area_weights: list[float]) -> Record:
    band = rng.choices(BANDS, weights=BAND_WEIGHTS)[0]
    registered = _day_between(rng, START, END)
    need = _weighted(rng, NEED_WEIGHTS)
    household = need + rng.randrange(0, need + 1) if need > 1 else rng.choice((1, 1, 2))
    age = 18 + min(int(rng.expovariate(1 / 22)), 80)
    needs = []
    roll = rng.random()
    if roll < 0.02:
        needs = ["step_free", "wheelchair"]
    elif roll < 0.08:
        needs = ["step_free"]
    home_area = rng.choices(AREAS, weights=area_weights)[0]
    local = [home_area] if rng.random() < 0.9 else []
    if rng.random() < 0.1:
        local.append(rng.choice(AREAS))
    groups = []
    if rng.random() < HOMELESS_SHARE_BY_BAND[band]:
        groups.append("homeless")
    elif rng.random() < 0.17:
        groups.append("transfer")
        if need == 1 and rng.random() < 0.3:
            groups.append("downsizer")
    if rng.random() < 0.3:
        groups.append("working")
    if rng.random() < 0.06:
        groups.append("housing_debt")
    return {
        "id": f"HR-{i:06d}",
        "band": band,
        "band_date": _day_between(rng, registered, END).isoformat(),
        "registration_date": registered.isoformat(),
        "bedroom_need": need,
        "household_size": household,
        "age": age,
        "needs": needs,
        "local_connection": sorted(set(local)),
        "groups": groups,
        "status": "active" if rng.random() < 0.97 else "suspended",
    }


def _advert(rng: random.Random, i: int) -> Record:
    bedrooms = _weighted(rng, BEDROOM_WEIGHTS)
    area = rng.choice(AREAS)
    criteria: Record = {}
    if bedrooms == 1:
        criteria["max_bedroom_need"] = 1
        if rng.random() < 0.15:  # sheltered housing
            criteria["min_age"] = 60
    elif bedrooms == 2:
        criteria.update(min_bedroom_need=rng.choice((1, 2)), max_bedroom_need=2, max_household=4)
    elif bedrooms == 3:
        criteria.update(min_bedroom_need=rng.choice((2, 3, 3)), max_bedroom_need=3)
    else:
        criteria["min_bedroom_need"] = 4
    roll = rng.random()
    preference_groups = []
    if roll < 0.03:
        criteria["wheelchair"] = True
    elif roll < 0.08:
        criteria["step_free"] = True
        preference_groups.append("need:step_free")
    elif roll < 0.1:
        criteria["transfer_only"] = True
    if rng.random() < 0.6:
        preference_groups.append(f"local:{area}")
    if rng.random() < 0.05:
        preference_groups.append("group:working")  # a local lettings plan
    provider = rng.random() < 1 / 3
    landlord = rng.choice(PROVIDERS) if provider else "Council"
    return {
        "id": f"AD-{i:05d}",
        "bedrooms": bedrooms,
        "area": area,
        "landlord": landlord,
        "criteria": criteria,
        "preference_groups": preference_groups,
        "agreement": f"NA-{landlord.split()[0].upper()}" if provider else None,
        "_appeal": rng.lognormvariate(0, 1.2),  # removed before returning; drives bids
    }


class _Pool:
    """Adverts to draw from, weighted by appeal."""

    def __init__(self, homes: list[Record]) -> None:
        self.homes = homes
        self.cumulative = list(itertools.accumulate(h["_appeal"] for h in homes))

    def draw(self, rng: random.Random) -> Record | None:
        """A home, or None when the pool is empty."""
        if not self.homes:
            return None
        return self.pick(rng)

    def pick(self, rng: random.Random) -> Record:
        """A home from a pool known not to be empty."""
        return self.homes[bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass
class _Pools:
    """Where a bidder looks: anywhere, homes of a size, homes of a size in an area, and which area."""

    everything: _Pool
    sized: dict[int, _Pool]  # bedrooms -> homes
    local: dict[tuple[int, str], _Pool]  # (bedrooms, area) -> homes
    areas: _Pool  # one entry per area, weighted by its appeal
    nothing: _Pool


def _pools(homes: list[Record], area_weights: list[float]) -> _Pools:
    by_size: dict[int, list[Record]] = {}
    by_size_area: dict[tuple[int, str], list[Record]] = {}
    for home in homes:
        by_size.setdefault(home["bedrooms"], []).append(home)
        by_size_area.setdefault((home["bedrooms"], home["area"]), []).append(home)
    return _Pools(
        everything=_Pool(homes),
        sized={b: _Pool(h) for b, h in by_size.items()},
        local={key: _Pool(h) for key, h in by_size_area.items()},
        areas=_Pool([dict(_appeal=w, area=a) for a, w in zip(AREAS, area_weights, strict=True)]),
        nothing=_Pool([]),
    )


def _bids(
    rng: random.Random, people: list[Record], homes: list[Record], area_weights: list[float], bids_each: int
) -> list[Record]:
    pools = _pools(homes, area_weights)
    bids = []
    for person in people:
        for preference, home in enumerate(_chosen_homes(rng, person, pools, bids_each, len(homes)), start=1):
            bids.append({"applicant": person["id"], "advert": home["id"], "preference": preference})
    for home in homes:
        del home["_appeal"]
    return bids


def _chosen_homes(rng: random.Random, person: Record, pools: _Pools, bids_each: int, available: int) -> list[Record]:
    """The distinct homes ``person`` bids on, most wanted first."""
    wanted = min(person["bedroom_need"], 4)
    chosen: list[Record] = []
    for _ in range(bids_each * 4):
        if len(chosen) == bids_each or len(chosen) == available:
            break
        home = _draw(rng, person, wanted, pools)
        if home is not None and all(home is not c for c in chosen):
            chosen.append(home)
    return chosen


def _draw(rng: random.Random, person: Record, wanted: int, pools: _Pools) -> Record | None:
    """One home a bidder looks at, or None where the place they looked has none of their size."""
    roll = rng.random()
    if roll < 0.2:
        return pools.everything.draw(rng)  # a bid that often fails the criteria
    if roll < 0.55 and person["local_connection"]:
        return pools.local.get((wanted, rng.choice(person["local_connection"])), pools.nothing).draw(rng)
    if roll < 0.8:
        area = pools.areas.pick(rng)["area"]
        return pools.local.get((wanted, area), pools.nothing).draw(rng)
    return pools.sized.get(wanted, pools.everything).draw(rng)
