"""The password policy: length 12-128, no composition rules, common and guessable passwords
refused, and never the user's own name or email."""

from __future__ import annotations

import pytest

from domain.passwords import MAX_LENGTH, MIN_LENGTH, password_problem

ANN = ("ann.lindqvist@riverside.example", "Ann Lindqvist")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("x" * (MIN_LENGTH - 1), "at least 12"),
        ("password1234", "most common"),
        ("qwertyuiop12", "most common"),
        ("iloveyou1234", "common"),
        ("Password1234!", "commonly used"),  # a common password with the usual decorations
        ("aaaaaaaaaaaaaaaa", "guess"),  # long, but a repeat
        ("lindqvist-2026!", "name or email"),
        ("my riverside login", "name or email"),
        ("my portico password 9", "portal's name"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, message: str) -> None:
    problem = password_problem(password, user_inputs=ANN)
    assert problem is not None
    assert message in problem.message.lower() or message in problem.message


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",  # no digits, no capitals: no composition rules
        "tulip-vector-quarry-88",
        "Zürich fährt um 5 Uhr ab",  # any characters, spaces included
        "ñandú azul bajo la lluvia",
    ],
)
def test_strong_passwords_of_any_composition_are_accepted(password: str) -> None:
    assert password_problem(password, user_inputs=ANN) is None


def test_long_passwords_are_allowed_up_to_the_maximum() -> None:
    phrase = "orchard lantern copper meadow " * 5  # 150 characters
    assert password_problem(phrase[:64], user_inputs=ANN) is None  # ASVS: 64 must work
    assert password_problem(phrase[:MAX_LENGTH], user_inputs=ANN) is None
    problem = password_problem(phrase, user_inputs=ANN)
    assert problem is not None and "at most 128" in problem.message
