"""Every table in one import, for Alembic's metadata and for callers that need several."""

from domain.appeals import Appeal, AppealAttachment
from domain.audit import AuditEvent
from domain.claim_drafts import ClaimDraft
from domain.claim_imports import ClaimImport
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
from domain.saved_views import SavedView
from domain.users import User, UserRole

__all__ = [
    "Appeal",
    "AppealAttachment",
    "AuditEvent",
    "BenefitAccumulator",
    "BenefitPlan",
    "Claim",
    "ClaimDiagnosis",
    "ClaimDraft",
    "ClaimImport",
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
    "SavedView",
    "User",
    "UserRole",
    "VisitAccumulator",
]
