"""Pages for the areas not built yet: a clear "coming soon" inside the frame, still role-guarded."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from ui.frame import frame, portal_page
from ui.nav import NAV, NavEntry
from ui.theme import Heading, message_panel


def register() -> None:
    for entry in NAV:
        if not entry.built:
            portal_page(entry.path)(_coming_soon(entry))


def _coming_soon(entry: NavEntry) -> Callable[[], Awaitable[None]]:
    async def page() -> None:
        async with frame(entry.label, area=entry.area):
            Heading(entry.label)
            with message_panel(entry.icon, "Coming soon", level=2, marker="coming-soon"):
                ui.label(entry.summary).classes("portico-muted max-w-xl")
                ui.link("Back to your home page", "/").classes("portico-link mt-2")

    page.__name__ = f"coming_soon_{entry.area.value}"
    return page
