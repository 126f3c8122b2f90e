"""Plan members, their coverages and their benefit accumulators per plan year.

Members belong to the plan, not to a practice: any contracted practice may check a member's
eligibility with exact identifiers (member ID + DOB), as real payer portals allow.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.codes import ServiceCategory
from domain.types import Money, str_enum


class Relationship(StrEnum):
    SUBSCRIBER = "subscriber"
    SPOUSE = "spouse"
    CHILD = "child"


class Member(SQLModel, table=True):
    __table_args__ = (
        Index("ix_member_name_dob", "last_name", "first_name", "date_of_birth"),
        # Name searches compare lower-cased names, which the name index cannot serve; a date of
        # birth narrows a million members to a few dozen.
        Index("ix_member_dob", "date_of_birth"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: str = Field(max_length=20, unique=True, description="ID on the member's card")
    family_id: str = Field(max_length=20, index=True, description="Subscriber's family group")
    relationship: Relationship = Field(
        default=Relationship.SUBSCRIBER, sa_type=str_enum(Relationship)
    )
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    date_of_birth: date
    sex: str = Field(max_length=1, description="F, M or U")
    address_line: str = Field(default="", max_length=200)
    city: str = Field(default="", max_length=100)
    state: str = Field(default="", max_length=2)
    postal_code: str = Field(default="", max_length=10)

    @property
    def display_name(self) -> str:
        return f"{self.last_name}, {self.first_name}"


class Coverage(SQLModel, table=True):
    """A member's enrolment in a plan between two dates; order 1 is primary."""

    id: int | None = Field(default=None, primary_key=True)
    member_fk: int = Field(foreign_key="member.id", index=True)
    plan_id: int = Field(foreign_key="benefitplan.id")
    group_number: str = Field(max_length=20)
    effective_date: date
    termination_date: date | None = None
    coverage_order: int = Field(default=1, ge=1, le=2)
    pcp_provider_id: int | None = Field(default=None, foreign_key="provider.id", index=True)

    def is_active_on(self, day: date) -> bool:
        if day < self.effective_date:
            return False
        return self.termination_date is None or day <= self.termination_date


class BenefitAccumulator(SQLModel, table=True):
    """Deductible and out-of-pocket met by one member in one plan year (claims update it)."""

    __table_args__ = (UniqueConstraint("member_fk", "plan_id", "plan_year"),)

    id: int | None = Field(default=None, primary_key=True)
    member_fk: int = Field(foreign_key="member.id", index=True)
    plan_id: int = Field(foreign_key="benefitplan.id")
    plan_year: int
    deductible_met: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    out_of_pocket_met: Decimal = Field(default=Decimal("0.00"), sa_type=Money)


class VisitAccumulator(SQLModel, table=True):
    """Visits used by one member in one plan year for a category that has a visit limit."""

    __table_args__ = (UniqueConstraint("member_fk", "plan_id", "plan_year", "service_category"),)

    id: int | None = Field(default=None, primary_key=True)
    member_fk: int = Field(foreign_key="member.id", index=True)
    plan_id: int = Field(foreign_key="benefitplan.id")
    plan_year: int
    service_category: ServiceCategory = Field(sa_type=str_enum(ServiceCategory))
    visits_used: int = 0
