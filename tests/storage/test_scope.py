"""Practice scoping happens in SQL: another practice's record is indistinguishable from none."""

import pytest
from sqlmodel import Session

from domain.practices import Practice, Provider
from domain.roles import Role
from domain.scope import Actor, NotFound, get_scoped, scoped
from domain.types import utcnow


@pytest.fixture
def two_practices(session: Session) -> tuple[Provider, Provider]:
    riverside = Practice(name="Riverside", tin="100000001", group_npi="1234567893")
    lakeside = Practice(name="Lakeside", tin="100000002", group_npi="1245319599")
    session.add_all([riverside, lakeside])
    session.flush()
    mine = Provider(
        practice_id=riverside.id,
        npi="1003000126",
        first_name="Ada",
        last_name="Lovelace",
        taxonomy_code="207Q00000X",
        specialty="Family medicine",
    )
    theirs = Provider(
        practice_id=lakeside.id,
        npi="1013000125",
        first_name="Grace",
        last_name="Hopper",
        taxonomy_code="207RC0000X",
        specialty="Cardiology",
    )
    session.add_all([mine, theirs])
    session.commit()
    return mine, theirs


def test_scoped_select_carries_the_practice_filter_in_sql() -> None:
    actor = Actor(user_id=1, practice_id=7, roles=frozenset({Role.BILLING}))
    sql = str(scoped(Provider, actor).compile(compile_kwargs={"literal_binds": True}))
    assert "provider.practice_id = 7" in sql


def test_practice_user_sees_only_their_practice(
    session: Session, two_practices: tuple[Provider, Provider]
) -> None:
    mine, theirs = two_practices
    actor = Actor(user_id=1, practice_id=mine.practice_id, roles=frozenset({Role.BILLING}))
    assert session.exec(scoped(Provider, actor)).all() == [mine]
    assert get_scoped(session, Provider, mine.id, actor) == mine  # type: ignore[arg-type]
    with pytest.raises(NotFound) as theirs_error:
        get_scoped(session, Provider, theirs.id, actor)  # type: ignore[arg-type]
    with pytest.raises(NotFound) as missing_error:
        get_scoped(session, Provider, 10_000_000, actor)
    # Same exception type and shape: "not yours" reads as "not found".
    assert type(theirs_error.value) is type(missing_error.value)


def test_plan_staff_see_across_practices(
    session: Session, two_practices: tuple[Provider, Provider]
) -> None:
    examiner = Actor(user_id=2, practice_id=None, roles=frozenset({Role.CLAIMS_EXAMINER}))
    assert len(session.exec(scoped(Provider, examiner)).all()) == 2


def test_practice_role_without_practice_sees_nothing(
    session: Session, two_practices: tuple[Provider, Provider]
) -> None:
    orphan = Actor(user_id=3, practice_id=None, roles=frozenset({Role.BILLING}))
    assert session.exec(scoped(Provider, orphan)).all() == []
    assert utcnow().tzinfo is not None
