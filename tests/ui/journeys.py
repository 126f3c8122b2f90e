"""What a person does in the portal, as steps the UI tests share: sign in, read the page."""

from __future__ import annotations

import asyncio
import json
import re

import httpx
from nicegui import ElementFilter, ui
from nicegui.elements.mixins.text_element import TextElement
from nicegui.elements.upload_files import SmallFileUpload
from nicegui.testing import User

DEMO_PASSWORD = "portico-demo"
# Page content arrives after the browser connects and a worker thread has queried the
# database; wait up to this many tenths of a second for it.
PATIENCE = 50

DEMO_ACCOUNTS = {
    "admin@riverside.example": "practice_admin",
    "billing@riverside.example": "billing",
    "frontdesk@riverside.example": "front_desk",
    "clinical@riverside.example": "clinical",
    "admin@lakeside.example": "practice_admin",
    "billing@lakeside.example": "billing",
    "examiner@plan.example": "claims_examiner",
    "um@plan.example": "um_reviewer",
    "credentialing@plan.example": "credentialing",
    "planadmin@plan.example": "plan_admin",
}


async def submit_sign_in(user: User, email: str, password: str = DEMO_PASSWORD) -> None:
    user.find(kind=ui.input, content="Email").type(email)
    user.find(kind=ui.input, content="Password").type(password)
    user.find(kind=ui.button, content="Sign in").click()


async def sign_in(user: User, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in from the sign-in page (with an authentication code when the portal asks for
    one) and wait until the home page is drawn."""
    await user.open("/login")
    await submit_sign_in(user, email, password)
    # A practice admin's home is the dashboard (a redirect from /); everyone else's is /.
    landing = "report-title" if email.startswith("admin@") else "home-title"
    await pass_mfa_if_asked(user, email, landing)
    await user.should_see(marker=landing, retries=PATIENCE)


async def pass_mfa_if_asked(user: User, email: str, landing: str) -> None:
    """After the password: enter the account's code if the portal asks for one, else wait for
    the page marked `landing`."""
    if await _lands_on(user, ["mfa-code", landing]) == "mfa-code":
        await enter_mfa_code(user, email)


async def enter_mfa_code(user: User, email: str) -> None:
    """The account's next TOTP code, or, when this test has used every step the server accepts
    right now, its next recovery code."""
    from tests.mfa_codes import NoCodeLeft, next_code, next_recovery_code

    try:
        code = next_code(email)
    except NoCodeLeft:
        user.find(marker="mfa-use-recovery").click()
        code = next_recovery_code(email)
    user.find(marker="mfa-code").type(code)
    user.find(marker="mfa-verify").click()


async def _lands_on(user: User, markers: list[str]) -> str | None:
    """Which of these markers the page shows first, waiting as long as should_see would."""
    for _ in range(PATIENCE):
        if user.client is not None and not user.client.is_deleted:
            with user.client:
                for marker in markers:
                    if any(True for _ in ElementFilter(marker=marker)):
                        return marker
        await asyncio.sleep(0.1)  # should_see's own polling interval
    return None


async def see(user: User, target: str | None = None, **kwargs: object) -> None:
    if target is not None:
        await user.should_see(target, retries=PATIENCE)
    else:
        await user.should_see(retries=PATIENCE, **kwargs)  # type: ignore[call-overload]


def visible_texts(user: User) -> list[str]:
    """Every piece of text the page shows: element texts and the cells of every table."""
    texts: list[str] = []
    for element in user.current_layout.descendants():
        if not element.visible:
            continue
        if isinstance(element, TextElement) and element.text:
            texts.append(element.text)
        if isinstance(element, ui.table):
            texts.extend(str(value) for row in element.rows for value in row.values())
    return texts


def table_rows(user: User, marker: str) -> list[dict[str, object]]:
    tables = [
        element for element in user.find(marker=marker).elements if isinstance(element, ui.table)
    ]
    assert len(tables) == 1, f"expected one table marked {marker}"
    return tables[0].rows


_TEXT = re.compile(r'"text":\s*("(?:[^"\\]|\\.)*")')


def response_texts(response: httpx.Response) -> list[str]:
    """The texts of the elements a page response carries (for pages answered with a non-200
    status, which the simulated user cannot open)."""
    return [json.loads(match) for match in _TEXT.findall(response.text) if json.loads(match)]


async def upload_file(user: User, path: str, marker: str, content: bytes, name: str) -> None:
    """Open the page and drop one file on its uploader (the one marked `marker`)."""
    await user.open(path)
    await see(user, marker=marker)
    (uploader,) = user.find(marker=marker).elements
    assert isinstance(uploader, ui.upload)
    with user.client:  # type: ignore[union-attr]
        await uploader.handle_uploads([SmallFileUpload(name, "text/csv", content)])
