"""The idle timeout as an open tab lives it: activity in the browser keeps the session alive,
a dialog warns before the timeout and lets the user stay, and a tab whose session has ended
(timed out, signed out elsewhere, deactivated — in any process) goes to the sign-in page.

The server decides: the tab only asks the database (domain/user_sessions.py) how long the
session has left, and a session is ended there, never by the browser's own clock.
"""

from __future__ import annotations

from datetime import timedelta

from nicegui import Client, ui

from domain.user_sessions import LiveSession, session_state, touch
from storage.settings import get_settings
from ui import clock, session
from ui.data import call

# How often a tab asks whether its session is still live (a one-row lookup). Short enough that
# a sign-out-everywhere or a deactivation served by another process reaches the tab soon.
CHECK_SECONDS = 20.0
# While the warning shows, the countdown ticks (and asks again: another tab may have kept the
# session alive) every second.
WARNING_TICK_SECONDS = 1.0
ACTIVITY_EVENT = "portico_activity"
# Keys, clicks and scrolling count as activity; at most one report a minute reaches the server,
# so the idle clock is right to within a minute of a 15-minute timeout.
ACTIVITY_SCRIPT = """
<script>
(() => {
  let last = Date.now();
  const report = () => {
    const now = Date.now();
    if (now - last < %d || !window.did_handshake) return;
    last = now;
    emitEvent("%s");
  };
  for (const type of ["keydown", "pointerdown", "wheel", "scroll"]) {
    window.addEventListener(type, report, { passive: true, capture: true });
  }
})();
</script>
"""
ACTIVITY_THROTTLE_MS = 60_000


class IdleWatch:
    """One tab's watch over its session."""

    def __init__(self, *, token: str, path: str) -> None:
        self.token = token
        self.path = path
        self.client: Client = ui.context.client
        # The warning is drawn only while it shows, so a closed one is not on the page at all.
        self.anchor = ui.element("div")
        self.dialog: ui.dialog | None = None
        self.countdown: ui.label | None = None
        self.timer = ui.timer(self.check_seconds(), self.check, immediate=False)
        ui.on(ACTIVITY_EVENT, self.activity)
        ui.add_body_html(ACTIVITY_SCRIPT % (ACTIVITY_THROTTLE_MS, ACTIVITY_EVENT))

    @staticmethod
    def warning() -> timedelta:
        return timedelta(seconds=get_settings().session_warning_seconds)

    def check_seconds(self) -> float:
        # Never so slow that the whole warning window could pass between two checks.
        return max(0.05, min(CHECK_SECONDS, self.warning().total_seconds() / 2))

    async def check(self) -> None:
        idle, absolute = session.timeouts()
        live = await call(
            session_state, token=self.token, at=clock.now(), idle=idle, absolute=absolute
        )
        self.show(live)

    async def activity(self) -> None:
        await self._touch()

    async def stay(self) -> None:
        await self._touch()

    async def _touch(self) -> None:
        idle, absolute = session.timeouts()
        live = await call(touch, token=self.token, at=clock.now(), idle=idle, absolute=absolute)
        self.show(live)

    def sign_out(self) -> None:
        self.timer.deactivate()
        ui.navigate.to("/logout")

    def show(self, live: LiveSession | None) -> None:
        if self.client.is_deleted:
            return
        if live is None:  # ended: timed out here, or signed out / deactivated anywhere
            self.timer.deactivate()
            session.end()
            ui.navigate.to(session.login_url(self.path))
            return
        # Only the idle timeout can be put off; the absolute one just ends the session.
        if live.idle_left <= self.warning() and live.idle_left < live.absolute_left:
            seconds = max(0, int(live.idle_left.total_seconds()))
            self._open_warning().set_text(
                f"You will be signed out in {seconds} s because nothing has happened here "
                "for a while."
            )
            self.timer.interval = WARNING_TICK_SECONDS
        else:
            self._close_warning()
            self.timer.interval = self.check_seconds()

    def _open_warning(self) -> ui.label:
        if self.dialog is None or self.countdown is None:
            with (
                self.anchor,
                ui.dialog(value=True).props("persistent").mark("idle-warning") as self.dialog,
                ui.card().classes("p-6").style("max-width: 420px").props('role="alertdialog"'),
            ):
                ui.label("Are you still there?").classes("text-lg font-semibold")
                self.countdown = (
                    ui.label("").props('aria-live="polite"').classes("mt-2").mark("idle-countdown")
                )
                with ui.row().classes("w-full justify-end gap-2 mt-4"):
                    ui.button("Sign out", on_click=self.sign_out).props("flat no-caps").mark(
                        "idle-sign-out"
                    )
                    ui.button("Stay signed in", on_click=self.stay).props(
                        "unelevated no-caps"
                    ).mark("idle-stay")
        return self.countdown

    def _close_warning(self) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.anchor.clear()
            self.dialog = self.countdown = None


def watch(*, path: str) -> IdleWatch:
    """Start watching the current tab's session (the frame calls this on every page)."""
    return IdleWatch(token=session.current_token(), path=path)
