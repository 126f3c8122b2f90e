"""The practice user a command-line run acts as (`--as EMAIL`): active, and allowed the area."""

from __future__ import annotations

from sqlmodel import Session, select

from domain.auth import actor_for, normalise_email
from domain.roles import Area
from domain.scope import Actor
from domain.users import User

CLI_SOURCE = "cli"  # the audit trail's source address for work run from the command line


class ActorRefused(PermissionError):
    """The --as account cannot do what the command does; the message says why."""


def practice_actor(session: Session, email: str, *, area: Area, refusal: str) -> Actor:
    """The active user with that email, if a practice account whose roles open `area`;
    otherwise ActorRefused, with `refusal` (what they may not do and who may) after the email."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    actor = actor_for(session, user.id, source_ip=CLI_SOURCE) if user and user.id else None
    if actor is None:
        raise ActorRefused(f"No active Portico user has the email {email!r}.")
    if actor.practice_id is None or not actor.may_open(area):
        raise ActorRefused(f"{email} {refusal}")
    return actor
