"""The user-administration screen both admins share: the team table, the invitation and role
dialogs, the one-time link an admin passes on, and the per-user actions. The practice admin's
page (/practice/users) and the plan admin's (/plan/users) differ only in words and roles; whose
users they reach is decided in the domain, from the admin's own account.

Portico sends no email: every invitation and reset link is shown to the admin once, to send
to the person themselves."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from domain.one_time_links import LinkPurpose
from domain.roles import Role
from domain.scope import Actor, NotAuthorized, NotFound
from domain.user_admin import (
    ROLE_DESCRIPTIONS,
    IssuedLink,
    StaffMember,
    StaffStatus,
    UserAdminRefused,
    deactivate,
    end_sessions,
    invite,
    issue_reset_link,
    list_staff,
    reactivate,
    resend_invite,
    revoke_invite,
    set_roles,
)
from storage.settings import get_settings
from ui import clock, session
from ui.data import call
from ui.format import count, moment
from ui.theme import Heading
from ui.widgets import Column, card, data_table

INVITE_PATH = "/invite"
RESET_PATH = "/reset"
GONE = "That user is no longer on your team list. The list has been refreshed."

_STATUS_COLORS = {
    StaffStatus.ACTIVE: "positive",
    StaffStatus.INVITED: "info",
    StaffStatus.INVITE_EXPIRED: "warning",
    StaffStatus.DEACTIVATED: "grey-7",
}


def link_url(link: IssuedLink) -> str:
    """The address to pass on. The token rides in the query string, which the access log cuts
    off (ui/access_log.py), never in the path, which it keeps."""
    base = str(ui.context.client.request.base_url).rstrip("/")
    path = INVITE_PATH if link.purpose is LinkPurpose.INVITE else RESET_PATH
    return f"{base}{path}?token={link.token}"


def _dialog_title(dialog: ui.dialog) -> ui.label:
    """The dialog's heading, which also names the dialog for assistive technology."""
    title = ui.label().classes("text-lg font-medium").props('role=heading aria-level="2"')
    dialog.props(f"aria-labelledby=c{title.id}")
    return title


class RoleChoices:
    """One checkbox per role the admin may give, each with a line on what the role opens."""

    def __init__(self, roles: list[Role], *, marker: str) -> None:
        self.boxes: dict[Role, ui.checkbox] = {}
        with ui.column().classes("gap-1 w-full").props('role="group" aria-label="Roles"'):
            ui.label("Roles").classes("text-sm font-medium")
            for role in roles:
                with ui.column().classes("gap-0"):
                    self.boxes[role] = ui.checkbox(role.label).mark(f"{marker}-{role.value}")
                    # Under the label, in line with its text (the checkbox is 40 px wide).
                    ui.label(ROLE_DESCRIPTIONS[role]).classes("text-xs portico-muted").style(
                        "margin: -10px 0 4px 40px"
                    )
            self.error = ui.label("").classes("text-negative text-sm").props('role="alert"')
            self.error.set_visibility(False)

    def chosen(self) -> set[Role]:
        return {role for role, box in self.boxes.items() if box.value}

    def set(self, roles: list[Role]) -> None:
        for role, box in self.boxes.items():
            box.value = role in roles
        self.show_error("")

    def show_error(self, message: str) -> None:
        self.error.set_text(message)
        self.error.set_visibility(bool(message))


