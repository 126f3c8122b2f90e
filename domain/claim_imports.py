"""Bulk claim submissions (a CSV or an 837P file): one row per file per practice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.types import UTCDateTime


class ClaimImport(SQLModel, table=True):
    """A file of claims, worked in batches that each commit with `processed`.

    The same file (same bytes) from the same practice is the same import: uploading it again
    returns this row and creates nothing. A run stopped halfway resumes at `processed`."""

    __table_args__ = (UniqueConstraint("practice_id", "file_sha256"),)

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    user_id: int = Field(foreign_key="user.id")
    file_name: str = Field(max_length=200, description="As uploaded, for display only")
    file_sha256: str = Field(max_length=64)
    file_format: str = Field(max_length=4, description="csv or 837p")
    received_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    total_claims: int = 0
    processed: int = 0
    accepted: int = 0  # submitted (they go on to the pipeline's front-end edits)
    rejected: int = 0
    # [{"ordinal", "locator" ("row 7" / "segment 41"), "account", "reason"}], PHI-free reasons.
    rejections_json: str = Field(default="[]", sa_type=Text)
    # An 837P's 999 acknowledgement, kept so it can be downloaded again.
    acknowledgement: str | None = Field(default=None, sa_type=Text)
