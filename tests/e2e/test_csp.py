"""The Content-Security-Policy in a real browser: the pages NiceGUI draws (Vue templates, inline
start-up scripts, Quasar styles), the reports' Plotly charts, the MFA QR code (an SVG data:
URL) and the audit log all load with no violation, and the policy and the other security
headers are on what the browser receives."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.e2e.harness import home_heading, page_drawn, sign_in

# Recorded from the first script on: every violation the browser reports, whatever blocked it.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(
    event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline') + ' at ' +
    event.sourceFile + ':' + event.lineNumber);
});
"""


def _watched(browser: Browser, portal: str) -> tuple[Page, list[str]]:
    context = browser.new_context(base_url=portal, viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(20_000)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    console: list[str] = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    return page, console


def _violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__cspViolations || []"))


def _open(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, f"{path} answered {response and response.status}"
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"
    page_drawn(page)


def test_pages_charts_and_the_qr_code_load_without_csp_violations(
    browser: Browser, portal: str
) -> None:
    page, console = _watched(browser, portal)
    try:
        page.goto("/login")
        expect(page.get_by_label("Email")).to_be_visible()

        sign_in(page, "admin@riverside.example")
        home_heading(page)  # the practice admin's home is the dashboard
        expect(page.locator(".js-plotly-plot").first).to_be_visible()
        # Plotly has drawn into the chart (its SVG layer), not only mounted the element.
        expect(page.locator(".js-plotly-plot .main-svg").first).to_be_attached()
        for path in ("/reports/denials", "/reports/aging", "/claims", "/eligibility", "/audit"):
            _open(page, path)
        expect(page.get_by_role("table").first).to_be_visible()
        page.locator(".q-select").first.click()  # a Quasar menu: inline styles and transitions
        page.keyboard.press("Escape")
        assert _violations(page) == []

        page.goto("/logout")
        sign_in(page, "billing@riverside.example")
        home_heading(page)
        _open(page, "/account/security")
        page.get_by_role("button", name="Set up").first.click()
        qr = page.locator("img[alt^='QR code']")
        expect(qr).to_be_visible()
        # The data: image really rendered (a blocked image has no natural size).
        assert qr.evaluate("image => image.complete && image.naturalWidth > 0")
        assert _violations(page) == []
        assert console == []
    finally:
        page.context.close()
