"""Professional claims: header, diagnoses, lines, line adjustments, status events, remittances,
and the one table of status transitions every change goes through."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from domain.types import Money, UTCDateTime, str_enum, utcnow


class ClaimStatus(StrEnum):
    DRAFT = "draft"
    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IN_PROCESS = "in_process"
    PENDED = "pended"
    PAID = "paid"
    PARTIALLY_PAID = "partially_paid"
    DENIED = "denied"
    REMITTED = "remitted"
    VOIDED = "voided"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


FINALIZED = frozenset({ClaimStatus.PAID, ClaimStatus.PARTIALLY_PAID, ClaimStatus.DENIED})

# Received -> Accepted/Rejected -> In process/Pended -> Paid/Partially paid/Denied -> Remitted.
TRANSITIONS: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    ClaimStatus.DRAFT: frozenset({ClaimStatus.RECEIVED}),
    ClaimStatus.RECEIVED: frozenset({ClaimStatus.ACCEPTED, ClaimStatus.REJECTED}),
    ClaimStatus.REJECTED: frozenset({ClaimStatus.DRAFT}),  # corrected and resubmitted
    ClaimStatus.ACCEPTED: frozenset({ClaimStatus.IN_PROCESS, ClaimStatus.PENDED}),
    # A void request (frequency 8) ends Voided once it has reversed its original.
    ClaimStatus.IN_PROCESS: frozenset({ClaimStatus.PENDED, ClaimStatus.VOIDED, *FINALIZED}),
    ClaimStatus.PENDED: frozenset({ClaimStatus.IN_PROCESS, *FINALIZED}),
    ClaimStatus.PAID: frozenset({ClaimStatus.REMITTED}),
    ClaimStatus.PARTIALLY_PAID: frozenset({ClaimStatus.REMITTED}),
    ClaimStatus.DENIED: frozenset({ClaimStatus.REMITTED}),
    ClaimStatus.REMITTED: frozenset({ClaimStatus.VOIDED}),
    ClaimStatus.VOIDED: frozenset(),
}


class InvalidTransition(ValueError):
    def __init__(self, current: ClaimStatus, target: ClaimStatus) -> None:
        super().__init__(f"a claim cannot go from {current.label} to {target.label}")
        self.current = current
        self.target = target


class FrequencyCode(StrEnum):
    """CLM05-3 claim frequency type code."""

    ORIGINAL = "1"
    REPLACEMENT = "7"
    VOID = "8"


class AdjustmentGroup(StrEnum):
    CO = "CO"  # contractual obligation
    PR = "PR"  # patient responsibility
    OA = "OA"  # other adjustment
    PI = "PI"  # payer initiated reduction


class Remittance(SQLModel, table=True):
    """One payment (EFT or check) to a practice, grouping finalized claims (an 835)."""

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True)
    payment_number: str = Field(max_length=30, unique=True, description="EFT trace or check no.")
    payment_method: str = Field(default="ACH", max_length=3, description="ACH or CHK")
    payment_date: date
    # The claims' payments less their reversals: negative when reversals outweigh payments,
    # and then the 835 forwards that balance (PLB FB) to a later payment.
    total_paid: Decimal = Field(sa_type=Money)
    # What this payment takes back of balances forwarded by earlier ones (a PLB FB of this
    # amount), and the payment number that forwarded the oldest of them (PLB03-2).
    recovered_amount: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    recovered_reference: str = Field(default="", max_length=30)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# The predicate of the partial index of claims that may still owe (claim_cohorts.open_now).
OPEN_NOW_SQL = (
    "finalized_at IS NULL OR remitted_on IS NULL OR patient_responsibility > patient_paid_amount"
)
REPORT_COLUMNS = (
    "practice_id",
    "service_date_from",
    "frequency_code",
    "status",
    "submitted_at",
    "finalized_at",
    "finalized_as",
    "remitted_on",
    "initially_denied",
    "ever_rejected",
    "ever_pended",
    "denial_carc",
    "rendering_provider_id",
    "location_id",
    "coverage_id",
    "place_of_service",
    "principal_procedure",
    "total_charge",
    "paid_amount",
    "patient_responsibility",
    "patient_paid_amount",
    "contractual_amount",
)


class Claim(SQLModel, table=True):
    __table_args__ = (
        Index("ix_claim_practice_status", "practice_id", "status"),
        Index("ix_claim_practice_service", "practice_id", "service_date_from"),
        Index("ix_claim_practice_submitted", "practice_id", "submitted_at"),
        # The examiner's pended queue (all practices, oldest first) and denial counts by date.
        Index("ix_claim_status_changed", "status", "status_changed_at"),
        Index("ix_claim_practice_finalized", "practice_id", "finalized_as", "finalized_at"),
        # The claim list's sorts by billed amount and claim number within a practice, and
        # plan staff's lists over every practice by date of service or submission.
        Index("ix_claim_practice_charge", "practice_id", "total_charge"),
        Index("ix_claim_practice_number", "practice_id", "claim_number"),
        Index("ix_claim_service", "service_date_from"),
        Index("ix_claim_submitted", "submitted_at"),
        # The revenue-cycle reports: every column their aggregates read, behind the practice
        # and the date of service, so a year of a large practice is one index-only range scan
        # (about 4x faster than visiting the rows) and A/R one scan of the practice's entries.
        Index("ix_claim_report", *REPORT_COLUMNS),
        # Today's A/R: the same columns for the claims that may still owe (claim_cohorts.
        # open_now), a sixth of them; and the few remitted after a past as-of day.
        Index(
            "ix_claim_open",
            *REPORT_COLUMNS,
            sqlite_where=text(OPEN_NOW_SQL),
            postgresql_where=text(OPEN_NOW_SQL),
        ),
        Index("ix_claim_remitted_on", "remitted_on"),
    )

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id")
    claim_number: str = Field(max_length=20, unique=True)
    patient_control_number: str = Field(max_length=38, description="CLM01, the practice's own")
    member_fk: int = Field(foreign_key="member.id", index=True)
    coverage_id: int | None = Field(default=None, foreign_key="coverage.id")
    billing_provider_id: int = Field(foreign_key="provider.id")
    rendering_provider_id: int = Field(foreign_key="provider.id", index=True)
    location_id: int | None = Field(default=None, foreign_key="location.id")
    place_of_service: str = Field(max_length=2)
    # The first line's procedure code, which the denial reports group by: kept on the claim
    # (written with its lines) so they need no join to the lines.
    principal_procedure: str = Field(default="", max_length=5)
    frequency_code: FrequencyCode = Field(
        default=FrequencyCode.ORIGINAL, sa_type=str_enum(FrequencyCode)
    )
    original_claim_id: int | None = Field(default=None, foreign_key="claim.id")
    service_date_from: date
    service_date_to: date
    status: ClaimStatus = Field(default=ClaimStatus.DRAFT, sa_type=str_enum(ClaimStatus))
    status_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finalized_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The outcome a remitted claim had (paid, partially paid or denied).
    finalized_as: ClaimStatus | None = Field(default=None, sa_type=str_enum(ClaimStatus))
    transaction_id: str | None = Field(default=None, max_length=40)
    total_charge: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    allowed_amount: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    paid_amount: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    patient_responsibility: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    patient_paid_amount: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    # Set by the first adjudication: was it denied (in whole) the first time, and why.
    initially_denied: bool = False
    denial_carc: str | None = Field(default=None, max_length=5, index=True)
    rejection_reason: str | None = Field(default=None, max_length=500)
    # Rework, for the clean-claim and first-pass resolution rates: ever sent back by the
    # front-end edits, ever pended for a person to look at. Set by transition(), never cleared.
    ever_rejected: bool = False
    ever_pended: bool = False
    # Contractual adjustment (CO-45, charge over the fee schedule) of the adjudication: the
    # part of the charge the practice agreed never to collect, which the net collection rate
    # takes out of its denominator (denials are not contractual and stay in).
    contractual_amount: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    remittance_id: int | None = Field(default=None, foreign_key="remittance.id", index=True)
    # The payment date of that 835, so A/R can be aged as of any past day without a join.
    remitted_on: date | None = None
    # A replaced or voided claim: the remittance whose 835 reverses its payment (CLP02 = 22).
    reversed_in_remittance_id: int | None = Field(default=None, foreign_key="remittance.id")
    # The bulk upload (domain.claim_imports.ClaimImport) the claim came in, if any.
    claim_import_id: int | None = Field(default=None, foreign_key="claimimport.id", index=True)

    def transition(self, target: ClaimStatus, *, at: datetime) -> None:
        """Move to target if the pipeline allows it; the only way status changes."""
        if target not in TRANSITIONS[self.status]:
            raise InvalidTransition(self.status, target)
        if target is ClaimStatus.REJECTED:
            self.ever_rejected = True
        elif target is ClaimStatus.PENDED:
            self.ever_pended = True
        if target in FINALIZED:
            self.finalized_at = at
            self.finalized_as = target
        self.status = target
        self.status_changed_at = at


class ClaimDiagnosis(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("claim_id", "sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True, ondelete="CASCADE")
    sequence: int = Field(ge=1, le=12, description="1 = principal; lines point at these")
    icd10_code: str = Field(max_length=8, description="ICD-10-CM without the dot")


class ClaimLine(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("claim_id", "line_number"),)

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True, ondelete="CASCADE")
    line_number: int = Field(ge=1, le=50)
    procedure_code: str = Field(max_length=5, index=True)
    modifiers: str = Field(default="", max_length=11, description="Up to 4, comma-separated")
    units: int = Field(default=1, ge=1)
    charge_amount: Decimal = Field(sa_type=Money)
    diagnosis_pointers: str = Field(max_length=7, description="e.g. '1,2' (up to 4)")
    service_date: date
    allowed_amount: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    deductible_amount: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    coinsurance_amount: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    copay_amount: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    paid_amount: Decimal = Field(default=Decimal("0.00"), sa_type=Money)

    @property
    def patient_responsibility(self) -> Decimal:
        return self.deductible_amount + self.coinsurance_amount + self.copay_amount


class ClaimLineAdjustment(SQLModel, table=True):
    """One CAS adjustment: group code, CARC, optional RARC and amount."""

    id: int | None = Field(default=None, primary_key=True)
    claim_line_id: int = Field(foreign_key="claimline.id", index=True, ondelete="CASCADE")
    group_code: AdjustmentGroup = Field(sa_type=str_enum(AdjustmentGroup))
    carc: str = Field(max_length=5)
    rarc: str | None = Field(default=None, max_length=7)
    amount: Decimal = Field(sa_type=Money)


class ClaimStatusEvent(SQLModel, table=True):
    """A step in a claim's timeline with its 277 category and status codes."""

    id: int | None = Field(default=None, primary_key=True)
    claim_id: int = Field(foreign_key="claim.id", index=True, ondelete="CASCADE")
    status: ClaimStatus = Field(sa_type=str_enum(ClaimStatus))
    category_code: str = Field(max_length=3, description="277 STC01-1, e.g. A1, P1, F1")
    status_code: str = Field(max_length=5, description="277 STC01-2")
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    source: str = Field(max_length=30, description="portal, status-refresh, examiner, import")
    transaction_id: str = Field(max_length=40)
    note: str = Field(default="", max_length=500)
