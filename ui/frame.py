"""The page frame every signed-in page is drawn in: session check, server-side role guard,
header with the user's menu, and a navigation drawer listing only the areas the roles open.

    async with frame("Claims", area=Area.CLAIMS) as actor:
        ...  # the page body, drawn inside <main>

A page that must end early (no session, or a refusal already drawn) raises PageStop; pages are
registered through portal_page(), which turns it into the response.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from fastapi.responses import RedirectResponse
from nicegui import ui
from starlette.responses import Response

from domain.access import PageAccess, open_area
from domain.roles import Area
from domain.scope import Actor
from domain.user_sessions import EVERYWHERE, end_all_for_user
from ui import clock, idle, session
from ui.data import call
from ui.nav import NAV_BY_AREA, entries_for, entry_for_path
from ui.theme import apply_theme, message_panel

APP_NAME = "Portico"
NOT_AUTHORIZED = "Not authorized"
# Pages answer with their data in the first response; give a large database's aggregates room
# before NiceGUI gives up on the page (its default is 3 s).
RESPONSE_TIMEOUT_S = 10.0


class PageStop(Exception):  # a control-flow signal, not an error
    """End the page now: with a response (a redirect), or with what has been drawn so far."""

    def __init__(self, response: Response | None = None) -> None:
        super().__init__()
        self.response = response


PageBuilder = Callable[..., Awaitable[Any]]


def portal_page(
    path: str, *, response_timeout: float = RESPONSE_TIMEOUT_S
) -> Callable[[PageBuilder], PageBuilder]:
    """Register an async page builder at `path`; a PageStop inside it becomes the response."""

    def register(builder: PageBuilder) -> PageBuilder:
        # functools.wraps keeps the builder's signature, which NiceGUI reads for path and
        # query parameters.
        @functools.wraps(builder)
        async def page(*args: Any, **kwargs: Any) -> Any:
            try:
                return await builder(*args, **kwargs)
            except PageStop as stop:
                return stop.response

        ui.page(path, response_timeout=response_timeout)(page)
        return builder

    return register


@contextmanager
def signed_out_page(title: str, *, width: int = 420) -> Iterator[None]:
    """The look of the pages seen before a session exists (sign-in, two-step verification,
    one-time links): the brand on the blue background, then the page's own content, which puts
    its card in `signed_out_card()`."""
    ui.page_title(f"{title} · {APP_NAME}")
    apply_theme()
    with (
        ui.element("div").classes("portico-login-bg flex items-center justify-center p-4"),
        ui.element("div").classes("w-full").style(f"max-width: {width}px"),
    ):
        with ui.row().classes("items-center gap-2 mb-6 justify-center"):
            ui.icon("health_and_safety", size="34px").classes("text-white")
            ui.label(APP_NAME).classes("text-white text-2xl font-bold tracking-wide")
        yield


def signed_out_card() -> ui.element:
    return ui.element("section").classes("portico-card").style("padding: 32px 32px 28px")


def current_path() -> str:
    url = ui.context.client.request.url
    return url.path + (f"?{url.query}" if url.query else "")


def _to_login() -> PageStop:
    return PageStop(RedirectResponse(session.login_url(current_path()), status_code=303))


@asynccontextmanager
async def frame(title: str, *, area: Area) -> AsyncIterator[Actor]:
    """Draw the frame for `area` and yield the signed-in actor, re-read from the database."""
    user_id = await session.resume_tab()  # the session cookie, checked against the database
    if user_id is None:
        raise _to_login()
    client = ui.context.client
    access = await call(
        open_area,
        user_id=user_id,
        area=area,
        path=client.request.url.path,
        at=clock.now(),
        source_ip=client.ip,
    )
    if access is None:  # deactivated or deleted since signing in: the session is void
        session.end()
        raise _to_login()

    ui.page_title(f"{title} · {APP_NAME}")
    apply_theme()
    drawer = _drawer(access, current=client.request.url.path)
    _header(access, drawer)
    idle.watch(path=current_path())
    # aria-busy tells assistive technology (and the browser tests) when the body is complete:
    # true while the page function draws, false once it has returned.
    with ui.element("div").classes("portico-page").props('aria-busy="true"') as body:
        if not access.allowed:
            ui.status_code(403)
            _not_authorized(area)
            body.props('aria-busy="false"')
            raise PageStop()
        try:
            yield access.actor
        finally:
            body.props('aria-busy="false"')


def _header(access: PageAccess, drawer: ui.left_drawer) -> None:
    with ui.header(elevated=False).classes("portico-header items-center gap-3 px-3 py-2"):
        ui.button(icon="menu", on_click=drawer.toggle).props(
            'flat round dense color=white aria-label="Show or hide navigation"'
        ).classes("lg:hidden")
        with ui.link(target="/").classes("flex items-center gap-2 no-underline"):
            ui.icon("health_and_safety", size="28px").classes("text-white")
            ui.label(APP_NAME).classes("portico-brand")
        ui.element("div").classes("h-6 w-px bg-white/30 mx-1 max-sm:hidden")
        ui.label(access.organisation_name).classes("portico-org max-sm:hidden").mark("organisation")
        ui.space()
        roles = ", ".join(access.role_labels)
        with ui.row().classes("items-center gap-3 no-wrap").mark("user-menu"):
            # Initials as plain text: ui.avatar would render them as a (missing) icon name.
            ui.label(_initials(access.full_name)).classes("portico-avatar").props(
                'aria-hidden="true"'
            )
            with ui.column().classes("gap-0 items-start max-sm:hidden"):
                ui.label(access.full_name).classes("text-sm font-medium leading-tight").mark(
                    "user-name"
                )
                ui.label(roles).classes("text-xs leading-tight text-slate-200").mark("role-label")
        # A plain button, not a menu entry: signing out should never take a hunt.
        ui.button("Sign out", icon="logout", on_click=lambda: ui.navigate.to("/logout")).props(
            "flat no-caps color=white"
        ).classes("ml-1").mark("sign-out")
        with (
            ui.button(icon="more_vert")
            .props('flat round dense color=white aria-label="Account and sign-out options"')
            .mark("session-menu"),
            ui.menu(),
        ):
            ui.menu_item(
                "Account security", on_click=lambda: ui.navigate.to("/account/security")
            ).props('role="menuitem"').classes("whitespace-nowrap").mark("account-security")
            ui.menu_item(
                "Sign out everywhere", on_click=lambda: _sign_out_everywhere(access.actor)
            ).props('role="menuitem"').classes("whitespace-nowrap").mark("sign-out-everywhere")


async def _sign_out_everywhere(actor: Actor) -> None:
    """End every session of this user, on every device: the other tabs open here are sent to
    sign-in at once, this one signs out through /logout (which also clears its cookie)."""
    await call(
        end_all_for_user,
        user_id=actor.user_id,
        at=clock.now(),
        reason=EVERYWHERE,
        source_ip=actor.source_ip,
    )
    session.kick_user(actor.user_id, keep=ui.context.client.id)
    session.end()
    ui.navigate.to("/logout")


def _initials(full_name: str) -> str:
    return "".join(part[0] for part in full_name.split()[:2]).upper() or "?"


def _drawer(access: PageAccess, *, current: str) -> ui.left_drawer:
    active = entry_for_path(current)
    # An explicit value with Quasar's show-if-above: open on wide screens, collapsed on tablets,
    # without NiceGUI asking the browser for the drawer's state on connect (value=None does,
    # and that request fails noisily when the user navigates away within a second).
    drawer = (
        ui.left_drawer(value=False, bordered=True)
        .props("show-if-above width=252 breakpoint=1024")
        .classes("bg-white p-0")
    )
    with drawer, ui.element("nav").props('aria-label="Main"').classes("portico-nav pt-2"):
        ui.label("Workspace").classes("portico-nav-heading")
        for entry in entries_for(access.actor.roles):
            with ui.link(target=entry.path).mark(f"nav-{entry.area.value}") as link:
                if active is not None and entry.area == active.area:
                    link.props('aria-current="page"')
                ui.icon(entry.icon)
                ui.label(entry.label)
                if not entry.built:
                    ui.label("Soon").classes("portico-soon")
    return drawer


def _not_authorized(area: Area) -> None:
    entry = NAV_BY_AREA.get(area)
    what = entry.label if entry else "this page"
    with message_panel("lock", NOT_AUTHORIZED, marker="not-authorized"):
        ui.label(
            f"Your role does not include {what}. If your work needs it, ask your "
            "administrator to change your role."
        ).classes("portico-muted")
        ui.link("Go to your home page", "/").classes("portico-link mt-2")
