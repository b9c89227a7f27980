"""The CORE lettings export writes the official 2026/27 template, one row per let CORE would accept."""

import csv
import io
import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cbl.reports.core_export import (
    EMPTY_ALLOWED_WHEN,
    FIRST_LET_REASONS,
    EconomicStatus,
    LetRecord,
    Occupant,
    PreferenceReason,
    RentPeriod,
    RentType,
    TenancyType,
    VacancyReason,
    export,
    field_specs,
)

# The national template as the project received it (shared/ beside the checkout); the packaged copy otherwise.
OFFICIAL = Path(__file__).resolve().parents[3] / "shared" / "core"
OFFICIAL_TEMPLATE = OFFICIAL / "2026_27_lettings_bulk_upload.csv"
OFFICIAL_SPEC = OFFICIAL / "core_lettings_2026_27_field_spec.csv"
PACKAGED = Path(__file__).resolve().parents[2] / "cbl" / "reports" / "core"
# The official files when this machine has them, else the package's copies of them.
TEMPLATE = OFFICIAL_TEMPLATE if OFFICIAL_TEMPLATE.exists() else PACKAGED / "2026_27_lettings_bulk_upload.csv"
SPEC = OFFICIAL_SPEC if OFFICIAL_SPEC.exists() else PACKAGED / "field_spec.csv"

# Answers the project does not hold, as an officer would record them at sign-up, for a general
# needs relet of a council home to a lead tenant and one other person.
SIGN_UP = {
    15: "1", 17: "1", 36: "2", 37: "2", 43: "1", 51: "1", 90: "2", 93: "2", 98: "1", 100: "2", 111: "12",
    113: "12", 115: "3", 117: "2", 128: "2", 129: "2", 130: "2", 135: "2", 138: "9", 139: "3",
    144: "0.00", 145: "0.00",
}  # fmt: skip

COUNCIL_LET = LetRecord(
    let_reference="AD00001",
    owning_organisation="ORG7",
    managing_organisation="ORG7",
    owner_is_local_authority=True,
    tenancy_start=date(2026, 6, 3),
    postcode="at1 2ab",
    property_type="house",
    bedrooms=2,
    first_let=False,
    void_date=date(2026, 4, 20),
    weekly_rent_pence=10050,
    weekly_service_charge_pence=1234,
    household=(Occupant(34, "lead", "F", EconomicStatus.PART_TIME), Occupant(0, "child", "M")),
    address_line1="12 High Street",
    town_or_city="Anytown",
    local_authority="E07000178",
    property_reference="ANYT-00012",
    wheelchair_adapted=False,
    vacancy_reason=VacancyReason.TENANT_DIED,
    rent_type=RentType.SOCIAL_RENT,
    tenancy_type=TenancyType.SECURE_LIFETIME,
    lead_ethnicity=1,
    lead_nationality=826,
    registration_date=date(2023, 1, 1),
    reasonable_preference=frozenset({PreferenceReason.MEDICAL_OR_WELFARE}),
    cbl=True,
    core_answers=SIGN_UP,
)

PROVIDER_LET = replace(
    COUNCIL_LET,
    let_reference="AD00002",
    owning_organisation="ORG9",
    managing_organisation="ORG9",
    owner_is_local_authority=False,
    nominated_by_council=True,
    tenancy_type=TenancyType.ASSURED_SHORTHOLD_FIXED_TERM,
    tenancy_length_years=5,
    rent_type=RentType.AFFORDABLE_RENT,
    core_answers={**SIGN_UP, 134: "9"},
)


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _spec() -> list[dict[str, str]]:
    return list(csv.DictReader(SPEC.open(encoding="utf-8-sig", newline="")))


def _written(text: str) -> list[dict[int, str]]:
    """The data rows, by field number, found as CORE's importer finds them."""
    rows = _rows(text)
    header = next(i for i, row in enumerate(rows) if row[0].lower() == "field number")
    numbers = [int(cell) for cell in rows[header][1:]]
    return [dict(zip(numbers, row[1:], strict=True)) for row in rows[header + 1 :]]


def _one_row(*lets: LetRecord) -> dict[int, str]:
    result = export(lets)
    assert result.incomplete == []
    [row] = _written(result.csv_text)
    return row


def _reasons(let: LetRecord) -> list[str]:
    result = export([let])
    assert _written(result.csv_text) == []
    [incomplete] = result.incomplete
    assert incomplete.let_reference == let.let_reference
    return incomplete.reasons


# The template --------------------------------------------------------------------------------


