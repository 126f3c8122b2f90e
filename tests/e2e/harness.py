"""Real-browser harness: the portal in a subprocess on its own database, and Debian's chromium."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("PORTICO_CHROMIUM", "/usr/bin/chromium"))
# Playwright's bundled browsers cannot be downloaded here; these flags keep Debian's chromium
# from phoning home (updates, sync, QUIC) and let it run as root in a container.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "portico-demo"
STARTUP_TIMEOUT_S = 90.0
# Variables that make a child believe it runs under pytest or NiceGUI's simulated user, which
# would make main.py skip the command line and NiceGUI skip binding the port.
_TEST_ONLY_ENV = {"PYTEST_CURRENT_TEST", "NICEGUI_USER_SIMULATION", "PYTEST_VERSION"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def portal_env(database_url: str, port: int | None = None) -> dict[str, str]:
    """The environment for `python main.py ...` on this database (and port, when serving)."""
    env = {name: value for name, value in os.environ.items() if name not in _TEST_ONLY_ENV}
    env.update(
        PORTICO_DATABASE_URL=database_url,
        PORTICO_HOST="127.0.0.1",
        PORTICO_SEED_DEMO_ON_START="false",
        PORTICO_SCHEDULER_ENABLED="false",
        PYTHONUNBUFFERED="1",
    )
    if port is not None:
        env["PORTICO_PORT"] = str(port)
    return env


def log_tail(log_path: Path, lines: int = 60) -> str:
    text = log_path.read_text(errors="replace") if log_path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


@contextmanager
def running_portal(
    database_url: str,
    log_path: Path,
    *,
    seed_demo_on_start: bool = False,
    scheduler: bool = False,
    status_refresh_seconds: float = 1,
    payment_cycle_seconds: float | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[str]:
    """Serve `python main.py` on a free port; yield its base URL once /healthz answers 200.
    `extra_env`: more PORTICO_* settings, e.g. short session timeouts."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = portal_env(database_url, port)
    env["PORTICO_SEED_DEMO_ON_START"] = str(seed_demo_on_start).lower()
    # The status job only where a journey wants claims to move on their own.
    env["PORTICO_SCHEDULER_ENABLED"] = str(scheduler).lower()
    env["PORTICO_STATUS_REFRESH_SECONDS"] = str(status_refresh_seconds)
    if payment_cycle_seconds is not None:
        env["PORTICO_PAYMENT_CYCLE_SECONDS"] = str(payment_cycle_seconds)
    env.update(extra_env or {})
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "main.py"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(base_url, process, log_path)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    last_problem = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the portal exited with status {process.returncode} before answering "
                f"/healthz:\n{log_tail(log_path)}"
            )
        try:
            response = httpx.get(f"{base_url}/healthz", timeout=2.0)
            if response.status_code == 200:
                return
            last_problem = f"/healthz answered {response.status_code}"
        except httpx.TransportError as error:
            last_problem = repr(error)
        # Poll interval while uvicorn binds the port; the deadline above bounds the wait.
        time.sleep(0.1)
    raise TimeoutError(
        f"the portal did not answer /healthz within {STARTUP_TIMEOUT_S:.0f}s ({last_problem}):\n"
        f"{log_tail(log_path)}"
    )


@contextmanager
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        raise FileNotFoundError(
            f"{CHROMIUM} is missing: run `make install` as root, or "
            "`apt-get install chromium chromium-driver` (never `playwright install`)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Open the sign-in page and submit the form; the caller waits for where it should land."""
    page.goto("/login")
    submit_sign_in(page, email, password)


def submit_sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Fill and submit the sign-in form already on the page; when the portal then asks for an
    authentication code (MFA), type the account's next one."""
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    code = page.get_by_label("Authentication code")
    # The three ways a submit ends: the MFA step, a refusal (role=alert), or a signed-in page.
    code.or_(page.get_by_role("alert")).or_(page.locator(".portico-page")).first.wait_for()
    if code.is_visible():
        enter_second_factor(page, email)
        page.get_by_role("button", name="Verify").click()


def enter_second_factor(page: Page, email: str) -> None:
    """Type the account's next TOTP code; when the steps the server accepts right now are used up
    (the browser suite signs the same admin in many times within one 30-second step), switch
    the page to recovery codes and give the next unused one."""
    from tests.mfa_codes import NoCodeLeft, next_code, next_recovery_code

    try:
        page.get_by_label("Authentication code").fill(next_code(email))
    except NoCodeLeft:
        page.get_by_role("button", name="Use a recovery code instead").click()
        page.get_by_label("Recovery code").fill(next_recovery_code(email))


# A practice admin's home is the dashboard, where / redirects them.
HOME_URL = re.compile(r"^https?://[^/]+/(reports)?(\?.*)?$")


def home_heading(page: Page) -> Locator:
    """Wait until the browser is on a role's home (/, or /reports for a practice admin) and its
    h1 shows; return the h1.

    The URL comes first because the sign-in page has an h1 of its own."""
    expect(page).to_have_url(HOME_URL)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_be_visible()
    return heading


def page_drawn(page: Page) -> None:
    """Wait until the signed-in page has finished drawing what it fills in after connecting.

    ui/frame.py marks the page body aria-busy="true" until the page function returns; waiting
    for "false" (not for the attribute to vanish) fails loudly if that contract ever breaks."""
    expect(
        page.locator(".portico-page"),
        'the page body (.portico-page) never said aria-busy="false"; ui/frame.py marks it busy '
        "while the page draws and not busy once the page function has returned",
    ).to_have_attribute("aria-busy", "false")
