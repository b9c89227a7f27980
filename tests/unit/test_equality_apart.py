"""Equality monitoring answers stay apart from the case: only the modules named here read or write their table,
none of which shows a case or decides anything about one; and the questions are the census's."""

import re
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings, strategies as st

from cbl.rules.equality_categories import (
    BY_KEY, ETHNIC_GROUPS, PREFER_NOT_TO_SAY, QUESTIONS, age_on, born_by,
)

ROOT = Path(__file__).resolve().parents[2]
# The table's model and migration; the service that keeps and reads them (the household's own, a paper form);
# the report (counts, suppressed); the subject access export (the household's own data); the demo's made-up ones.
ALLOWED = {"cbl/models/__init__.py", "cbl/models/equality.py", "cbl/services/equality.py", "cbl/reports/equality.py",
           "cbl/reports/subject_access.py", "cbl/demo/equality.py"}


def test_only_the_equality_modules_name_the_answers_table():
    naming = set()
    for folder in ("cbl", "admin", "scheduler", "matching"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            if re.search(r"\bEqualityAnswers\b|\bequality_answers\b", path.read_text()):
                naming.add(str(path.relative_to(ROOT)))
    assert naming == ALLOWED


def test_the_questions_are_the_census_lists_each_ending_with_prefer_not_to_say():
    assert sum(len(items) for _, items in ETHNIC_GROUPS.values()) == 19 and len(ETHNIC_GROUPS) == 5
    assert len(BY_KEY["ethnic_group"].answers) == 20
    assert len(BY_KEY["marriage"].answers) == 10
    for question in QUESTIONS:
        assert question.answers[-1][0] == PREFER_NOT_TO_SAY
        assert len(question.codes) == len(question.answers)  # no code twice


@settings(max_examples=150, deadline=None)
@given(st.dates(date(1900, 1, 1), date(2030, 12, 31)), st.integers(0, 200), st.integers(16, 80))
def test_a_date_of_birth_on_or_before_born_by_is_exactly_that_age_or_older(day, back, years):
    born = day - timedelta(days=back * 97)
    assert (born <= born_by(day, years)) == (age_on(born, day) >= years)
