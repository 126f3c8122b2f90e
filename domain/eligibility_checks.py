"""The eligibility check history table: who asked what, when, and the answer they were given."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from domain.types import UTCDateTime


class EligibilityCheck(SQLModel, table=True):
    """One check, kept as answered (the answer is stored whole so it can be reprinted exactly)."""

    __table_args__ = (Index("ix_eligibilitycheck_practice_time", "practice_id", "checked_at"),)

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id")
    user_id: int = Field(foreign_key="user.id")
    checked_at: datetime = Field(sa_type=UTCDateTime)
    transaction_id: str = Field(max_length=40, unique=True)
    source: str = Field(max_length=10, description="portal, batch or x12")
    batch_id: str | None = Field(default=None, max_length=40, index=True)
    member_fk: int | None = Field(default=None, foreign_key="member.id", index=True)
    date_of_service: date
    outcome: str = Field(max_length=12, description="active, inactive or no_match")
    problems: str = Field(default="", max_length=200, description="comma-separated Problem values")
    answer_json: str = Field(sa_type=Text)
