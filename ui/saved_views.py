"""The saved-views control of a report's header: "Save view" names the page as filtered now,
and "Saved views" lists the user's own views to open, rename, delete or make their home."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from domain.saved_views import (
    MAX_NAME_LENGTH,
    SavedViewRefused,
    SavedViewSummary,
    delete_view,
    list_views,
    rename_view,
    save_view,
    set_home_view,
)
from domain.scope import Actor, NotAuthorized, NotFound
from ui.data import call

EMPTY = "No saved views yet. “Save view” keeps this page as filtered now."
GONE = "That view no longer exists (deleted in another tab?)."
_CSS = """
.saved-views-menu { min-width: 20rem; max-width: 28rem; }
.saved-view-row { display: flex; align-items: center; gap: 4px; width: 100%;
  padding: 2px 8px 2px 16px; }
.saved-view-row a { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; color: inherit; text-decoration: none; padding: 6px 0; }
.saved-view-row a:hover { text-decoration: underline; }
.saved-view-row .saved-view-home { font-size: 0.8125rem; padding: 0 6px; }
.saved-view-row a:focus-visible, .saved-view-row button:focus-visible {
  outline: 2px solid #1b4f72; outline-offset: 2px; border-radius: 2px; }
"""


def saved_views_control(actor: Actor, path: str, current_query: Callable[[], str]) -> None:
    """Draw the control inline (a header row). `current_query` gives the page's URL query as
    filtered at the moment of saving (without '?'); the domain keeps only its known filters."""
    SavedViewsControl(actor, path, current_query)


class SavedViewsControl:
    def __init__(self, actor: Actor, path: str, current_query: Callable[[], str]) -> None:
        self.actor = actor
        self.path = path
        self.current_query = current_query
        ui.add_css(_CSS)
        with ui.row().classes("items-center gap-2 no-wrap").mark("saved-views-control"):
            ui.button("Save view", icon="bookmark_add", on_click=self.ask_name).props(
                "outline no-caps"
            ).mark("save-view")
            self.menu_button = (
                ui.button("Saved views", icon="bookmarks", on_click=self.toggle_menu)
                .props(
                    "outline no-caps icon-right=arrow_drop_down aria-haspopup=dialog "
                    'aria-expanded="false"'
                )
                .mark("saved-views")
            )
            # Opened by the button's handler (no-parent-event), after the list is read afresh:
            # views change in other tabs, and the list must be current when it shows.
            with self.menu_button:
                self.menu = (
                    ui.menu()
                    # Quasar's role "menu" promises menu items; the list holds links and
                    # buttons, which a non-modal dialog may.
                    .props('no-parent-event role=dialog aria-label="Saved views"')
                    .classes("saved-views-menu")
                    .on_value_change(self._menu_toggled)
                )
                with self.menu:
                    self.entries = ui.column().classes("w-full gap-0 py-1").mark("saved-views-list")
        self.name_dialog = NameDialog()
        self.confirm_dialog = ConfirmDialog()

    # --- The list ---

    async def toggle_menu(self) -> None:
        if self.menu.value:
            self.menu.close()
            return
        await self.refresh()
        self.menu.open()

    def _menu_toggled(self) -> None:
        self.menu_button.props(f'aria-expanded="{str(bool(self.menu.value)).lower()}"')

    async def refresh(self) -> None:
        views = await call(list_views, actor=self.actor)
        self.entries.clear()
        with self.entries:
            if not views:
                ui.label(EMPTY).classes("px-4 py-3 text-sm portico-muted").mark("saved-views-empty")
            for view in views or []:
                self._entry(view)

    def _entry(self, view: SavedViewSummary) -> None:
        with ui.element("div").classes("saved-view-row").mark("saved-view"):
            # A real link: it opens in a new tab too, and the page reads its filters from it.
            link = ui.link(view.name, view.url).mark("saved-view-link")
            link.props["title"] = view.name  # the whole name, when the menu cuts it short
            home = ui.button(
                "Home ✓" if view.is_home else "Set as home",
                on_click=lambda view=view: self.toggle_home(view),
            ).props(f"flat dense no-caps aria-pressed={str(view.is_home).lower()}")
            home.classes("saved-view-home")
            home.classes("text-primary font-semibold" if view.is_home else "text-slate-600")
            home.mark("saved-view-home")
            home.props["aria-label"] = (
                f"{view.name}: your home page (choose to unset)"
                if view.is_home
                else f"Set {view.name} as your home page"
            )
            rename = ui.button(icon="edit", on_click=lambda view=view: self.ask_rename(view))
            rename.props("flat round dense size=sm").mark("saved-view-rename")
            rename.props["aria-label"] = f"Rename {view.name}"
            rename.tooltip("Rename")
            remove = ui.button(icon="delete", on_click=lambda view=view: self.ask_delete(view))
            remove.props("flat round dense size=sm").mark("saved-view-delete")
            remove.props["aria-label"] = f"Delete {view.name}"
            remove.tooltip("Delete")

    # --- Saving and renaming ---

    def ask_name(self) -> None:
        self.name_dialog.ask(
            title="Save this view",
            detail="Its filters are kept under this name, in your “Saved views”.",
            name="",
            action="Save",
            submit=self.save,
        )

    async def save(self, name: str) -> str | None:
        try:
            saved = await call(
                save_view,
                actor=self.actor,
                name=name,
                path=self.path,
                query=self.current_query(),
            )
        except SavedViewRefused as refusal:
            return str(refusal)
        except NotAuthorized:
            return "Your role cannot save this page as a view."
        ui.notify(f"Saved “{saved.name}”. Find it under “Saved views”.", type="positive")
        return None

    def ask_rename(self, view: SavedViewSummary) -> None:
        self.menu.close()

        async def rename(name: str) -> str | None:
            try:
                renamed = await call(rename_view, actor=self.actor, view_id=view.id, name=name)
            except SavedViewRefused as refusal:
                return str(refusal)
            except NotFound:
                return GONE
            ui.notify(f"Renamed to “{renamed.name}”.", type="positive")
            return None

        self.name_dialog.ask(
            title="Rename view", detail="", name=view.name, action="Rename", submit=rename
        )

    # --- Deleting and home ---

    def ask_delete(self, view: SavedViewSummary) -> None:
        self.menu.close()

        async def delete() -> None:
            try:
                await call(delete_view, actor=self.actor, view_id=view.id)
            except NotFound:
                ui.notify(GONE, type="warning")
                return
            ui.notify(f"Deleted “{view.name}”.")

        self.confirm_dialog.ask(
            title=f"Delete “{view.name}”?",
            detail=(
                "The view is removed from your saved views"
                + (" and stops being your home page." if view.is_home else ".")
                + " Its claims and reports are not affected."
            ),
            action="Delete",
            confirm=delete,
        )

    async def toggle_home(self, view: SavedViewSummary) -> None:
        try:
            await call(set_home_view, actor=self.actor, view_id=None if view.is_home else view.id)
        except (NotFound, SavedViewRefused):
            ui.notify(GONE, type="warning")
        else:
            ui.notify(
                f"“{view.name}” no longer opens first; your home page is back."
                if view.is_home
                else f"“{view.name}” now opens when you go to your home page.",
                type="positive",
            )
        await self.refresh()


def _dialog_title(dialog: ui.dialog) -> ui.label:
    """The dialog's heading, which also names the dialog for assistive technology."""
    title = ui.label().classes("text-lg font-medium").props('role=heading aria-level="2"')
    dialog.props(f"aria-labelledby=c{title.id}")
    return title


class NameDialog:
    """Ask for a view's name; the domain's refusal ("You already have a view named …") shows
    under the field, and the dialog stays open to correct it."""

    def __init__(self) -> None:
        self._submit: Callable[[str], Awaitable[str | None]] | None = None
        with ui.dialog() as self.dialog, ui.card().classes("w-[26rem] max-w-full gap-3"):
            self.title = _dialog_title(self.dialog)
            self.detail = ui.label().classes("text-sm portico-muted")
            self.name = (
                ui.input("Name")
                .props(f"outlined dense autofocus counter maxlength={MAX_NAME_LENGTH}")
                .classes("w-full")
                .mark("view-name")
            )
            self.name.on("keydown.enter", self._submit_name)
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=self.dialog.close).props("flat no-caps")
                self.action = (
                    ui.button(on_click=self._submit_name)
                    .props("unelevated no-caps")
                    .mark("view-name-submit")
                )

    def ask(
        self,
        *,
        title: str,
        detail: str,
        name: str,
        action: str,
        submit: Callable[[str], Awaitable[str | None]],
    ) -> None:
        self._submit = submit
        self.title.text = title
        self.detail.text = detail
        self.detail.set_visibility(bool(detail))
        self.name.value = name
        self.name.error = None
        self.action.text = action
        self.dialog.open()

    async def _submit_name(self) -> None:
        if self._submit is None:
            return
        self.action.disable()
        try:
            refusal = await self._submit(self.name.value or "")
        finally:
            self.action.enable()
        if refusal:
            self.name.error = refusal
            return
        self.dialog.close()


class ConfirmDialog:
    def __init__(self) -> None:
        self._confirm: Callable[[], Awaitable[None]] | None = None
        with (
            ui.dialog().props('role="alertdialog"') as self.dialog,
            ui.card().classes("w-[26rem] max-w-full gap-3"),
        ):
            self.title = _dialog_title(self.dialog)
            self.detail = ui.label().classes("text-sm")
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=self.dialog.close).props(
                    "flat no-caps autofocus"
                ).mark("confirm-cancel")
                self.action = (
                    ui.button(on_click=self._confirmed)
                    .props("unelevated no-caps color=negative")
                    .mark("confirm-action")
                )

    def ask(
        self, *, title: str, detail: str, action: str, confirm: Callable[[], Awaitable[None]]
    ) -> None:
        self._confirm = confirm
        self.title.text = title
        self.detail.text = detail
        self.action.text = action
        self.dialog.open()

    async def _confirmed(self) -> None:
        self.dialog.close()
        if self._confirm is not None:
            await self._confirm()
