"""Deadlines count UK working days: weekends and England's bank holidays are skipped."""

from datetime import date

from cbl.rules.working_days import add_working_days, is_working_day, working_days_between


def test_christmas_and_the_boxing_day_substitute_are_not_working_days():
    # 2026: Christmas Day is a Friday; Boxing Day falls on Saturday, so Monday 28th is the holiday.
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2026, 12, 28))
    assert is_working_day(date(2026, 12, 29))


def test_five_working_days_from_christmas_eve_2026():
    # Thu 24 Dec -> Tue 29, Wed 30, Thu 31, Mon 4 Jan (1 Jan is a holiday), Tue 5 Jan.
    assert add_working_days(date(2026, 12, 24), 5) == date(2027, 1, 5)


def test_easter_2027_counts_neither_good_friday_nor_easter_monday():
    # Good Friday 26 March 2027, Easter Monday 29 March 2027.
    assert add_working_days(date(2027, 3, 25), 1) == date(2027, 3, 30)


def test_a_friday_plus_one_working_day_is_the_monday():
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)


def test_working_days_between_agrees_with_adding_them():
    start = date(2026, 12, 18)
    for days in range(0, 15):
        assert working_days_between(start, add_working_days(start, days)) == days


def test_scotland_has_its_own_bank_holidays():
    # 2 January is a bank holiday in Scotland, not in England.
    assert is_working_day(date(2029, 1, 2), "ENG")
    assert not is_working_day(date(2029, 1, 2), "SCT")
