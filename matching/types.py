"""The engine's plain data: what goes in (a cycle) and what comes out (a proposal).

Every type is a frozen msgspec Struct: cheap to make by the hundred thousand (a cycle has
150,000 applicants and 450,000 bids), small in memory, and nothing downstream can change the
input it was given. The JSON file format (matching/README.md) is these types field for field, so
``io.py`` decodes a file straight into them; the ``Meta`` limits below are the format's (they
are checked when a file is read, not when the types are made in code, as cbl does). Ids are
strings.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import msgspec

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

# The file format's limits on values (see matching/README.md).
Text = Annotated[str, msgspec.Meta(min_length=1)]
AtLeast0 = Annotated[int, msgspec.Meta(ge=0)]
AtLeast1 = Annotated[int, msgspec.Meta(ge=1)]
Share = Annotated[float, msgspec.Meta(ge=0, le=1)]


class InstanceError(ValueError):
    """The input names something that does not exist or breaks the format; the message names
    the offending record so that a person can fix it."""


# gc=False: the types made by the hundred thousand hold only strings, numbers, dates and frozen
# sets of strings, so they can never be part of a reference cycle; the collector need not track them.


class Applicant(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    id: Text
    band: Text
    band_date: date
    registration_date: date
    bedroom_need: AtLeast0
    household_size: AtLeast1
    age: AtLeast0
    needs: frozenset[Text] = frozenset()
    local_connection: frozenset[Text] = frozenset()
    groups: frozenset[Text] = frozenset()
    points: int | None = None
    status: Text = ACTIVE


class Criteria(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    """Who an advert is for. None or False means the advert sets no such limit."""

    min_bedroom_need: AtLeast0 | None = None
    max_bedroom_need: AtLeast0 | None = None
    min_household: AtLeast0 | None = None
    max_household: AtLeast0 | None = None
    min_age: AtLeast0 | None = None
    step_free: bool = False
    wheelchair: bool = False
    transfer_only: bool = False


class Advert(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: Text
    bedrooms: AtLeast0
    area: Text = ""
    landlord: Text = ""
    criteria: Criteria = Criteria()
    preference_groups: tuple[str, ...] = ()
    agreement: Text | None = None
    # Let by date of registration (a scheme's share of homes, designated before bidding): eligible
    # bids are ranked by registration date alone, whatever the band, and the advert is never
    # designated for a quota group.
    by_registration_date: bool = False


class Bid(msgspec.Struct, frozen=True, forbid_unknown_fields=True, gc=False):
    applicant: Text
    advert: Text
    preference: AtLeast1  # 1 = the applicant's most wanted home; unique per applicant


class Policy(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
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


class Quota(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """At least ``min_share`` of the agreement's lets go to households in ``group``."""

    group: Text
    min_share: Share


class Agreement(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    id: Text
    quotas: tuple[Quota, ...] = ()


class Instance(msgspec.Struct, frozen=True):
    """One cycle. Construct it directly or with ``matching.load_instance`` (from JSON data) or
    ``matching.read_instance`` (from a JSON file's bytes); either way it is checked: every
    reference resolves, preferences are unique per applicant, bands are the policy's. Errors name
    the offending record."""

    applicants: tuple[Applicant, ...]
    adverts: tuple[Advert, ...]
    bids: tuple[Bid, ...]
    policy: Policy = Policy()
    agreements: tuple[Agreement, ...] = ()

    def __post_init__(self) -> None:
        from .validation import check_instance  # the checks live with the other input rules

        check_instance(self)


class Reason(msgspec.Struct, frozen=True, gc=False):
    """Why a bid is not eligible: a stable code for software, a sentence for people."""

    code: str
    message: str


class ShortlistEntry(msgspec.Struct, frozen=True, gc=False):
    """One bid's place on an advert's shortlist; its fields are the result format's, in order."""

    applicant: str
    position: int | None  # 1-based among eligible bids; None when not eligible
    eligible: bool
    reasons: tuple[Reason, ...]
    explanation: str


class QuotaShortfall(msgspec.Struct, frozen=True):
    agreement: str
    group: str
    required: int
    achieved: int
    shortfall: int


class CycleResult(msgspec.Struct, frozen=True):
    status: str  # "optimal" | "feasible" | "no_solution"
    allocation: dict[str, str]  # advert id -> applicant id
    shortlists: dict[str, list[ShortlistEntry]]  # advert id -> entries, eligible first
    quota_shortfalls: list[QuotaShortfall]
    designated: dict[str, str]  # advert id -> group whose members went first there
    timings: dict[str, float]
    stats: dict[str, int] = msgspec.field(default_factory=dict)  # sizes, e.g. bids given to CP-SAT

    def to_json(self) -> dict[str, Any]:
        """The result as a JSON-ready object (see matching/README.md for the format)."""
        from .io import result_to_json

        return result_to_json(self)
