"""/account/security: what a signed-in user controls about their own sign-in — their password
(the current one is asked first), two-step verification, and the sessions open in their name,
any of which they can end (ASVS 6.2.2-6.2.3, 7.4.3, 7.5.2)."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta

from nicegui import ui

from domain.account import (
    OpenSession,
    change_password,
    end_own_session,
    open_sessions,
)
from domain.mfa import (
    MfaRefused,
    MfaStatus,
    begin_enrollment,
    confirm_enrollment,
    disable_mfa,
    mfa_status,
    regenerate_recovery_codes,
)
from domain.passwords import MIN_LENGTH, password_problem
from domain.roles import Area
from domain.scope import Actor, NotFound
from storage.secrets import mfa_cipher
from storage.settings import get_settings
from ui import clock, session
from ui.data import call
from ui.format import moment
from ui.frame import frame, portal_page
from ui.pages.mfa import (
    WRONG_CODE,
    code_input,
    enrollment_panel,
    error_label,
    recovery_codes_panel,
    show_error,
)
from ui.theme import Heading
from ui.widgets import card

SECURITY_PATH = "/account/security"


def register() -> None:
    portal_page(SECURITY_PATH)(security_page)


async def security_page() -> None:
    async with frame("Account security", area=Area.HOME) as actor:
        Heading("Account security").mark("security-title")
        ui.label("How you sign in to the portal, and where you are signed in.").classes(
            "portico-subtitle mt-1 mb-5"
        )
        with ui.column().classes("w-full gap-4").style("max-width: 760px"):
            _password_card(actor)
            mfa_section = ui.column().classes("w-full gap-4")
            await _security_section(mfa_section, actor)
            sessions_section = ui.column().classes("w-full gap-4")
            await _sessions_section(sessions_section, actor)


# ---------------------------------------------------------------------------------- password


def _password_card(actor: Actor) -> None:
    with card("Password", marker="password-card"):
        ui.label(
            f"At least {MIN_LENGTH} characters. A phrase of a few unrelated words is easy to "
            "remember and hard to guess; common passwords are refused."
        ).classes("text-sm portico-muted")
        current = (
            ui.input("Current password", password=True, password_toggle_button=True)
            .props("outlined autocomplete=current-password")
            .classes("w-full mt-3")
            .mark("current-password")
        )
        new = (
            ui.input("New password", password=True, password_toggle_button=True)
            .props("outlined autocomplete=new-password")
            .classes("w-full mt-2")
            .mark("new-password")
        )
        again = (
            ui.input("New password again", password=True, password_toggle_button=True)
            .props("outlined autocomplete=new-password")
            .classes("w-full mt-2")
            .mark("new-password-again")
        )
        end_others = (
            ui.checkbox("Sign out my other sessions", value=True)
            .classes("w-full mt-1")
            .mark("end-other-sessions")
        )
        failure = error_label().classes("w-full")

        async def submit() -> None:
            if new.value != again.value:
                show_error(failure, "The two new passwords are not the same.")
                return
            problem = password_problem(new.value or "")
            if problem is not None:
                show_error(failure, problem.message)
                return
            outcome = await call(
                change_password,
                actor=actor,
                current_password=current.value or "",
                new_password=new.value or "",
                at=clock.now(),
                this_token=session.current_token(),
                end_other_sessions=bool(end_others.value),
            )
            if outcome.refusal:
                show_error(failure, outcome.refusal)
                return
            ended = outcome.sessions_ended
            for field in (current, new, again):
                field.set_value("")
            failure.set_visibility(False)
            if ended:
                session.kick_user(actor.user_id, keep=ui.context.client.id)
            ui.notify(
                "Your password is changed"
                + (f"; {ended} other session(s) signed out." if ended else "."),
                type="positive",
            )

        with ui.row().classes("w-full mt-2"):
            ui.button("Change password", on_click=submit).props("unelevated no-caps").mark(
                "change-password"
            )


# ------------------------------------------------------------------------ two-step verification


async def _security_section(section: ui.column, actor: Actor) -> None:
    required_for_all = get_settings().mfa_required_for_all
    status = await call(mfa_status, user_id=actor.user_id, required_for_all=required_for_all)

    async def redraw() -> None:
        await _security_section(section, actor)

    section.clear()
    with section, card("Two-step verification", marker="mfa-card"):
        _status_facts(status)
        actions = ui.column().classes("w-full gap-3 mt-4")
        with actions:
            if not status.enabled:
                ui.button(
                    "Set up two-step verification",
                    icon="phonelink_lock",
                    on_click=lambda: _start_setup(actions, actor, redraw),
                ).props("unelevated no-caps").mark("mfa-setup")
                return
            with ui.row().classes("gap-2"):
                ui.button(
                    "New recovery codes",
                    icon="autorenew",
                    on_click=lambda: _ask_code(
                        "New recovery codes",
                        "Your old recovery codes stop working. Enter a code from your app to "
                        "confirm.",
                        lambda code: _regenerate(actions, actor, code, redraw),
                    ),
                ).props("outline no-caps").mark("mfa-regenerate")
                if status.required:
                    ui.label(
                        "Your role requires two-step verification, so it cannot be turned off."
                    ).classes("text-sm portico-muted self-center").mark("mfa-required")
                else:
                    ui.button(
                        "Turn off",
                        icon="no_encryption",
                        on_click=lambda: _ask_code(
                            "Turn off two-step verification",
                            "Signing in will need only your password. Enter a code from your "
                            "app (or a recovery code) to confirm.",
                            lambda code: _turn_off(actor, code, redraw),
                        ),
                    ).props("outline no-caps color=negative").mark("mfa-turn-off")


def _status_facts(status: MfaStatus) -> None:
    with ui.row().classes("items-center gap-3"):
        if status.enabled:
            ui.icon("verified_user", size="28px").classes("text-positive")
            ui.label(f"On since {moment(status.enabled_at)}").classes("font-medium").mark(
                "mfa-state"
            )
        else:
            ui.icon("gpp_maybe", size="28px").classes("text-warning")
            ui.label("Off").classes("font-medium").mark("mfa-state")
    if status.enabled:
        ui.label(f"{status.recovery_codes_left} of 10 recovery codes left").classes(
            "text-sm portico-muted mt-1"
        ).mark("recovery-left")
    elif status.required:
        ui.label("Your role requires it: set it up now.").classes("text-sm text-negative mt-1")
    else:
        ui.label(
            "Add a code from your phone to your password, so a stolen password alone cannot "
            "open your account."
        ).classes("text-sm portico-muted mt-1")


async def _start_setup(
    actions: ui.column, actor: Actor, redraw: Callable[[], Awaitable[None]]
) -> None:
    try:
        enrollment = await call(begin_enrollment, user_id=actor.user_id, cipher=mfa_cipher())
    except MfaRefused as refusal:
        ui.notify(str(refusal), type="warning")
        await redraw()
        return

    async def confirm(code: str) -> list[str] | None:
        try:
            return await call(
                confirm_enrollment,
                user_id=actor.user_id,
                code=code,
                cipher=mfa_cipher(),
                at=clock.now(),
                source_ip=actor.source_ip,
            )
        except MfaRefused as refusal:  # set up meanwhile in another tab
            ui.notify(str(refusal), type="warning")
            await redraw()
            return None

    def show_codes(codes: list[str]) -> None:
        actions.clear()
        with actions:
            recovery_codes_panel(codes, action="Done", on_action=redraw)

    actions.clear()
    with actions, ui.column().classes("w-full gap-0").style("max-width: 460px"):
        enrollment_panel(enrollment, confirm=confirm, on_codes=show_codes)
        # The unconfirmed secret stays stored but unused: MFA is on only once a code proved it.
        ui.button("Cancel", on_click=redraw).props("flat no-caps").classes("w-full mt-2")


def _ask_code(title: str, text: str, then: Callable[[str], Awaitable[bool]]) -> None:
    """A dialog asking for a current code before a change to the second factor. It hangs off
    the page layout, not the card it was opened from, because a success redraws that card."""
    with (
        ui.context.client.layout,
        ui.dialog() as dialog,
        ui.card().classes("w-full").style("max-width: 440px"),
    ):
        Heading(title, level=2)
        ui.label(text).classes("text-sm portico-muted mb-3")
        code = code_input()
        failure = error_label()

        async def submit() -> None:
            if await then(code.value or ""):
                dialog.close()
                dialog.delete()
                return
            code.set_value("")
            show_error(failure, WRONG_CODE)

        with ui.row().classes("w-full justify-end gap-2 mt-4"):
            ui.button("Cancel", on_click=dialog.delete).props("flat no-caps")
            ui.button("Confirm", on_click=submit).props("unelevated no-caps").mark("mfa-confirm")
        code.on("keydown.enter", submit)
    dialog.open()


async def _regenerate(
    actions: ui.column, actor: Actor, code: str, redraw: Callable[[], Awaitable[None]]
) -> bool:
    codes = await call(
        regenerate_recovery_codes, actor=actor, code=code, cipher=mfa_cipher(), at=clock.now()
    )
    if codes is None:
        return False
    actions.clear()
    with actions:
        recovery_codes_panel(codes, action="Done", on_action=redraw)
    return True


async def _turn_off(actor: Actor, code: str, redraw: Callable[[], Awaitable[None]]) -> bool:
    try:
        turned_off = await call(
            disable_mfa,
            actor=actor,
            code=code,
            cipher=mfa_cipher(),
            at=clock.now(),
            required_for_all=get_settings().mfa_required_for_all,
        )
    except MfaRefused as refusal:
        ui.notify(str(refusal), type="warning")
        return True
    if turned_off:
        ui.notify("Two-step verification is off.", type="info")
        await redraw()
    return turned_off


# ---------------------------------------------------------------------------------- sessions


async def _sessions_section(section: ui.column, actor: Actor) -> None:
    idle, absolute = session.timeouts()
    rows = await call(
        open_sessions,
        actor=actor,
        at=clock.now(),
        idle=idle,
        absolute=absolute,
        this_token=session.current_token(),
    )

    async def redraw() -> None:
        await _sessions_section(section, actor)

    async def end(row: OpenSession) -> None:
        with contextlib.suppress(NotFound):  # ended meanwhile: the redraw shows it gone
            await call(end_own_session, actor=actor, session_id=row.id, at=clock.now())
        ui.notify("That session is signed out.", type="info")
        await redraw()

    section.clear()
    with section, card("Where you are signed in", marker="sessions-card"):
        ui.label(
            f"Sessions end after {_minutes(idle)} without activity and {_hours(absolute)} "
            "after signing in."
        ).classes("text-sm portico-muted")
        with ui.column().classes("w-full gap-0 mt-3"):
            for row in rows:
                with (
                    ui.row().classes("w-full items-center gap-3 py-2 border-b").mark("open-session")
                ):
                    ui.icon("devices", size="22px").classes("text-slate-500")
                    with ui.column().classes("gap-0 grow"):
                        how = "single sign-on" if row.method.startswith("oidc:") else "password"
                        ui.label(
                            f"Signed in {moment(row.created_at)} with {how}"
                            + (" and a code" if row.mfa else "")
                        ).classes("text-sm font-medium")
                        ui.label(
                            f"From {row.source_ip or 'unknown address'} · last active "
                            f"{moment(row.last_seen_at)}"
                        ).classes("text-xs portico-muted")
                    if row.is_this_one:
                        ui.label("This browser").classes("portico-status").style(
                            "background: #E0F2FE; color: #075985"
                        ).mark("this-session")
                    else:
                        ui.button("Sign out", on_click=lambda row=row: end(row)).props(
                            "flat dense no-caps color=negative"
                        ).mark("end-session")


def _minutes(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _hours(delta: timedelta) -> str:
    hours = round(delta.total_seconds() / 3600, 1)
    return f"{hours:g} hour{'s' if hours != 1 else ''}"
