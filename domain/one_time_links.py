"""One-time links an admin issues: an invitation to set up an account, or a password reset.
The link carries a random token; only its SHA-256 is stored, and it works once, until expiry."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from domain.types import UTCDateTime, str_enum


class LinkPurpose(StrEnum):
    INVITE = "invite"
    RESET = "reset"


class OneTimeLink(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    purpose: LinkPurpose = Field(sa_type=str_enum(LinkPurpose))
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    issued_by: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
