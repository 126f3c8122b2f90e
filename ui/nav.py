"""The navigation table: every area's label, path and icon, and which areas are built yet.

Which entries a user sees comes from domain.roles.ACCESS alone; this table only says how an
area looks in the drawer and where it lives.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.roles import Area, Role, may_open


@dataclass(frozen=True)
class NavEntry:
    area: Area
    label: str
    path: str
    icon: str
    summary: str  # what the module does, for its "coming soon" page until it is built
    built: bool = False


NAV: tuple[NavEntry, ...] = (
    NavEntry(Area.HOME, "Home", "/", "space_dashboard", "What needs attention today.", True),
    NavEntry(
        Area.CLAIMS,
        "Claims",
        "/claims",
        "receipt_long",
        "Claim status, EOBs and adjustments.",
        True,
    ),
    NavEntry(
        Area.ELIGIBILITY,
        "Eligibility",
        "/eligibility",
        "verified_user",
        "Check a member's coverage, benefits, deductible and out-of-pocket on a date of "
        "service, and whether a procedure needs prior authorization.",
        True,
    ),
    NavEntry(
        Area.REMITTANCES,
        "Remittances",
        "/remittances",
        "payments",
        "Payments from the plan (835s) with the claims each one settles, ready to post.",
        True,
    ),
    NavEntry(
        Area.DASHBOARDS,
        "Reports",
        "/reports",
        "insights",
        "Denial rate, A/R aging, days in A/R and clean-claim rate, with drill-down to the claims "
        "behind every number.",
        True,
    ),
    NavEntry(
        Area.PRIOR_AUTH,
        "Prior auth",
        "/prior-auth",
        "assignment_turned_in",
        "Request authorizations with clinical notes and track decisions against the 72-hour and "
        "7-day clocks.",
    ),
    NavEntry(
        Area.REFERRALS,
        "Referrals",
        "/referrals",
        "forward_to_inbox",
        "Find in-network specialists, send referrals and follow consultations.",
    ),
    NavEntry(
        Area.CLAIMS_QUEUE,
        "Pended queue",
        "/claims-queue",
        "pending_actions",
        "Work pended claims: review, adjudicate by hand and record the decision.",
        True,
    ),
    NavEntry(
        Area.UM_QUEUE,
        "UM queue",
        "/um-queue",
        "fact_check",
        "Prior-authorization requests awaiting a utilization-management decision.",
    ),
    NavEntry(
        Area.CREDENTIALING,
        "Credentialing",
        "/credentialing",
        "workspace_premium",
        "Credentialing applications, document review and recredentialing reminders.",
    ),
    NavEntry(
        Area.PROVIDERS,
        "Providers",
        "/providers",
        "badge",
        "Provider profiles, locations and directory listings.",
    ),
    NavEntry(
        Area.PRACTICE_USERS,
        "Practice users",
        "/practice/users",
        "group",
        "Invite staff, assign roles and deactivate accounts.",
        True,
    ),
    NavEntry(
        Area.PLAN_ADMIN,
        "Plan administration",
        "/plan/users",
        "admin_panel_settings",
        "Invite plan staff, assign roles and deactivate accounts.",
        True,
    ),
    NavEntry(
        Area.AUDIT_LOG,
        "Audit log",
        "/audit",
        "history",
        "Who looked at or changed what, and when.",
        True,
    ),
)

# Clinical notes is a permission inside prior-auth and referrals, not a page of its own.
NAV_BY_AREA = {entry.area: entry for entry in NAV}


def entries_for(roles: frozenset[Role]) -> list[NavEntry]:
    return [entry for entry in NAV if may_open(roles, entry.area)]


def entry_for_path(path: str) -> NavEntry | None:
    """The nav entry a path belongs to (longest matching prefix), to highlight it."""
    matches = [
        entry
        for entry in NAV
        if path == entry.path or (entry.path != "/" and path.startswith(entry.path + "/"))
    ]
    return max(matches, key=lambda entry: len(entry.path), default=None)
