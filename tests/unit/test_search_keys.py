"""How typed names, phone numbers, postcodes and e-mail addresses are compared (cbl/rules/search_keys.py): the
same whatever the case, accents, spacing and formatting, and never two different things made one."""

import unicodedata

from hypothesis import given, settings, strategies as st

from cbl.rules.search_keys import email_key, phone_key, postcode_key, same_name, search_text, words

LETTERS = st.text(alphabet=st.characters(codec="ascii", categories=["Ll", "Lu"]), min_size=1, max_size=12)
MARKS = st.lists(st.sampled_from(["\u0301", "\u0300", "\u0302", "\u0308", "\u0303", "\u0327", "\u030c", "\u030a"]),
                 max_size=2)
FEW = settings(max_examples=40, deadline=None)


@st.composite
def accented(draw: st.DrawFn) -> tuple[str, str]:
    """A name in plain letters, and the same name with accents on some of its letters, in any case."""
    plain = " ".join(draw(st.lists(LETTERS, min_size=1, max_size=3)))
    marked = "".join(c + "".join(draw(MARKS)) if c.isalpha() else c for c in plain)
    return plain, unicodedata.normalize("NFC", draw(st.sampled_from([str.upper, str.lower, str.title]))(marked))


@FEW
@given(accented())
def test_accents_and_case_make_no_difference_to_a_name(pair):
    plain, marked = pair
    assert search_text(marked) == search_text(plain) == "".join(f" {word}" for word in plain.lower().split())
    assert same_name(marked) == same_name(plain)


@FEW
@given(st.text(max_size=40))
def test_a_folded_name_folds_to_itself_and_holds_only_words(text):
    held = search_text(text)
    assert search_text(held) == held
    if held:
        assert held.startswith(" ") and "  " not in held and all(c.isalnum() or c == " " for c in held)
        assert held == held.casefold()


def test_letters_that_carry_their_own_mark_and_punctuation_in_names():
    assert search_text("Łukasz Søren-Æthelstan O’Brien") == " lukasz soren aethelstan obrien"
    assert same_name("Mary-Ann  O'BRIEN") == same_name("Maryann Obrien") == same_name("Mary Ann O’Brien")
    assert words("Straße ﬁeld ²") == ["strasse", "field", "2"]
    assert search_text("  -  ") is None and search_text(None) is None


UK_NUMBERS = st.from_regex(r"0[1-37-9][0-9]{9}", fullmatch=True)


@st.composite
def written(draw: st.DrawFn, number: str) -> str:
    """A UK number as people write it: nationally or as +44, 0044 or 44 (Notify's form), with or without "(0)",
    spaced, dashed or bracketed anyhow."""
    national = number[1:]
    prefix = draw(st.sampled_from(["0", "+44 ", "+44 (0)", "0044 ", "0044(0) ", "44"]))
    digits = list(national)
    for at in sorted(draw(st.lists(st.integers(1, len(digits) - 1), max_size=3, unique=True)), reverse=True):
        digits.insert(at, draw(st.sampled_from([" ", "-", ".", " - "])))
    body = "".join(digits)
    if prefix == "0" and draw(st.booleans()):
        return f"(0{body[:4]}) {body[4:]}"
    return f"{prefix}{body}"


@FEW
@given(st.data(), UK_NUMBERS)
def test_a_uk_phone_number_is_one_whichever_way_it_is_written(data, number):
    assert phone_key(data.draw(written(number))) == number


@FEW
@given(UK_NUMBERS, UK_NUMBERS)
def test_two_different_numbers_stay_different(one, other):
    assert (phone_key(one) == phone_key(other)) == (one == other)


def test_numbers_of_other_countries_keep_their_country():
    assert phone_key("+33 1 23 45 67 89") == phone_key("0033 1 23 45 67 89") == "0033123456789"
    assert phone_key("+33 1 23 45 67 89") != phone_key("01 23 45 67 89")
    assert phone_key("") is None and phone_key("no phone") is None


@FEW
@given(st.from_regex(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}", fullmatch=True), st.sampled_from(["", " ", "  "]),
       st.sampled_from([str.upper, str.lower]))
def test_a_postcode_is_one_however_it_is_spaced_or_cased(postcode, space, case):
    outward, inward = postcode.split()
    assert postcode_key(case(f"{outward}{space}{inward}")) == postcode_key(postcode) == f" {outward}{inward}".lower()


def test_an_email_address_is_compared_whole_case_aside():
    assert email_key("  Ada.Lovelace@Example.COM ") == email_key("ada.lovelace@example.com") == (
        "ada.lovelace@example.com")
    assert email_key("ada@example.com") != email_key("ada@example.co") and email_key(" ") is None
