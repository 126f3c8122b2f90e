"""Two-step verification: the second step of sign-in (/mfa), and the panels the account
security page (ui/pages/account_security.py) uses to set up TOTP and show recovery codes.

/mfa belongs to a pending sign-in (ui/sign_in_flow.py): without one it sends the browser to the
sign-in page. An enrolled user enters a code (or a recovery code); a user who must use MFA but
has not set it up enrols first, and no page opens before they have. Five wrong codes in a row
drop the pending sign-in: the password has to be entered again, and the password's own
throttling bounds how often that can happen.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable

import qrcode
import qrcode.image.svg
from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui

from domain.mfa import (
    MAX_FAILED_CODES,
    Enrollment,
    MfaRefused,
    MfaStep,
    begin_enrollment,
    confirm_enrollment,
    mfa_step,
    record_abandoned_sign_in,
    redeem_recovery_code,
    verify_code,
)
from storage.secrets import mfa_cipher
from storage.settings import get_settings
from ui import clock, session, sign_in_flow
from ui.data import call
from ui.frame import APP_NAME, portal_page, signed_out_card, signed_out_page
from ui.theme import Heading

MFA_PATH = sign_in_flow.MFA_PAGE
CODE_LABEL = "Authentication code"
WRONG_CODE = "That code did not work. Enter the newest code your app shows."
WRONG_RECOVERY_CODE = "That recovery code did not work, or it has been used already."
# app.storage.user: wrong codes so far in this browser's pending sign-in (ids and counts only).
_FAILURES = "mfa_failed_codes"


def register() -> None:
    portal_page(MFA_PATH)(mfa_page)


# ---------------------------------------------------------------------- shared pieces


def qr_data_uri(uri: str) -> str:
    """The otpauth:// URI as an SVG QR code in a data: URI (an <img>, so no markup is injected
    into the page; the CSP must allow img-src data:)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def recovery_codes_text(codes: list[str]) -> str:
    return (
        f"{APP_NAME} recovery codes\n"
        "Each code signs you in once if you cannot use your authenticator app.\n"
        "Keep them somewhere safe, away from your phone.\n\n" + "\n".join(codes) + "\n"
    )


def code_input() -> ui.input:
    return (
        ui.input(CODE_LABEL)
        .props('outlined autofocus autocomplete=one-time-code inputmode=numeric spellcheck="false"')
        .classes("w-full")
        .mark("mfa-code")
    )


def error_label() -> ui.label:
    label = (
        ui.label("")
        .props('role="alert" aria-live="assertive"')
        .classes("text-negative text-sm mt-3 font-medium")
        .mark("mfa-error")
    )
    label.set_visibility(False)
    return label


def show_error(label: ui.label, text: str) -> None:
    label.set_text(text)
    label.set_visibility(True)


def enrollment_panel(
    enrollment: Enrollment,
    *,
    confirm: Callable[[str], Awaitable[list[str] | None]],
    on_codes: Callable[[list[str]], None],
) -> None:
    """QR code, the key as text, and the first code that confirms them."""
    ui.label(
        "Scan this QR code with an authenticator app (such as Microsoft Authenticator, Google "
        "Authenticator or 1Password), then enter the 6-digit code it shows."
    ).classes("text-sm portico-muted")
    with ui.element("div").classes("w-full flex justify-center my-4"):
        qr = ui.element("img").classes("border rounded-lg p-2 bg-white").mark("mfa-qr")
        qr.props["src"] = qr_data_uri(enrollment.provisioning_uri)
        qr.props["alt"] = "QR code to add Portico to your authenticator app"
        qr.style("width: 200px; height: 200px")
    ui.label("Can't scan it? Enter this key in the app instead:").classes("text-sm")
    with ui.row().classes("items-center gap-2 no-wrap mb-4 mt-1"):
        ui.label(grouped(enrollment.secret)).classes(
            "font-mono text-sm whitespace-nowrap bg-slate-100 rounded px-3 py-2 select-all"
        ).mark("mfa-secret")
        ui.button(
            icon="content_copy", on_click=lambda: _copy(enrollment.secret, "Key copied")
        ).props('flat round dense aria-label="Copy the key"')
    code = code_input()
    failure = error_label()

    async def submit() -> None:
        if not (code.value or "").strip():
            show_error(failure, "Enter the 6-digit code from your app.")
            return
        button.props("loading")
        codes = await confirm(code.value)
        if button.is_deleted:  # the page moved on (redrawn, or navigated) meanwhile
            return
        button.props(remove="loading")
        if codes is None:
            code.set_value("")
            show_error(failure, WRONG_CODE)
            return
        on_codes(codes)

    button = (
        ui.button("Verify", on_click=submit)
        .props("unelevated no-caps size=lg")
        .classes("w-full mt-5")
        .mark("mfa-verify")
    )
    code.on("keydown.enter", submit)