@pytest.mark.skipif(not OFFICIAL_TEMPLATE.exists(), reason="the official template is not on this machine")
def test_the_header_rows_are_the_official_templates_exactly():
    official_text = OFFICIAL_TEMPLATE.read_text(encoding="utf-8-sig")
    official = _rows(official_text)
    text = export([]).csv_text
    assert _rows(text) == official[:8]
    assert official_text.startswith(text)  # byte for byte, quoting and line breaks included


@pytest.mark.skipif(not OFFICIAL.exists(), reason="the official files are not on this machine")
def test_the_packaged_template_and_spec_are_unchanged_copies():
    assert (PACKAGED / "2026_27_lettings_bulk_upload.csv").read_bytes() == OFFICIAL_TEMPLATE.read_bytes()
    assert (PACKAGED / "field_spec.csv").read_bytes() == OFFICIAL_SPEC.read_bytes()


def test_the_field_number_row_has_the_147_fields_once_each():
    rows = _rows(export([COUNCIL_LET]).csv_text)
    [field_numbers] = [row for row in rows if row[0] == "Field number"]
    assert sorted(int(cell) for cell in field_numbers[1:]) == list(range(1, 148))
    assert all(len(row) == 148 for row in rows)


def test_a_data_row_leaves_column_a_empty_like_the_templates_example_row():
    example = _rows(TEMPLATE.read_text(encoding="utf-8-sig"))[8]
    rows = _rows(export([COUNCIL_LET]).csv_text)
    assert example[0] == ""
    assert len(rows) == 9 and rows[8][0] == ""


def test_the_bytes_carry_the_templates_byte_order_mark():
    assert TEMPLATE.read_bytes().startswith(b"\xef\xbb\xbf")
    assert export([]).to_bytes().startswith(b"\xef\xbb\xbfSection,")


# A complete let ------------------------------------------------------------------------------


def test_a_council_let_by_bidding_is_written_as_core_expects():
    row = _one_row(COUNCIL_LET)
    expected = {
        1: "ORG7", 2: "ORG7", 4: "1", 7: "2",
        8: "3", 9: "6", 10: "26",  # tenancy start 3 June 2026
        11: "1", 14: "ANYT-00012", 16: "5",
        19: "12 High Street", 21: "Anytown", 23: "AT1", 24: "2AB", 25: "E07000178",
        26: "7", 27: "2", 28: "2",
        29: "20", 30: "4", 31: "26",  # void date 20 April 2026
        38: "7", 40: "",
        41: "34", 42: "F", 45: "1", 46: "826", 47: "2",
        48: "1", 49: "2", 50: "M", 53: "9",  # a baby is entered as 1, a child under 16 as "child"
        54: "", 55: "", 59: "",  # no person 3
        112: "9",  # on the register 3 full years
        116: "1",
        121: "1", 122: "", 123: "", 124: "1", 125: "",
        127: "1", 131: "3", 132: "", 133: "", 134: "",
        140: "", 141: "1", 142: "100.50", 143: "12.34",
    }  # fmt: skip
    assert {number: row[number] for number in expected} == expected
    assert {number: row[number] for number in SIGN_UP} == SIGN_UP


def test_a_providers_let_from_a_council_nomination_is_source_6_then_1():
    row = _one_row(PROVIDER_LET)
    assert (row[127], row[131], row[132], row[133], row[134]) == ("1", "", "6", "1", "9")
    assert (row[1], row[11], row[38], row[40]) == ("ORG9", "2", "4", "5")


def test_a_direct_offer_is_not_choice_based():
    row = _one_row(replace(COUNCIL_LET, cbl=False, direct_offer=True))
    assert (row[127], row[131]) == ("2", "3")


def test_a_council_tenant_transferring_is_an_internal_transfer():
    assert _one_row(replace(COUNCIL_LET, transfer_tenant=True))[131] == "2"


def test_a_household_owed_a_homelessness_duty_was_assessed_homeless():
    row = _one_row(replace(COUNCIL_LET, homeless_duty=True, reasonable_preference=frozenset(PreferenceReason)))
    assert (row[116], row[121], row[122], row[123], row[124], row[125]) == ("11", "1", "1", "1", "1", "1")


def test_no_reasonable_preference_is_answered_no_with_no_reasons():
    row = _one_row(replace(COUNCIL_LET, reasonable_preference=frozenset()))
    assert [row[number] for number in range(121, 127)] == ["2", "", "", "", "", ""]


