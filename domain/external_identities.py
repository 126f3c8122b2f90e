"""Links between a portal account and an OpenID Connect provider's subject (`sub`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.types import UTCDateTime


class ExternalIdentity(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("provider", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=40, description="the provider's configured name")
    subject: str = Field(max_length=255, description="the provider's `sub` claim")
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
