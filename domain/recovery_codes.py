"""One-time MFA recovery codes: stored as hashes, each usable once."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from domain.types import UTCDateTime


class RecoveryCode(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    code_hash: str = Field(max_length=300)
    created_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
