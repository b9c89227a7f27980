"""The form fields every page uses: dates as GOV.UK date inputs, declared limits, known lists."""

from datetime import date

from cbl.web import forms


class Example(forms.Form):
    born = forms.Day("Date of birth")
    note = forms.Text("Note", limit=10)
    areas = forms.Many("Areas")


def _read(**typed):
    return forms.read(Example, typed, choices={"areas": ["Northgate", "Riverside"]})


def test_a_date_input_round_trip_gives_the_date():
    form = _read(**{"born-day": "7", "born-month": "03", "born-year": "1990"})
    assert form.validate() and form.born.data == date(1990, 3, 7)


def test_a_date_missing_its_month_says_so_and_keeps_the_other_parts():
    form = _read(**{"born-day": "7", "born-year": "1990"})
    assert not form.validate()
    assert form.born.errors == ["Date of birth must include a month"]
    assert form.born.parts == {"day": "7", "month": "", "year": "1990"} and form.born.wrong == ("month",)
    assert form.summary[0]["href"] == "#born-month"


def test_an_impossible_date_is_not_a_real_date():
    form = _read(**{"born-day": "31", "born-month": "2", "born-year": "1990"})
    assert not form.validate() and form.born.errors == ["Date of birth must be a real date"]


def test_every_error_is_listed_at_once_in_page_order():
    form = _read(**{"note": "x" * 11, "areas": ["Northgate", "Atlantis"]})
    assert not form.validate()
    assert [line["text"] for line in form.summary] == [
        "Enter date of birth", "Note must be 10 characters or fewer (you entered 11)",
        "Areas has a value that is not on the list: Atlantis"]
    assert form.note._value() == "x" * 11  # what was typed comes back whole


def test_a_nul_character_is_refused_with_what_was_typed_given_back():
    # PostgreSQL cannot store one: refused with a message, never a server error.
    form = _read(**{"born-day": "1", "born-month": "2", "born-year": "1990", "note": "a\x00b"})
    assert not form.validate()
    assert [line["text"] for line in form.summary] == ["Note has a character that cannot be stored: remove it"]
    assert form.note._value() == "a\x00b"
