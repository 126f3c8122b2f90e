"""NPI check digit: Luhn over '80840' + the first nine digits (CMS's published example)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.npi import is_valid_npi, make_npi, npi_check_digit, npi_problem


def test_cms_published_example() -> None:
    # CMS "NPI check digit" example: 123456789 -> check digit 3.
    assert npi_check_digit("123456789") == "3"
    assert is_valid_npi("1234567893")


@pytest.mark.parametrize(
    ("npi", "problem"),
    [
        ("1234567893", None),
        ("1234567890", "check digit"),
        ("123456789", "exactly 10 digits"),
        ("12345678901", "exactly 10 digits"),
        ("12345678a3", "exactly 10 digits"),
        ("3234567893", "starts with 1"),
        ("", "Enter the 10-digit NPI"),
    ],
)
def test_problems_say_what_is_wrong(npi: str, problem: str | None) -> None:
    found = npi_problem(npi)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


@given(st.from_regex(r"[12][0-9]{8}", fullmatch=True))
def test_made_npis_are_valid_and_any_single_digit_typo_is_caught(first_nine: str) -> None:
    npi = make_npi(first_nine)
    assert is_valid_npi(npi)
    for position in range(1, 10):
        digit = int(npi[position])
        typo = npi[:position] + str((digit + 1) % 10) + npi[position + 1 :]
        assert not is_valid_npi(typo)
