"""National Provider Identifier: 10 digits whose last is a Luhn check over '80840' + first 9."""

from __future__ import annotations

from stdnum import luhn


def npi_check_digit(first_nine: str) -> str:
    """The check digit CMS assigns: Luhn over the ISO prefix 80840 and the first nine digits."""
    return luhn.calc_check_digit("80840" + first_nine)


def is_valid_npi(npi: str) -> bool:
    if len(npi) != 10 or not npi.isdigit() or npi[0] not in "12":
        return False
    return luhn.is_valid("80840" + npi)


def npi_problem(npi: str) -> str | None:
    """A plain-language reason an NPI is wrong, or None when it is valid."""
    if not npi:
        return "Enter the 10-digit NPI."
    if len(npi) != 10 or not npi.isdigit():
        return "An NPI has exactly 10 digits."
    if npi[0] not in "12":
        return "An NPI starts with 1 (individual) or 2 (organization)."
    if not is_valid_npi(npi):
        return "The NPI's check digit is wrong; check it for a typing error."
    return None


def make_npi(first_nine: str) -> str:
    return first_nine + npi_check_digit(first_nine)
