"""Remittance advice: a payment and the claims it settles as 835 values, read within scope.

The value objects here (RemittanceAdvice, ClaimPayment, ServicePayment, CasAdjustment,
ProviderAdjustment) are what interop.x12.remittance_835 writes; `balance_problems` checks the
835 balancing rules on them before anything is written. The use cases read one remittance (or
list them) within the caller's scope, so another practice's remittance is NotFound, and audit
every look: a remittance names patients and what they owe.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from domain import audit
from domain.claims import (
    AdjustmentGroup,
    Claim,
    ClaimLine,
    ClaimLineAdjustment,
    ClaimStatus,
    Remittance,
)
from domain.members import Coverage, Member
from domain.plans import BenefitPlan
from domain.practices import Practice, Provider
from domain.roles import Area
from domain.scope import Actor, within_scope

ZERO = Decimal("0.00")

# CLP02 claim status codes (X12 element 1029) Portico sends.
PROCESSED_AS_PRIMARY = "1"
PROCESSED_AS_SECONDARY = "2"
DENIED = "4"
REVERSAL = "22"  # reversal of a previous payment

# CLP06 claim filing indicator (element 1032) by the plan's product: 12 PPO, 13 POS, 14 EPO,
# HM HMO; 15 (indemnity) for anything else.
FILING_INDICATOR_OF_PRODUCT = {"PPO": "12", "POS": "13", "EPO": "14", "HMO": "HM"}
INDEMNITY = "15"

# PLB03-1 provider adjustment reason (element 426): FB forwarding balance, the TR3's code for a
# negative balance carried to a later payment.
FORWARDING_BALANCE = "FB"

# The audit action of an 835 export (download or CLI file).
EXPORT_ACTION = "remittance.835"


# --- The values an 835 is written from ---


@dataclass(frozen=True)
class Payer:
    """1000A payer identification, and the payer's side of BPR and TRN."""

    name: str
    payer_id: str  # REF*2U, and the interchange sender
    tin: str  # 9 digits; TRN03 and BPR10 are '1' + the TIN
    address_line: str
    city: str
    state: str
    postal_code: str
    contact_name: str
    phone: str  # PER*BL technical contact, digits only
    bank_routing: str  # BPR07, the ABA routing number the EFT leaves from
    bank_account: str  # BPR09


# The plan itself: the same identity the 271 answers with (payer ID PORTICO). The tax ID and bank
# numbers are the demo plan's, not a real organisation's.
PORTICO_PLAN = Payer(
    name="Portico Health Plan",
    payer_id="PORTICO",
    tin="990000001",
    address_line="100 Plan Plaza",
    city="Springfield",
    state="IL",
    postal_code="62701",
    contact_name="Portico EDI Support",
    phone="8005550100",
    bank_routing="071000013",
    bank_account="000123456789",
)


@dataclass(frozen=True)
class Payee:
    """1000B payee: the practice, paid under its group NPI and tax ID."""

    name: str
    npi: str
    tin: str


@dataclass(frozen=True)
class CasAdjustment:
    """One CAS reason: group (CAS01), CARC, amount, and the RARC that goes with it (LQ*HE)."""

    group: AdjustmentGroup
    carc: str
    amount: Decimal
    rarc: str | None = None


@dataclass(frozen=True)
class ServicePayment:
    """Loop 2110: one service line (SVC) with its date, adjustments and allowed amount."""

    line_number: int
    procedure_code: str
    modifiers: tuple[str, ...]
    units: int
    service_date: date
    charge: Decimal  # SVC02
    paid: Decimal  # SVC03
    allowed: Decimal  # AMT*B6
    adjustments: tuple[CasAdjustment, ...]

    @property
    def adjusted(self) -> Decimal:
        return sum((adjustment.amount for adjustment in self.adjustments), ZERO)

    def negated(self) -> ServicePayment:
        return replace(
            self,
            units=-self.units,
            charge=-self.charge,
            paid=-self.paid,
            allowed=-self.allowed,
            adjustments=tuple(replace(a, amount=-a.amount) for a in self.adjustments),
        )


