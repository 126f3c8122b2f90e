"""Benefit plans, their per-category benefits, procedure codes and fee schedules (plan side)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from domain.codes import ServiceCategory
from domain.types import Money, str_enum


class FeeSchedule(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    effective_from: date


class BenefitPlan(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)
    name: str = Field(max_length=200)
    product: str = Field(max_length=10, description="HMO, PPO, EPO or POS")
    network: str = Field(max_length=100)
    fee_schedule_id: int = Field(foreign_key="feeschedule.id")
    plan_year_start_month: int = Field(default=1, ge=1, le=12)
    individual_deductible: Decimal = Field(sa_type=Money)
    family_deductible: Decimal = Field(sa_type=Money)
    individual_oop_max: Decimal = Field(sa_type=Money)
    family_oop_max: Decimal = Field(sa_type=Money)
    timely_filing_days: int = 180
    # Claims above this total charge pend for a claims examiner.
    pend_threshold: Decimal = Field(default=Decimal("10000.00"), sa_type=Money)


class PlanBenefit(SQLModel, table=True):
    """What one plan pays for one service category."""

    __table_args__ = (UniqueConstraint("plan_id", "service_category"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="benefitplan.id", index=True)
    service_category: ServiceCategory = Field(sa_type=str_enum(ServiceCategory))
    covered: bool = True
    copay: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    coinsurance_percent: int = Field(default=0, ge=0, le=100)
    deductible_applies: bool = True
    visit_limit: int | None = Field(
        default=None, description="Visits per plan year, None = no limit"
    )
    prior_auth_required: bool = False


class ProcedureCode(SQLModel, table=True):
    """A CPT/HCPCS code the plan knows, with Portico's own short description."""

    code: str = Field(primary_key=True, max_length=5)
    description: str = Field(max_length=200)
    service_category: ServiceCategory = Field(sa_type=str_enum(ServiceCategory))
    prior_auth_required: bool = False
    unlisted: bool = False


class FeeScheduleEntry(SQLModel, table=True):
    """Allowed amount per unit by code and, optionally, place of service (None = any POS)."""

    __table_args__ = (UniqueConstraint("fee_schedule_id", "procedure_code", "place_of_service"),)

    id: int | None = Field(default=None, primary_key=True)
    fee_schedule_id: int = Field(foreign_key="feeschedule.id", index=True)
    procedure_code: str = Field(foreign_key="procedurecode.code", max_length=5)
    place_of_service: str | None = Field(default=None, max_length=2)
    allowed_amount: Decimal = Field(sa_type=Money)
