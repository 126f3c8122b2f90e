"""Eligibility checks against the demo data on SQLite and PostgreSQL: the showcase members say
what the README promises, misses say only "no match", and every check is kept and audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from domain.audit import AuditEvent
from domain.auth import actor_for
from domain.eligibility import CoverageState, EligibilityInquiry, NameOrIdRequired, Problem
from domain.eligibility_checks import EligibilityCheck
from domain.eligibility_service import (
    HistoryFilters,
    check_batch,
    check_eligibility,
    check_history,
    get_check,
)
from domain.scope import Actor, NotAuthorized, NotFound
from domain.users import User
from storage.seed.demo import SHOWCASE_BY_KEY

TODAY = date.today()
NOW = datetime.now(UTC)


def actor(session: Session, email: str) -> Actor:
    user = session.exec(select(User).where(User.email == email)).one()
    found = actor_for(session, user.id)  # type: ignore[arg-type]
    assert found is not None
    return found


def inquiry(key: str, *, day: date = TODAY, codes: tuple[str, ...] = ()) -> EligibilityInquiry:
    member = SHOWCASE_BY_KEY[key]
    return EligibilityInquiry(
        date_of_service=day,
        date_of_birth=member.date_of_birth,
        member_id=member.member_id,
        procedure_codes=codes,
    )


@pytest.fixture
def session(seeded_engine: Engine):  # type: ignore[no-untyped-def]
    with Session(seeded_engine, expire_on_commit=False) as db_session:
        yield db_session


def test_active_member_by_id_and_by_name(session: Session) -> None:
    frontdesk = actor(session, "frontdesk@riverside.example")
    by_id = check_eligibility(session, actor=frontdesk, inquiry=inquiry("active_hmo"), at=NOW)
    member = SHOWCASE_BY_KEY["active_hmo"]
    by_name = check_eligibility(
        session,
        actor=frontdesk,
        inquiry=EligibilityInquiry(
            date_of_service=TODAY,
            date_of_birth=member.date_of_birth,
            last_name=member.last_name.upper(),
            first_name=f" {member.first_name.lower()} ",
        ),
        at=NOW,
    )
    for answer in (by_id, by_name):
        assert answer.is_active
        assert answer.member is not None and answer.member.member_id == member.member_id
        assert answer.primary is not None and answer.primary.pcp_npi is not None
    assert by_id.problems(practice_id=frontdesk.practice_id) == []


def test_terminated_member_explains_the_date(session: Session) -> None:
    billing = actor(session, "billing@riverside.example")
    answer = check_eligibility(session, actor=billing, inquiry=inquiry("terminated"), at=NOW)
    assert not answer.is_active
    coverage = answer.coverages[0]
    assert coverage.state is CoverageState.TERMINATED
    assert coverage.period.termination_date is not None
    assert coverage.explanation == f"Terminated on {coverage.period.termination_date:%m/%d/%Y}"
    assert answer.problems() == [Problem.TERMINATED]
    # The day it terminated it was still active: the end date is inclusive.
    last_day = check_eligibility(
        session,
        actor=billing,
        inquiry=inquiry("terminated", day=coverage.period.termination_date),
        at=NOW,
    )
    assert last_day.is_active


def test_not_yet_effective_member(session: Session) -> None:
    billing = actor(session, "billing@riverside.example")
    answer = check_eligibility(session, actor=billing, inquiry=inquiry("not_yet_effective"), at=NOW)
    assert [c.state for c in answer.coverages] == [CoverageState.NOT_YET_EFFECTIVE]
    assert answer.problems() == [Problem.NOT_ACTIVE]


def test_deductible_met_and_visit_limit_reached(session: Session) -> None:
    billing = actor(session, "billing@riverside.example")
    met = check_eligibility(session, actor=billing, inquiry=inquiry("deductible_met"), at=NOW)
    assert met.primary is not None
    assert met.primary.accumulators.individual_deductible.is_met
    assert met.primary.accumulators.deductible_remaining == Decimal("0.00")

    limited = check_eligibility(
        session, actor=billing, inquiry=inquiry("visit_limit", codes=("97110",)), at=NOW
    )
    assert limited.primary is not None
    physical_therapy = next(
        b for b in limited.primary.benefits if b.service_category == "physical_therapy"
    )
    assert physical_therapy.visits.is_reached and physical_therapy.visits.remaining == 0
    assert Problem.VISIT_LIMIT_REACHED in limited.problems()


def test_two_coverages_primary_first(session: Session) -> None:
    billing = actor(session, "billing@riverside.example")
    answer = check_eligibility(session, actor=billing, inquiry=inquiry("two_coverages"), at=NOW)
    assert [c.order for c in answer.coverages] == [1, 2]
    assert answer.primary is answer.coverages[0]


def test_prior_auth_rule_for_codes(session: Session) -> None:
    billing = actor(session, "billing@riverside.example")
    answer = check_eligibility(
        session,
        actor=billing,
        inquiry=inquiry("active_hmo", codes=("99213", "70553", "ZZZZZ")),
        at=NOW,
    )
    by_code = {p.code: p for p in answer.procedures}
    assert not by_code["99213"].prior_auth_required and by_code["99213"].covered
    assert by_code["70553"].prior_auth_required
    assert by_code["ZZZZZ"].description is None and not by_code["ZZZZZ"].covered
    assert Problem.PRIOR_AUTH_NEEDED in answer.problems()


@pytest.mark.parametrize(
    "wrong",
    [
        {"member_id": "PT100000101", "date_of_birth": date(1984, 3, 15)},  # right ID, wrong DOB
        {"member_id": "PT999999999", "date_of_birth": date(1984, 3, 14)},
        {"last_name": "Thompson", "first_name": "Av", "date_of_birth": date(1984, 3, 14)},
    ],
)
def test_a_miss_says_only_no_match(session: Session, wrong: dict) -> None:  # type: ignore[type-arg]
    billing = actor(session, "billing@riverside.example")
    answer = check_eligibility(
        session, actor=billing, inquiry=EligibilityInquiry(date_of_service=TODAY, **wrong), at=NOW
    )
    assert answer.member is None and answer.coverages == () and answer.procedures == ()
    assert answer.problems() == [Problem.NO_MATCH]


def test_no_fishing_without_an_id_or_a_full_name(session: Session) -> None:
    billing = actor(session, "billing@riverside.example")
    with pytest.raises(NameOrIdRequired, match="member ID, or the member's last and first name"):
        check_eligibility(
            session,
            actor=billing,
            inquiry=EligibilityInquiry(
                date_of_service=TODAY, date_of_birth=date(1984, 3, 14), last_name="Thompson"
            ),
            at=NOW,
        )


def test_roles_without_eligibility_are_refused(session: Session) -> None:
    for email in ("clinical@riverside.example", "examiner@plan.example"):
        with pytest.raises(NotAuthorized):
            check_eligibility(
                session, actor=actor(session, email), inquiry=inquiry("active_hmo"), at=NOW
            )


def test_every_check_is_kept_audited_and_scoped_to_the_practice(session: Session) -> None:
    riverside = actor(session, "frontdesk@riverside.example")
    lakeside = actor(session, "billing@lakeside.example")
    answer = check_eligibility(session, actor=riverside, inquiry=inquiry("active_hmo"), at=NOW)
    session.commit()
    kept = session.exec(select(EligibilityCheck)).one()
    assert (kept.transaction_id, kept.outcome, kept.source) == (
        answer.transaction_id,
        "active",
        "portal",
    )
    audit_event = session.exec(
        select(AuditEvent).where(AuditEvent.action == "eligibility_check")
    ).one()
    assert audit_event.user_id == riverside.user_id
    assert SHOWCASE_BY_KEY["active_hmo"].member_id not in audit_event.detail  # no PHI in detail

    stored = get_check(session, actor=riverside, check_id=kept.id, at=NOW)  # type: ignore[arg-type]
    assert stored.answer == answer  # the answer round-trips exactly
    with pytest.raises(NotFound):
        get_check(session, actor=lakeside, check_id=kept.id, at=NOW)  # type: ignore[arg-type]
    assert check_history(session, actor=lakeside, filters=HistoryFilters(), at=NOW).total == 0
    mine = check_history(session, actor=riverside, filters=HistoryFilters(), at=NOW)
    assert mine.total == 1 and mine.rows[0].member_id == SHOWCASE_BY_KEY["active_hmo"].member_id


def test_history_filters(session: Session) -> None:
    billing = actor(session, "billing@riverside.example")
    for key in ("active_hmo", "terminated", "terminated"):
        check_eligibility(session, actor=billing, inquiry=inquiry(key), at=NOW)
    history = check_history(
        session, actor=billing, filters=HistoryFilters(outcome="inactive"), at=NOW
    )
    assert history.total == 2
    by_member = check_history(
        session,
        actor=billing,
        filters=HistoryFilters(member_id=SHOWCASE_BY_KEY["active_hmo"].member_id.lower()),
        at=NOW,
    )
    assert by_member.total == 1
    tomorrow = check_history(
        session,
        actor=billing,
        filters=HistoryFilters(checked_from=(NOW + timedelta(days=1)).date()),
        at=NOW,
    )
    assert tomorrow.total == 0


def test_batch_reports_each_line_and_keeps_going(session: Session) -> None:
    billing = actor(session, "billing@riverside.example")
    progress: list[tuple[int, int]] = []
    outcome = check_batch(
        session,
        actor=billing,
        inquiries=[
            (2, inquiry("active_hmo")),
            (3, EligibilityInquiry(date_of_service=TODAY, date_of_birth=date(1984, 3, 14))),
            (4, inquiry("terminated")),
        ],
        at=NOW,
        on_progress=lambda done, total: progress.append((done, total)),
    )
    assert [item.line for item in outcome.items] == [2, 3, 4]
    assert outcome.items[1].error is not None and outcome.items[1].answer is None
    assert outcome.items[2].answer is not None and not outcome.items[2].answer.is_active
    assert progress[-1] == (3, 3)
    kept = session.exec(
        select(EligibilityCheck).where(EligibilityCheck.batch_id == outcome.batch_id)
    ).all()
    assert len(kept) == 2