class StaffAdmin:
    """One admin's view of their team; every action goes through a domain use case, which
    re-checks the admin and the scope, and the table is re-read afterwards."""

    def __init__(self, actor: Actor, *, title: str, team_title: str, roles: list[Role]) -> None:
        self.actor = actor
        self.roles = roles
        self.members: dict[int, StaffMember] = {}
        self.selected: StaffMember | None = None
        with ui.row().classes("w-full items-center justify-between gap-3"):
            Heading(title).mark("users-title")
            ui.button("Invite user", icon="person_add", on_click=self.open_invite).props(
                "unelevated no-caps"
            ).mark("invite-user")
        with card(
            team_title,
            subtitle="Invitations and password resets are one-time links you pass on yourself.",
            marker="practice-team",
        ):
            self.summary = ui.label("").classes("text-sm portico-muted").mark("team-summary")
            self.table = self._team_table()
        self._build_invite_dialog()
        self._build_manage_dialog()
        self._build_roles_dialog()
        self._build_confirm_dialog()
        self._build_link_dialog()

    # --- the table ------------------------------------------------------------------------

    def _team_table(self) -> ui.table:
        table = data_table(
            [
                Column("full_name", "Name", secondary="email", min_width=200),
                Column("roles", "Roles", min_width=160),
                Column("state", "Status"),
                Column("mfa", "Two-step sign-in", wide_only=True),
                Column("last_sign_in", "Last sign-in", wide_only=True),
                Column("actions", "", align="right"),
            ],
            [],
            marker="team-table",
            label="Team",
        )
        # Values reach the cells as Vue bindings, never as HTML built from data.
        table.add_slot(
            "body-cell-state",
            '<q-td :props="props"><q-badge :color="props.row.status_color" '
            ':label="props.row.state" class="text-weight-medium" /></q-td>',
        )
        table.add_slot(
            "body-cell-actions",
            '<q-td :props="props"><q-btn flat dense no-caps color="primary" icon="manage_accounts"'
            ' label="Manage" :aria-label="\'Manage \' + props.row.full_name"'
            " @click=\"() => $parent.$emit('manage', props.row.id)\" /></q-td>",
        )
        table.on("manage", lambda event: self.open_manage(int(event.args)))
        return table

    async def reload(self) -> None:
        team = await call(list_staff, actor=self.actor, at=clock.now())
        if team is None:  # the app is shutting down
            return
        self.members = {member.user_id: member for member in team}
        self.table.rows = [_row(member) for member in team]
        self.table.update()
        invited = sum(1 for m in team if m.status is StaffStatus.INVITED)
        pending = f", {count(invited)} pending invitation" + ("s" if invited != 1 else "")
        self.summary.set_text(f"{count(len(team))} users" + (pending if invited else ""))

    # --- invitation -----------------------------------------------------------------------

    def _build_invite_dialog(self) -> None:
        with (
            ui.dialog().mark("invite-dialog") as self.invite_dialog,
            ui.card().classes("w-[34rem] max-w-full gap-3"),
        ):
            _dialog_title(self.invite_dialog).set_text("Invite a user")
            ui.label(
                "They get a one-time link to choose their own password. Portico sends no email: "
                "you pass the link on."
            ).classes("text-sm portico-muted")
            self.invite_name = (
                ui.input("Full name").props("outlined dense autofocus").classes("w-full")
            ).mark("invite-name")
            self.invite_email = (
                ui.input("Email")
                .props('outlined dense type=email spellcheck="false"')
                .classes("w-full")
                .mark("invite-email")
            )
            self.invite_roles = RoleChoices(self.roles, marker="invite-role")
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=self.invite_dialog.close).props("flat no-caps")
                self.invite_button = (
                    ui.button("Create invitation link", on_click=self.submit_invite)
                    .props("unelevated no-caps")
                    .mark("invite-submit")
                )

    def open_invite(self) -> None:
        self.invite_name.value = ""
        self.invite_email.value = ""
        self.invite_email.error = None
        self.invite_roles.set([])
        self.invite_dialog.open()

    async def submit_invite(self) -> None:
        self.invite_button.disable()
        try:
            link = await call(
                invite,
                actor=self.actor,
                email=self.invite_email.value or "",
                full_name=self.invite_name.value or "",
                roles=self.invite_roles.chosen(),
                at=clock.now(),
                link_hours=get_settings().one_time_link_hours,
            )
        except UserAdminRefused as refused:
            self.invite_roles.show_error(str(refused))
            return
        finally:
            self.invite_button.enable()
        self.invite_dialog.close()
        await self.reload()
        self.show_link(link, self.invite_name.value or "")

    # --- one-time links -------------------------------------------------------------------

    def _build_link_dialog(self) -> None:
        with (
            ui.dialog().mark("link-dialog") as self.link_dialog,
            ui.card().classes("w-[40rem] max-w-full gap-3"),
        ):
            self.link_title = _dialog_title(self.link_dialog)
            self.link_detail = ui.label("").classes("text-sm").mark("link-detail")
            with ui.row().classes("w-full items-center gap-2 no-wrap"):
                self.link_field = (
                    ui.input("One-time link")
                    .props('outlined dense readonly spellcheck="false"')
                    .classes("grow")
                    .mark("one-time-link")
                )
                ui.button("Copy", icon="content_copy", on_click=self.copy_link).props(
                    "unelevated no-caps"
                ).mark("copy-link")
            ui.label(
                "Portico does not show this link again. If it is lost, issue a new one: the "
                "old one then stops working."
            ).classes("text-xs portico-muted")
            with ui.row().classes("w-full justify-end"):
                ui.button("Done", on_click=self.link_dialog.close).props("flat no-caps").mark(
                    "link-done"
                )

    def show_link(self, link: IssuedLink, full_name: str) -> None:
        what = "Invitation link" if link.purpose is LinkPurpose.INVITE else "Password reset link"
        self.link_title.set_text(f"{what} for {full_name}")
        self.link_detail.set_text(
            "Portico sends no email. Send this link to the person yourself; it works once, "
            f"until {moment(link.expires_at)}."
        )
        self.link_field.value = link_url(link)
        self.link_dialog.open()

    def copy_link(self) -> None:
        ui.clipboard.write(self.link_field.value or "")
        ui.notify("Link copied.", type="positive")

    # --- one user's actions ---------------------------------------------------------------

    def _build_manage_dialog(self) -> None:
        with (
            ui.dialog().mark("manage-dialog") as self.manage_dialog,
            ui.card().classes("w-[30rem] max-w-full gap-3"),
        ):
            self.manage_title = _dialog_title(self.manage_dialog)
            self.manage_facts = ui.column().classes("gap-1 w-full")
            self.manage_actions = ui.column().classes("gap-2 w-full items-stretch")
            with ui.row().classes("w-full justify-end"):
                ui.button("Close", on_click=self.manage_dialog.close).props("flat no-caps")

    def open_manage(self, user_id: int) -> None:
        member = self.members.get(user_id)
        if member is None:
            return
        self.selected = member
        self.manage_title.set_text(member.full_name)
        self.manage_facts.clear()
        with self.manage_facts:
            ui.label(member.email).classes("text-sm").mark("manage-email")
            ui.label(", ".join(role.label for role in member.roles) or "No role").classes("text-sm")
            status = member.status.label
            if member.status is StaffStatus.INVITED and member.invite_expires_at:
                status += f" (link works until {moment(member.invite_expires_at)})"
            ui.label(status).classes("text-sm portico-muted").mark("manage-status")
        self.manage_actions.clear()
        with self.manage_actions:
            for label, icon, marker, handler in self._actions_for(member):
                ui.button(label, icon=icon, on_click=handler).props(
                    "outline no-caps align=left"
                ).mark(marker)
        self.manage_dialog.open()

    def _actions_for(
        self, member: StaffMember
    ) -> list[tuple[str, str, str, Callable[[], Awaitable[None] | None]]]:
        yourself = member.user_id == self.actor.user_id
        actions: list[tuple[str, str, str, Callable[[], Awaitable[None] | None]]] = [
            ("Change roles", "badge", "edit-roles", self.open_roles)
        ]
        if member.status is StaffStatus.ACTIVE:
            actions.append(
                ("Create password reset link", "lock_reset", "reset-link", self.issue_reset)
            )
            if not yourself:
                actions.append(
                    ("Sign out everywhere", "logout", "end-sessions", self.end_sessions_selected)
                )
                actions.append(("Deactivate", "person_off", "deactivate", self.ask_deactivate))
        elif member.status in (StaffStatus.INVITED, StaffStatus.INVITE_EXPIRED):
            actions.append(("Create a new invitation link", "send", "resend-invite", self.resend))
            actions.append(("Revoke invitation", "cancel", "revoke-invite", self.revoke))
        elif member.has_signed_up:
            actions.append(("Reactivate", "person_add_alt", "reactivate", self.reactivate))
        else:
            actions.append(("Invite again", "send", "resend-invite", self.resend))
        return actions

    async def _act(self, action: Callable[[], Awaitable[object]]) -> object | None:
        """Run a use case for the selected user; a refusal is said, a vanished user explained,
        and the table re-read either way."""
        self.manage_dialog.close()
        result: object | None = None
        try:
            result = await action()
        except UserAdminRefused as refused:
            ui.notify(str(refused), type="warning", multi_line=True)
        except NotFound:
            ui.notify(GONE, type="warning")
        except NotAuthorized:
            ui.navigate.reload()  # no longer an admin: the page's guard says so
            return None
        await self.reload()
        return result

    async def issue_reset(self) -> None:
        await self._issue_link(issue_reset_link)

    async def resend(self) -> None:
        await self._issue_link(resend_invite)

    async def _issue_link(self, use_case: Callable[..., IssuedLink]) -> None:
        """A new one-time link (reset or invitation) for the selected user, shown to copy."""
        member = self._selected()
        link = await self._act(
            lambda: call(
                use_case,
                actor=self.actor,
                user_id=member.user_id,
                at=clock.now(),
                link_hours=get_settings().one_time_link_hours,
            )
        )
        if isinstance(link, IssuedLink):
            self.show_link(link, member.full_name)

    async def revoke(self) -> None:
        member = self._selected()
        await self._act(
            lambda: call(revoke_invite, actor=self.actor, user_id=member.user_id, at=clock.now())
        )

    async def reactivate(self) -> None:
        member = self._selected()
        done = await self._act(
            lambda: _done(
                call(reactivate, actor=self.actor, user_id=member.user_id, at=clock.now())
            )
        )
        if done:
            ui.notify(f"{member.full_name} can sign in again.", type="positive")

    def ask_deactivate(self) -> None:
        member = self._selected()
        self.manage_dialog.close()
        self.confirm_title.set_text(f"Deactivate {member.full_name}?")
        self.confirm_detail.set_text(
            "This signs them out everywhere now, closes their open pages and stops their "
            "sign-in and any unused links. Their records and audit history stay. You can "
            "reactivate the account later."
        )
        self.confirm_dialog.open()

    async def deactivate_selected(self) -> None:
        member = self._selected()
        self.confirm_dialog.close()
        done = await self._act(
            lambda: _done(
                call(deactivate, actor=self.actor, user_id=member.user_id, at=clock.now())
            )
        )
        if done:
            # The sessions ended in the database; this closes the tabs open in this process now.
            session.kick_user(member.user_id)
            ui.notify(f"{member.full_name} is deactivated and signed out.", type="positive")

    async def end_sessions_selected(self) -> None:
        member = self._selected()
        ended = await self._act(
            lambda: call(end_sessions, actor=self.actor, user_id=member.user_id, at=clock.now())
        )
        if isinstance(ended, int):
            session.kick_user(member.user_id)  # their open tabs in this process, now
            ui.notify(
                f"{member.full_name} is signed out everywhere ({count(ended)} session(s)).",
                type="positive",
            )

    def _selected(self) -> StaffMember:
        assert self.selected is not None
        return self.selected

    # --- roles ----------------------------------------------------------------------------

    def _build_roles_dialog(self) -> None:
        with (
            ui.dialog().mark("roles-dialog") as self.roles_dialog,
            ui.card().classes("w-[34rem] max-w-full gap-3"),
        ):
            self.roles_title = _dialog_title(self.roles_dialog)
            ui.label("Changes apply on their next page.").classes("text-sm portico-muted")
            self.role_choices = RoleChoices(self.roles, marker="edit-role")
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=self.roles_dialog.close).props("flat no-caps")
                ui.button("Save roles", on_click=self.save_roles).props("unelevated no-caps").mark(
                    "roles-submit"
                )

    def open_roles(self) -> None:
        member = self._selected()
        self.manage_dialog.close()
        self.roles_title.set_text(f"Roles of {member.full_name}")
        self.role_choices.set(member.roles)
        self.roles_dialog.open()

    async def save_roles(self) -> None:
        member = self._selected()
        try:
            await call(
                set_roles,
                actor=self.actor,
                user_id=member.user_id,
                roles=self.role_choices.chosen(),
                at=clock.now(),
            )
        except UserAdminRefused as refused:
            self.role_choices.show_error(str(refused))
            return
        except NotFound:
            ui.notify(GONE, type="warning")
        except NotAuthorized:
            ui.navigate.reload()
            return
        else:
            ui.notify(f"Roles of {member.full_name} saved.", type="positive")
        self.roles_dialog.close()
        await self.reload()

    # --- confirmation ---------------------------------------------------------------------

    def _build_confirm_dialog(self) -> None:
        with (
            ui.dialog().props('role="alertdialog"').mark("confirm-dialog") as self.confirm_dialog,
            ui.card().classes("w-[28rem] max-w-full gap-3"),
        ):
            self.confirm_title = _dialog_title(self.confirm_dialog)
            self.confirm_detail = ui.label("").classes("text-sm")
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=self.confirm_dialog.close).props(
                    "flat no-caps autofocus"
                ).mark("confirm-cancel")
                ui.button("Deactivate and sign out", on_click=self.deactivate_selected).props(
                    "unelevated no-caps color=negative"
                ).mark("confirm-deactivate")


async def _done(pending: Awaitable[None]) -> bool:
    """A use case that returns nothing, as True once it has succeeded."""
    await pending
    return True


def _row(member: StaffMember) -> dict[str, object]:
    return {
        "id": member.user_id,
        "full_name": member.full_name,
        "email": member.email,
        "roles": ", ".join(role.label for role in member.roles),
        "state": member.status.label,
        "status_color": _STATUS_COLORS[member.status],
        "mfa": "On" if member.mfa_enabled else "Off",
        "last_sign_in": moment(member.last_sign_in_at) or "Never",
    }