def recovery_codes_panel(codes: list[str], *, action: str, on_action: Callable[[], object]) -> None:
    """The new recovery codes, shown once, with download and copy."""
    ui.label(
        "Save these recovery codes. Each one signs you in once if you lose your phone. "
        "They will not be shown again."
    ).classes("text-sm portico-muted")
    with (
        ui.element("div")
        .classes("grid grid-cols-2 gap-x-6 gap-y-1 my-4 p-4 bg-slate-100 rounded-lg")
        .mark("recovery-codes")
    ):
        for code in codes:
            ui.label(code).classes("font-mono text-sm whitespace-nowrap")
    text = recovery_codes_text(codes)
    with ui.row().classes("gap-2"):
        ui.button(
            "Download .txt",
            icon="download",
            on_click=lambda: ui.download.content(
                text, "portico-recovery-codes.txt", "text/plain; charset=utf-8"
            ),
        ).props("outline no-caps").mark("recovery-download")
        ui.button(
            "Copy", icon="content_copy", on_click=lambda: _copy(text, "Recovery codes copied")
        ).props("outline no-caps").mark("recovery-copy")
    ui.button(action, on_click=on_action).props("unelevated no-caps size=lg").classes(
        "w-full mt-5"
    ).mark("mfa-continue")


def _copy(text: str, confirmation: str) -> None:
    ui.clipboard.write(text)
    ui.notify(confirmation, type="positive")


# ---------------------------------------------------------------------- /mfa


class _Attempts:
    """Wrong codes in a row for the pending sign-in, kept beside it in app.storage.user so a
    reload does not reset the count."""

    @staticmethod
    def _pending_id() -> str:
        entry = app.storage.user.get(sign_in_flow.PENDING)
        return str(entry.get("nonce", "")) if isinstance(entry, dict) else ""

    def count(self) -> int:
        stored = app.storage.user.get(_FAILURES)
        if isinstance(stored, dict) and stored.get("pending") == self._pending_id():
            return int(stored.get("count", 0))
        return 0

    def add(self) -> int:
        failures = self.count() + 1
        app.storage.user[_FAILURES] = {"pending": self._pending_id(), "count": failures}
        return failures

    def clear(self) -> None:
        app.storage.user.pop(_FAILURES, None)


async def mfa_page(request: Request) -> RedirectResponse | None:
    pending = sign_in_flow.pending_sign_in()
    if pending is None:
        return RedirectResponse(session.LOGIN, status_code=303)
    if not pending.needs_mfa:
        return RedirectResponse(await sign_in_flow.mfa_passed(), status_code=303)
    source_ip = request.client.host if request.client else ""
    # Asked again rather than read from the pending sign-in: a user who enrolled in another tab
    # (or reloads after confirming) is asked for a code, not offered a second enrolment.
    step = await call(
        mfa_step, user_id=pending.user_id, required_for_all=get_settings().mfa_required_for_all
    )
    enrollment = (
        await call(begin_enrollment, user_id=pending.user_id, cipher=mfa_cipher())
        if step is MfaStep.ENROLL
        else None
    )

    with signed_out_page("Two-step verification", width=460):
        with signed_out_card():
            if enrollment is not None:
                _enroll_step(pending.user_id, enrollment, source_ip)
            else:
                _verify_step(pending.user_id, source_ip)
        with ui.row().classes("justify-center mt-5"):
            ui.link("Cancel and sign in again", "/logout").classes("text-sm text-slate-100")
    return None


