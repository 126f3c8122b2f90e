"""Signed-in sessions, kept server-side so that sign-out, timeouts and deactivation end them for
good: the browser's cookie holds only a random token, the database its SHA-256."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from domain.types import UTCDateTime


class UserSession(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, description="sha256 hex of the token")
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end_reason: str = Field(
        default="", max_length=30, description="sign_out, idle, absolute, deactivated, everywhere"
    )
    method: str = Field(default="password", max_length=60, description="password or oidc:NAME")
    mfa: bool = Field(default=False, description="a second factor was checked at sign-in")
    source_ip: str = Field(default="", max_length=45)
