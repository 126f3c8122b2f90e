"""The claim entry form: each field says what is wrong as the biller types, submit lists what
is left and stores nothing until the claim is whole, a whole claim gets its number and
transaction id at once, drafts resume as typed, and a rejected claim is corrected in place."""

from __future__ import annotations

from datetime import timedelta

from nicegui import ui
from nicegui.testing import User
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.claim_drafts import ClaimDraft
from domain.claims import Claim, ClaimDiagnosis, ClaimStatus, ClaimStatusEvent
from domain.practices import Practice, Provider
from storage.seed.demo import SHOWCASE_BY_KEY
from tests.ui.journeys import see, sign_in
from ui import clock

BILLING = "billing@riverside.example"
RIVERSIDE = "Riverside Family Medicine"
MEMBER = SHOWCASE_BY_KEY["active_hmo"]


def riverside_provider(engine: Engine) -> Provider:
    with Session(engine) as session:
        provider = session.exec(
            select(Provider)
            .join(Practice, col(Practice.id) == Provider.practice_id)
            .where(Practice.name == RIVERSIDE)
            .order_by(col(Provider.id))
        ).first()
    assert provider is not None
    return provider


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def value_of(user: User, marker: str) -> object:
    (element,) = user.find(marker=marker).elements
    return getattr(element, "value", None)


async def open_form(user: User, path: str = "/claims/new") -> None:
    await user.open(path)
    await see(user, marker="entry-submit")


async def choose_provider(user: User, marker: str, provider: Provider) -> None:
    user.find(marker=marker).click()  # opens the options
    user.find(f"{provider.display_name} \N{EM DASH} {provider.npi}").click()


async def fill_claim(user: User, provider: Provider) -> None:
    user.find(marker="member-id").type(MEMBER.member_id)
    user.find(marker="member-dob").type(MEMBER.date_of_birth.isoformat())
    # Rendering first: once chosen, a select shows its label too, and a click on a label goes
    # to the first select showing it (the billing select, drawn first).
    await choose_provider(user, "rendering-npi", provider)
    await choose_provider(user, "billing-npi", provider)
    day = (clock.today() - timedelta(days=2)).isoformat()
    user.find(marker="date-from").type(day)
    user.find(marker="diagnosis-A").type("J06.9")
    user.find(marker="diagnosis-B").type("R05.9")
    user.find(marker="line-1-procedure-code").type("99213")
    user.find(marker="line-1-charge").type("145.00")
    user.find(marker="line-1-diagnosis-pointers").type("AB")


async def test_a_bad_npi_says_so_as_it_is_typed(user: User, demo_db: Engine) -> None:
    npi = riverside_provider(demo_db).npi
    wrong_check_digit = npi[:-1] + str((int(npi[-1]) + 1) % 10)
    await sign_in(user, BILLING)
    await open_form(user)
    # What the browser sends for each keystroke into the provider select's search box.
    user.find(marker="billing-npi").trigger("inputValue", wrong_check_digit[:6])
    await user.should_not_see("check digit")
    user.find(marker="billing-npi").trigger("inputValue", wrong_check_digit)
    await see(user, "The NPI's check digit is wrong; check it for a typing error.")
    user.find(marker="billing-npi").trigger("inputValue", npi)
    await user.should_not_see("check digit")


async def test_a_bad_diagnosis_code_shows_its_message_under_it(user: User, demo_db: Engine) -> None:
    await sign_in(user, BILLING)
    await open_form(user)
    user.find(marker="diagnosis-A").type("E11")
    await user.should_not_see("is a category")  # not while the code may still be typed on
    user.find(marker="diagnosis-A").trigger("blur")
    await see(user, marker="diagnosis-A", content="E11 is a category, not a billable code")
    user.find(marker="diagnosis-A").type(".9")
    await user.should_not_see("is a category")
    user.find(marker="diagnosis-B").type("Q99.99")
    user.find(marker="diagnosis-B").trigger("blur")
    await see(user, marker="diagnosis-B", content="is not an ICD-10-CM code")
    # A pointer past the diagnoses says so as soon as it is typed.
    user.find(marker="line-1-diagnosis-pointers").type("C")
    await see(user, "Pointer 3 does not point at a diagnosis on this claim.")


async def test_submit_with_problems_lists_them_and_saves_nothing(
    user: User, demo_db: Engine
) -> None:
    claims_before = count(demo_db, Claim)
    await sign_in(user, BILLING)
    await open_form(user)
    user.find(marker="member-id").type(MEMBER.member_id)
    user.find(marker="line-1-charge").type("0")
    user.find(marker="entry-submit").click()
    await see(
        user, marker="entry-problem", content="Date of birth: Enter the member's date of birth."
    )
    await user.should_see(marker="entry-problem", content="Line 1 charge: The charge must be more")
    await user.should_see(
        marker="entry-problem", content="Billing provider NPI: Enter the 10-digit"
    )
    await user.should_see(marker="entry-problem", content="Diagnosis A: Enter the principal")
    # What was typed is still there, and nothing was stored.
    assert value_of(user, "member-id") == MEMBER.member_id
    assert value_of(user, "line-1-charge") == "0"
    assert count(demo_db, Claim) == claims_before
    assert count(demo_db, ClaimDraft) == 0


