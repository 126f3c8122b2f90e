"""Portal users and their roles. Plan staff have no practice; practice staff have exactly one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.roles import Role
from domain.types import UTCDateTime, str_enum, utcnow


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, description="Stored lower-case")
    full_name: str = Field(max_length=200)
    password_hash: str | None = Field(default=None, max_length=300)
    practice_id: int | None = Field(default=None, foreign_key="practice.id", index=True)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_sign_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    deactivated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Sign-in throttling (domain/auth.py): failures since the last success, and until when
    # the account refuses even the right password.
    failed_sign_ins: int = 0
    last_failed_sign_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    password_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # TOTP (domain/mfa.py): the secret, encrypted with a key derived from PORTICO_SECRET;
    # mfa_enabled_at is set once the user proved a first code; the last accepted time step,
    # so a code is never accepted twice.
    mfa_secret: str | None = Field(default=None, max_length=300)
    mfa_enabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    mfa_last_step: int | None = None


class UserRole(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    role: Role = Field(sa_type=str_enum(Role))
