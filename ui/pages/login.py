"""Sign-in and sign-out. One message for every failed sign-in, so the form never tells which
emails have accounts."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui

from domain.access import record_sign_out
from domain.auth import SIGN_IN_FAILED, authenticate
from ui import clock, session
from ui.data import call
from ui.frame import APP_NAME, portal_page
from ui.theme import Heading, apply_theme


def register() -> None:
    portal_page(session.LOGIN)(login_page)
    portal_page("/logout")(logout_page)


async def login_page(request: Request) -> RedirectResponse | None:
    next_path = session.safe_next(request.query_params.get("next"))
    if session.signed_in_user_id() is not None:
        return RedirectResponse(next_path, status_code=303)
    source_ip = request.client.host if request.client else ""

    ui.page_title(f"Sign in · {APP_NAME}")
    apply_theme()
    with (
        ui.element("div").classes("portico-login-bg flex items-center justify-center p-4"),
        ui.element("div").classes("w-full").style("max-width: 420px"),
    ):
        with ui.row().classes("items-center gap-2 mb-6 justify-center"):
            ui.icon("health_and_safety", size="34px").classes("text-white")
            ui.label(APP_NAME).classes("text-white text-2xl font-bold tracking-wide")
        with ui.element("section").classes("portico-card").style("padding: 32px 32px 28px"):
            Heading("Welcome back")
            ui.label("The provider portal for practices and health-plan staff.").classes(
                "portico-subtitle mt-1 mb-6"
            )
            email = (
                ui.input("Email")
                .props('type=email autocomplete=username outlined autofocus spellcheck="false"')
                .classes("w-full")
                .mark("email")
            )
            password = (
                ui.input("Password", password=True, password_toggle_button=True)
                .props("autocomplete=current-password outlined")
                .classes("w-full mt-3")
                .mark("password")
            )
            failure = (
                ui.label("")
                .props('role="alert" aria-live="assertive"')
                .classes("text-negative text-sm mt-3 font-medium")
                .mark("sign-in-error")
            )
            failure.set_visibility(False)

            async def sign_in() -> None:
                if not email.value or not password.value:
                    failure.set_text("Enter your email and password.")
                    failure.set_visibility(True)
                    return
                button.props("loading")
                actor = await call(
                    authenticate,
                    email=email.value,
                    password=password.value,
                    at=clock.now(),
                    source_ip=source_ip,
                )
                button.props(remove="loading")
                if actor is None:
                    password.set_value("")
                    failure.set_text(SIGN_IN_FAILED)
                    failure.set_visibility(True)
                    password.run_method("focus")  # ready for the next attempt
                    return
                session.start(actor)
                ui.navigate.to(next_path)

            button = (
                ui.button("Sign in", on_click=sign_in)
                .props("unelevated no-caps size=lg")
                .classes("w-full mt-5")
                .mark("sign-in")
            )
            email.on("keydown.enter", sign_in)
            password.on("keydown.enter", sign_in)
        ui.label("Access is monitored. Every look at patient information is recorded.").classes(
            "text-center text-sm mt-5 text-slate-100"
        )
    return None


async def logout_page(request: Request) -> RedirectResponse:
    user_id = session.signed_in_user_id()
    if user_id is not None:
        await call(
            record_sign_out,
            user_id=user_id,
            at=clock.now(),
            source_ip=request.client.host if request.client else "",
        )
    session.end()
    return RedirectResponse(session.LOGIN, status_code=303)
