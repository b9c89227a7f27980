"""National Insurance numbers held as HMRC issues them, so that the same number typed two ways matches."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cbl.rules.national_insurance import national_insurance_number


@pytest.mark.parametrize(("typed", "held"), [
    ("JG103759A", "JG103759A"), ("jg 10 37 59 a", "JG103759A"), (" AB 123456 D ", "AB123456D"),
])
def test_a_number_is_held_in_capitals_without_spaces(typed, held):
    assert national_insurance_number(typed) == held


@pytest.mark.parametrize("typed", [
    "", "JG103759", "JG1037590A", "JG103759E",  # too short, too long, suffix beyond D
    "DA123456A", "AO123456A", "QQ123456C",  # D, Q never a prefix letter; O never second
    "GB123456A", "NK123456A", "TN123456A", "ZZ123456A",  # prefixes never issued
    "J G1037 59A!", "JG10375９A",  # a stray character; a full-width digit
])
def test_what_cannot_be_a_number_is_refused(typed):
    assert national_insurance_number(typed) is None


@given(st.text(max_size=20))
def test_whatever_is_typed_the_answer_is_none_or_nine_characters_that_read_back_the_same(typed):
    held = national_insurance_number(typed)
    assert held is None or (len(held) == 9 and national_insurance_number(held) == held)