@pytest.mark.parametrize(
    ("period", "code", "rent", "service"),
    [
        (RentPeriod.WEEKLY_52, "1", "100.50", "12.34"),
        (RentPeriod.WEEKLY_51, "11", "100.50", "12.34"),
        (RentPeriod.FORTNIGHTLY, "2", "201.00", "24.68"),
        (RentPeriod.FOUR_WEEKLY, "3", "402.00", "49.36"),
        (RentPeriod.MONTHLY, "4", "435.50", "53.47"),  # x 52 / 12, to the nearest penny
    ],
)
def test_rent_and_charges_are_per_rent_period_in_pounds_and_pence(period, code, rent, service):
    row = _one_row(replace(COUNCIL_LET, rent_period=period))
    assert (row[141], row[142], row[143]) == (code, rent, service)


@pytest.mark.parametrize(
    ("kind", "code", "bedrooms"),
    [("flat", "1", "2"), ("maisonette", "1", "2"), ("bungalow", "8", "2"), ("bedsit", "2", "1")],
)
def test_property_types_are_core_unit_types_and_a_bedsit_has_one_bedroom(kind, code, bedrooms):
    row = _one_row(replace(COUNCIL_LET, property_type=kind))
    assert (row[26], row[28]) == (code, bedrooms)


def test_a_first_let_needs_no_previous_let_type():
    answers = {number: value for number, value in SIGN_UP.items() if number != 17}
    first_let = replace(
        COUNCIL_LET, first_let=True, vacancy_reason=VacancyReason.FIRST_LET_NEW_BUILD, core_answers=answers
    )
    row = _one_row(first_let)
    assert (row[16], row[17]) == ("15", "")


def test_a_known_uprn_stands_in_for_the_address():
    row = _one_row(replace(COUNCIL_LET, uprn="100012345678", address_line1=None, town_or_city=None))
    assert (row[18], row[19], row[21], row[24]) == ("100012345678", "", "", "2AB")


def test_lets_on_the_first_and_last_days_of_the_collection_year_are_written():
    first = replace(COUNCIL_LET, let_reference="A", tenancy_start=date(2026, 4, 1), void_date=date(2026, 3, 2))
    last = replace(COUNCIL_LET, let_reference="B", tenancy_start=date(2027, 3, 31))
    result = export([first, last])
    assert result.written == ["A", "B"]
    assert [(row[8], row[9], row[10], row[29], row[30], row[31]) for row in _written(result.csv_text)] == [
        ("1", "4", "26", "2", "3", "26"),
        ("31", "3", "27", "20", "4", "26"),
    ]


# Lets that cannot be written -----------------------------------------------------------------


def test_a_let_missing_a_required_field_is_listed_with_the_field_and_question():
    reasons = _reasons(replace(COUNCIL_LET, rent_type=None))
    assert reasons == ["field 11 (What is the rent type?): no value"]


def test_a_required_question_the_project_does_not_hold_must_be_answered():
    answers = {number: value for number, value in SIGN_UP.items() if number != 90}
    [reason] = _reasons(replace(COUNCIL_LET, core_answers=answers))
    assert reason.startswith("field 90 (Does anybody in the household have links to the UK armed forces?)")
    assert "not held" in reason


def test_only_the_incomplete_lets_are_left_out():
    result = export([COUNCIL_LET, replace(COUNCIL_LET, let_reference="AD00003", lead_ethnicity=None), PROVIDER_LET])
    assert result.written == ["AD00001", "AD00002"]
    assert [(i.let_reference, i.reasons) for i in result.incomplete] == [
        ("AD00003", ["field 45 (Which of these best describes the lead tenant's ethnic background?): no value"])
    ]
    assert len(_written(result.csv_text)) == 2


def test_a_provider_let_that_was_not_a_council_nomination_has_no_referral_source():
    reasons = _reasons(replace(PROVIDER_LET, nominated_by_council=False, core_answers=SIGN_UP))
    assert [reason.split(" (")[0] for reason in reasons] == ["field 132", "field 133", "field 134"]


def test_a_council_nomination_needs_to_say_who_referred_the_household():
    reasons = _reasons(replace(PROVIDER_LET, core_answers=SIGN_UP))
    assert [reason.split(" (")[0] for reason in reasons] == ["field 134"]


