"""Every table in one import, for Alembic's metadata and for callers that need several."""

from domain.audit import AuditEvent
from domain.claims import (
    Claim,
    ClaimDiagnosis,
    ClaimLine,
    ClaimLineAdjustment,
    ClaimStatusEvent,
    Remittance,
)
from domain.eligibility_checks import EligibilityCheck
from domain.members import BenefitAccumulator, Coverage, Member, VisitAccumulator
from domain.plans import BenefitPlan, FeeSchedule, FeeScheduleEntry, PlanBenefit, ProcedureCode
from domain.practices import Location, Practice, Provider
from domain.users import User, UserRole

__all__ = [
    "AuditEvent",
    "BenefitAccumulator",
    "BenefitPlan",
    "Claim",
    "ClaimDiagnosis",
    "ClaimLine",
    "ClaimLineAdjustment",
    "ClaimStatusEvent",
    "Coverage",
    "EligibilityCheck",
    "FeeSchedule",
    "FeeScheduleEntry",
    "Location",
    "Member",
    "PlanBenefit",
    "Practice",
    "ProcedureCode",
    "Provider",
    "Remittance",
    "User",
    "UserRole",
    "VisitAccumulator",
]
