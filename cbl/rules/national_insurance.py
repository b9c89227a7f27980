"""National Insurance numbers as HMRC issues them: the one thing that names a person whatever name they give,
so the register holds it to find the same person on another application.

Two prefix letters, six digits and a suffix A, B, C or D. Neither prefix letter is D, F, I, Q, U or V; the
second is not O; and the prefixes BG, GB, KN, NK, NT, TN and ZZ are never issued (HMRC National Insurance
Manual, NIM39110).
"""

import re

_FORMAT = re.compile(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]")
_NEVER_ISSUED = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def national_insurance_number(typed: str) -> str | None:
    """The number as held, in capitals without spaces ("jg 10 37 59 a" -> "JG103759A"), or None if what was
    typed cannot be a National Insurance number."""
    number = "".join(typed.split()).upper()
    if not _FORMAT.fullmatch(number) or number[:2] in _NEVER_ISSUED:
        return None
    return number
