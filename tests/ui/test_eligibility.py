"""Checking one member: the search rules (no fishing), what an answer shows for the showcase
members, the kept check's page and PDF within the practice, and the role guard."""

from __future__ import annotations

import pytest
from nicegui import ui
from nicegui.testing import User
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from domain.eligibility_checks import EligibilityCheck
from storage.seed.demo import SHOWCASE_BY_KEY
from tests.ui.journeys import response_texts, see, sign_in, table_rows, visible_texts

FRONT_DESK = "frontdesk@riverside.example"


def checks_kept(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(EligibilityCheck)).one()


def texts_of(user: User, marker: str) -> list[str]:
    texts: list[str] = []
    for element in user.find(marker=marker).elements:
        for inner in [element, *element.descendants()]:
            text = getattr(inner, "text", None)
            if inner.visible and isinstance(text, str) and text:
                texts.append(text)
    return texts


async def fill_and_check(
    user: User,
    *,
    member_id: str = "",
    date_of_birth: str = "",
    last_name: str = "",
    first_name: str = "",
    procedure_codes: str = "",
) -> None:
    await user.open("/eligibility")
    await see(user, marker="check-submit")
    for marker, value in (
        ("member-id", member_id),
        ("date-of-birth", date_of_birth),
        ("last-name", last_name),
        ("first-name", first_name),
        ("procedure-codes", procedure_codes),
    ):
        if value:
            user.find(marker=marker).type(value)
    user.find(marker="check-submit").click()


async def check_showcase(user: User, key: str, *, procedure_codes: str = "") -> None:
    member = SHOWCASE_BY_KEY[key]
    await fill_and_check(
        user,
        member_id=member.member_id,
        date_of_birth=member.date_of_birth.isoformat(),
        procedure_codes=procedure_codes,
    )
    await see(user, marker="answer-status")


def kept_check_path(user: User) -> str:
    (button,) = user.find(marker="answer-print").elements
    return str(button.props["href"])


# --- The search rules: no partial-identifier fishing ---


async def test_the_date_of_birth_is_required(user: User, demo_db: Engine) -> None:
    await sign_in(user, FRONT_DESK)
    await fill_and_check(user, member_id="PT100000101")
    await see(user, marker="check-problem", content="Enter the date of birth.")
    await user.should_not_see(marker="answer-status")
    assert checks_kept(demo_db) == 0


async def test_a_member_id_or_both_names_are_required(user: User, demo_db: Engine) -> None:
    await sign_in(user, FRONT_DESK)
    await fill_and_check(user, last_name="Thompson", date_of_birth="1984-03-14")
    await see(
        user,
        marker="check-problem",
        content="Enter the member ID, or the member's last and first name.",
    )
    await user.should_not_see(marker="answer-status")
    assert checks_kept(demo_db) == 0


@pytest.mark.parametrize(
    ("date_of_birth", "message"),
    [
        ("2999-01-01", "The date of birth cannot be in the future."),
        ("13/45/1984", "The date of birth is not a valid date: use MM/DD/YYYY."),
    ],
)
async def test_a_wrong_date_of_birth_is_explained(
    user: User, date_of_birth: str, message: str
) -> None:
    await sign_in(user, FRONT_DESK)
    await fill_and_check(user, member_id="PT100000101", date_of_birth=date_of_birth)
    await see(user, marker="check-problem", content=message)
    await user.should_not_see(marker="answer-status")


async def test_procedure_codes_must_have_five_characters(user: User) -> None:
    await sign_in(user, FRONT_DESK)
    await fill_and_check(
        user, member_id="PT100000101", date_of_birth="1984-03-14", procedure_codes="9921"
    )
    await see(user, marker="check-problem", content="'9921' is not a procedure code")


async def test_a_miss_says_only_no_match_whatever_was_wrong(user: User, demo_db: Engine) -> None:
    member = SHOWCASE_BY_KEY["active_hmo"]
    await sign_in(user, FRONT_DESK)

    await fill_and_check(user, member_id=member.member_id, date_of_birth="1984-03-15")
    await see(user, marker="answer-status", content="No match")
    wrong_birth_date = texts_of(user, "check-result")

    await fill_and_check(user, member_id="PT999999999", date_of_birth="1984-03-14")
    await see(user, marker="answer-status", content="No match")
    unknown_id = texts_of(user, "check-result")

    assert wrong_birth_date == unknown_id
    shown = " ".join(wrong_birth_date)
    assert member.last_name not in shown and member.first_name not in shown
    assert "birth" not in shown.lower() and "member id" not in shown.lower()
    await user.should_not_see(marker="answer-print")
    assert checks_kept(demo_db) == 2  # misses are kept (and audited) too


# --- What an answer shows ---


async def test_an_active_member_shows_active_and_the_pcp(user: User) -> None:
    await sign_in(user, FRONT_DESK)
    await check_showcase(user, "active_hmo")
    await see(user, marker="answer-status", content="Active on")
    await see(user, marker="answer-member", content="Avery Thompson")
    await see(user, marker="coverage-1-pcp", content="Maria Alvarez")
    await see(user, marker="answer-computed", content="Transaction EL")
    categories = {row["category"]: row for row in table_rows(user, "coverage-1-benefits")}
    assert categories["Primary care"]["copay"] == "$20.00"
    assert "Individual deductible" in texts_of(user, "coverage-1-accumulators")


