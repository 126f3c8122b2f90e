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
from domain.external_identities import ExternalIdentity
from domain.members import BenefitAccumulator, Coverage, Member, VisitAccumulator
from domain.one_time_links import OneTimeLink
from domain.plans import BenefitPlan, FeeSchedule, FeeScheduleEntry, PlanBenefit, ProcedureCode
from domain.practices import Location, Practice, Provider
from domain.recovery_codes import RecoveryCode
from domain.saved_views import SavedView
from domain.user_sessions import UserSession
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
    "ExternalIdentity",
    "FeeSchedule",
    "FeeScheduleEntry",
    "Location",
    "Member",
    "OneTimeLink",
    "PlanBenefit",
    "Practice",
    "ProcedureCode",
    "Provider",
    "RecoveryCode",
    "Remittance",
    "SavedView",
    "User",
    "UserRole",
    "UserSession",
    "VisitAccumulator",
]