@dataclass(frozen=True)
class ClaimPayment:
    """Loop 2100: one claim (CLP) as this payment settles it, or reverses it (CLP02 = 22)."""

    claim_id: int
    claim_number: str  # CLP07 payer claim control number
    patient_control_number: str  # CLP01, the practice's own number from CLM01
    status_code: str  # CLP02
    charge: Decimal  # CLP03
    paid: Decimal  # CLP04
    patient_responsibility: Decimal  # CLP05
    filing_indicator: str  # CLP06
    place_of_service: str  # CLP08 (professional claims: the place of service)
    frequency_code: str  # CLP09
    patient_last_name: str
    patient_first_name: str
    member_id: str
    rendering_last_name: str
    rendering_first_name: str
    rendering_npi: str
    received_on: date | None  # DTM*050
    lines: tuple[ServicePayment, ...]

    @property
    def is_reversal(self) -> bool:
        return self.status_code == REVERSAL

    @property
    def adjusted(self) -> Decimal:
        return sum((line.adjusted for line in self.lines), ZERO)

    @property
    def patient_adjustments(self) -> Decimal:
        return sum(
            (
                adjustment.amount
                for line in self.lines
                for adjustment in line.adjustments
                if adjustment.group is AdjustmentGroup.PR
            ),
            ZERO,
        )

    def reversal(self) -> ClaimPayment:
        """The claim as a reversal takes it back: CLP02 22 and every amount (and the units)
        of the original negated, so the reversal and the original sum to nothing."""
        return replace(
            self,
            status_code=REVERSAL,
            charge=-self.charge,
            paid=-self.paid,
            patient_responsibility=-self.patient_responsibility,
            lines=tuple(line.negated() for line in self.lines),
        )


@dataclass(frozen=True)
class ProviderAdjustment:
    """A PLB adjustment: reason (PLB03-1), reference (PLB03-2) and amount (PLB04); a positive
    amount reduces the payment, a negative one adds to it."""

    reason: str
    reference: str
    amount: Decimal
    fiscal_period_end: date  # PLB02


@dataclass(frozen=True)
class RemittanceAdvice:
    """One payment (BPR/TRN) to one payee and the claims it pays and reverses."""

    remittance_id: int
    practice_id: int
    payment_number: str  # TRN02, the EFT trace or check number
    payment_method: str  # ACH or CHK
    payment_date: date  # BPR16, and DTM*405
    total_paid: Decimal  # as recorded by the payment run
    payer: Payer
    payee: Payee
    claims: tuple[ClaimPayment, ...]
    # A balance earlier payments forwarded, taken back from this one (and whose it was).
    recovered_amount: Decimal = ZERO
    recovered_reference: str = ""

    @property
    def claims_total(self) -> Decimal:
        return sum((claim.paid for claim in self.claims), ZERO)

    @property
    def provider_adjustments(self) -> tuple[ProviderAdjustment, ...]:
        """A payment cannot be negative (BPR02 is the amount moved to the payee). When the
        reversals outweigh the payments, the 835 is a notification with BPR02 = 0 and the
        negative balance is carried by a PLB forwarding balance (FB) of that negative amount,
        which a later payment recovers: BPR02 = sum(CLP04) - sum(PLB) still holds. The fiscal
        period (PLB02) is 31 December of the payment's year, the TR3's choice when the
        provider's fiscal year end is not known."""
        net = self.claims_total
        period_end = date(self.payment_date.year, 12, 31)
        if net < 0:
            return (ProviderAdjustment(FORWARDING_BALANCE, self.payment_number, net, period_end),)
        if self.recovered_amount > 0:
            # The later payment's side of the same balance: a positive FB reduces BPR02.
            return (
                ProviderAdjustment(
                    FORWARDING_BALANCE,
                    self.recovered_reference or self.payment_number,
                    self.recovered_amount,
                    period_end,
                ),
            )
        return ()

    @property
    def payment_amount(self) -> Decimal:
        """BPR02: the claims' payments less the provider-level adjustments."""
        adjustments = sum((plb.amount for plb in self.provider_adjustments), ZERO)
        return self.claims_total - adjustments

    @property
    def is_notification(self) -> bool:
        """Nothing moves (BPR01 H, BPR04 NON): every claim denied, or reversals net it out."""
        return self.payment_amount == 0


