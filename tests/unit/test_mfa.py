"""TOTP and recovery-code rules, without a database: which step a code is good for, replay,
the recovery codes' shape and hashing, and the key that encrypts secrets."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from cryptography.fernet import InvalidToken

from domain.mfa import (
    RECOVERY_CODE_COUNT,
    TOTP_STEP_SECONDS,
    accepted_step,
    new_recovery_code,
    new_totp_secret,
    normalise_recovery_code,
    provisioning_uri,
    recovery_code_hash,
    time_step,
    totp_code,
)
from storage.secrets import mfa_cipher
from storage.seed.demo import DEMO_TOTP_SECRET
from tests.mfa_codes import next_code

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
AT = datetime(2026, 11, 26, 9, 0, 10, tzinfo=UTC)  # 10 s into a step
STEP = time_step(AT)


def test_the_step_is_the_unix_time_over_thirty_seconds() -> None:
    assert int(AT.timestamp()) // 30 == STEP
    assert time_step(AT + timedelta(seconds=19)) == STEP
    assert time_step(AT + timedelta(seconds=20)) == STEP + 1


def test_codes_are_pyotps_and_rfc_6238s() -> None:
    assert totp_code(SECRET, STEP) == pyotp.TOTP(SECRET).at(AT)
    # RFC 6238 appendix B (SHA-1, T = 59 s): 94287082 with 8 digits; 287082 with six.
    rfc_secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp_code(rfc_secret, 59 // 30) == "287082"


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [(-2, False), (-1, True), (0, True), (1, True), (2, False)],
    ids=["two steps old", "previous step", "current step", "next step", "two steps ahead"],
)
def test_a_code_is_accepted_for_the_current_step_and_one_either_side(
    offset: int, accepted: bool
) -> None:
    code = totp_code(SECRET, STEP + offset)
    expected = STEP + offset if accepted else None
    assert accepted_step(SECRET, code, at=AT, last_step=None) == expected


@pytest.mark.parametrize(
    ("last_step", "offset", "accepted"),
    [
        (STEP, 0, False),  # the same code again: replay
        (STEP, -1, False),  # an older code after a newer one
        (STEP, 1, True),  # the next step's code is still new
        (STEP - 1, 0, True),
        (STEP + 1, 1, False),
    ],
)
def test_a_step_at_or_before_the_last_accepted_one_is_refused(
    last_step: int, offset: int, accepted: bool
) -> None:
    code = totp_code(SECRET, STEP + offset)
    result = accepted_step(SECRET, code, at=AT, last_step=last_step)
    assert (result is not None) is accepted


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_codes_are_refused(code: str) -> None:
    assert accepted_step(SECRET, code, at=AT, last_step=None) is None


def test_spaces_in_a_typed_code_do_not_matter() -> None:
    code = totp_code(SECRET, STEP)
    assert accepted_step(SECRET, f" {code[:3]} {code[3:]} ", at=AT, last_step=None) == STEP


def test_a_wrong_code_is_refused() -> None:
    right = totp_code(SECRET, STEP)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    neighbours = {totp_code(SECRET, STEP + offset) for offset in (-1, 0, 1)}
    assert wrong not in neighbours
    assert accepted_step(SECRET, wrong, at=AT, last_step=None) is None


def test_a_new_secret_is_160_random_bits_in_base32() -> None:
    secrets = {new_totp_secret() for _ in range(20)}
    assert len(secrets) == 20
    for secret in secrets:
        assert len(secret) == 32
        assert len(base64.b32decode(secret)) == 20


def test_the_provisioning_uri_names_the_portal_and_the_account() -> None:
    uri = provisioning_uri(SECRET, account="admin@example.test")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert parts.path == "/Portico:admin%40example.test"
    query = parse_qs(parts.query)
    assert query["secret"] == [SECRET]
    assert query["issuer"] == ["Portico"]
    assert pyotp.parse_uri(uri).now() == pyotp.TOTP(SECRET).now()
    assert TOTP_STEP_SECONDS == 30


def test_recovery_codes_are_80_bits_in_four_groups_and_all_different() -> None:
    codes = [new_recovery_code() for _ in range(200)]
    assert len(set(codes)) == 200
    for code in codes:
        groups = code.split("-")
        assert [len(group) for group in groups] == [4, 4, 4, 4]
        assert set("".join(groups)) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    assert RECOVERY_CODE_COUNT == 10


@pytest.mark.parametrize(
    "typed", ["abcd-efgh-jkmn-pqrs", "ABCDEFGHJKMNPQRS", " abcd efgh jkmn pqrs "]
)
def test_a_recovery_code_is_matched_however_it_is_typed(typed: str) -> None:
    assert recovery_code_hash(typed) == recovery_code_hash("ABCD-EFGH-JKMN-PQRS")


def test_look_alike_letters_read_as_the_digits_they_resemble() -> None:
    assert normalise_recovery_code("O1IL-o0") == "01110" + "0"


def test_the_recovery_code_hash_is_sha256_of_the_normalised_code() -> None:
    assert recovery_code_hash("abcd-0000") == hashlib.sha256(b"ABCD0000").hexdigest()
    assert recovery_code_hash("ABCD-0000") != recovery_code_hash("ABCD-0001")


def test_the_secret_key_is_derived_from_the_portal_secret() -> None:
    token = mfa_cipher("one secret, at least 32 characters long").encrypt(SECRET.encode())
    assert SECRET.encode() not in token
    assert mfa_cipher("one secret, at least 32 characters long").decrypt(token) == SECRET.encode()
    with pytest.raises(InvalidToken):
        mfa_cipher("another secret, at least 32 characters").decrypt(token)


def test_the_test_helper_hands_out_codes_the_server_accepts_in_turn() -> None:
    """tests/mfa_codes.next_code never repeats a step, so sign-ins in a row each get a code."""
    database = f"unit-test-{id(object())}"
    last: int | None = None
    for _ in range(2):
        code = next_code("admin@riverside.example", database=database)
        step = accepted_step(DEMO_TOTP_SECRET, code, at=datetime.now(UTC), last_step=last)
        assert step is not None and (last is None or step > last)
        last = step
