"""The pages a one-time link opens, without signing in: /invite?token=… to accept an invitation
and /reset?token=… to reset a password. Both ask for a new password under the policy
(domain/passwords.py), then send the person to sign in.

The token is in the query string, not the path: the access log keeps paths and cuts queries
(ui/access_log.py), so a link never lands in a log. A link that is unknown, used, expired or
revoked gets one and the same message."""

from __future__ import annotations

from fastapi import Request
from nicegui import ui

from domain.one_time_links import LinkPurpose
from domain.passwords import password_problem
from domain.user_admin import (
    LINK_INVALID,
    LinkInvalid,
    LinkView,
    PasswordRejected,
    peek_link,
    redeem_link,
)
from ui import clock, session
from ui.data import call
from ui.format import moment
from ui.frame import portal_page, signed_out_card, signed_out_page
from ui.theme import Heading
from ui.user_admin_widgets import INVITE_PATH, RESET_PATH

PASSWORDS_DIFFER = "The two passwords are not the same."


def register() -> None:
    portal_page(INVITE_PATH)(invite_page)
    portal_page(RESET_PATH)(reset_page)


async def invite_page(request: Request, token: str = "") -> None:
    await _link_page(request, token, LinkPurpose.INVITE)


async def reset_page(request: Request, token: str = "") -> None:
    await _link_page(request, token, LinkPurpose.RESET)


async def _link_page(request: Request, token: str, purpose: LinkPurpose) -> None:
    view = await call(peek_link, token=token, purpose=purpose, at=clock.now())
    with signed_out_page("Set your password", width=460):
        panel = signed_out_card()
        with panel:
            if view is None:
                _invalid()
            else:
                source_ip = request.client.host if request.client else ""
                PasswordForm(panel, view, token=token, source_ip=source_ip)


def _invalid() -> None:
    Heading("This link cannot be used").mark("link-invalid")
    ui.label(LINK_INVALID).classes("portico-subtitle mt-2")
    ui.link("Go to sign-in", session.LOGIN).classes("portico-link mt-4 block")


def _done(purpose: LinkPurpose) -> None:
    Heading("Your password is set").mark("password-set")
    what = "Your account is ready." if purpose is LinkPurpose.INVITE else "Other sign-ins ended."
    ui.label(f"{what} Sign in with your email and the new password.").classes(
        "portico-subtitle mt-2"
    )
    ui.link("Sign in", session.LOGIN).classes("portico-link mt-4 block text-base").mark(
        "go-sign-in"
    )


class PasswordForm:
    """New password twice, the policy's verdict shown while typing, then one submission."""

    def __init__(self, panel: ui.element, view: LinkView, *, token: str, source_ip: str) -> None:
        self.panel = panel
        self.view = view
        self.token = token
        self.source_ip = source_ip
        Heading("Welcome to Portico" if view.purpose is LinkPurpose.INVITE else "Reset password")
        ui.label(f"Set your password for {view.email}").classes("portico-subtitle mt-1").mark(
            "link-email"
        )
        ui.label(
            "At least 12 characters. A few unrelated words make a strong one that is easy to "
            f"remember. This link works until {moment(view.expires_at)}."
        ).classes("text-sm portico-muted mt-2 mb-4")
        # The username field lets password managers file the new password under the account.
        ui.input("Email", value=view.email).props(
            "readonly outlined dense autocomplete=username"
        ).classes("w-full")
        self.password = (
            ui.input(
                "New password",
                password=True,
                password_toggle_button=True,
                on_change=self.check,
            )
            .props("outlined autocomplete=new-password autofocus")
            .classes("w-full mt-3")
            .mark("new-password")
        )
        self.confirm = (
            ui.input("Repeat the new password", password=True, on_change=self.check)
            .props("outlined autocomplete=new-password")
            .classes("w-full mt-3")
            .mark("confirm-password")
        )
        self.problem = (
            ui.label("")
            .props('role="status" aria-live="polite"')
            .classes("text-sm mt-3 font-medium")
            .mark("password-problem")
        )
        self.button = (
            ui.button("Set password", on_click=self.submit)
            .props("unelevated no-caps size=lg")
            .classes("w-full mt-4")
            .mark("set-password")
        )
        self.confirm.on("keydown.enter", self.submit)

    def verdict(self) -> str | None:
        """What stops the password now, or None; the domain checks again on submit."""
        password = self.password.value or ""
        problem = password_problem(password, user_inputs=(self.view.email, self.view.full_name))
        if problem is not None:
            return problem.message
        if self.confirm.value and self.confirm.value != password:
            return PASSWORDS_DIFFER
        return None

    def check(self) -> None:
        if not self.password.value:
            self.problem.set_text("")
            return
        message = self.verdict()
        self.problem.set_text(message or "Strong enough.")
        self.problem.classes(
            replace="text-sm mt-3 font-medium " + ("text-negative" if message else "text-positive")
        )

    async def submit(self) -> None:
        message = self.verdict() or (
            PASSWORDS_DIFFER if self.confirm.value != self.password.value else None
        )
        if message:
            self.problem.set_text(message)
            self.problem.classes(replace="text-sm mt-3 font-medium text-negative")
            return
        self.button.props("loading")
        try:
            redeemed = await call(
                redeem_link,
                token=self.token,
                purpose=self.view.purpose,
                password=self.password.value or "",
                at=clock.now(),
                source_ip=self.source_ip,
            )
        except PasswordRejected as rejected:
            self.button.props(remove="loading")
            self.problem.set_text(str(rejected))
            self.problem.classes(replace="text-sm mt-3 font-medium text-negative")
            return
        except LinkInvalid:
            self.panel.clear()
            with self.panel:
                _invalid()
            return
        if redeemed.purpose is LinkPurpose.RESET:
            # Their sessions ended in the database; close the tabs open in this process too.
            session.kick_user(redeemed.user_id)
        self.panel.clear()
        with self.panel:
            _done(redeemed.purpose)
