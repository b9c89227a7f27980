"""Hypothesis strategies for small cycles that still exercise every rule: ties on dates,
preference groups, criteria, several policies and quotas."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from matching import Advert, Agreement, Applicant, Bid, Criteria, Instance, Policy, Quota

DATES = [date(2019, 1, 1), date(2020, 6, 1), date(2021, 3, 3)]
AREAS = ["North", "South"]
GROUPS = ["homeless", "transfer", "working", "housing_debt"]
TIE_BREAKERS = ["band", "points", "band_date", "registration_date", "bedroom_need_match", "no_housing_debt"]


@st.composite
def applicants(draw, i: int) -> Applicant:
    return Applicant(
        id=f"P{i}",
        band=draw(st.sampled_from("ABCD")),
        band_date=draw(st.sampled_from(DATES)),
        registration_date=draw(st.sampled_from(DATES)),
        bedroom_need=draw(st.integers(1, 3)),
        household_size=draw(st.integers(1, 5)),
        age=draw(st.sampled_from([25, 59, 60, 75])),
        needs=frozenset(draw(st.lists(st.sampled_from(["step_free", "wheelchair"]), max_size=1))),
        local_connection=frozenset(draw(st.lists(st.sampled_from(AREAS), max_size=2))),
        groups=frozenset(draw(st.lists(st.sampled_from(GROUPS), max_size=3))),
        points=draw(st.integers(0, 3)),
        status=draw(st.sampled_from(["active"] * 9 + ["suspended"])),
    )


@st.composite
def criteria(draw) -> Criteria:
    low = draw(st.none() | st.integers(1, 2))
    high = draw(st.none() | st.integers(2, 3))
    return Criteria(
        min_bedroom_need=low,
        max_bedroom_need=high,
        min_household=draw(st.none() | st.integers(1, 2)),
        max_household=draw(st.none() | st.integers(3, 5)),
        min_age=draw(st.none() | st.just(60)),
        step_free=draw(st.booleans()) and draw(st.booleans()),
        wheelchair=draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans()),
        transfer_only=draw(st.booleans()) and draw(st.booleans()) and draw(st.booleans()),
    )


@st.composite
def adverts(draw, i: int, agreement_ids: list[str], contested: bool = False) -> Advert:
    return Advert(
        id=f"H{i}",
        bedrooms=draw(st.integers(1, 3)),
        area=draw(st.sampled_from(AREAS)),
        landlord="Council",
        criteria=draw(st.just(Criteria()) | criteria()),
        preference_groups=tuple(
            draw(
                st.lists(
                    st.sampled_from(["local:North", "local:South", "group:working", "need:step_free"]),
                    max_size=2,
                    unique=True,
                )
            )
        ),
        agreement=draw(st.sampled_from(agreement_ids if contested else [None, *agreement_ids])),
        by_registration_date=draw(st.booleans()) and draw(st.booleans()),
    )


@st.composite
def policies(draw) -> Policy:
    tie_breakers = draw(st.permutations(TIE_BREAKERS))
    size = draw(st.integers(0, len(TIE_BREAKERS)))
    default = draw(st.booleans())
    return Policy() if default else Policy(tie_breakers=tuple(tie_breakers[:size]))


@st.composite
def instances(
    draw, max_applicants=5, max_adverts=4, quotas=True, max_bids=3, loose=False, contested=False
) -> Instance:
    """``loose``: adverts without criteria and active applicants, so most bids are eligible.
    ``contested``: every advert under an agreement with at least one quota."""
    agreements = []
    if quotas:
        for name in ("X", "Y"):
            quota_list = draw(
                st.lists(
                    st.builds(
                        Quota,
                        group=st.sampled_from(["homeless", "transfer"]),
                        min_share=st.sampled_from([0.25, 1 / 3, 0.5, 0.75, 1.0]),
                    ),
                    min_size=1 if contested else 0,
                    max_size=2,
                )
            )
            agreements.append(Agreement(name, tuple(quota_list)))
    else:
        agreements = [Agreement("X"), Agreement("Y")]
    agreement_ids = [a.id for a in agreements]
    n_applicants = draw(st.integers(1, max_applicants))
    n_adverts = draw(st.integers(1, max_adverts))
    people = [draw(applicants(i)) for i in range(n_applicants)]
    homes = [draw(adverts(i, agreement_ids, contested)) for i in range(n_adverts)]
    if loose:
        people = [_active(p) for p in people]
        homes = [_no_criteria(h) for h in homes]
    bids = []
    for person in people:
        chosen = draw(st.lists(st.sampled_from([h.id for h in homes]), unique=True, max_size=min(max_bids, n_adverts)))
        bids.extend(Bid(person.id, h, preference) for preference, h in enumerate(chosen, start=1))
    bids = draw(st.permutations(bids))
    return Instance(tuple(people), tuple(homes), tuple(bids), draw(policies()), tuple(agreements))


def _active(applicant: Applicant) -> Applicant:
    from msgspec.structs import replace

    return replace(applicant, status="active")


def _no_criteria(advert: Advert) -> Advert:
    from msgspec.structs import replace

    return replace(advert, criteria=Criteria())
