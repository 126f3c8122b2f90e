"""Roles of DESIGN.md and what each may open: the one table navigation and guards consult."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    PRACTICE_ADMIN = "practice_admin"
    BILLING = "billing"
    FRONT_DESK = "front_desk"
    CLINICAL = "clinical"
    CLAIMS_EXAMINER = "claims_examiner"
    UM_REVIEWER = "um_reviewer"
    CREDENTIALING = "credentialing"
    PLAN_ADMIN = "plan_admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def is_plan_side(self) -> bool:
        return self in PLAN_ROLES


ROLE_LABELS = {
    Role.PRACTICE_ADMIN: "Practice admin",
    Role.BILLING: "Billing staff",
    Role.FRONT_DESK: "Front desk",
    Role.CLINICAL: "Clinical staff",
    Role.CLAIMS_EXAMINER: "Claims examiner",
    Role.UM_REVIEWER: "UM reviewer",
    Role.CREDENTIALING: "Credentialing specialist",
    Role.PLAN_ADMIN: "Plan admin",
}

PRACTICE_ROLES = frozenset({Role.PRACTICE_ADMIN, Role.BILLING, Role.FRONT_DESK, Role.CLINICAL})
PLAN_ROLES = frozenset(
    {Role.CLAIMS_EXAMINER, Role.UM_REVIEWER, Role.CREDENTIALING, Role.PLAN_ADMIN}
)


class Area(StrEnum):
    """A part of the portal a role may or may not open (a page family or an action)."""

    HOME = "home"
    ELIGIBILITY = "eligibility"
    CLAIMS = "claims"
    CLAIM_ENTRY = "claim_entry"  # enter, upload, correct and appeal claims
    REMITTANCES = "remittances"
    DASHBOARDS = "dashboards"
    PRIOR_AUTH = "prior_auth"
    REFERRALS = "referrals"
    CLINICAL_NOTES = "clinical_notes"
    PROVIDERS = "providers"
    CLAIMS_QUEUE = "claims_queue"
    UM_QUEUE = "um_queue"
    CREDENTIALING = "credentialing"
    PRACTICE_USERS = "practice_users"
    PLAN_ADMIN = "plan_admin"
    AUDIT_LOG = "audit_log"


_ALL = frozenset(Role)

# Billing never sees clinical notes; clinical staff never see financial dashboards.
ACCESS: dict[Area, frozenset[Role]] = {
    Area.HOME: _ALL,
    Area.ELIGIBILITY: frozenset({Role.PRACTICE_ADMIN, Role.BILLING, Role.FRONT_DESK}),
    # The plan admin reads claims too: every figure of the plan-wide reports drills down to
    # the claim list. Entering, correcting and appealing stay with the practice.
    Area.CLAIMS: frozenset(
        {Role.PRACTICE_ADMIN, Role.BILLING, Role.CLAIMS_EXAMINER, Role.PLAN_ADMIN}
    ),
    Area.CLAIM_ENTRY: frozenset({Role.PRACTICE_ADMIN, Role.BILLING}),
    Area.REMITTANCES: frozenset({Role.PRACTICE_ADMIN, Role.BILLING}),
    Area.DASHBOARDS: frozenset(
        {Role.PRACTICE_ADMIN, Role.BILLING, Role.CLAIMS_EXAMINER, Role.PLAN_ADMIN}
    ),
    Area.PRIOR_AUTH: frozenset({Role.PRACTICE_ADMIN, Role.CLINICAL, Role.UM_REVIEWER}),
    Area.REFERRALS: frozenset({Role.PRACTICE_ADMIN, Role.FRONT_DESK, Role.CLINICAL}),
    Area.CLINICAL_NOTES: frozenset({Role.PRACTICE_ADMIN, Role.CLINICAL, Role.UM_REVIEWER}),
    Area.PROVIDERS: frozenset({Role.PRACTICE_ADMIN, Role.CREDENTIALING, Role.PLAN_ADMIN}),
    Area.CLAIMS_QUEUE: frozenset({Role.CLAIMS_EXAMINER}),
    Area.UM_QUEUE: frozenset({Role.UM_REVIEWER}),
    Area.CREDENTIALING: frozenset({Role.CREDENTIALING}),
    Area.PRACTICE_USERS: frozenset({Role.PRACTICE_ADMIN}),
    Area.PLAN_ADMIN: frozenset({Role.PLAN_ADMIN}),
    Area.AUDIT_LOG: frozenset({Role.PRACTICE_ADMIN, Role.PLAN_ADMIN}),
}


def may_open(roles: frozenset[Role] | set[Role], area: Area) -> bool:
    return bool(ACCESS[area] & set(roles))


def parse_roles(values: list[str] | tuple[str, ...]) -> frozenset[Role]:
    """Roles from the session; unknown strings are dropped, never trusted."""
    known = {role.value for role in Role}
    return frozenset(Role(value) for value in values if value in known)
