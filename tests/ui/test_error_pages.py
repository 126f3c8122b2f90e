"""A page that fails says so in Portico's words with a reference, and never shows the
exception's text (which can carry a query, a statement or a patient's name)."""

from __future__ import annotations

import logging

import pytest
from nicegui import ui
from nicegui.testing import User

from tests.ui.journeys import sign_in


async def test_a_failing_page_shows_a_generic_error_with_a_reference(
    user: User, caplog: pytest.LogCaptureFixture
) -> None:
    @ui.page("/test-boom")
    def boom() -> None:
        raise RuntimeError("SELECT * FROM member WHERE last_name = 'Thompson'")

    await sign_in(user, "billing@riverside.example")
    with caplog.at_level(logging.ERROR, logger="portico.errors"):
        response = await user.http_client.get("/test-boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "Thompson" not in response.text and "RuntimeError" not in response.text
    (logged,) = [r for r in caplog.records if r.name == "portico.errors"]
    reference = logged.args[0]  # type: ignore[index]
    assert f"reference {reference}" in response.text
    assert logged.getMessage() == f"error {reference} on /test-boom: RuntimeError"
    caplog.clear()  # the errors were this test's point: not "unexpected ERROR logs"


async def test_a_missing_page_is_a_404_in_portico_words(user: User) -> None:
    await sign_in(user, "billing@riverside.example")
    response = await user.http_client.get("/no-such-page")
    assert response.status_code == 404
    assert "There is nothing at this address." in response.text
