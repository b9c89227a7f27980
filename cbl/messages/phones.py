"""UK mobile numbers, written one way (447700900123) so that a text's sender finds its household."""

import re


def mobile(text: str | None) -> str | None:
    """The number as 44 and ten digits, or None if it is not a UK mobile number."""
    if not text:
        return None
    digits = re.sub(r"[\s().-]", "", text)
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    if digits.startswith("0"):
        digits = "44" + digits[1:]
    return digits if re.fullmatch(r"447\d{9}", digits) else None