def balance_problems(advice: RemittanceAdvice) -> list[str]:
    """Every way the advice breaks the 835 balancing rules; [] when it balances.

    Per line: SVC02 - SVC03 = the line's CAS. Per claim: CLP03 - CLP04 = all its CAS, CLP03
    and CLP04 are the sums of SVC02 and SVC03, CLP05 = its PR adjustments. Per payment:
    BPR02 = sum(CLP04) - sum(PLB), BPR02 is not negative, and it is what the payment run
    recorded (net of reversals)."""
    problems: list[str] = []
    for claim in advice.claims:
        name = f"claim {claim.claim_number}"
        if claim.is_reversal:
            name += " (reversal)"
        for line in claim.lines:
            if line.charge - line.paid != line.adjusted:
                problems.append(
                    f"{name} line {line.line_number}: charge {line.charge} - paid {line.paid} "
                    f"is not the adjustments' {line.adjusted}"
                )
        if claim.charge - claim.paid != claim.adjusted:
            problems.append(
                f"{name}: charge {claim.charge} - paid {claim.paid} is not the adjustments' "
                f"{claim.adjusted}"
            )
        line_charges = sum((line.charge for line in claim.lines), ZERO)
        line_payments = sum((line.paid for line in claim.lines), ZERO)
        if line_charges != claim.charge:
            problems.append(f"{name}: charge {claim.charge} is not its lines' {line_charges}")
        if line_payments != claim.paid:
            problems.append(f"{name}: payment {claim.paid} is not its lines' {line_payments}")
        if claim.patient_responsibility != claim.patient_adjustments:
            problems.append(
                f"{name}: patient responsibility {claim.patient_responsibility} is not its PR "
                f"adjustments' {claim.patient_adjustments}"
            )
        if not claim.lines:
            problems.append(f"{name}: no service lines")
    adjustments = sum((plb.amount for plb in advice.provider_adjustments), ZERO)
    if advice.payment_amount != advice.claims_total - adjustments:
        problems.append("the payment is not the claims' payments less the provider adjustments")
    if advice.payment_amount < 0:
        problems.append(f"the payment {advice.payment_amount} is negative")
    if advice.claims_total != advice.total_paid:
        problems.append(
            f"the claims' payments {advice.claims_total} are not the recorded total "
            f"{advice.total_paid}"
        )
    return problems


# --- Reading remittances ---


@dataclass(frozen=True)
class RemittanceRow:
    """One line of the remittances list."""

    remittance_id: int
    payment_number: str
    payment_method: str
    payment_date: date
    total_paid: Decimal
    claim_count: int  # paid or denied in it, and reversed in it
    practice_name: str


@dataclass(frozen=True)
class RemittedClaim:
    """A claim as the remittance detail lists it (its amounts as this payment carries them)."""

    claim_id: int
    claim_number: str
    patient_control_number: str
    patient_name: str
    outcome: str  # Paid, Partially paid, Denied, Reversal
    billed: Decimal
    paid: Decimal
    patient_responsibility: Decimal


@dataclass(frozen=True)
class RemittanceDetail:
    row: RemittanceRow
    claims: list[RemittedClaim]
    payment_amount: Decimal  # BPR02
    # The PLB FB amount: negative when this payment forwards a balance, positive when it
    # recovers one forwarded earlier, 0 when none.
    forwarded_balance: Decimal


def _require(actor: Actor) -> None:
    """Practices open remittances through their own area; plan staff read them with claims."""
    actor.require(Area.CLAIMS if actor.is_plan_staff else Area.REMITTANCES)


def list_remittances(
    *, session: Session, actor: Actor, at: datetime, limit: int = 500
) -> list[RemittanceRow]:
    """The caller's remittances, newest first (plan staff: every practice's). Each list served
    is an audited read (one page: the newest `limit`), counts only in the detail."""
    _require(actor)
    found = session.exec(
        within_scope(
            select(Remittance, Practice.name)
            .join(Practice, col(Practice.id) == Remittance.practice_id)
            .order_by(col(Remittance.payment_date).desc(), col(Remittance.id).desc())
            .limit(limit),
            Remittance,
            actor,
        )
    ).all()
    counts = _claim_counts(session, [remittance.id for remittance, _ in found if remittance.id])
    audit.record_by(
        session,
        actor,
        action="read",
        at=at,
        entity_type="remittance_list",
        detail=f"{len(found)} rows, page 1",
    )
    return [_row(remittance, name, counts) for remittance, name in found]


def _row(remittance: Remittance, practice_name: str, counts: dict[int, int]) -> RemittanceRow:
    assert remittance.id is not None
    return RemittanceRow(
        remittance_id=remittance.id,
        payment_number=remittance.payment_number,
        payment_method=remittance.payment_method,
        payment_date=remittance.payment_date,
        total_paid=remittance.total_paid,
        claim_count=counts.get(remittance.id, 0),
        practice_name=practice_name,
    )