async def test_a_member_is_found_by_full_name_and_birth_date(user: User) -> None:
    member = SHOWCASE_BY_KEY["active_hmo"]
    await sign_in(user, FRONT_DESK)
    await fill_and_check(
        user,
        last_name=member.last_name.upper(),
        first_name=member.first_name,
        date_of_birth="03/14/1984",
    )
    await see(user, marker="answer-member", content=member.member_id)


async def test_a_terminated_member_shows_when_coverage_ended(user: User) -> None:
    await sign_in(user, FRONT_DESK)
    await check_showcase(user, "terminated")
    await see(user, marker="answer-status", content="Not active on")
    await see(user, marker="answer-why", content="Terminated on")


async def test_two_coverages_show_primary_and_secondary(user: User) -> None:
    await sign_in(user, FRONT_DESK)
    await check_showcase(user, "two_coverages")
    primary, secondary = texts_of(user, "coverage-1"), texts_of(user, "coverage-2")
    assert {"Primary", "Portico Health EPO Standard"} <= set(primary)
    assert {"Secondary", "Portico Health PPO Gold"} <= set(secondary)


async def test_a_reached_visit_limit_is_flagged(user: User) -> None:
    await sign_in(user, FRONT_DESK)
    await check_showcase(user, "visit_limit", procedure_codes="97110")
    assert "Visit limit reached" in texts_of(user, "answer-problems")
    (procedure,) = table_rows(user, "procedures-table")
    assert procedure["visits"] == "Reached"
    categories = {row["category"]: row for row in table_rows(user, "coverage-1-benefits")}
    assert categories["Physical therapy"]["visits"] == "20 of 20 used · limit reached"


async def test_a_procedure_needing_prior_auth_is_flagged(user: User) -> None:
    await sign_in(user, FRONT_DESK)
    await check_showcase(user, "active_hmo", procedure_codes="93306 99213")
    echo, visit = table_rows(user, "procedures-table")
    assert (echo["code"], echo["prior_auth"]) == ("93306", "Required")
    assert (visit["code"], visit["prior_auth"]) == ("99213", "Not required")
    assert "Prior authorization needed" in texts_of(user, "answer-problems")


# --- The kept check: its page and its PDF, within the practice ---


async def test_the_print_page_shows_the_kept_answer(user: User) -> None:
    await sign_in(user, FRONT_DESK)
    await check_showcase(user, "active_hmo")
    (computed,) = texts_of(user, "answer-computed")
    path = kept_check_path(user)

    await user.open(path)
    await see(user, marker="kept-title")
    await see(user, marker="kept-by", content="Tamara Woods")
    await see(user, marker="answer-status", content="Active on")
    await see(user, marker="answer-computed", content=computed)


async def test_another_practices_check_is_not_found(user: User, demo_db: Engine) -> None:
    await sign_in(user, FRONT_DESK)
    await check_showcase(user, "active_hmo")
    path = kept_check_path(user)
    user.find(marker="sign-out").click()
    await see(user, kind=ui.button, content="Sign in")

    await sign_in(user, "admin@lakeside.example")
    theirs = await user.http_client.get(path)
    missing = await user.http_client.get("/eligibility/checks/987654321")
    garbage = await user.http_client.get("/eligibility/checks/abc")
    assert theirs.status_code == missing.status_code == garbage.status_code == 404
    assert "Check not found" in response_texts(theirs)
    assert response_texts(theirs) == response_texts(missing) == response_texts(garbage)
    assert "Thompson" not in theirs.text


async def test_the_pdf_is_for_the_practice_only(user: User) -> None:
    await sign_in(user, FRONT_DESK)
    await check_showcase(user, "two_coverages")
    pdf_path = kept_check_path(user) + ".pdf"

    pdf = await user.http_client.get(pdf_path)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["cache-control"] == "no-store"
    assert pdf.content.startswith(b"%PDF")

    user.find(marker="sign-out").click()
    await see(user, kind=ui.button, content="Sign in")
    signed_out = await user.http_client.get(pdf_path)
    assert signed_out.status_code == 303

    await sign_in(user, "billing@lakeside.example")
    theirs = await user.http_client.get(pdf_path)
    assert theirs.status_code == 404
    assert not theirs.content.startswith(b"%PDF")


# --- Who may check ---


@pytest.mark.parametrize(
    "path",
    ["/eligibility", "/eligibility/batch", "/eligibility/history", "/eligibility/checks/1"],
)
async def test_clinical_staff_are_not_authorized(user: User, path: str) -> None:
    await sign_in(user, "clinical@riverside.example")
    response = await user.http_client.get(path)
    assert response.status_code == 403
    assert "Not authorized" in response_texts(response)


async def test_clinical_staff_get_no_pdf(user: User) -> None:
    await sign_in(user, "clinical@riverside.example")
    response = await user.http_client.get("/eligibility/checks/1.pdf")
    assert response.status_code == 403
    assert not response.content.startswith(b"%PDF")


@pytest.mark.parametrize("email", ["billing@riverside.example", "admin@riverside.example"])
async def test_billing_and_practice_admins_may_check(user: User, email: str) -> None:
    await sign_in(user, email)
    await check_showcase(user, "active_hmo")
    await see(user, marker="answer-status", content="Active on")
    assert "Not authorized" not in visible_texts(user)
