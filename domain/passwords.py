"""The password policy (ASVS 5.0 V6.2): at least 12 characters, at most 128, no composition
rules, and not a common or easily guessed password. zxcvbn supplies both the 30,000 most common
passwords and a guessability score that also weighs the user's own name and email."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 128
# zxcvbn scores 0-4; 3 is "safely unguessable: moderate protection from offline attack".
MIN_SCORE = 3
ZXCVBN_MAX = 72
# Context-specific words (ASVS 6.1.2): the product's own name and what it is. The caller adds
# the user's name, email and practice name as user_inputs.
CONTEXT_WORDS = ("portico", "provider portal", "health plan", "healthplan")


@dataclass(frozen=True)
class PasswordProblem:
    message: str


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def normalise(password: str) -> str:
    """NFKC, as ASVS asks, so the same password typed on another keyboard still matches."""
    return unicodedata.normalize("NFKC", password)


def password_problem(password: str, *, user_inputs: tuple[str, ...] = ()) -> PasswordProblem | None:
    """None when the password may be used; otherwise what is wrong, in words for the form."""
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        return PasswordProblem(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        return PasswordProblem(f"Use at most {MAX_LENGTH} characters.")
    if password.lower() in _common_passwords():
        return PasswordProblem("This is one of the most common passwords. Choose another.")
    lowered = password.lower()
    if any(word in lowered for word in CONTEXT_WORDS):
        return PasswordProblem("Don't use the portal's name in your password.")
    for value in user_inputs:
        for part in _parts(value):
            if len(part) >= 4 and part in lowered:
                return PasswordProblem("Don't use your name or email in your password.")
    # zxcvbn refuses more than 72 characters; the first 72 of a longer one are what it scores.
    result = zxcvbn(
        password[:ZXCVBN_MAX], user_inputs=[*CONTEXT_WORDS, *(v for v in user_inputs if v)]
    )
    if result["score"] < MIN_SCORE:
        hint = (result.get("feedback") or {}).get("warning") or "It would be easy to guess."
        return PasswordProblem(f"{hint.rstrip('.')}. Try a longer phrase of unrelated words.")
    return None


def _parts(value: str) -> list[str]:
    """'ann.lee@riverside.example' -> ['ann', 'lee', 'riverside', 'example', ...]"""
    cleaned = "".join(c if c.isalnum() else " " for c in value.lower())
    return cleaned.split()
