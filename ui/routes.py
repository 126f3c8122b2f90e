"""Every page and endpoint of the web app, registered when the app is composed (not at import),
because NiceGUI's test harness re-runs main.py for each test with fresh routes."""

from __future__ import annotations


def register_pages() -> None:
    from ui.pages import (
        claim_detail,
        claims,
        eligibility,
        eligibility_batch,
        eligibility_history,
        eligibility_kept,
        health,
        home,
        login,
        not_found,
        placeholder,
    )

    health.register()
    login.register()
    home.register()
    claims.register()
    claim_detail.register()
    eligibility.register()
    eligibility_batch.register()
    eligibility_history.register()
    eligibility_kept.register()
    placeholder.register()
    not_found.register()
