"""Numbers typed into forms: only 0-9 count as digits ('²' passes str.isdigit() and breaks int())."""

from cbl.rules.digits import only_digits


def test_only_ascii_digits_are_digits():
    assert only_digits("0") and only_digits("2026")
    assert not only_digits("²") and not only_digits("٣") and not only_digits("")
    assert not only_digits("-1") and not only_digits("1.5") and not only_digits(" 1")
