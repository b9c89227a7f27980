"""Times typed as people write them are read as the time they mean, and nothing else is."""

from datetime import time

import pytest
from hypothesis import given, strategies as st

from cbl.rules.times_of_day import read_time

moments = st.builds(time, st.integers(0, 23), st.integers(0, 59))


def _twelve_hour(at: time) -> str:
    hour = at.hour % 12 or 12
    return f"{hour}{'' if at.minute == 0 else f':{at.minute:02d}'}{'pm' if at.hour >= 12 else 'am'}"


@given(moments, st.sampled_from([":", ".", ""]))
def test_a_twenty_four_hour_time_reads_as_itself(at, separator):
    assert read_time(f"{at.hour:02d}{separator}{at.minute:02d}") == at


@given(moments, st.sampled_from(["", " "]), st.booleans())
def test_a_twelve_hour_time_reads_as_the_same_moment(at, space, shout):
    typed = _twelve_hour(at).replace("am", f"{space}am").replace("pm", f"{space}pm")
    assert read_time(typed.upper() if shout else typed) == at


@given(st.text(max_size=12))
def test_any_text_gives_a_real_time_or_none(typed):
    assert read_time(typed) is None or isinstance(read_time(typed), time)


@pytest.mark.parametrize("typed, meant", [("2pm", time(14)), ("2:30pm", time(14, 30)), ("14:30", time(14, 30)),
                                          ("14.30", time(14, 30)), ("noon", time(12)), ("Midday", time(12)),
                                          ("12am", time(0)), ("2 p.m.", time(14))])
def test_the_ways_people_write_times(typed, meant):
    assert read_time(typed) == meant


@pytest.mark.parametrize("typed", ["25:00", "13pm", "0am", "14:60", "2", "soon", "", "2m"])
def test_what_is_not_a_time_is_refused(typed):
    assert read_time(typed) is None
