"""Whole numbers typed by people."""


def only_digits(text: str) -> bool:
    """True for 0-9 only. `str.isdigit()` is also true for '²' and other digits int() refuses."""
    return text.isascii() and text.isdigit()
