"""The national CORE lettings return for 2026/27: the project's lets as CORE's bulk-upload CSV.

CORE ("submit social housing lettings and sales data", MHCLG) logs every social let in England;
landlords may upload their logs as a CSV laid out like the official template. `export` copies the
template's eight header rows unchanged and writes one row per let it can fill, and lists every
other let with the reasons it cannot be written: no row breaks the template's rules (a required
field left empty, an answer outside the field's codes or range). CORE's own further checks, such
as whether the organisations exist or a rent looks plausible, are left to its importer.

The template and its field specification are packaged, unchanged, in `cbl/reports/core/`:
- `2026_27_lettings_bulk_upload.csv`, the official template (header rows, then one example row);
- `field_spec.csv`, one row per field: question, values, "can be empty?", answer codes.
`FIELDS` below says how each field is filled from a `LetRecord`. Fields the project never holds
are `NOT_HELD`: they can only be filled from answers recorded for the let outside the project's
tables (`LetRecord.core_answers`, e.g. from the tenancy sign-up form), so a required one that
was not recorded makes the let incomplete.

Reading the template:
- its "Values" and "Can be empty?" cells are merged across runs of columns, and a CSV keeps a
  merged cell's text in the first column only; an empty cell therefore repeats the one before;
- "Can be empty? Yes, if ..." is decided by `EMPTY_ALLOWED_WHEN`, written from the wording
  (its slips noted where they are) and from how the importer reads the answers; a conditional
  field with no entry there is treated as required, so new wording can make lets incomplete but
  never lets an empty answer through.

A let whose tenancy starts outside the collection year (1 April 2026 to 31 March 2027) is listed
as incomplete rather than raising, so one stray let does not stop a council's whole return.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from enum import Enum, IntEnum
from fractions import Fraction
from functools import cache, cached_property, lru_cache
from importlib.resources import files
from types import MappingProxyType
from typing import Final
from cbl.reports.csv_files import csv_text
from cbl.rules.digits import only_digits

COLLECTION_YEAR = (date(2026, 4, 1), date(2027, 3, 31))
TEMPLATE = "core/2026_27_lettings_bulk_upload.csv"
FIELD_SPEC = "core/field_spec.csv"
# Section, Question, Additional info, Values, Can be empty?, Type of letting, Duplicate check, Field number
HEADER_ROWS = 8
MAX_PEOPLE = 8  # the template has columns for the lead tenant and persons 2 to 8


# The enums' values are CORE's answer codes, so a member is written as its value.


class RentType(IntEnum):
    SOCIAL_RENT = 1
    AFFORDABLE_RENT = 2
    LONDON_AFFORDABLE_RENT = 3
    RENT_TO_BUY = 4
    LONDON_LIVING_RENT = 5
    OTHER_INTERMEDIATE_RENT = 6
    SPECIFIED_ACCOMMODATION = 7


class TenancyType(IntEnum):
    ASSURED_LIFETIME = 2
    OTHER = 3
    ASSURED_SHORTHOLD_FIXED_TERM = 4
    LICENCE = 5
    SECURE_FIXED_TERM = 6
    SECURE_LIFETIME = 7
    PERIODIC = 8


class RentPeriod(IntEnum):
    WEEKLY_52 = 1
    FORTNIGHTLY = 2
    FOUR_WEEKLY = 3
    MONTHLY = 4
    WEEKLY_50 = 5
    WEEKLY_49 = 6
    WEEKLY_48 = 7
    WEEKLY_47 = 8
    WEEKLY_46 = 9
    WEEKLY_53 = 10
    WEEKLY_51 = 11  # the template says 1-10; the importer also takes 11


class VacancyReason(IntEnum):
    TENANT_DIED = 5
    TENANT_ABANDONED = 6
    TENANT_MOVED_TO_PRIVATE_OR_OTHER = 8
    RELET_TO_TEMPORARY_OCCUPANT = 9
    EVICTED_RENT_ARREARS = 10
    EVICTED_ASB = 11
    TENANT_MOVED_TO_OTHER_SOCIAL_LANDLORD = 12
    INTERNAL_TRANSFER = 13
    RENEWAL_OF_FIXED_TERM = 14
    FIRST_LET_NEW_BUILD = 15
    FIRST_LET_CONVERSION_OR_ACQUISITION = 16
    FIRST_LET_LEASED = 17
    TENANT_MOVED_TO_CARE_HOME = 18
    SUCCESSION_DOWNSIZE = 19
    TENANT_MOVED_TO_LONG_STAY_HOSPITAL = 20
    EVICTED_RENT_ARREARS_AND_ASB = 21
    OTHER = 22


FIRST_LET_REASONS = frozenset(
    {
        VacancyReason.FIRST_LET_NEW_BUILD,
        VacancyReason.FIRST_LET_CONVERSION_OR_ACQUISITION,
        VacancyReason.FIRST_LET_LEASED,
    }
)


class EconomicStatus(IntEnum):
    OTHER = 0
    FULL_TIME = 1
    PART_TIME = 2
    GOVERNMENT_TRAINING = 3
    JOBSEEKER = 4
    RETIRED = 5
    NOT_SEEKING_WORK = 6
    FULL_TIME_STUDENT = 7
    UNABLE_TO_WORK = 8
    CHILD_UNDER_16 = 9
    PREFERS_NOT_TO_SAY = 10


class PreferenceReason(str, Enum):
    """The statutory reasonable-preference groups a band stands for (Housing Act 1996 s166A(3))."""

    HOMELESS = "homeless"
    UNSANITARY_OR_OVERCROWDED = "unsanitary_or_overcrowded"
    MEDICAL_OR_WELFARE = "medical_or_welfare"
    HARDSHIP = "hardship"


# The project's property types and relationships (cbl.models.states), by value.
UNIT_TYPE = {"flat": 1, "maisonette": 1, "bedsit": 2, "house": 7, "bungalow": 8}
RELATIONSHIPS = frozenset({"lead", "partner", "child", "parent", "other_adult", "other_child"})
SEXES = frozenset({"F", "M", "R"})  # R: prefers not to say


def _plain(value: object) -> object:
    """An enum member's value, so that the project's str enums and plain strings are alike."""
    return value.value if isinstance(value, Enum) else value


@dataclass(frozen=True)
class Occupant:
    """One person in the new household, as at the tenancy start."""

    age: int
    relationship: str  # to the lead tenant: lead, partner, child, parent, other_adult, other_child
    sex: str | None = None  # "F", "M" or "R" (prefers not to say); None: not recorded
    economic_status: EconomicStatus | None = None  # under-16s are always "child", whatever is given

    def __post_init__(self) -> None:
        object.__setattr__(self, "relationship", _plain(self.relationship))
        object.__setattr__(self, "sex", _plain(self.sex))
        if self.relationship not in RELATIONSHIPS:
            raise ValueError(f"unknown relationship {self.relationship!r}")
        if self.sex is not None and self.sex not in SEXES:
            raise ValueError(f"unknown sex {self.sex!r}: use F, M or R")
        if self.economic_status is not None:
            object.__setattr__(self, "economic_status", EconomicStatus(self.economic_status))
        if self.economic_status == EconomicStatus.CHILD_UNDER_16 and self.age >= 16:
            raise ValueError(f"a person aged {self.age} cannot have the economic status 'child under 16'")


@dataclass(frozen=True)
class LetRecord:
    """What the project knows about one let, in its own terms; None is "not held"."""

    let_reference: str
    owning_organisation: str  # the stock owner's CORE organisation ID
    managing_organisation: str  # the managing organisation's CORE organisation ID
    owner_is_local_authority: bool  # the council's own stock, rather than a registered provider's
    tenancy_start: date
    # The home
    postcode: str
    property_type: str  # flat, house, bungalow, maisonette, bedsit
    bedrooms: int
    first_let: bool  # never let as social housing before (new build, conversion, acquisition, lease)
    void_date: date | None  # when the last tenancy ended; for a first let, when the home became available
    # Money is in pence per week, as the project keeps it, so that sums are exact.
    weekly_rent_pence: int
    weekly_service_charge_pence: int
    household: tuple[Occupant, ...]  # the lead tenant first
    uprn: str | None = None
    address_line1: str | None = None
    town_or_city: str | None = None
    local_authority: str | None = None  # ONS code of the home's district, e.g. E07000178
    property_reference: str | None = None
    wheelchair_adapted: bool | None = None
    vacancy_reason: VacancyReason | None = None
    supported_housing: bool = False
    # The tenancy
    rent_type: RentType | None = None
    tenancy_type: TenancyType | None = None  # the main tenancy, after any starter or introductory period
    starter_tenancy: bool | None = None  # begins with a starter or introductory period
    tenancy_length_years: int | None = None  # fixed-term tenancies only
    rent_period: RentPeriod = RentPeriod.WEEKLY_52
    # The lead tenant's ethnic group (CORE code) and nationality (ISO 3166-1 numeric, 826 = UK).
    lead_ethnicity: int | None = None
    lead_nationality: int | None = None
    # Housing need
    registration_date: date | None = None  # joined the housing register
    reasonable_preference: frozenset[PreferenceReason] | None = None  # from the band; empty: none given
    homeless_duty: bool = False  # owed a homelessness duty, so assessed homeless by the council
    transfer_tenant: bool = False  # an existing tenant of the owning landlord moving home
    # How it was let
    cbl: bool = False  # let through choice-based lettings (bidding)
    nominated_by_council: bool = False  # a provider's home, let to the council's nominee
    direct_offer: bool = False  # offered by an officer without bidding
    # Answers to questions the project does not hold (NOT_HELD fields), by CORE field number,
    # e.g. from the sign-up form; each is checked against the field specification.
    core_answers: Mapping[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "property_type", _plain(self.property_type))
        object.__setattr__(self, "household", tuple(self.household))
        object.__setattr__(
            self, "core_answers", MappingProxyType({int(k): str(v) for k, v in self.core_answers.items()})
        )
        self._check_let()
        self._coerce_enums()
        self._check_core_answers()

    def _check_let(self) -> None:
        if self.property_type not in UNIT_TYPE:
            raise ValueError(f"{self.let_reference}: unknown property type {self.property_type!r}")
        if not self.household or self.household[0].relationship != "lead":
            raise ValueError(f"{self.let_reference}: the household must start with its lead tenant")
        if any(person.relationship == "lead" for person in self.household[1:]):
            raise ValueError(f"{self.let_reference}: a household has one lead tenant")
        if self.cbl and self.direct_offer:
            raise ValueError(f"{self.let_reference}: a let is either bid for (cbl) or a direct offer, not both")
        if self.nominated_by_council and self.owner_is_local_authority:
            raise ValueError(f"{self.let_reference}: the council nominates to providers' homes, not its own")

    def _coerce_enums(self) -> None:
        for name, kind in ENUM_FIELDS.items():
            if getattr(self, name) is not None:
                object.__setattr__(self, name, kind(getattr(self, name)))
        if self.reasonable_preference is not None:
            object.__setattr__(
                self, "reasonable_preference", frozenset(map(PreferenceReason, self.reasonable_preference))
            )

    def _check_core_answers(self) -> None:
        unknown = sorted(number for number in self.core_answers if number not in FIELDS)
        if unknown:
            raise ValueError(f"{self.let_reference}: CORE has no fields {unknown}")
        # Answers fill what the project does not hold; they never overwrite what it does.
        held = sorted(number for number in self.core_answers
                      if FIELDS[number] is not NOT_HELD and _cell(FIELDS[number](self)))
        if held:
            raise ValueError(f"{self.let_reference}: fields {held} are filled from the let itself, not core_answers")

    def __hash__(self) -> int:
        # Kept rather than generated: the answers are a read-only mapping, which Python does not hash. The
        # field names are listed once (_LET_FIELDS): `problems` hashes every let of a year on each showing.
        return hash(tuple(tuple(sorted(self.core_answers.items())) if name == "core_answers"
                          else getattr(self, name) for name in _LET_FIELDS))


_LET_FIELDS = tuple(f.name for f in fields(LetRecord))


ENUM_FIELDS = {
    "vacancy_reason": VacancyReason,
    "rent_type": RentType,
    "tenancy_type": TenancyType,
    "rent_period": RentPeriod,
}


@dataclass(frozen=True)
class Incomplete:
    let_reference: str
    reasons: list[str]


@dataclass(frozen=True)
class CoreExport:
    ready: tuple[LetRecord, ...]  # the lets written, in row order
    written: list[str]  # their references
    incomplete: list[Incomplete]

    @cached_property
    def csv_text(self) -> str:
        """The template's header rows, then one row per written let (drawn when asked for: the return's
        page shows only what is ready and what is not)."""
        template = _template()
        # Column A holds row labels; the template's example row leaves it empty.
        rows = [["", *(row[number] for number in template.columns)] for row in map(_row, self.ready)]
        # The official template's header rows go out byte for byte; only the lets' cells pass the formula guard.
        return csv_text(rows, preamble=template.header, line_end="\n")

    def to_bytes(self) -> bytes:
        # With a byte-order mark, as the official template has, so spreadsheets read it as UTF-8.
        return self.csv_text.encode("utf-8-sig")


# How each field is filled ---------------------------------------------------------------------

Source = Callable[[LetRecord], object]
NOT_HELD: Final = None


def _two_digit_year(day: date) -> str:
    return f"{day.year % 100:02d}"


# A full UK postcode without its space: outward part (area, district), inward part (sector, unit).
_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?|GIR)([0-9][A-Z]{2})")


def _compact_postcode(let: LetRecord) -> str:
    return "".join(let.postcode.split()).upper()


def _postcode(let: LetRecord) -> tuple[str, str]:
    # CORE takes the outward part and the inward part (always the last three characters) apart.
    compact = _compact_postcode(let)
    return compact[:-3], compact[-3:]


def _yes_no(answer: bool | None) -> int | None:
    return None if answer is None else (1 if answer else 2)


def _void(part: Callable[[date], object]) -> Source:
    return lambda let: None if let.void_date is None else part(let.void_date)


def _economic_status(person: Occupant) -> int | None:
    # CORE takes "child under 16" for every under-16 and for no one else.
    return EconomicStatus.CHILD_UNDER_16 if person.age < 16 else person.economic_status


def _person(number: int, part: Callable[[Occupant], object]) -> Source:
    return lambda let: part(let.household[number - 1]) if len(let.household) >= number else None


def _other_person_fields(number: int) -> dict[int, Source | None]:
    first = 48 + 6 * (number - 2)
    return {
        # CORE asks for 1 for a child under one year old.
        first: _person(number, lambda person: max(person.age, 1)),
        first + 1: _person(number, lambda person: 1 if person.relationship == "partner" else 2),
        first + 2: _person(number, lambda person: person.sex),
        first + 3: NOT_HELD,  # is their gender the same as their sex registered at birth?
        first + 4: NOT_HELD,  # their gender identity, if not
        first + 5: _person(number, _economic_status),
    }


def _full_years(start: date, end: date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


# Time on the housing register: (at least this many full years, CORE code), longest first.
REGISTER_TIME_CODES = ((10, 12), (5, 11), (4, 10), (3, 9), (2, 8), (1, 7), (0, 2))


def _time_on_register(let: LetRecord) -> int | None:
    if let.registration_date is None or let.registration_date > let.tenancy_start:
        return None
    years = _full_years(let.registration_date, let.tenancy_start)
    return next(code for least, code in REGISTER_TIME_CODES if years >= least)


def _reasonable_preference(let: LetRecord) -> int | None:
    if let.reasonable_preference is None:
        return None
    return 1 if let.reasonable_preference else 2


def _preference_for(reason: PreferenceReason) -> Source:
    return lambda let: 1 if let.reasonable_preference and reason in let.reasonable_preference else None


def _la_referral(let: LetRecord) -> int | None:
    # 2: internal transfer of the council's own tenant; 3: from the housing register. A direct
    # offer is still made to a household on the register.
    if not let.owner_is_local_authority:
        return None
    return 2 if let.transfer_tenant else 3


def _per_rent_period(pence_per_week: Callable[[LetRecord], int]) -> Source:
    return lambda let: _money(pence_per_week(let) * WEEKS_PER_RENT_PERIOD[let.rent_period])


# CORE wants each charge per rent period; the project keeps the charge for a week in which rent is due.
WEEKS_PER_RENT_PERIOD = {period: Fraction(1) for period in RentPeriod} | {
    RentPeriod.FORTNIGHTLY: Fraction(2),
    RentPeriod.FOUR_WEEKLY: Fraction(4),
    RentPeriod.MONTHLY: Fraction(52, 12),
}


def _money(pence: Fraction) -> str:
    whole = math.floor(pence + Fraction(1, 2))  # to the nearest penny, halves up
    return f"{whole // 100}.{whole % 100:02d}"


FIELDS: dict[int, Source | None] = {
    # Setting up this lettings log
    1: lambda let: let.owning_organisation,
    2: lambda let: let.managing_organisation,
    3: NOT_HELD,  # the CORE account to assign the log to; empty assigns it to the uploader
    4: lambda let: 2 if let.supported_housing else 1,
    5: NOT_HELD,  # supported housing scheme
    6: NOT_HELD,  # supported housing location
    # The project lets homes to households on its register; it makes no renewals to a sitting tenant.
    7: lambda let: 2,
    8: lambda let: let.tenancy_start.day,
    9: lambda let: let.tenancy_start.month,
    10: lambda let: _two_digit_year(let.tenancy_start),
    11: lambda let: let.rent_type,
    12: NOT_HELD,  # name of the "other" intermediate rent product
    13: NOT_HELD,  # tenant code
    14: lambda let: let.property_reference,
    15: NOT_HELD,  # the tenant has seen the MHCLG privacy notice
    # Property information
    16: lambda let: let.vacancy_reason,
    17: NOT_HELD,  # what the home was last let as
    18: lambda let: let.uprn,
    19: lambda let: let.address_line1,
    20: NOT_HELD,
    21: lambda let: let.town_or_city,
    22: NOT_HELD,
    23: lambda let: _postcode(let)[0],
    24: lambda let: _postcode(let)[1],
    25: lambda let: let.local_authority,
    26: lambda let: UNIT_TYPE[let.property_type],
    27: lambda let: _yes_no(let.wheelchair_adapted),
    # CORE counts a bedsit as one bedroom.
    28: lambda let: 1 if let.property_type == "bedsit" else let.bedrooms,
    29: _void(lambda day: day.day),
    30: _void(lambda day: day.month),
    31: _void(_two_digit_year),
    32: NOT_HELD,  # major repairs completion date
    33: NOT_HELD,
    34: NOT_HELD,
    35: NOT_HELD,  # older people's housing (supported housing)
    # Tenancy information
    36: NOT_HELD,  # joint tenancy
    37: lambda let: _yes_no(let.starter_tenancy),
    38: lambda let: let.tenancy_type,
    39: NOT_HELD,  # the "other" tenancy type
    40: lambda let: let.tenancy_length_years,
    # Household characteristics: the lead tenant, then persons 2 to 8
    41: _person(1, lambda person: person.age),
    42: _person(1, lambda person: person.sex),
    43: NOT_HELD,  # gender same as sex registered at birth
    44: NOT_HELD,
    45: lambda let: let.lead_ethnicity,
    46: lambda let: let.lead_nationality,
    47: _person(1, _economic_status),
    **{
        number: source for person in range(2, MAX_PEOPLE + 1) for number, source in _other_person_fields(person).items()
    },
    # Household needs
    90: NOT_HELD,  # armed forces
    91: NOT_HELD,
    92: NOT_HELD,
    93: NOT_HELD,  # pregnancy
    **{number: NOT_HELD for number in range(94, 100)},  # disabled access needs
    100: NOT_HELD,  # long-term illness
    **{number: NOT_HELD for number in range(101, 111)},  # how the illness affects them
    # Household situation
    111: NOT_HELD,  # time lived in the district
    112: _time_on_register,
    113: NOT_HELD,  # reason for leaving the last settled home
    114: NOT_HELD,
    115: NOT_HELD,  # where the household lived immediately before
    # 11 is "assessed by a local authority as homeless"; the council owes a duty only after assessing so.
    116: lambda let: 11 if let.homeless_duty else 1,
    117: NOT_HELD,  # postcode of the last settled home known?
    118: NOT_HELD,
    119: NOT_HELD,
    120: NOT_HELD,
    121: _reasonable_preference,
    122: _preference_for(PreferenceReason.HOMELESS),
    123: _preference_for(PreferenceReason.UNSANITARY_OR_OVERCROWDED),
    124: _preference_for(PreferenceReason.MEDICAL_OR_WELFARE),
    125: _preference_for(PreferenceReason.HARDSHIP),
    126: NOT_HELD,  # reasonable preference, reason not known
    127: lambda let: _yes_no(let.cbl),
    128: NOT_HELD,  # common allocation policy
    129: NOT_HELD,  # common housing register
    130: NOT_HELD,  # accessible housing register
    131: _la_referral,
    # A provider's home let to the council's nominee: "from an LA housing register", "nominated by a local authority".
    132: lambda let: 6 if let.nominated_by_council else None,
    133: lambda let: 1 if let.nominated_by_council else None,
    134: NOT_HELD,  # who referred the household to the council
    # Income, benefits and outgoings
    **{number: NOT_HELD for number in range(135, 141)},
    141: lambda let: let.rent_period,
    142: _per_rent_period(lambda let: let.weekly_rent_pence),
    143: _per_rent_period(lambda let: let.weekly_service_charge_pence),
    144: NOT_HELD,  # personal service charge
    145: NOT_HELD,  # support charge
    146: NOT_HELD,  # shortfall after housing benefit
    147: NOT_HELD,
}


# When a "Can be empty? Yes, if ..." field may be empty -----------------------------------------

Row = Mapping[int, str]
Condition = Callable[[Row, LetRecord], bool]


def _is(number: int, *answers: str) -> Condition:
    return lambda row, let: row[number] in answers


def _is_not(number: int, *answers: str) -> Condition:
    return lambda row, let: row[number] not in answers


def _filled(*numbers: int) -> Condition:
    return lambda row, let: all(row[number] for number in numbers)


def _all_empty(numbers: Iterable[int]) -> Condition:
    numbers = tuple(numbers)
    return lambda row, let: not any(row[number] for number in numbers)


def _either(*conditions: Condition) -> Condition:
    return lambda row, let: any(condition(row, let) for condition in conditions)


def _another_ticked(group: Iterable[int], number: int) -> Condition:
    # Tick boxes: the group needs one ticked, not each box.
    others = tuple(other for other in group if other != number)
    return lambda row, let: any(row[other] == "1" for other in others)


def _under_16(number: int) -> Condition:
    return lambda row, let: only_digits(row[number]) and int(row[number]) < 16


RENEWAL = _is(7, "1")
GENERAL_NEEDS = _is(4, "1")
SUPPORTED_HOUSING = _is(4, "2")
OWNER_IS_LA: Condition = lambda row, let: let.owner_is_local_authority  # noqa: E731
OWNER_IS_PROVIDER: Condition = lambda row, let: not let.owner_is_local_authority  # noqa: E731


def _other_person_conditions(number: int) -> dict[int, Condition]:
    # The wording for some persons points at the wrong fields (e.g. "field 46 < 16" for person 2,
    # "fields 59 - 62" for person 5); each person's own fields are meant.
    first = 48 + 6 * (number - 2)
    absent = _all_empty(range(first, first + 6))
    return {
        first: absent,
        first + 1: _either(_under_16(first), absent),
        first + 2: absent,
        first + 3: absent,
        first + 4: _either(_is_not(first + 3, "2"), absent),
        first + 5: absent,
    }


EMPTY_ALLOWED_WHEN: dict[int, Condition] = {
    5: GENERAL_NEEDS,
    6: GENERAL_NEEDS,
    12: _is_not(11, "6"),
    16: RENEWAL,
    17: _either(RENEWAL, _is(16, "15", "16", "17")),
    18: _filled(23, 24),
    19: _filled(18, 25),
    21: _filled(18, 25),
    23: _filled(18, 25),
    # Field 25's wording spans 25-28: a supported housing location supplies them.
    25: SUPPORTED_HOUSING,
    26: SUPPORTED_HOUSING,
    27: SUPPORTED_HOUSING,
    28: SUPPORTED_HOUSING,
    29: RENEWAL,
    30: RENEWAL,
    31: RENEWAL,
    35: GENERAL_NEEDS,
    39: _is_not(38, "3"),
    40: _is_not(38, "4", "6"),
    44: _is_not(43, "2"),
    **{
        number: condition
        for person in range(2, MAX_PEOPLE + 1)
        for number, condition in _other_person_conditions(person).items()
    },
    91: _is_not(90, "1"),
    92: _is_not(90, "1", "4"),
    **{number: _another_ticked(range(94, 100), number) for number in range(94, 100)},
    **{number: _either(_is_not(100, "1"), _another_ticked(range(101, 111), number)) for number in range(101, 111)},
    112: RENEWAL,
    114: _is_not(113, "20"),
    118: _is(117, "2"),
    119: _is(117, "2"),
    **{number: _either(_is(121, "2", "3"), _another_ticked(range(122, 127), number)) for number in range(122, 127)},
    131: _either(OWNER_IS_PROVIDER, RENEWAL),
    132: _either(OWNER_IS_LA, RENEWAL),
    133: _either(OWNER_IS_LA, RENEWAL, _is(132, "5", "8", "9")),
    134: _either(OWNER_IS_LA, RENEWAL, _is(133, "2", "3", "4", "5", "6", "8")),
    136: _is(135, "2", "3"),
    137: _is(135, "2", "3"),
    # The wording says "if supported housing", but the question is for supported housing only
    # (its "applies to" row) and the importer reads it for nothing else: general needs leave it empty.
    140: GENERAL_NEEDS,
    142: _is(140, "1"),
    143: _is(140, "1"),
    144: _is(140, "1"),
    145: _is(140, "1"),
    # The wording points at field 139; the housing-benefit answer it means is field 138.
    146: _is(138, "3", "9", "10"),
    147: _is_not(146, "1"),
}


# The field specification ------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    number: int
    question: str
    values: str  # the template's "Values", merged cells filled in
    can_be_empty: str  # the template's "Can be empty?", merged cells filled in
    accepts: Callable[[str], bool]
    meanings: str = ""  # the answer codes, e.g. "1=General needs; 2=Supported housing"


_CODE = re.compile(r"(?<!if )\b(\d+|[A-Z])=")  # "5=Tenant died", "F=Female"; not "if 132=6"
_CODE_RUN = re.compile(r"\b(\d+)-(\d+) same list")  # "11-20 same list"
_NUMBERS = re.compile(r"(\d+)(?:\s*-\s*(\d+))?")
_LETTER = re.compile(r"\b([A-Z])\b")
_MONEY = re.compile(r"\d{1,4}(\.\d{1,2})?")
_ONS_CODE = re.compile(r"E\d{8}")


def _codes(meanings: str) -> frozenset[str]:
    codes = set(_CODE.findall(meanings))
    for low, high in _CODE_RUN.findall(meanings):
        codes.update(str(code) for code in range(int(low), int(high) + 1))
    return frozenset(codes)


def _acceptor(values: str, meanings: str) -> Callable[[str], bool]:
    """What a field accepts: its answer codes where it has them, else what "Values" says."""
    if "ISO 3166-1 numeric" in meanings:
        return lambda value: only_digits(value) and len(value) <= 3
    codes = _codes(meanings)
    if codes:
        return lambda value: value in codes
    values = values.split("Must be")[0].split("see specification")[0]  # drop the guidance
    if "xxxx.xx" in values:
        return lambda value: _MONEY.fullmatch(value) is not None
    if "ONS code" in values:
        return lambda value: _ONS_CODE.fullmatch(value) is not None
    if longest := re.search(r"max (\d+) characters", values):
        return lambda value: len(value) <= int(longest[1])
    if length := re.search(r"(\d+)(?: - (\d+))? characters", values):
        low, high = int(length[1]), int(length[2] or length[1])
        return lambda value: value.isalnum() and low <= len(value) <= high
    if values.strip() == "Numeric":
        return only_digits
    ranges = [(int(low), int(high or low)) for low, high in _NUMBERS.findall(values)]
    letters = set(_LETTER.findall(values))
    if ranges or letters:
        return lambda value: (
            value in letters or (only_digits(value) and any(low <= int(value) <= high for low, high in ranges))
        )
    return lambda value: True  # free text


def _read(name: str) -> str:
    return files("cbl.reports").joinpath(name).read_text(encoding="utf-8-sig")


@cache
def field_specs() -> dict[int, FieldSpec]:
    specs = {}
    values = can_be_empty = ""
    for entry in csv.DictReader(io.StringIO(_read(FIELD_SPEC), newline="")):
        # An empty cell belongs to the merged cell before it.
        values = entry["values_per_template"] or values
        can_be_empty = entry["can_be_empty"] or can_be_empty
        number = int(entry["field_number"])
        specs[number] = FieldSpec(
            number, entry["question"], values, can_be_empty, _acceptor(values, entry["code_meanings"]),
            entry["code_meanings"],
        )
    return specs


@dataclass(frozen=True)
class _Template:
    header: str  # the header rows' text, exactly as in the template
    columns: list[int]  # the field number in each column after column A


@cache
def _template() -> _Template:
    lines = io.StringIO(_read(TEMPLATE), newline="").readlines()
    reader = csv.reader(lines)
    rows = [next(reader) for _ in range(HEADER_ROWS)]
    if rows[-1][0] != "Field number":
        raise ValueError(f"{TEMPLATE}: row {HEADER_ROWS} should be the field numbers")
    return _Template("".join(lines[: reader.line_num]), [int(cell) for cell in rows[-1][1:]])


# The export --------------------------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, int):  # IntEnum members too: CORE wants the code
        return str(int(value))
    return str(value).strip()


def _let_problems(let: LetRecord) -> list[str]:
    problems = []
    if len(let.household) > MAX_PEOPLE:
        problems.append(f"the household has {len(let.household)} people; CORE takes at most {MAX_PEOPLE}")
    if not _POSTCODE.fullmatch(_compact_postcode(let)):
        problems.append(f"field 24 ({field_specs()[24].question}): {let.postcode!r} is not a full postcode")
    if let.vacancy_reason is not None and (let.vacancy_reason in FIRST_LET_REASONS) != let.first_let:
        kind = "a first let" if let.first_let else "a relet"
        question = field_specs()[16].question
        problems.append(f"field 16 ({question}): {let.vacancy_reason.name.lower()} is not a reason for {kind}")
    return problems


def _row(let: LetRecord) -> dict[int, str]:
    return {
        number: (_cell(source(let)) if source is not NOT_HELD else "") or _cell(let.core_answers.get(number))
        for number, source in FIELDS.items()
    }


def _field_problems(row: Row, let: LetRecord) -> list[str]:
    problems = []
    for number, spec in field_specs().items():
        value = row[number]
        label = f"field {number} ({spec.question})"
        if value and not spec.accepts(value):
            problems.append(f"{label}: {value!r} is not an allowed answer ({spec.values})")
        elif not value and not _may_be_empty(spec, row, let):
            held = "not held by the project and not answered" if FIELDS[number] is NOT_HELD else "no value"
            problems.append(f"{label}: {held}")
    return problems


def _may_be_empty(spec: FieldSpec, row: Row, let: LetRecord) -> bool:
    if spec.can_be_empty == "Yes":
        return True
    condition = EMPTY_ALLOWED_WHEN.get(spec.number)
    return spec.can_be_empty.startswith("Yes, if") and condition is not None and condition(row, let)


def check(let: LetRecord) -> tuple[dict[int, str], list[str]]:
    """The let's CORE answers by field number, and why they cannot be uploaded (nothing if they can)."""
    if not _in_collection_year(let):
        return {}, list(problems(let))
    row = _row(let)
    return row, _let_problems(let) + _field_problems(row, let)


