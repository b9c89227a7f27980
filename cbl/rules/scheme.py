"""The allocation scheme: the council's rules, loaded from TOML and checked at start-up."""

import tomllib
from datetime import date, time
from pathlib import Path
from typing import Literal, TypeVar

from cbl.models.states import OfferCheckKind
from cbl.rules.application_questions import PRIORITIES
from cbl.rules.review_periods import Part6Periods, check_part6_periods
from pydantic import (
    BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError, field_validator, model_validator,
)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
TIE_BREAKERS = ("band", "points", "band_date", "registration_date", "bedroom_need_match", "no_housing_debt")
# Part 6 reviews, whose periods are the council's own (s166A(9), s160ZA(9)); s202 reviews' periods are the
# law's (cbl/rules/review_periods.py) and a scheme that tries to set them is refused.
PART6_REVIEW_TYPES = ("eligibility", "qualification", "band", "bedroom_need", "suspension", "refusal", "skip",
                      "closure", "panel")
S202_REVIEW_TYPES = ("suitability", "final_offer_duty")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bands(_Strict):
    order: list[str] = Field(min_length=1)
    uses_points: bool = False
    labels: dict[str, str] = {}

    @field_validator("order")
    @classmethod
    def _unique(cls, order: list[str]) -> list[str]:
        if len(set(order)) != len(order):
            raise ValueError("each band may appear once")
        return order

    @model_validator(mode="after")
    def _labels_name_bands(self) -> "Bands":
        unknown = set(self.labels) - set(self.order)
        if unknown:
            raise ValueError(f"labels given for bands not in order: {sorted(unknown)}")
        return self

    def label(self, band: str) -> str:
        return self.labels.get(band, band)


class Ranking(_Strict):
    tie_breakers: list[Literal[TIE_BREAKERS]] = ["band", "band_date", "registration_date"]  # type: ignore[valid-type]
    # The share of each cycle's homes let by date of registration: their bids are ranked by registration date
    # alone, whatever the band, so that long waiters with low priority are housed too. s166A(6)(b) Housing Act
    # 1996 lets a scheme allocate particular accommodation to people of a particular description; reasonable
    # preference (s166A(3)) must still shape the scheme as a whole, hence a share, and at most half.
    # Designated as each advert is published, so the advert says so before anyone bids.
    registration_date_share_pct: StrictInt = Field(default=0, ge=0, le=50)


class Bidding(_Strict):
    bids_per_cycle: int = Field(ge=1, le=50)
    bid_while_under_offer: bool = False
    auto_bid_for_vulnerable: bool = True


class WeeklyTime(_Strict):
    weekday: Literal[WEEKDAYS]  # type: ignore[valid-type]
    time: time

    @property
    def weekday_index(self) -> int:
        return WEEKDAYS.index(self.weekday)


class CyclePattern(_Strict):
    every_weeks: int = Field(default=1, ge=1, le=8)
    opens: WeeklyTime
    closes: WeeklyTime
    # How long after a cycle closes a manager may still reopen it (cbl/rules/cycle_overrides.py); 0: never.
    reopen_within_hours: int = Field(default=24, ge=0, le=168)




class Refusals(_Strict):
    unreasonable_refusals: int = Field(ge=1, le=10)
    within_months: int = Field(ge=1, le=60)
    suspension_months: int = Field(ge=0, le=60)
    reasons: list[str] = Field(min_length=1)


class BedroomNeed(_Strict):
    rule: Literal["bedroom_standard", "lha"]


