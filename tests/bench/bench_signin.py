"""Sign-in-to-home time in a real browser, against loading the bare sign-in page in the same run."""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.harness import (
    REPO,
    chromium,
    home_heading,
    page_drawn,
    portal_env,
    running_portal,
    submit_sign_in,
)

# Its own pytest process (make bench runs `-m e2e` separately): Playwright's sync API cannot
# share a process with the async NiceGUI `user` benchmarks.
pytestmark = pytest.mark.e2e

RUNS = int(os.environ.get("BENCH_SIGNIN_RUNS", "20"))
# The first loads fill the browser's cache and warm the server's imports; they are not measured.
WARM_UP_RUNS = 2


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The portal on the full demo data set (plus BENCH_CLAIMS generated claims when set)."""
    workdir = tmp_path_factory.mktemp("bench-signin")
    database_url = f"sqlite:///{workdir / 'portico.db'}"
    env = portal_env(database_url)
    subprocess.run([sys.executable, "main.py", "seed", "--demo"], cwd=REPO, env=env, check=True)
    if os.environ.get("BENCH_CLAIMS"):
        subprocess.run(
            [sys.executable, "main.py", "seed", "--claims", os.environ["BENCH_CLAIMS"]],
            cwd=REPO,
            env=env,
            check=True,
        )
    with running_portal(database_url, workdir / "portal.log") as base_url:
        yield base_url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def p95(samples: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(samples)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def load_sign_in_page(page: Page) -> float:
    started = time.perf_counter()
    page.goto("/login")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    return time.perf_counter() - started


def sign_in_to_home(page: Page, email: str) -> tuple[float, float]:
    """From the form on screen: fill it, click Sign in; seconds until the home's h1 is visible,
    and until the home has also filled in what it draws after connecting."""
    started = time.perf_counter()
    submit_sign_in(page, email)
    home_heading(page)
    heading_shown = time.perf_counter() - started
    page_drawn(page)
    return heading_shown, time.perf_counter() - started


def report(label: str, samples: list[float]) -> str:
    return (
        f"{label:<34} median {statistics.median(samples) * 1000:7.0f} ms"
        f"   p95 {p95(samples) * 1000:7.0f} ms   (n={len(samples)})"
    )


@pytest.mark.parametrize("email", ["billing@riverside.example", "examiner@plan.example"])
def test_sign_in_to_home(browser: Browser, portal: str, email: str) -> None:
    baseline: list[float] = []
    signin: list[float] = []
    drawn: list[float] = []
    for run in range(WARM_UP_RUNS + RUNS):
        # A fresh context per run: no session cookie, as for someone arriving at the portal.
        context = browser.new_context(base_url=portal)
        context.set_default_timeout(30_000)
        try:
            page = context.new_page()
            page_load = load_sign_in_page(page)
            to_heading, to_drawn = sign_in_to_home(page, email)
        finally:
            context.close()
        if run >= WARM_UP_RUNS:
            baseline.append(page_load)
            signin.append(to_heading)
            drawn.append(to_drawn)
    ratio = statistics.median(signin) / statistics.median(baseline)
    print()
    print(f"sign-in bench, {email}")
    print(report("  baseline: /login until its form", baseline))
    print(report("  sign in until the home's h1", signin))
    print(report("  sign in until the home is drawn", drawn))
    print(f"  ratio of medians (sign-in / baseline): {ratio:.2f}")
