"""Sign-in and sign-out. One message for every failed sign-in, and the same throttling for every
email, so the form never tells which emails have accounts (domain/auth.py)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui

from domain.auth import Throttle, attempt_sign_in
from domain.user_sessions import SIGN_OUT, end_session
from storage.settings import get_settings
from ui import clock, oidc, session, sign_in_flow
from ui.data import call
from ui.frame import portal_page, signed_out_card, signed_out_page
from ui.theme import Heading


def register() -> None:
    portal_page(session.LOGIN)(login_page)
    # A plain route: signing out rewrites the cookie, which only an HTTP response can do.
    app.get("/logout", include_in_schema=False)(logout)
    sign_in_flow.register()


def _throttle() -> Throttle:
    settings = get_settings()
    return Throttle(
        lockout_failures=settings.sign_in_lockout_failures,
        lockout=timedelta(minutes=settings.sign_in_lockout_minutes),
    )


async def login_page(request: Request) -> RedirectResponse | None:
    next_path = session.safe_next(request.query_params.get("next"))
    if await session.user_for_request(request) is not None:
        return RedirectResponse(next_path, status_code=303)
    source_ip = request.client.host if request.client else ""

    with signed_out_page("Sign in"):
        with signed_out_card():
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
                result = await call(
                    attempt_sign_in,
                    email=email.value,
                    password=password.value,
                    at=clock.now(),
                    source_ip=source_ip,
                    throttle=_throttle(),
                )
                if result.user_id is None:
                    button.props(remove="loading")
                    password.set_value("")
                    failure.set_text(result.message)
                    failure.set_visibility(True)
                    password.run_method("focus")  # ready for the next attempt
                    return
                ui.navigate.to(
                    await sign_in_flow.first_factor_passed(
                        result.user_id, method="password", next_path=next_path
                    )
                )

            button = (
                ui.button("Sign in", on_click=sign_in)
                .props("unelevated no-caps size=lg")
                .classes("w-full mt-5")
                .mark("sign-in")
            )
            email.on("keydown.enter", sign_in)
            password.on("keydown.enter", sign_in)
            oidc.sso_buttons(next_path)
        ui.label("Access is monitored. Every look at patient information is recorded.").classes(
            "text-center text-sm mt-5 text-slate-100"
        )
    return None


async def logout(request: Request) -> RedirectResponse:
    """End this browser's session for good and drop its cookie's contents."""
    token = session.token_of(request)
    if token:
        await call(
            end_session,
            token=token,
            at=clock.now(),
            reason=SIGN_OUT,
            source_ip=request.client.host if request.client else "",
        )
    request.session.clear()
    return RedirectResponse(session.LOGIN, status_code=303)