def _verify_step(user_id: int, source_ip: str) -> None:
    attempts = _Attempts()
    mode = {"recovery": False}
    Heading("Two-step verification")
    hint = ui.label("Enter the 6-digit code from your authenticator app.").classes(
        "portico-subtitle mt-1 mb-6"
    )
    code = code_input()
    failure = error_label()

    def switch() -> None:
        mode["recovery"] = not mode["recovery"]
        code.set_value("")
        failure.set_visibility(False)
        if mode["recovery"]:
            hint.set_text("Enter one of the recovery codes you saved when you set up the app.")
            code.props.update(label="Recovery code", inputmode="text", autocomplete="off")
            toggle.set_text("Use your authenticator app instead")
        else:
            hint.set_text("Enter the 6-digit code from your authenticator app.")
            code.props.update(label=CODE_LABEL, inputmode="numeric", autocomplete="one-time-code")
            toggle.set_text("Use a recovery code instead")
        code.run_method("focus")

    async def submit() -> None:
        if sign_in_flow.pending_sign_in() is None:  # expired while the page was open
            ui.navigate.to(session.LOGIN)
            return
        if not (code.value or "").strip():
            show_error(failure, "Enter the code.")
            return
        button.props("loading")
        arguments = {"user_id": user_id, "code": code.value, "at": clock.now()}
        if mode["recovery"]:
            accepted = await call(redeem_recovery_code, source_ip=source_ip, **arguments)
        else:
            accepted = await call(
                verify_code, cipher=mfa_cipher(), source_ip=source_ip, **arguments
            )
        if accepted:
            attempts.clear()
            ui.navigate.to(await sign_in_flow.mfa_passed())
            return
        button.props(remove="loading")
        code.set_value("")
        failures = attempts.add()
        if failures >= MAX_FAILED_CODES:
            attempts.clear()
            sign_in_flow.cancel()
            await call(
                record_abandoned_sign_in, user_id=user_id, at=clock.now(), source_ip=source_ip
            )
            ui.navigate.to(session.LOGIN)
            return
        left = MAX_FAILED_CODES - failures
        wrong = WRONG_RECOVERY_CODE if mode["recovery"] else WRONG_CODE
        show_error(failure, f"{wrong} {left} {'try' if left == 1 else 'tries'} left.")
        code.run_method("focus")

    button = (
        ui.button("Verify", on_click=submit)
        .props("unelevated no-caps size=lg")
        .classes("w-full mt-5")
        .mark("mfa-verify")
    )
    code.on("keydown.enter", submit)
    toggle = (
        ui.button("Use a recovery code instead", on_click=switch)
        .props("flat no-caps dense")
        .classes("w-full mt-3 portico-link")
        .mark("mfa-use-recovery")
    )


def _enroll_step(user_id: int, enrollment: Enrollment, source_ip: str) -> None:
    Heading("Set up two-step verification")
    ui.label("Your account needs a second step at sign-in before it can open the portal.").classes(
        "portico-subtitle mt-1 mb-4"
    )
    body = ui.column().classes("w-full gap-0")

    async def confirm(code: str) -> list[str] | None:
        try:
            return await call(
                confirm_enrollment,
                user_id=user_id,
                code=code,
                cipher=mfa_cipher(),
                at=clock.now(),
                source_ip=source_ip,
            )
        except MfaRefused:  # enrolled meanwhile in another tab: this page now asks for a code
            ui.navigate.to(MFA_PATH)
            return None

    async def go_on() -> None:
        ui.navigate.to(await sign_in_flow.mfa_passed())

    def show_codes(codes: list[str]) -> None:
        body.clear()
        with body:
            recovery_codes_panel(codes, action="Continue", on_action=go_on)

    with body:
        enrollment_panel(enrollment, confirm=confirm, on_codes=show_codes)