class Reviews(_Strict):
    """Part 6 reviews only: the days to ask and to decide are the council's, within plausible bounds."""

    request_within_days: int
    decide_within_days: int
    decide_within_days_by_type: dict[str, int] = {}
    # Time the applicant has to make representations after a "minded to" notice (UK working days).
    representations_working_days: int = Field(default=5, ge=1, le=60)

    @field_validator("decide_within_days_by_type")
    @classmethod
    def _part6_types_only(cls, periods: dict[str, int]) -> dict[str, int]:
        for name in periods:
            if name in S202_REVIEW_TYPES:
                raise ValueError(f"{name}: a review under s202 of the Housing Act 1996 is decided within the period "
                                 "reg 9 of the Homelessness (Review Procedure etc.) Regulations 2018 sets; a scheme "
                                 "cannot change it")
            if name not in PART6_REVIEW_TYPES:
                raise ValueError(f"{name}: not a Part 6 review type (one of {', '.join(PART6_REVIEW_TYPES)})")
        return periods

    @model_validator(mode="after")
    def _plausible(self) -> "Reviews":
        problems = check_part6_periods(self.request_within_days, self.decide_within_days)
        for name, days in self.decide_within_days_by_type.items():
            problems += [f"decide_within_days_by_type.{name}: {problem.split(' ', 1)[1]}"
                         for problem in check_part6_periods(self.request_within_days, days)]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def decide_within(self, decision_type: str) -> int:
        return self.decide_within_days_by_type.get(decision_type, self.decide_within_days)

    def periods(self, decision_type: str) -> Part6Periods:
        return Part6Periods(self.request_within_days, self.decide_within(decision_type))


class Enquiries(_Strict):
    """Members' enquiries and complaints about allocations, in two stages: UK working days to acknowledge and
    answer at stage 1 (from the day received), and to answer at stage 2 (from the day it was asked for).

    The council's own periods: no statute sets them. The bounds keep them plausible: an acknowledgement
    comes before the answer, and stage 2, which looks at the whole matter again, has at least as long as
    stage 1 had (the Housing Ombudsman's Complaint Handling Code, which councils' landlord services follow,
    gives 10 working days at stage 1 and 20 at stage 2)."""

    acknowledge_working_days: int = Field(default=3, ge=0, le=60)
    member_answer_working_days: int = Field(default=10, ge=1, le=120)
    complaint_answer_working_days: int = Field(default=10, ge=1, le=120)
    stage_two_answer_working_days: int = Field(default=20, ge=1, le=120)

    @model_validator(mode="after")
    def _stages_in_order(self) -> "Enquiries":
        stage_one = min(self.member_answer_working_days, self.complaint_answer_working_days)
        if self.acknowledge_working_days >= stage_one:
            raise ValueError(f"acknowledge_working_days ({self.acknowledge_working_days}) must be fewer than the "
                             f"days to answer ({stage_one}): an acknowledgement comes before the answer")
        longest = max(self.member_answer_working_days, self.complaint_answer_working_days)
        if self.stage_two_answer_working_days < longest:
            raise ValueError(f"stage_two_answer_working_days ({self.stage_two_answer_working_days}) must be at "
                             f"least the days to answer at stage 1 ({longest}): stage 2 looks at it all again")
        return self


class Voids(_Strict):
    """The council's own target for re-letting an empty home, in calendar days from the day after the tenancy ended
    (as the void clock counts them: cbl/services/void_clock.py). A local performance target, not the law's: a home
    empty longer is on the officers' work queue."""

    target_days: StrictInt = Field(default=28, ge=1, le=365)


class Register(_Strict):
    annual_review: bool = True
    review_response_days: int = Field(ge=1, le=365)
    reinstate_within_days: int = Field(ge=0, le=365)


class Panels(_Strict):
    """Medical, welfare and occupational therapy panels: the UK working days from a referral within which its
    panel should have decided. The council's own target: no statute sets one, but the Local Government and Social
    Care Ombudsman finds fault in medical priority decided "with undue delay", so each referral carries its day."""

    decide_within_working_days: StrictInt = Field(default=20, ge=1, le=120)


