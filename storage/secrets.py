"""Encryption of secrets kept at rest (TOTP secrets), with a key derived from PORTICO_SECRET.

The database alone never reveals a user's TOTP secret: it holds a Fernet token (AES-128-CBC
with HMAC-SHA256), and the key exists only in the running process. Rotating PORTICO_SECRET
therefore makes the stored TOTP secrets unreadable: every enrolled user must enrol again (their
recovery codes still sign them in once, and an admin can turn MFA off for them).
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from storage.settings import get_settings

# HKDF's "info" separates this key from anything else derived from the same secret (the session
# cookie signature uses PORTICO_SECRET directly); the version lets a future key coexist.
_MFA_KEY_INFO = b"portico/mfa-totp-secret/v1"


@lru_cache(maxsize=4)
def _cipher_for(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_MFA_KEY_INFO).derive(
        secret.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(key))


def mfa_cipher(secret: str | None = None) -> Fernet:
    """The cipher for TOTP secrets: from `secret`, or from the configured PORTICO_SECRET."""
    return _cipher_for(secret if secret is not None else get_settings().secret)
