"""The claim pipeline's transition table: what may follow what, and nothing else."""

from datetime import UTC, datetime

import pytest

from domain.claims import FINALIZED, TRANSITIONS, Claim, ClaimStatus, InvalidTransition

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def make_claim(status: ClaimStatus) -> Claim:
    return Claim(
        practice_id=1,
        claim_number="C1",
        patient_control_number="P1",
        member_fk=1,
        billing_provider_id=1,
        rendering_provider_id=1,
        place_of_service="11",
        service_date_from=AT.date(),
        service_date_to=AT.date(),
        status=status,
    )


HAPPY_PATH = [
    ClaimStatus.RECEIVED,
    ClaimStatus.ACCEPTED,
    ClaimStatus.IN_PROCESS,
    ClaimStatus.PAID,
    ClaimStatus.REMITTED,
]


def test_happy_path_and_finalization_is_recorded() -> None:
    claim = make_claim(ClaimStatus.DRAFT)
    for step in HAPPY_PATH:
        claim.transition(step, at=AT)
    assert claim.status is ClaimStatus.REMITTED
    assert claim.finalized_as is ClaimStatus.PAID
    assert claim.finalized_at == AT


@pytest.mark.parametrize("current", list(ClaimStatus))
@pytest.mark.parametrize("target", list(ClaimStatus))
def test_every_pair_follows_the_table(current: ClaimStatus, target: ClaimStatus) -> None:
    claim = make_claim(current)
    if target in TRANSITIONS[current]:
        claim.transition(target, at=AT)
        assert claim.status is target
    else:
        with pytest.raises(InvalidTransition):
            claim.transition(target, at=AT)
        assert claim.status is current


def test_finalized_claims_only_move_to_remitted() -> None:
    for status in FINALIZED:
        assert TRANSITIONS[status] == {ClaimStatus.REMITTED}


def test_every_status_is_reachable_from_draft() -> None:
    seen = {ClaimStatus.DRAFT}
    frontier = [ClaimStatus.DRAFT]
    while frontier:
        for nxt in TRANSITIONS[frontier.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    assert seen == set(ClaimStatus)