@pytest.mark.parametrize("start", [date(2026, 3, 31), date(2027, 4, 1)])
def test_a_let_outside_the_collection_year_is_reported(start):
    [reason] = _reasons(replace(COUNCIL_LET, tenancy_start=start, void_date=start - timedelta(days=30)))
    assert "outside the 2026/27 collection year" in reason


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"bedrooms": 9}, "field 28", id="more bedrooms than CORE records"),
        pytest.param({"household": (Occupant(15, "lead", "F"),)}, "field 41", id="lead tenant under 16"),
        pytest.param({"postcode": "AT1"}, "field 24", id="no inward postcode"),
        pytest.param({"postcode": "AT12A"}, "field 24", id="not a postcode"),
        pytest.param({"void_date": date(2006, 12, 31)}, "field 31", id="void date before 2007"),
        pytest.param({"local_authority": "W06000015"}, "field 25", id="not an English district"),
        pytest.param({"property_reference": "ANYTOWN-000012"}, "field 14", id="property reference over 12 characters"),
        pytest.param({"tenancy_type": TenancyType.SECURE_FIXED_TERM}, "field 40", id="fixed term without its length"),
        pytest.param({"address_line1": None}, "field 19", id="no address line and no UPRN"),
        pytest.param({"first_let": True}, "field 16", id="a first let with a relet reason"),
    ],
)
def test_a_bad_value_is_never_written(change, field):
    reasons = _reasons(replace(COUNCIL_LET, **change))
    assert any(reason.startswith(f"{field} (") for reason in reasons), reasons


def test_a_household_larger_than_core_records_is_reported():
    household = (Occupant(40, "lead", "F", EconomicStatus.FULL_TIME),) + (Occupant(5, "child", "M"),) * 8
    reasons = _reasons(replace(COUNCIL_LET, household=household))
    assert any("at most 8" in reason for reason in reasons)


def test_answers_about_a_person_the_household_does_not_have_are_not_written():
    reasons = _reasons(replace(COUNCIL_LET, core_answers={**SIGN_UP, 57: "1"}))  # person 3's gender
    assert {reason.split(" (")[0] for reason in reasons} == {"field 54", "field 55", "field 56", "field 59"}


def test_an_answer_for_a_field_the_project_fills_is_refused():
    with pytest.raises(ValueError, match=r"\[11\]"):
        replace(COUNCIL_LET, core_answers={**SIGN_UP, 11: "2"})


def test_every_conditional_field_of_the_template_has_a_rule():
    # A template with new "Yes, if ..." wording needs reading before its fields can be left empty.
    conditional = {number for number, spec in field_specs().items() if spec.can_be_empty.startswith("Yes, if")}
    assert conditional == set(EMPTY_ALLOWED_WHEN)


# Every let: codes from the spec, required fields filled ---------------------------------------


def _code_lists() -> dict[int, set[str]]:
    """Each coded field's answer codes, read from the spec's code meanings."""
    lists = {}
    for entry in _spec():
        meanings = entry["code_meanings"]
        if "=" not in meanings or "ISO 3166" in meanings:
            continue
        # "if 132=6: 1=Nominated ..." is a condition and then code 1.
        lists[int(entry["field_number"])] = set(re.findall(r"(\w+)=", re.sub(r"if \w+=\w+:", "", meanings)))
    return lists


def _never_empty() -> set[int]:
    """Fields whose "Can be empty?" is No, reading an empty cell as part of the merged cell before it."""
    never, answer = set(), ""
    for entry in _spec():
        answer = entry["can_be_empty"] or answer
        if answer == "No":
            never.add(int(entry["field_number"]))
    return never


CODE_LISTS = _code_lists()
NEVER_EMPTY = _never_empty()
COLLECTION_DAYS = (date(2027, 3, 31) - date(2026, 4, 1)).days


def _gender_field(person: int) -> int:
    return 43 if person == 1 else 48 + 6 * (person - 2) + 3


@st.composite
def occupants(draw, relationship: str, youngest: int) -> Occupant:
    age = draw(st.integers(youngest, 100))
    adult_statuses = [status for status in EconomicStatus if status != EconomicStatus.CHILD_UNDER_16]
    status = (
        draw(st.sampled_from(adult_statuses))
        if age >= 16
        else draw(st.sampled_from([None, EconomicStatus.CHILD_UNDER_16]))
    )
    return Occupant(age, relationship, draw(st.sampled_from(["F", "M", "R"])), status)


