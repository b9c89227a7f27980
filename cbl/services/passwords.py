"""Passwords: hashing (argon2id), and what a new password must be."""

from collections.abc import Sequence
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


MIN_LENGTH = 10
MAX_LENGTH = 200
# zxcvbn scores 0-4; below 2 a password falls to about a million guesses.
MIN_STRENGTH = 2


@cache
def _breached() -> frozenset[str]:
    """The 30,000 passwords seen most often in published breaches (the Xato corpus), as shipped in
    zxcvbn's frequency lists: in the installed package, never fetched."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def check_new_password(password: str, *, about: Sequence[str] = ()) -> None:
    """Refuse (InvalidInput) a password that is short, common, on the breached list, or built from
    `about` (the account's reference, e-mail, phone)."""
    from zxcvbn import zxcvbn

    from .errors import InvalidInput

    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"Password must be {MIN_LENGTH} characters or more.", field="password")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"Password must be {MAX_LENGTH} characters or fewer.", field="password")
    if password.lower() in _breached():
        raise InvalidInput("This password is one of the most common, found in lists that attackers try first. "
                           "Choose another: three or four unrelated words make a strong one.", field="password")
    # zxcvbn looks at 72 characters at most; a longer password is stronger than its start.
    verdict = zxcvbn(password[:72], user_inputs=[item for item in about if item])
    if verdict["score"] < MIN_STRENGTH:
        hint = verdict["feedback"]["warning"] or "It would be easy to guess."
        raise InvalidInput(f"Choose a stronger password. {hint} Three or four unrelated words make a strong one.",
                           field="password")
