"""What needs the health plan's staff today: the pended-claim queue, the provider network and the
administrator's overview, each one bounded SQL aggregate across practices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from domain.audit import AuditEvent
from domain.claims import Claim, ClaimStatus
from domain.members import Coverage
from domain.plans import BenefitPlan
from domain.practices import Practice, Provider
from domain.roles import Area, Role
from domain.scope import Actor, within_scope
from domain.users import User, UserRole

QUEUE_PREVIEW = 5


@dataclass(frozen=True)
class PendedClaim:
    claim_id: int
    claim_number: str
    practice_name: str
    service_date: date
    total_charge: Decimal
    pended_since: datetime


@dataclass(frozen=True)
class PracticeCount:
    practice_name: str
    count: int


@dataclass(frozen=True)
class PendedQueue:
    count: int
    oldest_since: datetime | None
    oldest: list[PendedClaim]
    by_practice: list[PracticeCount]


def pended_queue(*, session: Session, actor: Actor, limit: int = QUEUE_PREVIEW) -> PendedQueue:
    """Claims adjudication pended for an examiner, oldest first (they age against prompt-pay)."""
    actor.require(Area.CLAIMS_QUEUE)
    pended = col(Claim.status) == ClaimStatus.PENDED
    count = session.exec(
        within_scope(select(func.count()).select_from(Claim).where(pended), Claim, actor)
    ).one()
    oldest = session.exec(
        within_scope(
            select(Claim, col(Practice.name))
            .join(Practice, col(Practice.id) == Claim.practice_id)
            .where(pended)
            .order_by(col(Claim.status_changed_at), col(Claim.id))
            .limit(limit),
            Claim,
            actor,
        )
    ).all()
    by_practice = session.exec(
        within_scope(
            select(col(Practice.name), func.count())
            .select_from(Claim)
            .join(Practice, col(Practice.id) == Claim.practice_id)
            .where(pended)
            .group_by(col(Practice.id))
            .order_by(func.count().desc()),
            Claim,
            actor,
        )
    ).all()
    return PendedQueue(
        count=count,
        # The oldest row is first; reading it there keeps the column's UTC type (SQLite's MIN()
        # would hand back the stored text).
        oldest_since=oldest[0][0].status_changed_at if oldest else None,
        oldest=[
            PendedClaim(
                claim_id=claim.id or 0,
                claim_number=claim.claim_number,
                practice_name=practice_name,
                service_date=claim.service_date_from,
                total_charge=claim.total_charge,
                pended_since=claim.status_changed_at,
            )
            for claim, practice_name in oldest
        ],
        by_practice=[PracticeCount(practice_name=name, count=n) for name, n in by_practice],
    )


@dataclass(frozen=True)
class NetworkOverview:
    providers: int
    in_network: int
    accepting_new_patients: int
    by_practice: list[PracticeCount]


def network_overview(*, session: Session, actor: Actor) -> NetworkOverview:
    actor.require(Area.PROVIDERS)
    totals = session.exec(
        within_scope(
            select(
                func.count(),
                func.count(case((col(Provider.in_network), 1))),
                func.count(case((col(Provider.accepting_new_patients), 1))),
            ).select_from(Provider),
            Provider,
            actor,
        )
    ).one()
    by_practice = session.exec(
        within_scope(
            select(col(Practice.name), func.count())
            .select_from(Provider)
            .join(Practice, col(Practice.id) == Provider.practice_id)
            .group_by(col(Practice.id))
            .order_by(col(Practice.name)),
            Provider,
            actor,
        )
    ).all()
    return NetworkOverview(
        providers=totals[0],
        in_network=totals[1],
        accepting_new_patients=totals[2],
        by_practice=[PracticeCount(practice_name=name, count=n) for name, n in by_practice],
    )


@dataclass(frozen=True)
class PlanSummary:
    code: str
    name: str
    product: str
    active_members: int


@dataclass(frozen=True)
class PlanAdminOverview:
    plan_staff: int
    practice_staff: int
    inactive_users: int
    users_by_role: dict[Role, int]
    plans: list[PlanSummary]
    audit_events_today: int
    sign_in_failures_today: int
    refusals_today: int


def plan_admin_overview(
    *, session: Session, actor: Actor, today: date, day_started_at: datetime
) -> PlanAdminOverview:
    """Users, benefit plans and today's audit trail; `day_started_at` is when "today" began in
    the plan's time zone, so the counts match what the administrator calls today."""
    actor.require(Area.PLAN_ADMIN)
    plan_staff, practice_staff, inactive = session.exec(
        within_scope(
            select(
                func.count(case((col(User.practice_id).is_(None), 1))),
                func.count(case((col(User.practice_id).is_not(None), 1))),
                func.count(case((col(User.is_active).is_(False), 1))),
            ).select_from(User),
            User,
            actor,
        )
    ).one()
    users_by_role = {
        role: count
        for role, count in session.exec(
            select(col(UserRole.role), func.count()).group_by(col(UserRole.role))
        ).all()
    }
    active_today = and_(
        col(Coverage.effective_date) <= today,
        or_(col(Coverage.termination_date).is_(None), col(Coverage.termination_date) >= today),
    )
    plans = session.exec(
        select(BenefitPlan, func.count(col(Coverage.id)))
        .select_from(BenefitPlan)
        .outerjoin(Coverage, and_(col(Coverage.plan_id) == BenefitPlan.id, active_today))
        .group_by(col(BenefitPlan.id))
        .order_by(col(BenefitPlan.name))
    ).all()
    events, failures, refusals = session.exec(
        within_scope(
            select(
                func.count(),
                func.count(case((col(AuditEvent.action) == "sign_in_failed", 1))),
                func.count(case((col(AuditEvent.outcome) == "refused", 1))),
            ).where(col(AuditEvent.occurred_at) >= day_started_at),
            AuditEvent,
            actor,
        )
    ).one()
    return PlanAdminOverview(
        plan_staff=plan_staff,
        practice_staff=practice_staff,
        inactive_users=inactive,
        users_by_role=users_by_role,
        plans=[
            PlanSummary(
                code=plan.code, name=plan.name, product=plan.product, active_members=members
            )
            for plan, members in plans
        ],
        audit_events_today=events,
        sign_in_failures_today=failures,
        refusals_today=refusals,
    )
