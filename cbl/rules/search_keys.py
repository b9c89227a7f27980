"""How names, addresses, postcodes, phone numbers and e-mail addresses are compared when staff look someone up:
what is typed and what is held are both put in one canonical form, so that "JOSÉ O'Brien-Smith", "jose obrien
smith" and "José O’Brien Smith" are the same name, and "+44 (0)7700 900-123" and "07700900123" the same number.

The register keeps these forms beside what was typed (cbl/models/search_keys.py), indexed for search.
"""

import unicodedata

# Letters that carry their mark in the letter itself, so that Unicode's decomposition (NFKD) leaves them as they
# are: "Łukasz" is looked up as "lukasz", "Søren" as "soren", "Æthelred" as "aethelred".
_OWN_LETTERS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "ŀ": "l", "ŧ": "t",
                              "æ": "ae", "œ": "oe", "þ": "th", "ĸ": "q", "ŋ": "n"})
# Apostrophes join the parts of a name ("O'Brien" is "obrien"); any other mark or space separates words.
_APOSTROPHES = dict.fromkeys(map(ord, "'’ʼ‘`´′"), None)


def folded(text: str) -> str:
    """Case and accents aside: casefolded (ß is ss), decomposed (NFKD: é is e and a mark, ﬁ is fi, ² is 2) without
    the marks. Twice over: casefolding can make a mark ("İ" is "i" and a dot), and decomposing a capital ("ℌ" is
    "H")."""
    once = unicodedata.normalize("NFKD", text.casefold())
    twice = unicodedata.normalize("NFKD", once.casefold())
    return "".join(c for c in twice if not unicodedata.combining(c)).translate(_OWN_LETTERS)


def words(text: str) -> list[str]:
    """The words of a name or an address, folded: letters and digits only, apostrophes dropped."""
    return "".join(c if c.isalnum() else " " for c in folded(text).translate(_APOSTROPHES)).split()


def search_text(text: str | None) -> str | None:
    """A name or an address as it is searched: its words, each after one space (" mary ann obrien"), so that a
    word's start can be looked for as a space and its first letters (" ma"). None when it has no words."""
    found = words(text or "")
    return "".join(f" {word}" for word in found) or None


def same_name(name: str) -> str:
    """A name as it is compared to find the same person on another application: case, accents, spaces and marks
    aside ("Mary-Ann  O'BRIEN", "Maryann Obrien" and "Mary Ann O’Brien" are all "maryannobrien")."""
    return "".join(words(name))


def postcode_key(text: str | None) -> str | None:
    """A postcode or its first characters as searched: one word without spaces (" at12bc" for "AT1 2BC"), so that
    the start of a postcode is found wherever its space was typed."""
    return search_text("".join(words(text or "")))


def email_key(text: str | None) -> str | None:
    """An e-mail address as compared: the whole address, case aside."""
    return text.strip().casefold() or None if text else None


UK_COUNTRY_CODE = "44"


def phone_key(text: str | None) -> str | None:
    """A phone number as compared: its digits, a UK number in its national form (07700 900123, +44 7700 900123,
    0044 (0)7700 900123 and 447700900123, as GOV.UK Notify gives a texter's number, are all "07700900123"), any
    other country's number after 00. Ofcom's National Telephone Numbering Plan: UK numbers are dialled
    nationally with a leading 0 (the trunk prefix) and internationally as +44 without it."""
    if not text:
        return None
    digits = "".join(c for c in text if c.isascii() and c.isdigit())
    international = text.lstrip().startswith("+")
    if international:
        digits = "00" + digits
    elif len(digits) == 12 and digits.startswith(UK_COUNTRY_CODE):
        digits = "00" + digits  # 44 and a 10-digit national number: a UK number written without its +
    if digits.startswith("00" + UK_COUNTRY_CODE):
        national = digits[4:]
        digits = national if national.startswith("0") else "0" + national  # "+44 (0)20 ..." keeps one 0
    return digits or None