def _claim_counts(session: Session, remittance_ids: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    if not remittance_ids:
        return counts
    for column in (col(Claim.remittance_id), col(Claim.reversed_in_remittance_id)):
        for remittance_id, number in session.exec(
            select(column, func.count()).where(column.in_(remittance_ids)).group_by(column)
        ).all():
            if remittance_id is not None:
                counts[remittance_id] = counts.get(remittance_id, 0) + number
    return counts


def read_remittance(
    *, session: Session, actor: Actor, remittance_id: int, at: datetime
) -> RemittanceDetail:
    """One remittance and the claims it pays and reverses; NotFound when it is not the
    caller's. Audited: the claim list names patients."""
    _require(actor)
    advice = _advice_in_scope(session, actor, remittance_id, at, action="read")
    practice = session.get(Practice, advice.practice_id)
    assert practice is not None
    names = {
        claim.claim_id: f"{claim.patient_last_name}, {claim.patient_first_name}"
        for claim in advice.claims
    }
    outcomes = _outcomes(session, [claim.claim_id for claim in advice.claims])
    row = RemittanceRow(
        remittance_id=advice.remittance_id,
        payment_number=advice.payment_number,
        payment_method=advice.payment_method,
        payment_date=advice.payment_date,
        total_paid=advice.total_paid,
        claim_count=len(advice.claims),
        practice_name=practice.name,
    )
    return RemittanceDetail(
        row=row,
        claims=[
            RemittedClaim(
                claim_id=claim.claim_id,
                claim_number=claim.claim_number,
                patient_control_number=claim.patient_control_number,
                patient_name=names[claim.claim_id],
                outcome="Reversal" if claim.is_reversal else outcomes.get(claim.claim_id, ""),
                billed=claim.charge,
                paid=claim.paid,
                patient_responsibility=claim.patient_responsibility,
            )
            for claim in advice.claims
        ],
        payment_amount=advice.payment_amount,
        forwarded_balance=sum((plb.amount for plb in advice.provider_adjustments), ZERO),
    )


def _outcomes(session: Session, claim_ids: list[int]) -> dict[int, str]:
    if not claim_ids:
        return {}
    return {
        claim_id: ClaimStatus(outcome).label
        for claim_id, outcome in session.exec(
            select(Claim.id, Claim.finalized_as).where(col(Claim.id).in_(claim_ids))
        ).all()
        if claim_id is not None and outcome is not None
    }


def remittance_advice(
    *, session: Session, actor: Actor, remittance_id: int, at: datetime
) -> RemittanceAdvice:
    """The 835 values of one remittance within the caller's scope (NotFound otherwise); the
    export is audited as remittance.835."""
    _require(actor)
    return _advice_in_scope(session, actor, remittance_id, at, action=EXPORT_ACTION)


def _advice_in_scope(
    session: Session, actor: Actor, remittance_id: int, at: datetime, *, action: str
) -> RemittanceAdvice:
    remittance = audit.get_scoped_audited(
        session, Remittance, remittance_id, actor, action=action, entity_type="remittance", at=at
    )
    return _advices(session, [remittance])[0]


def remittances_since(*, session: Session, since: date, at: datetime) -> list[RemittanceAdvice]:
    """Every practice's remittances paid on or after `since`, oldest first: the plan's own
    export (the command line), audited per remittance as a system export."""
    remittances = session.exec(
        select(Remittance)
        .where(col(Remittance.payment_date) >= since)
        .order_by(col(Remittance.payment_date), col(Remittance.id))
    ).all()
    for remittance in remittances:
        audit.record(
            session,
            action=EXPORT_ACTION,
            at=at,
            practice_id=remittance.practice_id,
            entity_type="remittance",
            entity_id=remittance.id or "",
            detail="command line export",
        )
    return _advices(session, remittances)


def _advices(session: Session, remittances: Sequence[Remittance]) -> list[RemittanceAdvice]:
    """Build the 835 values of several remittances with a handful of IN queries."""
    ids = [remittance.id for remittance in remittances if remittance.id is not None]
    if not ids:
        return []
    claims = session.exec(
        select(Claim)
        .where(
            or_(
                col(Claim.remittance_id).in_(ids),
                col(Claim.reversed_in_remittance_id).in_(ids),
            )
        )
        .order_by(col(Claim.id))
    ).all()
    payments = _claim_payments(session, claims)
    practices = {
        practice.id: practice
        for practice in session.exec(
            select(Practice).where(
                col(Practice.id).in_({remittance.practice_id for remittance in remittances})
            )
        ).all()
    }
    advices = []
    for remittance in remittances:
        practice = practices[remittance.practice_id]
        settled = [
            payments[claim.id]
            for claim in claims
            if claim.id is not None and claim.remittance_id == remittance.id
        ]
        reversed_ = [
            payments[claim.id].reversal()
            for claim in claims
            if claim.id is not None and claim.reversed_in_remittance_id == remittance.id
        ]
        assert remittance.id is not None
        advices.append(
            RemittanceAdvice(
                remittance_id=remittance.id,
                practice_id=remittance.practice_id,
                payment_number=remittance.payment_number,
                payment_method=remittance.payment_method,
                payment_date=remittance.payment_date,
                total_paid=remittance.total_paid,
                recovered_amount=remittance.recovered_amount,
                recovered_reference=remittance.recovered_reference,
                payer=PORTICO_PLAN,
                payee=Payee(name=practice.name, npi=practice.group_npi, tin=practice.tin),
                # Reversals first: a reader posts the take-back before the new payment.
                claims=tuple(reversed_ + settled),
            )
        )
    return advices


def _claim_payments(session: Session, claims: Sequence[Claim]) -> dict[int, ClaimPayment]:
    """Each claim as originally paid (a reversal negates it afterwards)."""
    claim_ids = [claim.id for claim in claims if claim.id is not None]
    if not claim_ids:
        return {}
    members = _by_id(session, Member, {claim.member_fk for claim in claims})
    providers = _by_id(session, Provider, {claim.rendering_provider_id for claim in claims})
    coverages = _by_id(
        session, Coverage, {claim.coverage_id for claim in claims if claim.coverage_id}
    )
    plans = _by_id(session, BenefitPlan, {coverage.plan_id for coverage in coverages.values()})
    lines = session.exec(
        select(ClaimLine)
        .where(col(ClaimLine.claim_id).in_(claim_ids))
        .order_by(col(ClaimLine.claim_id), col(ClaimLine.line_number))
    ).all()
    adjustments: dict[int, list[CasAdjustment]] = {}
    for row in session.exec(
        select(ClaimLineAdjustment)
        .where(col(ClaimLineAdjustment.claim_line_id).in_([line.id for line in lines]))
        .order_by(col(ClaimLineAdjustment.id))
    ).all():
        adjustments.setdefault(row.claim_line_id, []).append(
            CasAdjustment(group=row.group_code, carc=row.carc, amount=row.amount, rarc=row.rarc)
        )
    lines_of: dict[int, list[ServicePayment]] = {}
    for line in lines:
        assert line.id is not None
        lines_of.setdefault(line.claim_id, []).append(
            ServicePayment(
                line_number=line.line_number,
                procedure_code=line.procedure_code,
                modifiers=tuple(m.strip() for m in line.modifiers.split(",") if m.strip()),
                units=line.units,
                service_date=line.service_date,
                charge=line.charge_amount,
                paid=line.paid_amount,
                allowed=line.allowed_amount,
                adjustments=tuple(adjustments.get(line.id, ())),
            )
        )
    payments = {}
    for claim in claims:
        assert claim.id is not None
        member = members[claim.member_fk]
        provider = providers[claim.rendering_provider_id]
        coverage = coverages.get(claim.coverage_id) if claim.coverage_id else None
        plan = plans.get(coverage.plan_id) if coverage else None
        payments[claim.id] = ClaimPayment(
            claim_id=claim.id,
            claim_number=claim.claim_number,
            patient_control_number=claim.patient_control_number,
            status_code=_status_code(claim, coverage),
            charge=claim.total_charge,
            paid=claim.paid_amount,
            patient_responsibility=claim.patient_responsibility,
            filing_indicator=FILING_INDICATOR_OF_PRODUCT.get(plan.product, INDEMNITY)
            if plan
            else INDEMNITY,
            place_of_service=claim.place_of_service,
            frequency_code=claim.frequency_code.value,
            patient_last_name=member.last_name,
            patient_first_name=member.first_name,
            member_id=member.member_id,
            rendering_last_name=provider.last_name,
            rendering_first_name=provider.first_name,
            rendering_npi=provider.npi,
            received_on=claim.submitted_at.date() if claim.submitted_at else None,
            lines=tuple(lines_of.get(claim.id, ())),
        )
    return payments


def _status_code(claim: Claim, coverage: Coverage | None) -> str:
    if claim.finalized_as is ClaimStatus.DENIED:
        return DENIED
    if coverage is not None and coverage.coverage_order == 2:
        return PROCESSED_AS_SECONDARY
    return PROCESSED_AS_PRIMARY


Row = TypeVar("Row", Member, Provider, Coverage, BenefitPlan)


def _by_id(session: Session, model: type[Row], ids: Iterable[int]) -> dict[int, Row]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = session.exec(select(model).where(col(model.id).in_(wanted))).all()
    return {row.id: row for row in rows if row.id is not None}