class Exchanges(_Strict):
    """Mutual exchanges between social tenants: the areas a listed home may be in and a household may ask for (the
    council's and its providers' areas), and how many bedrooms beyond its need a home may have and still suit a
    household (0 for none: the bedroom need exactly). The consent rules themselves are the law's
    (cbl/rules/exchange_consent.py), not the scheme's."""

    areas: list[str] = Field(default_factory=list)
    extra_bedrooms: StrictInt = Field(default=1, ge=0, le=3)

    @field_validator("areas")
    @classmethod
    def _named_once(cls, areas: list[str]) -> list[str]:
        if any(not area.strip() or len(area) > 100 for area in areas):
            raise ValueError("each area needs a name of at most 100 characters")
        if len(set(areas)) != len(areas):
            raise ValueError("each area may appear once")
        return areas


class Coded(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    label: str = Field(min_length=1)


C = TypeVar("C", bound=Coded)


def _unique_codes(items: "list[C]") -> "list[C]":
    codes = [item.code for item in items]
    if len(set(codes)) != len(codes):
        raise ValueError("each code may appear once")
    return items


class Shortlisting(_Strict):
    skip_reasons: list[Coded] = Field(min_length=1)
    # The skip reasons the scheme treats as decisions on the household (s166A(9)): each is told to the
    # household by letter, with the right to a review.
    decision_reasons: list[str] = []

    @model_validator(mode="after")
    def _decisions_are_skip_reasons(self) -> "Shortlisting":
        unknown = set(self.decision_reasons) - {reason.code for reason in self.skip_reasons}
        if unknown:
            raise ValueError(f"decision_reasons names codes not in skip_reasons: {sorted(unknown)}")
        return self

    @field_validator("skip_reasons")
    @classmethod
    def _unique(cls, items: list[Coded]) -> list[Coded]:
        return _unique_codes(items)


class WithdrawalReason(Coded):
    """Why an offer may be withdrawn, and what becomes of the household's shortlist place: "kept" (verified
    again, to be offered again if the home can be let: the household did nothing wrong) or "passed_over"
    (skipped: a decision on the household, told by letter with the right to a review under s166A(9))."""

    place: Literal["kept", "passed_over"]
    note_required: bool = False


DEFAULT_WITHDRAWAL_REASONS = [
    WithdrawalReason(code="home_unavailable", label="The home is no longer available", place="kept"),
    WithdrawalReason(code="verification_failed", label="We could not verify the household's circumstances",
                     place="passed_over"),
    WithdrawalReason(code="circumstances_changed", label="The household's circumstances have changed",
                     place="passed_over"),
    WithdrawalReason(code="made_in_error", label="The offer was made in error", place="kept"),
    WithdrawalReason(code="other", label="Another reason", place="kept", note_required=True),
]


class Offers(_Strict):
    response_working_days: int = Field(ge=1, le=30)
    final_offer_response_working_days: int = Field(ge=1, le=30)
    # An offer not answered by its deadline lapses. If this is true the lapse is treated as a refusal: recorded
    # as one, judged by an officer like any other, and so counted towards the refusal penalty if unreasonable.
    lapse_counts_as_refusal: StrictBool = False
    withdrawal_reasons: list[WithdrawalReason] = Field(default=DEFAULT_WITHDRAWAL_REASONS, min_length=1)
    # A home advertised this many times without being let (each advert withdrawn after its cycle closed) may be
    # let directly, outside bidding, with a manager's approval; 0: the scheme does not allow it.
    direct_let_after_unsuccessful_cycles: StrictInt = Field(default=0, ge=0, le=12)
    # The checks recorded as passed on a shortlist place before its household may be offered the home
    # (cbl/rules/pre_offer_checks.py): the verification of its circumstances always, and a fraud check if listed.
    checks_before_offer: list[OfferCheckKind] = [OfferCheckKind.VERIFICATION]

    @field_validator("withdrawal_reasons")
    @classmethod
    def _unique(cls, items: list[WithdrawalReason]) -> list[WithdrawalReason]:
        return _unique_codes(items)

    @field_validator("checks_before_offer")
    @classmethod
    def _verification_first(cls, kinds: list[OfferCheckKind]) -> list[OfferCheckKind]:
        if OfferCheckKind.VERIFICATION not in kinds:
            raise ValueError("must include \"verification\": no offer is made before the household's circumstances "
                             "are verified")
        if len(set(kinds)) != len(kinds):
            raise ValueError("each check may appear once")
        return kinds

    def withdrawal_reason(self, code: str) -> WithdrawalReason | None:
        return next((reason for reason in self.withdrawal_reasons if reason.code == code), None)


class Nominations(_Strict):
    decline_grounds: list[Coded] = Field(min_length=1)

    @field_validator("decline_grounds")
    @classmethod
    def _unique(cls, items: list[Coded]) -> list[Coded]:
        return _unique_codes(items)


EXEMPTIONS = ("armed_forces", "homelessness", "leaving_care")


class Applying(_Strict):
    """Applying online: which priority circumstances the application asks about, the council's qualification
    criteria (s160ZA(7) Housing Act 1996: its own choice, within the limits below), and how long a draft is kept.
    """

    area_name: str = Field(default="the area", min_length=1, max_length=100)  # as households know it
    priorities: list[str] = Field(default_factory=lambda: list(PRIORITIES), min_length=1)
    # Years of residence in the area before an application qualifies; 0 for no residence test.
    residence_years: StrictInt = Field(default=0, ge=0, le=10)
    residence_exemptions: list[str] = ["armed_forces"]
    # The financial test, in pounds a year (income) and pounds held (savings); 0 for no test. Without either
    # the income and savings questions are not asked.
    income_limit: StrictInt = Field(default=0, ge=0, le=1_000_000)
    savings_limit: StrictInt = Field(default=0, ge=0, le=10_000_000)
    financial_exemptions: list[str] = []
    # A draft not saved again for this many days is deleted, with a warning this many days before.
    draft_days: StrictInt = Field(default=90, ge=14, le=365)
    draft_warning_days: StrictInt = Field(default=14, ge=1, le=60)

    @field_validator("priorities")
    @classmethod
    def _known_priorities(cls, codes: list[str]) -> list[str]:
        unknown = sorted(set(codes) - set(PRIORITIES))
        if unknown:
            raise ValueError(f"unknown priorities {unknown}: each is one of {', '.join(PRIORITIES)}")
        return codes

    @field_validator("residence_exemptions", "financial_exemptions")
    @classmethod
    def _known_exemptions(cls, codes: list[str]) -> list[str]:
        unknown = sorted(set(codes) - set(EXEMPTIONS))
        if unknown:
            raise ValueError(f"unknown exemptions {unknown}: each is one of {', '.join(EXEMPTIONS)}")
        return codes

    @model_validator(mode="after")
    def _lawful(self) -> "Applying":
        # The Allocation of Housing (Qualification Criteria for Armed Forces) (England) Regulations 2012
        # (SI 2012/1869), reg 3: a residence (local connection) test must not be applied to members and recent
        # former members of the regular forces, bereaved spouses and civil partners, or injured reservists.
        if self.residence_years and "armed_forces" not in self.residence_exemptions:
            raise ValueError("residence_exemptions must include \"armed_forces\" when residence_years is set: "
                             "SI 2012/1869 reg 3 exempts armed forces households from a residence test")
        exempted = set(self.residence_exemptions) | set(self.financial_exemptions)
        if "armed_forces" in exempted and "armed_forces" not in self.priorities:
            raise ValueError("an armed_forces exemption needs \"armed_forces\" in priorities, so it is asked")
        if self.draft_warning_days >= self.draft_days:
            raise ValueError("draft_warning_days must be fewer than draft_days: the warning comes first")
        return self

    @property
    def financial_test(self) -> bool:
        return bool(self.income_limit or self.savings_limit)


class Downsizing(_Strict):
    """Households under-occupying a social home who move to a smaller one (cbl/rules/moves.py): the band they are
    given (from the day they are marked, unless they hold a better one: docs/decisions/0023-downsizing-and-decants.md),
    and the council's incentive, in pence: so much per bedroom released, removal costs up to their maximum, and an
    overall maximum for the two together. The council's own policy: no statute sets these."""

    band: str = Field(min_length=1)
    per_bedroom_pence: StrictInt = Field(default=0, ge=0, le=10_000_000)
    removal_costs_maximum_pence: StrictInt = Field(default=0, ge=0, le=10_000_000)
    overall_maximum_pence: StrictInt = Field(default=0, ge=0, le=10_000_000)
    offset_arrears: StrictBool = False


class HomeLossAmounts(_Strict):
    """The amounts of a home loss payment prescribed for displacements on or after `from` (s30(1), (2) and (5) Land
    Compensation Act 1973; the Home Loss Payments (Prescribed Amounts) (England) Regulations of each year)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    in_force_from: date = Field(alias="from")
    tenant_pence: StrictInt = Field(gt=0, le=100_000_000)
    owner_minimum_pence: StrictInt = Field(gt=0, le=100_000_000)
    owner_maximum_pence: StrictInt = Field(gt=0, le=1_000_000_000)

    @model_validator(mode="after")
    def _minimum_below_maximum(self) -> "HomeLossAmounts":
        if self.owner_minimum_pence > self.owner_maximum_pence:
            raise ValueError("owner_minimum_pence must not exceed owner_maximum_pence")
        return self


class Decants(_Strict):
    """Households moved out of homes a regeneration scheme needs empty: the band they are given, the home loss amounts
    in force by date (the law's, copied here with their dates because they change each year by regulations), and
    whether rent arrears may be offset against what is paid to them (the council's policy)."""

    band: str = Field(min_length=1)
    home_loss: list[HomeLossAmounts] = Field(min_length=1)
    offset_arrears: StrictBool = False

    @field_validator("home_loss")
    @classmethod
    def _dated_once_each(cls, amounts: list[HomeLossAmounts]) -> list[HomeLossAmounts]:
        days = [amount.in_force_from for amount in amounts]
        if len(set(days)) != len(days):
            raise ValueError("each date may appear once")
        return sorted(amounts, key=lambda amount: amount.in_force_from)


class Scheme(_Strict):
    name: str = Field(min_length=1)
    bands: Bands
    ranking: Ranking = Ranking()
    bidding: Bidding
    cycle: CyclePattern
    offers: Offers
    refusals: Refusals
    bedroom_need: BedroomNeed
    reviews: Reviews
    enquiries: Enquiries = Enquiries()
    voids: Voids = Voids()
    housing_register: Register = Field(alias="register")
    shortlisting: Shortlisting
    nominations: Nominations
    application: Applying = Applying()
    panels: Panels = Panels()
    downsizing: Downsizing | None = None
    decants: Decants | None = None

    @model_validator(mode="after")
    def _moves_bands_known(self) -> "Scheme":
        for section in (self.downsizing, self.decants):
            if section is not None and section.band not in self.bands.order:
                name = "downsizing" if section is self.downsizing else "decants"
                raise ValueError(f"{name}.band must be one of bands.order ({', '.join(self.bands.order)})")
        return self
    exchanges: Exchanges = Exchanges()

    @model_validator(mode="after")
    def _points_rank_first(self) -> "Scheme":
        if self.bands.uses_points and "points" not in self.ranking.tie_breakers:
            raise ValueError("ranking.tie_breakers must include 'points' when bands.uses_points is true")
        return self


class SchemeError(ValueError):
    """The scheme file cannot be used; the message names the file and the field."""


def load_scheme(path: Path | str) -> Scheme:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SchemeError(f"scheme file {path} not found (set CBL_SCHEME to the scheme's path)") from None
    except tomllib.TOMLDecodeError as error:
        raise SchemeError(f"scheme file {path} is not valid TOML: {error}") from None
    try:
        return Scheme.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in issue['loc']) or '(top level)'}: {issue['msg']}"
            for issue in error.errors()
        )
        raise SchemeError(f"scheme file {path}: {problems}") from None
