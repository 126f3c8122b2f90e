"""Saved views from a report's header: a user names the view they are looking at, finds it in
"Saved views", renames or deletes it, and makes it their home, which "/" then opens; a practice
admin without a home view lands on the dashboard. And the dashboard's one-page summary PDF."""

from __future__ import annotations

import io

from nicegui import app, ui
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction
from pypdf import PdfReader
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.saved_views import SavedView
from tests.ui.journeys import PATIENCE, pass_mfa_if_asked, see, sign_in, submit_sign_in
from ui.dashboard_pdf import SUMMARY_PATH

DENIALS = "/reports/denials"
# What the page shows and saves; the patient filter in the URL is never stored.
OPENED = f"{DENIALS}?service_from=2026-01-01&carc=16&patient=Thompson"
SAVED_URL = f"{DENIALS}?service_from=2026-01-01&carc=16"
NAME = "CARC 16 this year"


def current_url(user: User) -> str:
    url = user._client.request.url
    return url.path + (f"?{url.query}" if url.query else "")


def view_links(user: User) -> dict[str, str]:
    """The views the open "Saved views" menu lists: name -> URL."""
    return {
        link.text: str(link.props["href"])
        for link in user.find(marker="saved-view-link").elements
        if isinstance(link, ui.link)
    }


def entry(user: User, name: str, marker: str) -> UserInteraction[ui.element]:
    """The button marked `marker` on the row of the view called `name`."""
    for row in user.find(marker="saved-view").elements:
        if any(isinstance(child, ui.link) and child.text == name for child in row.descendants()):
            (button,) = [child for child in row.descendants() if marker in child._markers]
            return UserInteraction(user, {button}, None)
    raise AssertionError(f"no saved view named {name!r} is listed")


async def open_saved_views(user: User, showing: str | None) -> None:
    """Open the menu and wait until it lists the view named `showing` (None: no views)."""
    user.find(marker="saved-views").click()
    if showing is None:
        await see(user, marker="saved-views-empty")
    else:
        await see(user, marker="saved-view-link", content=showing)


async def save_as(user: User, name: str) -> None:
    user.find(marker="save-view").click()
    user.find(marker="view-name").clear().type(name)
    user.find(marker="view-name-submit").click()


async def test_save_a_view_find_it_and_make_it_home(user: User, demo_db: Engine) -> None:
    await sign_in(user, "billing@riverside.example")
    await user.open(OPENED)
    await see(user, marker="save-view")

    await save_as(user, NAME)
    await see(user, f"Saved “{NAME}”. Find it under “Saved views”.")
    await open_saved_views(user, NAME)
    assert view_links(user) == {NAME: SAVED_URL}

    # The same name again is refused where it is typed, and nothing more is stored.
    await save_as(user, NAME.upper())
    await user.should_see(content="You already have a view named", retries=PATIENCE)
    with Session(demo_db) as session:
        assert session.exec(select(SavedView.name)).all() == [NAME]
        assert "Thompson" not in session.exec(select(SavedView.query)).one()

    entry(user, NAME, "saved-view-home").click()
    await see(user, f"“{NAME}” now opens when you go to your home page.")
    (home,) = entry(user, NAME, "saved-view-home").elements
    assert home.text == "Home ✓"  # type: ignore[attr-defined]

    await user.open("/")
    await see(user, marker="report-title")
    assert current_url(user) == SAVED_URL


async def test_rename_and_delete_a_view(user: User, demo_db: Engine) -> None:
    await sign_in(user, "billing@riverside.example")
    await user.open(OPENED)
    await see(user, marker="save-view")
    await save_as(user, NAME)
    await see(user, f"Saved “{NAME}”. Find it under “Saved views”.")

    await open_saved_views(user, NAME)
    entry(user, NAME, "saved-view-rename").click()
    user.find(marker="view-name").clear().type("Missing information")
    user.find(marker="view-name-submit").click()
    await see(user, "Renamed to “Missing information”.")
    await open_saved_views(user, "Missing information")
    assert view_links(user) == {"Missing information": SAVED_URL}

    entry(user, "Missing information", "saved-view-delete").click()
    await user.should_see("Delete “Missing information”?")
    user.find(marker="confirm-action").click()
    await see(user, "Deleted “Missing information”.")
    await open_saved_views(user, None)
    with Session(demo_db) as session:
        assert session.exec(select(SavedView)).all() == []


async def test_a_practice_admin_without_a_home_view_lands_on_the_dashboard(user: User) -> None:
    await user.open("/login")
    await submit_sign_in(user, "admin@riverside.example")
    await pass_mfa_if_asked(user, "admin@riverside.example", "report-title")
    await see(user, marker="report-title")
    assert current_url(user) == "/reports"


async def test_without_a_home_view_other_roles_keep_their_home(user: User) -> None:
    await sign_in(user, "billing@riverside.example")

    assert current_url(user) == "/"
    await user.should_see("Billing worklist")


async def test_the_dashboard_summary_pdf_is_one_page(user: User) -> None:
    await sign_in(user, "billing@riverside.example")
    await user.open("/reports?service_from=2026-01-01")
    await see(user, marker="summary-pdf")

    user.find(marker="summary-pdf").click()
    response = await user.download.next(timeout=60)  # the charts start a browser

    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "Revenue-cycle summary" in text
    assert "Riverside Family Medicine" in text
    assert "Dates of service 01/01/2026 -" in text
    assert len(list(reader.pages[0].images)) == 2


async def test_the_summary_pdf_route_serves_the_dashboards_roles_only(user: User) -> None:
    assert any(getattr(route, "path", None) == SUMMARY_PATH for route in app.routes)
    await sign_in(user, "clinical@riverside.example")
    refused = await user.http_client.get(f"{SUMMARY_PATH}?carc=16")
    assert refused.status_code == 403
    assert refused.headers["cache-control"] == "no-store"

    await user.open("/logout")
    await sign_in(user, "billing@riverside.example")
    served = await user.http_client.get(f"{SUMMARY_PATH}?service_from=2026-01-01")

    assert served.status_code == 200
    assert served.headers["content-type"] == "application/pdf"
    assert "revenue-cycle-summary-" in served.headers["content-disposition"]
    assert len(PdfReader(io.BytesIO(served.content)).pages) == 1


async def test_views_are_stored_for_their_owner_only(user: User, demo_db: Engine) -> None:
    await sign_in(user, "billing@riverside.example")
    await user.open(OPENED)
    await see(user, marker="save-view")
    await save_as(user, NAME)
    await see(user, f"Saved “{NAME}”. Find it under “Saved views”.")

    await user.open("/logout")
    await sign_in(user, "billing@lakeside.example")
    await user.open(DENIALS)
    await see(user, marker="save-view")
    await open_saved_views(user, None)

    with Session(demo_db) as session:
        assert len(session.exec(select(SavedView).where(col(SavedView.name) == NAME)).all()) == 1
