"""The rules of downsizing and decants at their edges: the incentive and its caps, the home loss amount in force on the
date of displacement (the day the amounts change), the year of occupation "ending with" that date (a leap day), and
rent arrears offset never below nothing."""

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cbl.rules.moves import (
    NoAmountInForce, arrears_offset, bedrooms_released, downsizing_incentive, occupied_long_enough,
    one_year_ending_with, owner_home_loss_pence, tenant_home_loss_pence, under_occupied_by,
)
from cbl.rules.scheme import HomeLossAmounts, SchemeError, load_scheme

AMOUNTS = [HomeLossAmounts.model_validate({"from": date(2022, 10, 1), "tenant_pence": 780_000,
                                           "owner_minimum_pence": 780_000, "owner_maximum_pence": 7_800_000}),
           HomeLossAmounts.model_validate({"from": date(2023, 10, 1), "tenant_pence": 810_000,
                                           "owner_minimum_pence": 810_000, "owner_maximum_pence": 8_100_000})]
pence = st.integers(min_value=0, max_value=5_000_000)


def test_under_occupation_is_the_bedrooms_over_the_need_and_never_below_nothing():
    assert under_occupied_by(3, 1) == 2
    assert under_occupied_by(2, 2) == 0
    assert under_occupied_by(1, 3) == 0
    assert bedrooms_released(3, 1) == 2 and bedrooms_released(2, 3) == 0


@given(bedrooms=st.integers(min_value=0, max_value=10), removal=pence, per_bedroom=pence, removal_max=pence,
       overall=pence)
def test_the_incentive_is_per_bedroom_plus_removal_costs_within_each_maximum(bedrooms, removal, per_bedroom,
                                                                              removal_max, overall):
    worked = downsizing_incentive(bedrooms, removal, per_bedroom_pence=per_bedroom,
                                  removal_maximum_pence=removal_max, overall_maximum_pence=overall)
    uncapped = bedrooms * per_bedroom + min(removal, removal_max)
    assert worked.total_pence == min(uncapped, overall)  # never over the overall maximum, never less than due
    assert 0 <= worked.removal_pence <= min(removal, removal_max)
    assert worked.bedrooms_pence <= bedrooms * per_bedroom
    assert worked.capped == (uncapped > overall)


def test_the_incentive_at_the_shipped_scheme_s_figures_and_its_cap():
    settings = dict(per_bedroom_pence=100_000, removal_maximum_pence=50_000, overall_maximum_pence=300_000)
    two = downsizing_incentive(2, 60_000, **settings)
    assert (two.bedrooms_pence, two.removal_pence, two.capped) == (200_000, 50_000, False)
    three = downsizing_incentive(3, 50_000, **settings)
    assert (three.bedrooms_pence, three.removal_pence, three.total_pence, three.capped) == (300_000, 0, 300_000, True)
    with pytest.raises(ValueError):
        downsizing_incentive(-1, 0, **settings)


def test_the_home_loss_amount_is_the_one_in_force_on_the_date_of_displacement():
    assert tenant_home_loss_pence(AMOUNTS, date(2023, 9, 30)) == 780_000  # the day before the change
    assert tenant_home_loss_pence(AMOUNTS, date(2023, 10, 1)) == 810_000  # the day the new amounts are in force
    assert tenant_home_loss_pence(AMOUNTS, date(2024, 9, 30)) == 810_000
    with pytest.raises(NoAmountInForce, match="add their amounts"):  # the next year's may be prescribed by now
        tenant_home_loss_pence(AMOUNTS, date(2024, 10, 1))
    with pytest.raises(NoAmountInForce, match="no home loss amounts in force"):
        tenant_home_loss_pence(AMOUNTS, date(2022, 9, 30))


def test_an_owner_s_home_loss_is_a_tenth_of_the_value_between_the_minimum_and_maximum():
    on = date(2024, 1, 15)
    assert owner_home_loss_pence(AMOUNTS, on, 50_000_000) == 5_000_000
    assert owner_home_loss_pence(AMOUNTS, on, 1_000_000) == 810_000
    assert owner_home_loss_pence(AMOUNTS, on, 200_000_000) == 8_100_000


@pytest.mark.parametrize("displaced, first_day", [
    (date(2026, 6, 15), date(2025, 6, 16)),
    (date(2024, 2, 29), date(2023, 3, 1)),  # a leap day: the year ending with it began on 1 March
    (date(2025, 2, 28), date(2024, 2, 29)),  # ... and the year ending on 28 February 2025 began on the leap day
    (date(2025, 3, 1), date(2024, 3, 2)),
    (date(2026, 1, 1), date(2025, 1, 2)),
])
def test_the_year_ending_with_the_date_of_displacement(displaced, first_day):
    assert one_year_ending_with(displaced) == first_day
    assert occupied_long_enough(first_day, displaced)
    assert not occupied_long_enough(date.fromordinal(first_day.toordinal() + 1), displaced)


@given(payment=pence, arrears=pence)
def test_arrears_offset_never_makes_a_payment_negative_and_only_where_allowed(payment, arrears):
    taken = arrears_offset(payment, arrears, allowed=True)
    assert 0 <= taken <= payment and taken <= arrears
    assert payment - taken == max(payment - arrears, 0)
    assert arrears_offset(payment, arrears, allowed=False) == 0


def test_the_scheme_refuses_a_moves_band_it_does_not_have_and_amounts_dated_twice(tmp_path):
    shipped = (Path(__file__).parents[2] / "cbl/schemes/default.toml").read_text()
    wrong_band = tmp_path / "band.toml"
    wrong_band.write_text(shipped.replace('[downsizing]\n# A household', '[downsizing]\n# A household', 1)
                          .replace('band = "B"\n# The council', 'band = "Z"\n# The council', 1))
    with pytest.raises(SchemeError, match="downsizing.band must be one of"):
        load_scheme(wrong_band)
    twice = tmp_path / "twice.toml"
    twice.write_text(shipped.replace("{ from = 2023-10-01", "{ from = 2022-10-01", 1))
    with pytest.raises(SchemeError, match="each date may appear once"):
        load_scheme(twice)
    dearer_minimum = tmp_path / "minimum.toml"
    dearer_minimum.write_text(shipped.replace("owner_minimum_pence = 810000", "owner_minimum_pence = 9999999", 1))
    with pytest.raises(SchemeError, match="owner_minimum_pence must not exceed"):
        load_scheme(dearer_minimum)
