"""Every page and endpoint of the web app, registered when the app is composed (not at import),
because NiceGUI's test harness re-runs main.py for each test with fresh routes."""

from __future__ import annotations


def register_pages() -> None:
    from ui.pages import (
        claim_detail,
        claim_entry,
        claim_upload,
        claims,
        claims_queue,
        eligibility,
        eligibility_batch,
        eligibility_history,
        eligibility_kept,
        health,
        home,
        login,
        not_found,
        placeholder,
        practice_users,
        remittances,
        reports,
    )

    health.register()
    login.register()
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
    placeholder.register()
    not_found.register()
