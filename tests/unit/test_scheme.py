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
        (("request_within_days = 21", "request_within_days = 21\nrequest_within_dayz = 3"),
         "reviews.request_within_dayz"),
        (("eligibility = 56", "eligibility = 56\nparking = 10"), "parking: not a Part 6 review type"),
        (('{ code = "no_contact"', '{ code = "ineligible"'), "shortlisting.skip_reasons"),
        (("uses_points = false", "uses_points = true"), "points"),
        (("registration_date_share_pct = 0", "registration_date_share_pct = 60"),
         "ranking.registration_date_share_pct"),
        (("registration_date_share_pct = 0", "registration_date_share_pct = 0.1"),
         "ranking.registration_date_share_pct"),
        (("lapse_counts_as_refusal = true", 'lapse_counts_as_refusal = "yes"'), "offers.lapse_counts_as_refusal"),
        (('{ code = "other", label = "Another reason"', '{ code = "made_in_error", label = "Another reason"'),
         "offers.withdrawal_reasons"),
        (('place = "passed_over" },', 'place = "skipped" },'), "offers.withdrawal_reasons.1.place"),
        (("stage_two_answer_working_days = 20", "stage_two_answer_working_days = 5"),
         "enquiries: Value error, stage_two_answer_working_days (5) must be at least the days to answer at stage 1"),
        (("acknowledge_working_days = 3", "acknowledge_working_days = 10"),
         "enquiries: Value error, acknowledge_working_days (10) must be fewer than the days to answer"),
        (("stage_two_answer_working_days = 20", "stage_two_answer_working_days = 0"),
         "enquiries.stage_two_answer_working_days"),
        (('checks_before_offer = ["verification", "fraud"]', 'checks_before_offer = ["fraud"]'),
         "offers.checks_before_offer: Value error, must include \"verification\""),
        (('checks_before_offer = ["verification", "fraud"]', 'checks_before_offer = ["verification", "credit"]'),
         "offers.checks_before_offer.1"),
        (('checks_before_offer = ["verification", "fraud"]', 'checks_before_offer = ["verification", "fraud", '
                                                              '"fraud"]'), "each check may appear once"),
        (("target_days = 28", "target_days = 0"), "voids.target_days"),
        (("target_days = 28", 'target_days = "four weeks"'), "voids.target_days"),
    ],
)
def test_a_bad_scheme_stops_with_a_message_naming_the_field(tmp_path, change, named):
    old, new = change
    assert old in DEFAULT
    with pytest.raises(SchemeError) as raised:
        load_scheme(_write(tmp_path, DEFAULT.replace(old, new, 1)))
    assert named in str(raised.value)
    assert "scheme.toml" in str(raised.value)


def test_a_lapse_is_no_refusal_and_the_withdrawal_reasons_are_the_usual_ones_unless_the_scheme_says(tmp_path):
    shipped = load_scheme(SCHEMES / "default.toml")
    assert shipped.offers.lapse_counts_as_refusal is True
    bare = DEFAULT.split("lapse_counts_as_refusal")[0] + "[refusals]" + DEFAULT.split("[refusals]")[1]
    defaults = load_scheme(_write(tmp_path, bare)).offers
    assert defaults.lapse_counts_as_refusal is False
    assert [reason.code for reason in defaults.withdrawal_reasons] == [
        "home_unavailable", "verification_failed", "circumstances_changed", "made_in_error", "other"]
    assert defaults.withdrawal_reason("other").note_required


def test_a_scheme_without_a_void_target_has_four_weeks_and_one_may_set_a_year(tmp_path):
    assert "[voids]" in DEFAULT
    bare = DEFAULT.split("[voids]")[0] + "[register]" + DEFAULT.split("[register]")[1]
    assert load_scheme(_write(tmp_path, bare)).voids.target_days == 28
    assert load_scheme(_write(tmp_path, DEFAULT.replace("target_days = 28", "target_days = 365"))).voids.target_days \
        == 365


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
    assert "10% of each cycle's homes are let by date of registration" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("change", "named"),
    [
        # s202 periods are the law's (reg 9 of the 2018 Regulations): a scheme that sets one is refused.
        (("eligibility = 56", "eligibility = 56\nsuitability = 56"), "suitability: a review under s202"),
        (("eligibility = 56", "eligibility = 56\nfinal_offer_duty = 70"), "final_offer_duty: a review under s202"),
        (("request_within_days = 21", "request_within_days = 21\ns202_decide_within_days = 56"),
         "reviews.s202_decide_within_days"),
        # Implausible Part 6 periods: under two weeks to ask, or a decision taking more than twelve weeks.
        (("request_within_days = 21", "request_within_days = 13"), "request_within_days must be between 14 and 56"),
        (("decide_within_days = 56", "decide_within_days = 85"), "decide_within_days must be between 14 and 84"),
        (("band = 56", "band = 7"), "decide_within_days_by_type.band: must be between 14 and 84"),
    ],
)
def test_scheme_check_refuses_s202_periods_and_implausible_part6_periods(tmp_path, capsys, change, named):
    from cbl.cli import main

    old, new = change
    assert old in DEFAULT
    path = _write(tmp_path, DEFAULT.replace(old, new, 1))
    assert main(["scheme", "check", str(path)]) == 1
    assert named in capsys.readouterr().err


@pytest.mark.parametrize(("ask", "decide"), [(14, 14), (56, 84), (21, 56)])
def test_scheme_check_accepts_part6_periods_at_the_edges_of_plausible(tmp_path, ask, decide):
    text = DEFAULT.replace("request_within_days = 21", f"request_within_days = {ask}", 1)
    text = text.replace("decide_within_days = 56", f"decide_within_days = {decide}", 1)
    scheme = load_scheme(_write(tmp_path, text))
    assert (scheme.reviews.request_within_days, scheme.reviews.decide_within_days) == (ask, decide)
