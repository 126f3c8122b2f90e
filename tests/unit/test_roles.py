"""The access table: the rules DESIGN.md states for who may open what."""

from domain.roles import ACCESS, PLAN_ROLES, PRACTICE_ROLES, Area, Role, may_open, parse_roles
from domain.scope import Actor


def test_every_area_has_a_rule_and_every_role_a_home() -> None:
    assert set(ACCESS) == set(Area)
    assert all(may_open({role}, Area.HOME) for role in Role)


def test_roles_split_into_practice_and_plan_sides() -> None:
    assert set(Role) == PRACTICE_ROLES | PLAN_ROLES
    assert not PRACTICE_ROLES & PLAN_ROLES


def test_billing_never_sees_clinical_notes_and_clinical_never_sees_finance() -> None:
    assert not may_open({Role.BILLING}, Area.CLINICAL_NOTES)
    assert not may_open({Role.CLINICAL}, Area.DASHBOARDS)
    assert not may_open({Role.CLINICAL}, Area.CLAIMS)
    assert not may_open({Role.CLINICAL}, Area.REMITTANCES)


def test_front_desk_checks_eligibility_but_not_claims() -> None:
    assert may_open({Role.FRONT_DESK}, Area.ELIGIBILITY)
    assert not may_open({Role.FRONT_DESK}, Area.CLAIMS)


def test_practice_staff_never_open_plan_work_queues() -> None:
    for area in (Area.CLAIMS_QUEUE, Area.UM_QUEUE, Area.CREDENTIALING, Area.PLAN_ADMIN):
        assert not ACCESS[area] & PRACTICE_ROLES


def test_unknown_role_strings_from_a_session_are_dropped() -> None:
    assert parse_roles(["billing", "superuser", ""]) == {Role.BILLING}


def test_plan_staff_are_those_without_a_practice_and_with_a_plan_role() -> None:
    assert Actor(1, None, frozenset({Role.CLAIMS_EXAMINER})).is_plan_staff
    assert not Actor(1, 5, frozenset({Role.BILLING})).is_plan_staff
    # A practice role without a practice is not promoted to plan-wide sight.
    assert not Actor(1, None, frozenset({Role.BILLING})).is_plan_staff


def test_every_role_that_opens_the_reports_can_open_their_drill_downs() -> None:
    for role in Role:
        if may_open({role}, Area.DASHBOARDS):
            assert may_open({role}, Area.CLAIMS), role