async def test_a_complete_claim_shows_its_number_and_transaction_id(
    user: User, demo_db: Engine
) -> None:
    provider = riverside_provider(demo_db)
    await sign_in(user, BILLING)
    await open_form(user)
    await fill_claim(user, provider)
    user.find(marker="find-member").click()
    await see(user, marker="member-name", content=MEMBER.last_name)
    await see(user, marker="total-charge", content="$145.00")
    user.find(marker="entry-submit").click()
    await see(user, marker="submit-confirmation")

    with Session(demo_db) as session:
        claim = session.exec(select(Claim).order_by(col(Claim.id).desc())).first()
        assert claim is not None
        codes = session.exec(
            select(ClaimDiagnosis.icd10_code).where(ClaimDiagnosis.claim_id == claim.id)
        ).all()
    assert claim.status == ClaimStatus.RECEIVED and sorted(codes) == ["J069", "R059"]
    await user.should_see(marker="confirmation-claim-number", content=claim.claim_number)
    assert claim.transaction_id
    await user.should_see(marker="confirmation-transaction-id", content=claim.transaction_id)
    (open_claim,) = user.find(marker="confirmation-open").elements
    assert open_claim.props["href"] == f"/claims/{claim.id}"


async def test_a_saved_draft_resumes_with_its_values(user: User, demo_db: Engine) -> None:
    provider = riverside_provider(demo_db)
    await sign_in(user, BILLING)
    await open_form(user)
    await fill_claim(user, provider)
    user.find(marker="line-1-modifiers").type("25")
    user.find(marker="add-line").click()
    user.find(marker="line-2-procedure-code").type("87880")
    user.find(marker="entry-save-draft").click()
    await see(user, marker="draft-saved", content="Draft saved")
    with Session(demo_db) as session:
        (draft,) = session.exec(select(ClaimDraft)).all()
    assert draft.summary.startswith(MEMBER.member_id)

    await open_form(user, f"/claims/new?draft={draft.id}")
    await see(user, marker="entry-draft-note")
    assert value_of(user, "member-id") == MEMBER.member_id
    assert value_of(user, "billing-npi") == provider.npi
    assert value_of(user, "diagnosis-B") == "R05.9"
    assert value_of(user, "line-1-modifiers") == "25"
    assert value_of(user, "line-1-diagnosis-pointers") == "AB"
    assert value_of(user, "line-2-procedure-code") == "87880"
    # The unfinished second line says what it lacks at once.
    await see(user, marker="line-2-charge", content="Enter the charge")
    assert value_of(user, "rendering-npi") == provider.npi


async def test_a_rejected_claim_is_corrected_and_resubmitted(user: User, demo_db: Engine) -> None:
    with Session(demo_db) as session:
        rejected = session.exec(
            select(Claim)
            .join(Practice, col(Practice.id) == Claim.practice_id)
            .where(Practice.name == RIVERSIDE, Claim.status == ClaimStatus.REJECTED)
            .order_by(col(Claim.id))
        ).first()
    assert rejected is not None and rejected.rejection_reason
    await sign_in(user, BILLING)
    await open_form(user, f"/claims/new?correct={rejected.id}")
    await see(user, marker="entry-correction-text", content=rejected.rejection_reason)
    assert value_of(user, "member-id")  # prefilled from the claim
    diagnosis = user.find(marker="diagnosis-A")
    diagnosis.clear()
    diagnosis.type("J06.9")
    user.find(marker="entry-submit").click()
    await see(user, marker="confirmation-claim-number", content=rejected.claim_number)

    with Session(demo_db) as session:
        claim = session.get(Claim, rejected.id)
        assert claim is not None
        last = session.exec(
            select(ClaimStatusEvent)
            .where(ClaimStatusEvent.claim_id == claim.id)
            .order_by(col(ClaimStatusEvent.id).desc())
        ).first()
        codes = session.exec(
            select(ClaimDiagnosis.icd10_code).where(ClaimDiagnosis.claim_id == claim.id)
        ).all()
    assert claim.status == ClaimStatus.RECEIVED and claim.rejection_reason is None
    assert claim.transaction_id != rejected.transaction_id
    assert last is not None and last.note == "Corrected and resubmitted"
    assert codes[0] == "J069"
    await user.should_see(marker="confirmation-transaction-id", content=claim.transaction_id)


async def test_front_desk_cannot_enter_claims(user: User, demo_db: Engine) -> None:
    await sign_in(user, "frontdesk@riverside.example")
    response = await user.http_client.get("/claims/new")
    assert response.status_code == 403
    assert ui  # the form's elements come from nicegui
