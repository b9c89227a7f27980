"""The engine's plain data: what goes in (a cycle) and what comes out (a proposal).

Every type is a frozen dataclass with slots so that a cycle of 150,000 applicants stays small
in memory and nothing downstream can change the input it was given. Ids are strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

DEFAULT_BANDS = ("A", "B", "C", "D")
DEFAULT_TIE_BREAKERS = ("band", "band_date", "registration_date")
TIE_BREAKERS = (
    "band",
    "points",
    "band_date",
    "registration_date",
    "bedroom_need_match",
    "no_housing_debt",
)
# Prefixes of an advert's preference groups: "local:AREA", "group:NAME", "need:NAME".
PREFERENCE_GROUP_KINDS = ("local", "group", "need")

ACTIVE = "active"
TRANSFER = "transfer"
HOUSING_DEBT = "housing_debt"


class InstanceError(ValueError):
    """The input names something that does not exist or breaks the format; the message names
    the offending record so that a person can fix it."""


@dataclass(frozen=True, slots=True)
class Applicant:
    id: str
    band: str
    band_date: date
    registration_date: date
    bedroom_need: int
    household_size: int
    age: int
    needs: frozenset[str] = frozenset()
    local_connection: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    points: int | None = None
    status: str = ACTIVE


@dataclass(frozen=True, slots=True)
class Criteria:
    """Who an advert is for. None or False means the advert sets no such limit."""

    min_bedroom_need: int | None = None
    max_bedroom_need: int | None = None
    min_household: int | None = None
    max_household: int | None = None
    min_age: int | None = None
    step_free: bool = False
    wheelchair: bool = False
    transfer_only: bool = False


@dataclass(frozen=True, slots=True)
class Advert:
    id: str
    bedrooms: int
    area: str
    landlord: str
    criteria: Criteria = Criteria()
    preference_groups: tuple[str, ...] = ()
    agreement: str | None = None


@dataclass(frozen=True, slots=True)
class Bid:
    applicant: str
    advert: str
    preference: int  # 1 = the applicant's most wanted home; unique per applicant


@dataclass(frozen=True, slots=True)
class Policy:
    bands: tuple[str, ...] = DEFAULT_BANDS
    tie_breakers: tuple[str, ...] = DEFAULT_TIE_BREAKERS

    def __post_init__(self) -> None:
        if not self.bands or len(set(self.bands)) != len(self.bands):
            raise InstanceError(f"policy: bands must be a non-empty list without repeats, got {list(self.bands)}")
        for name in self.tie_breakers:
            if name not in TIE_BREAKERS:
                raise InstanceError(
                    f"policy: unknown tie-breaker {name!r}; known tie-breakers are {', '.join(TIE_BREAKERS)}"
                )
        if len(set(self.tie_breakers)) != len(self.tie_breakers):
            raise InstanceError(f"policy: tie-breakers repeat, got {list(self.tie_breakers)}")


@dataclass(frozen=True, slots=True)
class Quota:
    """At least ``min_share`` of the agreement's lets go to households in ``group``."""

    group: str
    min_share: float


@dataclass(frozen=True, slots=True)
class Agreement:
    id: str
    quotas: tuple[Quota, ...] = ()


@dataclass(frozen=True, slots=True)
class Instance:
    """One cycle. Construct it directly or with ``matching.load_instance`` (from JSON data);
    either way it is checked: every reference resolves, preferences are unique per applicant,
    bands are the policy's. Errors name the offending record."""

    applicants: tuple[Applicant, ...]
    adverts: tuple[Advert, ...]
    bids: tuple[Bid, ...]
    policy: Policy = Policy()
    agreements: tuple[Agreement, ...] = ()

    def __post_init__(self) -> None:
        from .validation import check_instance  # the checks live with the other input rules

        check_instance(self)


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a bid is not eligible: a stable code for software, a sentence for people."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ShortlistEntry:
    applicant: str
    position: int | None  # 1-based among eligible bids; None when not eligible
    eligible: bool
    reasons: tuple[Reason, ...]
    explanation: str


@dataclass(frozen=True, slots=True)
class QuotaShortfall:
    agreement: str
    group: str
    required: int
    achieved: int
    shortfall: int


@dataclass(frozen=True, slots=True)
class CycleResult:
    status: str  # "optimal" | "feasible" | "no_solution"
    allocation: dict[str, str]  # advert id -> applicant id
    shortlists: dict[str, list[ShortlistEntry]]  # advert id -> entries, eligible first
    quota_shortfalls: list[QuotaShortfall]
    designated: dict[str, str]  # advert id -> group whose members went first there
    timings: dict[str, float]
    stats: dict[str, int] = field(default_factory=dict)  # sizes, e.g. bids given to CP-SAT

    def to_json(self) -> dict[str, Any]:
        """The result as a JSON-ready object (see matching/README.md for the format)."""
        from .io import result_to_json

        return result_to_json(self)
