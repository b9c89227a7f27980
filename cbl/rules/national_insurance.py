"""National Insurance numbers: the shape HMRC issues them in.

HMRC's National Insurance Manual, NIM39110: two prefix letters, six digits and a suffix letter A, B, C or D.
Neither prefix letter is D, F, I, Q, U or V; the second is not O; the prefixes BG, GB, KN, NK, NT, TN and ZZ
are not issued. People write them with spaces ("QQ 12 34 56 C") and in either case.
"""

import re

_SHAPE = re.compile(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]")
_NOT_ISSUED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def national_insurance_number(typed: str) -> str | None:
    """The number written the one way it is stored (capitals, no spaces), or None if it cannot be one."""
    number = "".join(typed.split()).upper()
    if not _SHAPE.fullmatch(number) or number[:2] in _NOT_ISSUED:
        return None
    return number
