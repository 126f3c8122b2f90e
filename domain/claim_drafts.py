"""Claim drafts: a CMS-1500 form saved before it is complete, kept per practice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from domain.types import UTCDateTime


class ClaimDraft(SQLModel, table=True):
    """A `ClaimEntry` as JSON (domain.claim_entry.entry_to_json), possibly incomplete.

    A draft is not a claim: it has no claim number, is never adjudicated and may not yet name a
    member the plan knows. Submitting it creates the claim and deletes the draft."""

    __table_args__ = (Index("ix_claimdraft_practice_updated", "practice_id", "updated_at"),)

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id")
    created_by: int = Field(foreign_key="user.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    # What the drafts list shows: the patient account number or member id and dates, set on save.
    summary: str = Field(default="", max_length=200)
    # A rejected claim being corrected, or the claim a replacement (7) or void (8) corrects.
    corrects_claim_id: int | None = Field(default=None, foreign_key="claim.id")
    entry_json: str = Field(sa_type=Text)
