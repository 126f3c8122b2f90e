"""Appeals of adjudicated claims, their attachments, and the examiner's decision."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from domain.types import UTCDateTime, str_enum


class AppealStatus(StrEnum):
    OPEN = "open"
    OVERTURNED = "overturned"  # decided for the practice: the claim is reprocessed
    UPHELD = "upheld"  # the original decision stands

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Appeal(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    claim_id: int = Field(foreign_key="claim.id", index=True)
    reason: str = Field(sa_type=Text, description="The practice's argument, up to 4,000 chars")
    status: AppealStatus = Field(default=AppealStatus.OPEN, sa_type=str_enum(AppealStatus))
    filed_by: int = Field(foreign_key="user.id")
    filed_at: datetime = Field(sa_type=UTCDateTime)
    decided_by: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str = Field(default="", max_length=1000)


class AppealAttachment(SQLModel, table=True):
    """A file sent with an appeal. The bytes live in the attachment store under `stored_name`
    (generated, never the uploaded name), outside any path the web server serves."""

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    appeal_id: int = Field(foreign_key="appeal.id", index=True, ondelete="CASCADE")
    original_name: str = Field(max_length=200, description="Cleaned, for display only")
    stored_name: str = Field(max_length=80, unique=True)
    content_type: str = Field(max_length=50, description="From the bytes, not the upload")
    size_bytes: int
    sha256: str = Field(max_length=64)
    uploaded_at: datetime = Field(sa_type=UTCDateTime)
