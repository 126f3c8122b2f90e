"""Claim drafts: kept per practice (another practice's draft is not found), resumed as typed,
and submitted with the draft gone in the same transaction; the form's member and NPI look-ups."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from domain.audit import AuditEvent
from domain.claim_drafts import (
    ClaimDraft,
    confirm_member,
    delete_draft,
    list_drafts,
    load_draft,
    practice_providers,
    save_draft,
    submit_draft,
)
from domain.claim_entry import ClaimEntry, ServiceLineEntry
from domain.claim_submission import EntryRejected
from domain.claims import Claim
from domain.practices import Provider
from domain.roles import Role
from domain.scope import NotAuthorized, NotFound
from storage.seed.demo import SHOWCASE_BY_KEY
from tests.factories import practice_biller, practice_claim_entry

AT = datetime(2026, 5, 4, 15, 0, tzinfo=UTC)


@pytest.fixture
def session(seeded_engine: Engine) -> Iterator[Session]:
    with Session(seeded_engine, expire_on_commit=False) as db_session:
        yield db_session


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_an_incomplete_draft_is_kept_and_resumed_as_typed(session: Session) -> None:
    actor = practice_biller(session, "Riverside")
    half_typed = ClaimEntry(
        member_id="pt100000101",
        member_date_of_birth=None,
        billing_npi="123",
        rendering_npi="",
        place_of_service="",
        service_date_from=date(2026, 5, 1),
        service_date_to=None,
        diagnoses=("E11",),
        lines=(ServiceLineEntry("9921", None, (), units=None, modifiers=("25",)),),
    )
    draft_id = save_draft(session, actor=actor, entry=half_typed, at=AT)
    session.commit()

    loaded = load_draft(session, actor=actor, draft_id=draft_id, at=AT)
    assert loaded.entry == half_typed
    (listed,) = list_drafts(session, actor=actor, at=AT)
    assert listed.draft_id == draft_id and listed.summary == "PT100000101 · 05/01/2026"

    later = AT + timedelta(minutes=5)
    finished = practice_claim_entry(session, actor)
    assert save_draft(session, actor=actor, entry=finished, at=later, draft_id=draft_id) == draft_id
    session.commit()
    assert load_draft(session, actor=actor, draft_id=draft_id, at=later).entry == finished
    assert _count(session, ClaimDraft) == 1
    saves = session.exec(select(AuditEvent).where(AuditEvent.action == "claim_draft.save")).all()
    assert [event.entity_id for event in saves] == [str(draft_id)] * 2


def test_drafts_list_newest_first_and_an_empty_form_is_a_new_claim(session: Session) -> None:
    actor = practice_biller(session, "Riverside")
    empty = ClaimEntry("", None, "", "", "", None, None, (), ())
    first = save_draft(session, actor=actor, entry=empty, at=AT)
    second = save_draft(
        session, actor=actor, entry=practice_claim_entry(session, actor), at=AT + timedelta(1)
    )
    session.commit()
    listed = list_drafts(session, actor=actor, at=AT)
    assert [d.draft_id for d in listed] == [second, first]
    assert listed[1].summary == "New claim"


def test_another_practices_draft_is_not_found(session: Session) -> None:
    riverside = practice_biller(session, "Riverside")
    lakeside = practice_biller(session, "Lakeside")
    draft_id = save_draft(
        session, actor=riverside, entry=practice_claim_entry(session, riverside), at=AT
    )
    session.commit()

    assert list_drafts(session, actor=lakeside, at=AT) == []
    for attempt in (
        lambda: load_draft(session, actor=lakeside, draft_id=draft_id, at=AT),
        lambda: delete_draft(session, actor=lakeside, draft_id=draft_id, at=AT),
        lambda: save_draft(
            session,
            actor=lakeside,
            entry=practice_claim_entry(session, lakeside),
            at=AT,
            draft_id=draft_id,
        ),
        lambda: submit_draft(
            session,
            actor=lakeside,
            draft_id=draft_id,
            entry=practice_claim_entry(session, lakeside),
            at=AT,
        ),
    ):
        with pytest.raises(NotFound):
            attempt()
    session.rollback()
    assert load_draft(session, actor=riverside, draft_id=draft_id, at=AT).entry.member_id


def test_only_claim_entry_roles_keep_drafts(session: Session) -> None:
    front_desk = practice_biller(session, "Riverside", Role.FRONT_DESK)
    with pytest.raises(NotAuthorized):
        save_draft(
            session, actor=front_desk, entry=practice_claim_entry(session, front_desk), at=AT
        )


def test_submitting_a_draft_makes_the_claim_and_drops_the_draft(session: Session) -> None:
    actor = practice_biller(session, "Riverside")
    draft_id = save_draft(session, actor=actor, entry=practice_claim_entry(session, actor), at=AT)
    session.commit()
    claims_before = _count(session, Claim)

    bad = practice_claim_entry(session, actor, diagnoses=("E11",))
    with pytest.raises(EntryRejected):
        submit_draft(session, actor=actor, draft_id=draft_id, entry=bad, at=datetime.now(UTC))
    session.rollback()
    assert _count(session, ClaimDraft) == 1 and _count(session, Claim) == claims_before

    submission = submit_draft(
        session,
        actor=actor,
        draft_id=draft_id,
        entry=practice_claim_entry(session, actor),
        at=datetime.now(UTC),
    )
    session.commit()
    assert _count(session, ClaimDraft) == 0 and _count(session, Claim) == claims_before + 1
    assert submission.claim_number and submission.transaction_id.startswith("TRN")


def test_the_form_confirms_the_member_and_lists_the_practices_providers(
    session: Session,
) -> None:
    actor = practice_biller(session, "Riverside")
    member = SHOWCASE_BY_KEY["active_hmo"]
    found = confirm_member(
        session,
        actor=actor,
        member_id=member.member_id.lower(),
        date_of_birth=member.date_of_birth,
        at=AT,
    )
    assert found is not None and found.plan_name
    assert member.last_name in found.display_name
    missing = confirm_member(
        session, actor=actor, member_id=member.member_id, date_of_birth=date(1900, 1, 1), at=AT
    )
    assert missing is None
    outcomes = session.exec(
        select(AuditEvent.outcome).where(AuditEvent.action == "member_lookup")
    ).all()
    assert sorted(outcomes) == ["no_match", "ok"]

    riverside = {p.npi for p in practice_providers(session, actor=actor)}
    lakeside = {
        p.npi for p in practice_providers(session, actor=practice_biller(session, "Lakeside"))
    }
    assert riverside and lakeside and not riverside & lakeside
    assert riverside == set(
        session.exec(select(Provider.npi).where(Provider.practice_id == actor.practice_id)).all()
    )
