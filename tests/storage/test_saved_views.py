"""Saved views on SQLite and PostgreSQL: a user saves, lists, renames, deletes and picks a home
among their own views only; another user's view, in the same practice or another, is "not
found"; and what is stored is the page's filters, normalised, with no patient in them."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

import pytest
from sqlmodel import Session, col, select

from domain.practices import Practice
from domain.roles import Role
from domain.saved_views import (
    MAX_NAME_LENGTH,
    MAX_VIEWS_PER_USER,
    SavedView,
    SavedViewRefused,
    delete_view,
    home_view_url,
    list_views,
    rename_view,
    save_view,
    set_home_view,
)
from domain.scope import Actor, NotAuthorized, NotFound
from domain.users import User

DENIALS = "/reports/denials"
DENIALS_QUERY = "service_from=2026-01-01&service_to=2026-06-30&carc=197"


@dataclass(frozen=True)
class People:
    admin: Actor  # Riverside's practice admin
    billing: Actor  # a colleague at Riverside
    lakeside: Actor  # Lakeside's practice admin
    examiner: Actor  # plan staff
    clinical: Actor  # Riverside clinical staff: no dashboards


def _practice(session: Session, name: str, number: int) -> int:
    practice = Practice(name=name, tin=f"12345678{number}", group_npi=f"100000000{number}")
    session.add(practice)
    session.flush()
    assert practice.id is not None
    return practice.id


def _actor(session: Session, email: str, practice_id: int | None, role: Role) -> Actor:
    user = User(email=email, full_name=email.split("@")[0].title(), practice_id=practice_id)
    session.add(user)
    session.flush()
    assert user.id is not None
    return Actor(user_id=user.id, practice_id=practice_id, roles=frozenset({role}))


@pytest.fixture
def people(session: Session) -> People:
    riverside = _practice(session, "Riverside Family Medicine", 1)
    lakeside = _practice(session, "Lakeside Cardiology", 2)
    found = People(
        admin=_actor(session, "admin@riverside.example", riverside, Role.PRACTICE_ADMIN),
        billing=_actor(session, "billing@riverside.example", riverside, Role.BILLING),
        lakeside=_actor(session, "admin@lakeside.example", lakeside, Role.PRACTICE_ADMIN),
        examiner=_actor(session, "examiner@plan.example", None, Role.CLAIMS_EXAMINER),
        clinical=_actor(session, "clinical@riverside.example", riverside, Role.CLINICAL),
    )
    session.commit()
    return found


def _save(session: Session, actor: Actor, name: str, path: str = DENIALS, query: str = "") -> int:
    saved = save_view(
        session=session, actor=actor, name=name, path=path, query=query or DENIALS_QUERY
    )
    session.commit()
    return saved.id


def _names(session: Session, actor: Actor) -> list[str]:
    return [view.name for view in list_views(session=session, actor=actor)]


def test_a_saved_view_is_listed_with_its_url(session: Session, people: People) -> None:
    saved = save_view(
        session=session,
        actor=people.admin,
        name="  Denials   first half ",
        path=DENIALS,
        query="?" + DENIALS_QUERY,
    )
    session.commit()

    assert saved.name == "Denials first half"  # spaces tidied as the menu shows them
    (listed,) = list_views(session=session, actor=people.admin)
    assert listed == saved
    assert listed.url == f"{DENIALS}?service_from=2026-01-01&service_to=2026-06-30&carc=197"
    assert not listed.is_home


def test_views_are_listed_by_name_whatever_the_case(session: Session, people: People) -> None:
    for name in ("denials", "Aging", "claims to fix"):
        _save(session, people.admin, name)

    assert _names(session, people.admin) == ["Aging", "claims to fix", "denials"]


def test_rename_and_delete(session: Session, people: People) -> None:
    first = _save(session, people.admin, "Denials")
    second = _save(session, people.admin, "Aging", path="/reports/aging", query="as_of=2026-06-30")

    renamed = rename_view(session=session, actor=people.admin, view_id=first, name="CARC 197")
    session.commit()
    assert renamed.name == "CARC 197"
    assert renamed.url.endswith("carc=197")  # the view itself is unchanged
    delete_view(session=session, actor=people.admin, view_id=second)
    session.commit()

    assert _names(session, people.admin) == ["CARC 197"]


def test_renaming_to_its_own_name_in_another_case_is_allowed(
    session: Session, people: People
) -> None:
    view_id = _save(session, people.admin, "denials")

    assert (
        rename_view(session=session, actor=people.admin, view_id=view_id, name="Denials").name
        == "Denials"
    )


@pytest.mark.parametrize("taken", ["Denials", "DENIALS", " denials "])
def test_a_name_is_unique_per_user(session: Session, people: People, taken: str) -> None:
    _save(session, people.admin, "Denials")
    other = _save(session, people.admin, "Aging")

    with pytest.raises(SavedViewRefused, match=r"You already have a view named “.+”\."):
        save_view(session=session, actor=people.admin, name=taken, path=DENIALS, query="")
    with pytest.raises(SavedViewRefused, match="You already have a view named"):
        rename_view(session=session, actor=people.admin, view_id=other, name=taken)
    session.rollback()
    # A colleague may use the same name for their own view.
    _save(session, people.billing, "Denials")
    assert _names(session, people.billing) == ["Denials"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Give the view a name"),
        ("   ", "Give the view a name"),
        ("x" * (MAX_NAME_LENGTH + 1), f"at most {MAX_NAME_LENGTH} characters"),
    ],
)
def test_a_name_is_1_to_80_characters(
    session: Session, people: People, name: str, message: str
) -> None:
    with pytest.raises(SavedViewRefused, match=message):
        save_view(session=session, actor=people.admin, name=name, path=DENIALS, query="")
    view_id = _save(session, people.admin, "Denials")
    with pytest.raises(SavedViewRefused, match=message):
        rename_view(session=session, actor=people.admin, view_id=view_id, name=name)


def test_exactly_80_characters_is_fine(session: Session, people: People) -> None:
    name = "x" * MAX_NAME_LENGTH
    _save(session, people.admin, name)
    assert _names(session, people.admin) == [name]


@pytest.mark.parametrize("path", ["/admin", "https://evil.example/reports", "/reports/", ""])
def test_only_report_pages_and_the_claim_list_can_be_saved(
    session: Session, people: People, path: str
) -> None:
    with pytest.raises(SavedViewRefused, match="Only the reports and the claim list"):
        save_view(session=session, actor=people.admin, name="x", path=path, query="")


def test_a_role_saves_only_pages_it_opens(session: Session, people: People) -> None:
    with pytest.raises(NotAuthorized):
        save_view(session=session, actor=people.clinical, name="x", path="/reports", query="")
    with pytest.raises(NotAuthorized):
        save_view(session=session, actor=people.clinical, name="x", path="/claims", query="")


def test_the_number_of_views_is_bounded(session: Session, people: People) -> None:
    for number in range(MAX_VIEWS_PER_USER):
        save_view(
            session=session, actor=people.admin, name=f"View {number}", path=DENIALS, query=""
        )
    session.commit()
    with pytest.raises(SavedViewRefused, match=f"You have {MAX_VIEWS_PER_USER} saved views"):
        save_view(session=session, actor=people.admin, name="One more", path=DENIALS, query="")


def test_one_home_at_most_and_it_is_where_home_goes(session: Session, people: People) -> None:
    denials = _save(session, people.admin, "Denials")
    aging = _save(session, people.admin, "Aging", path="/reports/aging", query="as_of=2026-06-30")
    assert home_view_url(session=session, actor=people.admin) is None

    set_home_view(session=session, actor=people.admin, view_id=denials)
    session.commit()
    assert home_view_url(session=session, actor=people.admin) == f"{DENIALS}?{DENIALS_QUERY}"

    set_home_view(session=session, actor=people.admin, view_id=aging)
    session.commit()
    homes = [view.name for view in list_views(session=session, actor=people.admin) if view.is_home]
    assert homes == ["Aging"]
    assert home_view_url(session=session, actor=people.admin) == "/reports/aging?as_of=2026-06-30"

    set_home_view(session=session, actor=people.admin, view_id=None)
    session.commit()
    assert home_view_url(session=session, actor=people.admin) is None
    assert not [view for view in list_views(session=session, actor=people.admin) if view.is_home]


def test_deleting_the_home_view_leaves_no_home(session: Session, people: People) -> None:
    view_id = _save(session, people.admin, "Denials")
    set_home_view(session=session, actor=people.admin, view_id=view_id)
    delete_view(session=session, actor=people.admin, view_id=view_id)
    session.commit()

    assert home_view_url(session=session, actor=people.admin) is None


@pytest.mark.parametrize("stranger", ["billing", "lakeside", "examiner"])
def test_another_users_view_is_not_found(session: Session, people: People, stranger: str) -> None:
    """A colleague in the same practice, another practice's user and plan staff alike: they
    neither see the view nor can rename, delete or take it as home; the view stays as it was."""
    view_id = _save(session, people.admin, "Denials")
    set_home_view(session=session, actor=people.admin, view_id=view_id)
    session.commit()
    other: Actor = getattr(people, stranger)

    assert list_views(session=session, actor=other) == []
    assert home_view_url(session=session, actor=other) is None
    with pytest.raises(NotFound):
        rename_view(session=session, actor=other, view_id=view_id, name="Mine now")
    with pytest.raises(NotFound):
        delete_view(session=session, actor=other, view_id=view_id)
    with pytest.raises(NotFound):
        set_home_view(session=session, actor=other, view_id=view_id)
    set_home_view(session=session, actor=other, view_id=None)  # clears only their own
    session.commit()

    (kept,) = list_views(session=session, actor=people.admin)
    assert (kept.name, kept.is_home) == ("Denials", True)


def test_a_missing_view_is_not_found(session: Session, people: People) -> None:
    with pytest.raises(NotFound):
        rename_view(session=session, actor=people.admin, view_id=999_999, name="x")
    with pytest.raises(NotFound):
        delete_view(session=session, actor=people.admin, view_id=999_999)


def test_a_view_is_listed_only_in_the_scope_it_was_saved_in(
    session: Session, people: People
) -> None:
    """A user moved to another practice does not carry the old practice's views (its
    providers and locations in them) along."""
    _save(session, people.admin, "Denials")
    moved = Actor(
        user_id=people.admin.user_id,
        practice_id=people.lakeside.practice_id,
        roles=people.admin.roles,
    )

    assert list_views(session=session, actor=moved) == []


def test_a_view_whose_page_the_role_no_longer_opens_is_not_offered(
    session: Session, people: People
) -> None:
    view_id = _save(session, people.admin, "Denials")
    set_home_view(session=session, actor=people.admin, view_id=view_id)
    session.commit()
    demoted = Actor(
        user_id=people.admin.user_id,
        practice_id=people.admin.practice_id,
        roles=frozenset({Role.CLINICAL}),
    )

    assert list_views(session=session, actor=demoted) == []
    assert home_view_url(session=session, actor=demoted) is None


def test_the_query_is_normalised_to_known_filters(session: Session, people: People) -> None:
    saved = save_view(
        session=session,
        actor=people.admin,
        name="Tidy",
        path=DENIALS,
        query=(
            "utm_source=mail&carc=197&provider=9,3,3&service_from=2026-02-30"
            "&service_to=2026-06-30&product=ppo,hmo&dir=desc&sort=service&evil=<script>"
        ),
    )
    session.commit()

    # Unknown keys and malformed values dropped, lists sorted and de-duplicated, defaults
    # (sort by service date, descending) left out, the order the pages write.
    assert saved.query == "service_to=2026-06-30&provider=3%2C9&carc=197&product=HMO%2CPPO"


def test_patient_and_claim_filters_are_never_stored(session: Session, people: People) -> None:
    saved = save_view(
        session=session,
        actor=people.billing,
        name="Thompson's denials",
        path="/claims",
        query="status=denied&patient=Thompson&member_id=PT100000101&claim=C2026000123&page=3"
        "&size=50",
    )
    session.commit()

    assert dict(parse_qsl(saved.query)) == {"status": "denied", "size": "50"}
    stored = session.exec(select(SavedView.query).where(col(SavedView.id) == saved.id)).one()
    assert "Thompson" not in stored and "PT100000101" not in stored and "C2026" not in stored


def test_a_query_too_long_to_store_is_refused(session: Session, people: People) -> None:
    # Every filter at its longest: 50 ids per list (the most a list keeps), 10-letter products.
    ids = ",".join(str(100_000_000 + number) for number in range(50))
    products = ",".join(f"PRODUCTS{letter}{digit}" for letter in "ABCDE" for digit in "ABCDEFGHIJ")
    query = (
        f"provider={ids}&location={ids}&product={products}&practice=123456789&status=denied"
        "&service_from=2026-01-01&service_to=2026-06-30&submitted_from=2026-01-01"
        "&submitted_to=2026-06-30&npi=1234567893&carc=197&procedure=99213&pos=11"
    )

    with pytest.raises(SavedViewRefused, match="too many filters"):
        save_view(session=session, actor=people.examiner, name="Huge", path=DENIALS, query=query)


def test_a_name_taken_meanwhile_by_another_tab_is_the_same_refusal(
    session: Session, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database's unique constraint answers a race the name check cannot see; only the
    losing insert is undone, the rest of the unit of work goes on."""
    _save(session, people.admin, "Denials")
    monkeypatch.setattr(
        "domain.saved_views._checked_name", lambda session, actor, name, **_: name
    )  # as if the other tab's insert came after this one's check

    with pytest.raises(SavedViewRefused, match="You already have a view named “Denials”"):
        save_view(session=session, actor=people.admin, name="Denials", path=DENIALS, query="")
    _save(session, people.admin, "Aging")
    assert _names(session, people.admin) == ["Aging", "Denials"]