@st.composite
def complete_lets(draw) -> LetRecord:
    start = date(2026, 4, 1) + timedelta(days=draw(st.integers(0, COLLECTION_DAYS)))
    lead = draw(occupants("lead", 16))
    others = draw(st.lists(st.sampled_from(["partner", "child", "parent", "other_adult", "other_child"]), max_size=7))
    household = (lead, *(draw(occupants(relationship, 0)) for relationship in others))
    first_let = draw(st.booleans())
    reasons = [reason for reason in VacancyReason if (reason in FIRST_LET_REASONS) == first_let]
    council_owned = draw(st.booleans())
    route = draw(st.sampled_from(["cbl", "direct", "neither"]))
    tenancy = draw(st.sampled_from(list(TenancyType)))
    rent_type = draw(st.sampled_from(list(RentType)))
    answers = {number: value for number, value in SIGN_UP.items() if number not in (43, 51)}
    answers |= {_gender_field(person): "1" for person in range(1, len(household) + 1)}
    if first_let:
        answers.pop(17)
    if not council_owned:
        answers[134] = draw(st.sampled_from([str(code) for code in range(1, 11)]))
    if tenancy == TenancyType.OTHER:
        answers[39] = "Family intervention tenancy"
    if rent_type == RentType.OTHER_INTERMEDIATE_RENT:
        answers[12] = "Key worker rent"
    uprn = draw(st.one_of(st.none(), st.from_regex(r"[1-9][0-9]{5,11}", fullmatch=True)))
    return LetRecord(
        let_reference=draw(st.from_regex(r"AD[0-9]{5}", fullmatch=True)),
        owning_organisation="ORG1" if council_owned else "ORG2",
        managing_organisation="ORG1" if council_owned else "ORG2",
        owner_is_local_authority=council_owned,
        tenancy_start=start,
        postcode=draw(st.sampled_from(["AT1 2AB", "at12 9zz", "M1 1AE", "SW1A 1AA", "B33 8TH"])),
        property_type=draw(st.sampled_from(["flat", "house", "bungalow", "maisonette", "bedsit"])),
        bedrooms=draw(st.integers(1, 7)),
        first_let=first_let,
        void_date=start - timedelta(days=draw(st.integers(0, 3000))),
        weekly_rent_pence=draw(st.integers(0, 60000)),
        weekly_service_charge_pence=draw(st.integers(0, 20000)),
        household=household,
        uprn=uprn,
        address_line1=draw(st.sampled_from(["12 High Street", "Flat 3, Mill House"])),
        town_or_city="Anytown",
        local_authority="E07000178",
        wheelchair_adapted=draw(st.booleans()),
        vacancy_reason=draw(st.sampled_from(reasons)),
        rent_type=rent_type,
        tenancy_type=tenancy,
        tenancy_length_years=draw(st.integers(1, 99)),
        rent_period=draw(st.sampled_from(list(RentPeriod))),
        lead_ethnicity=int(draw(st.sampled_from(sorted(CODE_LISTS[45], key=int)))),
        lead_nationality=draw(st.sampled_from([826, 4, 372, 616, 0])),
        registration_date=start - timedelta(days=draw(st.integers(0, 8000))),
        reasonable_preference=draw(
            st.one_of(st.just(frozenset()), st.frozensets(st.sampled_from(list(PreferenceReason)), min_size=1))
        ),
        homeless_duty=draw(st.booleans()),
        transfer_tenant=draw(st.booleans()),
        cbl=route == "cbl",
        direct_offer=route == "direct",
        nominated_by_council=not council_owned,
        core_answers=answers,
    )


@settings(max_examples=200, deadline=None)
@given(complete_lets())
def test_every_let_is_written_with_allowed_codes_and_no_required_field_empty(let):
    result = export([let])
    assert result.incomplete == []
    [row] = _written(result.csv_text)
    for number, codes in CODE_LISTS.items():
        assert row[number] == "" or row[number] in codes, (number, row[number])
    assert [number for number in sorted(NEVER_EMPTY) if row[number] == ""] == []
    assert re.fullmatch(r"[0-9]{1,3}", row[46])
    assert all(re.fullmatch(r"[0-9]{1,4}\.[0-9]{2}", row[number]) for number in (142, 143))
    people = len(let.household)
    assert [row[48 + 6 * (person - 2)] != "" for person in range(2, 9)] == [person <= people for person in range(2, 9)]


def test_a_formula_typed_into_a_free_text_field_is_written_as_text_and_the_header_stays_the_templates():
    formula = '=HYPERLINK("http://x")'
    row = _one_row(replace(COUNCIL_LET, address_line1=formula, town_or_city=f"@{formula}"))
    assert row[19] == f"'{formula}" and row[21] == f"'@{formula}"
    assert export([COUNCIL_LET]).csv_text.startswith(export([]).csv_text)  # the template's header rows, untouched