def _in_collection_year(let: LetRecord) -> bool:
    start, end = COLLECTION_YEAR
    return start <= let.tenancy_start <= end


# Checking a let reads each of its ~190 fields against the national template: about half a millisecond,
# so a year of a council's lets (2,000 or more) took a second on every showing of the return. A let's
# problems depend on nothing but the let, so they are kept for the lets checked lately, by content:
# a let whose data changed is a different key, never a stale answer.
@lru_cache(maxsize=10_000)
def problems(let: LetRecord) -> tuple[str, ...]:
    """Why the let cannot be uploaded (nothing if it can)."""
    if not _in_collection_year(let):
        start, end = COLLECTION_YEAR
        return (f"the tenancy starts on {let.tenancy_start:%d %B %Y}, outside the 2026/27 collection year "
                f"({start:%d %B %Y} to {end:%d %B %Y})",)
    return tuple(check(let)[1])


def readiness(lets: Iterable[LetRecord]) -> tuple[list[str], list[Incomplete]]:
    """The lets that can be uploaded (references), and the reasons for every one that cannot."""
    written, incomplete = [], []
    for let in lets:
        found = problems(let)
        if found:
            incomplete.append(Incomplete(let.let_reference, list(found)))
        else:
            written.append(let.let_reference)
    return written, incomplete


