"""What needs a practice's attention today: claim counts, denials, open A/R, remittances, the
patient panel, each one bounded SQL aggregate within the caller's practice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, distinct, func, or_
from sqlmodel import Session, col, select

from domain import audit
from domain.claim_cohorts import may_owe, owed_amount
from domain.claim_filters import Owed
from domain.claim_queries import claim_counts_by_standing
from domain.claims import Claim, ClaimStatus, Remittance
from domain.codes import CARC
from domain.members import Coverage, Member
from domain.practices import Provider
from domain.roles import Area
from domain.scope import Actor, within_scope
from domain.types import money_sum

DENIAL_WINDOW_DAYS = 30
ATTENTION_LIMIT = 6
REMITTANCE_LIMIT = 5
PANEL_LOOKBACK_DAYS = 365  # "seen in the last 12 months", the usual panel definition


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


@dataclass(frozen=True)
class ClaimNeedingAction:
    claim_id: int
    claim_number: str
    member_name: str
    service_date: date
    status: ClaimStatus
    reason: str
    total_charge: Decimal
    changed_at: datetime


@dataclass(frozen=True)
class ClaimsNeedingAction:
    rejected: int
    denied_recently: int
    newest: list[ClaimNeedingAction]

    @property
    def total(self) -> int:
        return self.rejected + self.denied_recently


def claims_needing_action(
    *,
    session: Session,
    actor: Actor,
    today: date,
    limit: int = ATTENTION_LIMIT,
    at: datetime,
) -> ClaimsNeedingAction:
    """Rejected claims (to correct and resubmit) and claims denied in the last 30 days (to
    appeal or write off), with the newest few of them: patients' names, so the list is an
    audited read (counts only in the event)."""
    actor.require(Area.CLAIMS)
    since = start_of_day(today - timedelta(days=DENIAL_WINDOW_DAYS))
    rejected = col(Claim.status) == ClaimStatus.REJECTED
    # A denial stays a denial after its 835 (status remitted, finalized_as denied).
    denied_recently = and_(
        col(Claim.finalized_as) == ClaimStatus.DENIED,
        col(Claim.finalized_at) >= since,
        col(Claim.status) != ClaimStatus.VOIDED,
    )
    counts = session.exec(
        within_scope(
            select(
                func.count(case((rejected, 1))),
                func.count(case((denied_recently, 1))),
            ).where(or_(rejected, denied_recently)),
            Claim,
            actor,
        )
    ).one()
    rows = session.exec(
        within_scope(
            select(Claim, Member)
            .join(Member, col(Member.id) == Claim.member_fk)
            .where(or_(rejected, denied_recently))
            .order_by(col(Claim.status_changed_at).desc(), col(Claim.id).desc())
            .limit(limit),
            Claim,
            actor,
        )
    ).all()
    newest = [
        ClaimNeedingAction(
            claim_id=claim.id or 0,
            claim_number=claim.claim_number,
            member_name=member.display_name,
            service_date=claim.service_date_from,
            status=claim.status,
            reason=_reason(claim.status, claim.denial_carc, claim.rejection_reason),
            total_charge=claim.total_charge,
            changed_at=claim.status_changed_at,
        )
        for claim, member in rows
    ]
    if newest:
        audit.record_by(
            session,
            actor,
            action="read",
            at=at,
            entity_type="claims_needing_action",
            detail=f"{len(newest)} rows",
        )
    return ClaimsNeedingAction(rejected=counts[0], denied_recently=counts[1], newest=newest)


def _reason(status: ClaimStatus, denial_carc: str | None, rejection_reason: str | None) -> str:
    if status == ClaimStatus.REJECTED:
        return rejection_reason or "Rejected by front-end edits"
    if denial_carc:
        return f"CARC {denial_carc}: {CARC.get(denial_carc, 'Denied')}"
    return "Denied"


@dataclass(frozen=True)
class OpenReceivables:
    plan_owed: Decimal
    plan_owed_claims: int
    patient_owed: Decimal
    patient_owed_claims: int


def open_receivables(*, session: Session, actor: Actor, today: date) -> OpenReceivables:
    """Open A/R at the end of today, by the very expressions the A/R aging report sums
    (domain.claim_cohorts), so the home's tiles and the aging at today agree to the cent: owed
    by the plan, the billed charge of each claim it has not adjudicated and the approved
    payment of each no 835 has carried yet; owed by patients, their responsibility less what
    they have paid."""
    actor.require(Area.CLAIMS)
    plan, patient = owed_amount(Owed.PLAN, today), owed_amount(Owed.PATIENT, today)
    row = session.exec(
        within_scope(
            select(
                money_sum(plan),
                func.count(case((plan > 0, 1))),
                money_sum(patient),
                func.count(case((patient > 0, 1))),
            ).where(may_owe(today)),
            Claim,
            actor,
        )
    ).one()
    return OpenReceivables(
        plan_owed=row[0],
        plan_owed_claims=row[1],
        patient_owed=row[2],
        patient_owed_claims=row[3],
    )


@dataclass(frozen=True)
class RemittanceSummary:
    remittance_id: int
    payment_number: str
    payment_method: str
    payment_date: date
    total_paid: Decimal
    claim_count: int


def recent_remittances(
    *, session: Session, actor: Actor, limit: int = REMITTANCE_LIMIT
) -> list[RemittanceSummary]:
    actor.require(Area.REMITTANCES)
    remittances = session.exec(
        within_scope(
            select(Remittance)
            .order_by(col(Remittance.payment_date).desc(), col(Remittance.id).desc())
            .limit(limit),
            Remittance,
            actor,
        )
    ).all()
    ids = [remittance.id for remittance in remittances]
    claim_counts: dict[int, int] = {}
    if ids:
        claim_counts = {
            remittance_id: count
            for remittance_id, count in session.exec(
                select(col(Claim.remittance_id), func.count())
                .where(col(Claim.remittance_id).in_(ids))
                .group_by(col(Claim.remittance_id))
            ).all()
            if remittance_id is not None
        }
    return [
        RemittanceSummary(
            remittance_id=remittance.id or 0,
            payment_number=remittance.payment_number,
            payment_method=remittance.payment_method,
            payment_date=remittance.payment_date,
            total_paid=remittance.total_paid,
            claim_count=claim_counts.get(remittance.id or 0, 0),
        )
        for remittance in remittances
    ]


@dataclass(frozen=True)
class ProviderPanel:
    provider_name: str
    specialty: str
    accepting_new_patients: bool
    attributed_members: int


@dataclass(frozen=True)
class PatientPanel:
    """Members whose active coverage names one of the practice's providers as PCP, and the
    distinct patients the practice has billed for recently (no money: clinical staff see it)."""

    attributed_members: int
    patients_seen: int
    seen_since: date
    providers: list[ProviderPanel]


def patient_panel(*, session: Session, actor: Actor, today: date) -> PatientPanel:
    active_today = and_(
        col(Coverage.effective_date) <= today,
        or_(col(Coverage.termination_date).is_(None), col(Coverage.termination_date) >= today),
    )
    attributed = session.exec(
        within_scope(
            select(func.count(distinct(col(Coverage.member_fk))))
            .select_from(Coverage)
            .join(Provider, col(Provider.id) == Coverage.pcp_provider_id)
            .where(active_today),
            Provider,
            actor,
        )
    ).one()
    providers = session.exec(
        within_scope(
            select(Provider, func.count(distinct(col(Coverage.member_fk))))
            .select_from(Provider)
            .outerjoin(Coverage, and_(col(Coverage.pcp_provider_id) == Provider.id, active_today))
            .group_by(col(Provider.id))
            .order_by(
                func.count(distinct(col(Coverage.member_fk))).desc(), col(Provider.last_name)
            ),
            Provider,
            actor,
        )
    ).all()
    seen_since = today - timedelta(days=PANEL_LOOKBACK_DAYS)
    patients_seen = session.exec(
        within_scope(
            select(func.count(distinct(col(Claim.member_fk)))).where(
                col(Claim.service_date_from) >= seen_since
            ),
            Claim,
            actor,
        )
    ).one()
    return PatientPanel(
        attributed_members=attributed,
        patients_seen=patients_seen,
        seen_since=seen_since,
        providers=[
            ProviderPanel(
                provider_name=provider.display_name,
                specialty=provider.specialty,
                accepting_new_patients=provider.accepting_new_patients,
                attributed_members=members,
            )
            for provider, members in providers
        ],
    )


@dataclass(frozen=True)
class BillingOverview:
    status_counts: dict[ClaimStatus, int]  # by standing: remitted claims count as their outcome
    needing_action: ClaimsNeedingAction
    receivables: OpenReceivables
    remittances: list[RemittanceSummary]


def billing_overview(
    *, session: Session, actor: Actor, today: date, at: datetime
) -> BillingOverview:
    """The billing home in one unit of work: four bounded aggregates, one consistent snapshot."""
    return BillingOverview(
        status_counts=claim_counts_by_standing(session=session, actor=actor),
        needing_action=claims_needing_action(session=session, actor=actor, today=today, at=at),
        receivables=open_receivables(session=session, actor=actor, today=today),
        remittances=recent_remittances(session=session, actor=actor),
    )
