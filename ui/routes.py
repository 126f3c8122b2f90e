"""Every page and endpoint of the web app, registered when the app is composed (not at import),
because NiceGUI's test harness re-runs main.py for each test with fresh routes."""

from __future__ import annotations


def register_pages() -> None:
    from ui import oidc
    from ui.pages import (
        account_links,
        account_security,
        audit_log,
        claim_detail,
        claim_entry,
        claim_upload,
        claims,
        claims_queue,
        eligibility,
        eligibility_batch,
        eligibility_history,
        eligibility_kept,
        error_pages,
        health,
        home,
        login,
        mfa,
        placeholder,
        plan_users,
        practice_users,
        remittances,
        reports,
    )

    health.register()
    login.register()
    mfa.register()  # /mfa: the second step of sign-in
    account_security.register()  # /account/security: password, MFA, open sessions
    oidc.register()  # /login/sso/{name} and /auth/sso/{name}/callback
    home.register()
    claims.register()
    claim_upload.register()  # /claims/upload before /claims/{claim_id}
    claim_entry.register()  # /claims/new before /claims/{claim_id}
    claim_detail.register()
    claims_queue.register()
    eligibility.register()
    eligibility_batch.register()
    eligibility_history.register()
    eligibility_kept.register()
    remittances.register()
    reports.register()
    practice_users.register()
    plan_users.register()  # /plan/users, and /admin (the Plan administration entry's old path)
    account_links.register()  # /invite and /reset: one-time links, no sign-in
    audit_log.register()  # /audit and /audit/export.csv
    placeholder.register()
    error_pages.register()
