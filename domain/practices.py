"""Practices (the tenants), their locations and their providers."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from domain.types import UTCDateTime, utcnow


class Practice(SQLModel, table=True):
    """A tenant: nothing of one practice is ever visible to another."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    tin: str = Field(max_length=9, unique=True, description="Federal tax ID, 9 digits")
    group_npi: str = Field(max_length=10, unique=True)
    phone: str = Field(default="", max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Location(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    name: str = Field(max_length=200)
    address_line: str = Field(max_length=200)
    city: str = Field(max_length=100)
    state: str = Field(max_length=2)
    postal_code: str = Field(max_length=10)
    phone: str = Field(default="", max_length=20)


class Provider(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    location_id: int | None = Field(default=None, foreign_key="location.id")
    npi: str = Field(max_length=10, unique=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    credential: str = Field(default="MD", max_length=20)
    taxonomy_code: str = Field(max_length=10, description="NUCC health care provider taxonomy")
    specialty: str = Field(max_length=100)
    in_network: bool = True
    accepting_new_patients: bool = True

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}, {self.credential}"
