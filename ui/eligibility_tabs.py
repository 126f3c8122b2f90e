"""The heading and tab row the eligibility pages share: check one member, a schedule, history."""

from __future__ import annotations

from nicegui import ui

from ui.eligibility_answer import apply_eligibility_css
from ui.theme import Heading

CHECK_PATH = "/eligibility"
BATCH_PATH = "/eligibility/batch"
HISTORY_PATH = "/eligibility/history"
TABS = (
    ("Check a member", CHECK_PATH, "person_search"),
    ("Tomorrow's schedule", BATCH_PATH, "event_note"),
    ("History", HISTORY_PATH, "history"),
)


def eligibility_header(title: str, subtitle: str, *, current: str) -> None:
    apply_eligibility_css()
    with ui.column().classes("gap-1"):
        Heading(title).mark("page-title")
        ui.label(subtitle).classes("portico-subtitle")
    with ui.element("nav").classes("elig-tabs").props('aria-label="Eligibility"'):
        for label, path, icon in TABS:
            with ui.link(target=path).mark(f"tab-{path.rsplit('/', 1)[-1]}") as link:
                ui.icon(icon, size="20px")
                ui.label(label)
            if path == current:
                link.props('aria-current="page"')