def export(lets: Iterable[LetRecord]) -> CoreExport:
    """The bulk-upload CSV of every let that can be written, and the reasons for every one that cannot."""
    lets = list(lets)
    written, incomplete = readiness(lets)
    ready = set(written)
    return CoreExport(tuple(let for let in lets if let.let_reference in ready), written, incomplete)


def unanswered(let: LetRecord) -> list[int]:
    """The fields this let still needs an answer for (missing, or not an allowed answer), in field order.
    Answering some makes others needed (e.g. income known makes the income itself needed): ask again."""
    start, end = COLLECTION_YEAR
    if not start <= let.tenancy_start <= end:
        return []
    row = _row(let)
    return [number for number, spec in field_specs().items()
            if (row[number] and not spec.accepts(row[number]))
            or (not row[number] and not _may_be_empty(spec, row, let))]


_ANSWER = re.compile(r"(?<!if )\b(\d+|[A-Z])=([^,;()\[]+)")


def answer_choices(number: int) -> list[tuple[str, str]]:
    """A coded field's answers as (code, meaning); empty for a free, numeric or country-code answer."""
    meanings = field_specs()[number].meanings
    if "ISO 3166-1 numeric" in meanings:
        return []
    return [(code, meaning.strip()) for code, meaning in _ANSWER.findall(meanings)]


def with_answers(let: LetRecord, answers: Mapping[int, str]) -> LetRecord:
    """The let with the answers given for what it does not hold; answers to fields it holds are set aside."""
    if not answers:
        return let
    return replace(let, core_answers={number: value for number, value in answers.items()
                                      if number in FIELDS and not _held(let, number) and str(value).strip()})


def _held(let: LetRecord, number: int) -> str:
    """What the project holds for one field of the let ("" when it holds nothing)."""
    source = FIELDS[number]
    return _cell(source(let)) if source is not NOT_HELD else ""
