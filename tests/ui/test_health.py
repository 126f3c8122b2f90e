"""/healthz answers 200 with a reachable database and 503 without one."""

from __future__ import annotations

import pytest
from nicegui.testing import User

from tests.ui.journeys import response_texts


async def test_healthz_answers_ok(user: User) -> None:
    response = await user.http_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_healthz_answers_503_when_the_database_is_unreachable(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.pages import health

    monkeypatch.setattr(health, "database_is_reachable", lambda: False)
    response = await user.http_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] != "ok"


async def test_an_unknown_address_gets_portico_s_own_not_found_page(user: User) -> None:
    response = await user.http_client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response_texts(response)
