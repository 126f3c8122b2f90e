"""Second-factor codes for the demo admins, as their authenticator app would show them.

The demo admins are enrolled with the published DEMO_TOTP_SECRET (storage/seed/demo.py). The
portal never accepts a time step twice (domain/mfa.py), so `next_code` remembers, per database
and email, the last step it handed out and always moves on. The server accepts the steps
current-1 .. current+1, which gives a test two or three sign-ins per account within 30 seconds;
past that, the sign-in helpers (tests/ui/journeys.py, tests/e2e/harness.py) switch the page to
recovery codes and use `next_recovery_code` (ten per admin, each once per database).
"""

from __future__ import annotations

import os
import time

from domain.mfa import TOTP_STEP_SECONDS, totp_code
from storage.seed.demo import DEMO_TOTP_SECRET, demo_recovery_code

# The previous step is only handed out while at least this much of the current step remains:
# a code for step s-1 stops being accepted when step s+1 begins, and a sign-in typed at the
# very end of step s could otherwise reach the server too late.
_SAFE_MARGIN_S = 10
_last_step: dict[tuple[str, str], int] = {}
_recovery_used: dict[tuple[str, str], int] = {}


class NoCodeLeft(RuntimeError):
    """Every step the server would accept now has been used: use a recovery code."""


def next_code(email: str, *, database: str | None = None) -> str:
    """The TOTP code the server will accept next for this demo admin.

    `database` tells apart databases whose replay records are separate (each UI test gets its
    own copy of the demo database, named in PORTICO_DATABASE_URL, the default)."""
    key = _key(email, database)
    now = time.time()
    current = int(now) // TOTP_STEP_SECONDS
    seconds_left = TOTP_STEP_SECONDS - now % TOTP_STEP_SECONDS
    earliest = current - 1 if seconds_left >= _SAFE_MARGIN_S else current
    last = _last_step.get(key)
    step = earliest if last is None else max(earliest, last + 1)
    if step > current + 1:
        raise NoCodeLeft(
            f"{email} has used every code the server accepts right now; "
            "use tests.mfa_codes.recovery_code(email, n) for further sign-ins"
        )
    _last_step[key] = step
    return totp_code(DEMO_TOTP_SECRET, step)


def recovery_code(email: str, n: int) -> str:
    """The demo admin's n-th seeded recovery code (n = 0..9); each works once per database."""
    if not 0 <= n < 10:
        raise ValueError("the demo admins have recovery codes 0 to 9")
    return demo_recovery_code(email, n)


def next_recovery_code(email: str, *, database: str | None = None) -> str:
    """The demo admin's next unused seeded recovery code in this database (for a test that
    signs the same admin in more often than next_code allows)."""
    key = _key(email, database)
    n = _recovery_used.get(key, 0)
    _recovery_used[key] = n + 1
    return recovery_code(email, n)


def _key(email: str, database: str | None) -> tuple[str, str]:
    return (database if database is not None else os.environ.get("PORTICO_DATABASE_URL", ""), email)
