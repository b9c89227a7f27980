"""The allocation scheme is configuration: shipped files load, and a bad file names the field at fault."""

from pathlib import Path

import pytest

from cbl.rules.scheme import SchemeError, load_scheme
from tests.conftest import SCHEMES

DEFAULT = (SCHEMES / "default.toml").read_text()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scheme.toml"
    path.write_text(text)
    return path


def test_the_shipped_schemes_load_and_differ_on_the_rules_schemes_differ_on():
    banded = load_scheme(SCHEMES / "default.toml")
    points = load_scheme(SCHEMES / "points-lha-example.toml")
    assert banded.bands.order == ["A", "B", "C", "D"]
    assert points.bands.uses_points and points.ranking.tie_breakers[0] == "points"
    assert (banded.bidding.bids_per_cycle, points.bidding.bids_per_cycle) == (3, 1)
    assert (banded.bedroom_need.rule, points.bedroom_need.rule) == ("bedroom_standard", "lha")
    assert (banded.cycle.opens.weekday, points.cycle.opens.weekday) == ("thursday", "monday")
    assert points.cycle.every_weeks == 2
    assert banded.refusals.unreasonable_refusals != points.refusals.unreasonable_refusals
    assert points.reviews.decide_within("eligibility") == 42
    assert points.reviews.decide_within("band") == 56  # falls back to the general limit


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (("bids_per_cycle = 3", "bids_per_cycle = 0"), "bidding.bids_per_cycle"),
        (("bids_per_cycle = 3", 'bids_per_cycle = "three"'), "bidding.bids_per_cycle"),
        (('weekday = "thursday"', 'weekday = "thursdy"'), "cycle.opens.weekday"),
        (('time = "00:01"', 'time = "25:00"'), "cycle.opens.time"),
        (('"band_date", "registration_date"]', '"band_date", "shoe_size"]'), "ranking.tie_breakers.2"),
        (('rule = "bedroom_standard"', 'rule = "guesswork"'), "bedroom_need.rule"),
        (('order = ["A", "B", "C", "D"]', 'order = ["A", "B", "A"]'), "bands.order"),
        (("request_within_days = 21", "request_within_days = 21\nrequest_within_dayz = 3"), "reviews.request_within_dayz"),
        (("suitability = 56", "suitability = 56\nparking = 10"), "reviews.decide_within_days_by_type.parking"),
        (('{ code = "no_contact"', '{ code = "ineligible"'), "shortlisting.skip_reasons"),
        (("uses_points = false", "uses_points = true"), "points"),
    ],
)
def test_a_bad_scheme_stops_with_a_message_naming_the_field(tmp_path, change, named):
    old, new = change
    assert old in DEFAULT
    with pytest.raises(SchemeError) as raised:
        load_scheme(_write(tmp_path, DEFAULT.replace(old, new, 1)))
    assert named in str(raised.value)
    assert "scheme.toml" in str(raised.value)


def test_a_missing_section_is_named(tmp_path):
    text = DEFAULT.split("[offers]")[0] + "[refusals]" + DEFAULT.split("[refusals]")[1]
    with pytest.raises(SchemeError, match="offers: Field required"):
        load_scheme(_write(tmp_path, text))


def test_a_file_that_is_not_toml_is_refused_with_its_path(tmp_path):
    with pytest.raises(SchemeError, match="not valid TOML"):
        load_scheme(_write(tmp_path, "name = 'unterminated"))


def test_a_missing_file_says_how_to_point_at_the_right_one(tmp_path):
    with pytest.raises(SchemeError, match="CBL_SCHEME"):
        load_scheme(tmp_path / "nowhere.toml")


def test_the_command_line_check_reports_the_field(tmp_path, capsys):
    from cbl.cli import main

    path = _write(tmp_path, DEFAULT.replace("bids_per_cycle = 3", "bids_per_cycle = -1"))
    assert main(["scheme", "check", str(path)]) == 1
    assert "bidding.bids_per_cycle" in capsys.readouterr().err
    assert main(["scheme", "check", str(SCHEMES / "points-lha-example.toml")]) == 0
