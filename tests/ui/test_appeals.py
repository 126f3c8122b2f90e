"""Appeals as users work them: a biller files one with a PDF from the claim page, a renamed
binary is refused with a message and nothing is saved, the examiner downloads the attachment
and overturns the appeal into the pended queue."""

from __future__ import annotations

from nicegui import ui
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from domain.appeals import Appeal, AppealAttachment, AppealStatus
from domain.claims import Claim, ClaimStatus
from storage.attachments import attachments_root
from tests.storage.pended_claims import EXAMINER, denied_remitted_claim
from tests.ui.journeys import see, sign_in

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
BINARY = b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)) * 8
REASON = "The visit notes attached document why the service was medically necessary."


def _denied(engine: Engine) -> Claim:
    with Session(engine, expire_on_commit=False) as session:
        return denied_remitted_claim(session)


async def _upload(user: User, name: str, data: bytes, content_type: str) -> None:
    (uploader,) = user.find(marker="appeal-upload").elements
    assert isinstance(uploader, ui.upload)
    await uploader.handle_uploads([SmallFileUpload(name, content_type, data)])


def _stored() -> list[str]:
    root = attachments_root()
    return [path.name for path in root.iterdir()] if root.exists() else []


async def _file_with_pdf(user: User, claim: Claim) -> None:
    await sign_in(user, "billing@riverside.example")
    await user.open(f"/claims/{claim.id}")
    await see(user, marker="action-appeal")
    await user.open(f"/claims/{claim.id}/appeal")
    await see(user, marker="appeal-reason")
    user.find(marker="appeal-reason").type(REASON)
    await _upload(user, "C:\\scans\\visit notes.pdf", PDF, "application/pdf")
    await user.should_see("visit notes.pdf", retries=50)
    user.find(marker="file-appeal").click()
    await see(user, marker="claim-appeal-status")


async def test_a_biller_files_an_appeal_with_a_pdf(user: User, demo_db: Engine) -> None:
    claim = _denied(demo_db)
    await _file_with_pdf(user, claim)
    await user.should_see("Appeal open: waiting for a claims examiner")
    with Session(demo_db) as session:
        appeal = session.exec(select(Appeal).where(Appeal.claim_id == claim.id)).one()
        (attachment,) = session.exec(
            select(AppealAttachment).where(AppealAttachment.appeal_id == appeal.id)
        ).all()
    assert appeal.reason == REASON
    assert attachment.original_name == "visit notes.pdf"
    assert _stored() == [attachment.stored_name]
    # Filed once: the Appeal action is gone.
    await user.open(f"/claims/{claim.id}")
    await see(user, marker="claim-appeal")
    await user.should_not_see(marker="action-appeal")


async def test_a_renamed_binary_is_refused_and_nothing_is_saved(
    user: User, demo_db: Engine
) -> None:
    claim = _denied(demo_db)
    await sign_in(user, "billing@riverside.example")
    await user.open(f"/claims/{claim.id}/appeal")
    await see(user, marker="appeal-reason")
    user.find(marker="appeal-reason").type(REASON)
    await _upload(user, "notes.pdf", PDF, "application/pdf")
    await _upload(user, "setup.pdf", BINARY, "application/pdf")
    await see(user, marker="attachment-refused")
    await user.should_see("Its name ends in .pdf, but its contents are not")

    user.find(marker="file-appeal").click()
    await see(user, marker="appeal-error")
    await user.should_see("Nothing has been saved.")
    with Session(demo_db) as session:
        assert session.exec(select(func.count()).select_from(Appeal)).one() == 0
    assert _stored() == []

    user.find(marker="remove-1").click()  # take the binary out: the PDF alone goes through
    user.find(marker="file-appeal").click()
    await see(user, marker="claim-appeal-status")
    with Session(demo_db) as session:
        assert session.exec(select(func.count()).select_from(AppealAttachment)).one() == 1


async def test_the_examiner_downloads_and_overturns(user: User, demo_db: Engine) -> None:
    claim = _denied(demo_db)
    await _file_with_pdf(user, claim)
    with Session(demo_db) as session:
        attachment = session.exec(select(AppealAttachment)).one()
        appeal = session.exec(select(Appeal)).one()
    own_practice = await user.http_client.get(f"/appeals/attachments/{attachment.id}")
    assert own_practice.status_code == 200  # the filer's own practice may read it back
    await user.open("/logout")

    await sign_in(user, "billing@lakeside.example")
    refused = await user.http_client.get(f"/appeals/attachments/{attachment.id}")
    assert refused.status_code == 404 and PDF not in refused.content
    await user.open("/logout")

    await sign_in(user, EXAMINER)
    response = await user.http_client.get(f"/appeals/attachments/{attachment.id}")
    assert response.status_code == 200 and response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"

    await user.open("/claims-queue?tab=appeals")
    await see(user, marker=f"appeal-{appeal.id}")
    await user.should_see(REASON)
    user.find(marker=f"appeal-note-{appeal.id}").type("Notes support the service.")
    user.find(marker=f"overturn-{appeal.id}").click()
    await see(user, marker="review-title")
    with Session(demo_db) as session:
        decided = session.get(Appeal, appeal.id)
        replacement = session.exec(select(Claim).where(Claim.original_claim_id == claim.id)).one()
    assert decided is not None and decided.status is AppealStatus.OVERTURNED
    assert replacement.status is ClaimStatus.PENDED
    await user.should_see("Appeal overturned: reprocess")
