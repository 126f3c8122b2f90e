"""Single sign-on against a real OpenID Connect provider on loopback (oidc-provider-mock), with the
portal running as its own process and a client that follows the real redirects.

The provider is served as `localhost` and the portal as `127.0.0.1`, so their cookies never mix.
Each journey starts at /login/sso/{name}, answers the provider's authorization form as a person
would (POST the subject), and brings the provider's redirect back to the portal's callback:
Authlib there checks state, PKCE, nonce and the ID token's signature, issuer and audience.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from oidc_provider_mock import User as ProviderUser
from oidc_provider_mock import run_server_in_thread
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from domain.audit import AuditEvent
from domain.external_identities import ExternalIdentity
from domain.sso import SSO_FAILED
from domain.users import User
from storage.db import make_engine
from tests.e2e.harness import running_portal

BILLER = "billing@riverside.example"
ADMIN = "admin@riverside.example"
FRONT_DESK = "frontdesk@riverside.example"
FAILED = "/login?sso=failed"


@dataclass(frozen=True)
class Portal:
    url: str
    engine: Engine


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    users = [
        ProviderUser(sub="kim-at-idp", claims={"email": BILLER, "email_verified": True}),
        ProviderUser(sub="denise-at-idp", claims={"email": ADMIN, "email_verified": True}),
        ProviderUser(sub="stranger-at-idp", claims={"email": "someone@else.example"}),
        ProviderUser(sub="tamara-at-idp", claims={"email": FRONT_DESK, "email_verified": True}),
        ProviderUser(
            sub="tamara-unverified", claims={"email": FRONT_DESK, "email_verified": False}
        ),
    ]
    with run_server_in_thread(user_claims=users, require_nonce=True) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def portal(
    provider: str, demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Portal]:
    folder = tmp_path_factory.mktemp("oidc")
    database = folder / "portico.db"
    shutil.copyfile(demo_template, database)
    engine = make_engine(f"sqlite:///{database}")
    _link(engine, BILLER, "mock", "kim-at-idp")  # as an admin would (domain/sso.link_identity)
    _link(engine, ADMIN, "mock", "denise-at-idp")
    providers = [
        {"name": "mock", "label": "Mock IdP", "issuer": provider, "client_id": "portico",
         "client_secret": "portico-client-secret"},
        # The same provider trusted to link a first sign-in by verified email.
        {"name": "mockmail", "label": "Mock IdP (email)", "issuer": provider,
         "client_id": "portico-mail", "client_secret": "portico-client-secret",
         "link_by_email": True},
    ]  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORTICO_OIDC_PROVIDERS", json.dumps(providers))
        with running_portal(f"sqlite:///{database}", folder / "portal.log") as url:
            yield Portal(url, engine)
    engine.dispose()


def _link(engine: Engine, email: str, provider: str, subject: str) -> None:
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        assert user.id is not None
        session.add(
            ExternalIdentity(
                provider=provider,
                subject=subject,
                user_id=user.id,
                created_at=datetime.now(UTC),
            )
        )
        session.commit()


@pytest.fixture
def browser(portal: Portal) -> Iterator[httpx.Client]:
    """A fresh browser: its own cookies, redirects followed one at a time by the test."""
    with httpx.Client(base_url=portal.url, follow_redirects=False, timeout=20) as client:
        yield client


def _sso_failures(portal: Portal) -> list[str]:
    with Session(portal.engine) as session:
        return list(
            session.exec(
                select(AuditEvent.detail)
                .where(AuditEvent.action == "sso_failed")
                .order_by(col(AuditEvent.id))
            ).all()
        )


def _location(response: httpx.Response) -> str:
    assert response.is_redirect, (response.status_code, response.text[:500])
    return response.headers["location"]


def _authorize(browser: httpx.Client, provider_name: str, subject: str, next_path: str) -> str:
    """Start single sign-on and sign in at the provider as `subject`; the callback URL the
    provider redirects the browser to."""
    authorize_url = _location(browser.get(f"/login/sso/{provider_name}?next={next_path}"))
    query = parse_qs(urlsplit(authorize_url).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["state"] and query["nonce"]
    callback = _location(browser.post(authorize_url, data={"sub": subject}))
    assert urlsplit(callback).path == f"/auth/sso/{provider_name}/callback"
    return callback


def _follow(browser: httpx.Client, url: str) -> str:
    """Follow redirects within the portal; the path of the page that finally answers 200."""
    for _ in range(5):
        response = browser.get(url)
        if response.status_code == 200:
            return url
        url = _location(response)
    raise AssertionError(f"too many redirects, last {url}")


def _refused(browser: httpx.Client, response: httpx.Response, *, signed_in: bool = False) -> None:
    """Sent to the sign-in page with the one generic message (a browser that is signed in
    already is sent on from there, as the sign-in page always does)."""
    assert _location(response) == FAILED
    page = browser.get(FAILED)
    if signed_in:
        assert page.is_redirect
        return
    assert page.status_code == 200
    assert SSO_FAILED in page.text, "the sign-in page should show the generic SSO message"


def test_a_linked_subject_signs_in_and_lands_where_it_was_going(
    portal: Portal, browser: httpx.Client
) -> None:
    callback = _authorize(browser, "mock", "kim-at-idp", "/claims")
    landed = _follow(browser, callback)
    assert landed == "/claims"
    assert browser.get("/claims").status_code == 200  # a signed-in page, not the sign-in page
    with Session(portal.engine) as session:
        link = session.exec(
            select(ExternalIdentity).where(ExternalIdentity.subject == "kim-at-idp")
        ).one()
        assert link.last_used_at is not None


def test_an_admin_signing_in_through_the_provider_still_gives_a_code(
    portal: Portal, browser: httpx.Client
) -> None:
    callback = _authorize(browser, "mock", "denise-at-idp", "/")
    assert _location(browser.get(callback)) == "/mfa"
    assert _location(browser.get("/reports")).startswith("/login")  # no session yet


def test_a_wrong_state_is_refused(portal: Portal, browser: httpx.Client) -> None:
    callback = _authorize(browser, "mock", "kim-at-idp", "/")
    parts = urlsplit(callback)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query["state"] = "forged-" + query["state"]
    forged = urlunsplit(parts._replace(query=urlencode(query)))
    _refused(browser, browser.get(forged))
    assert _sso_failures(portal)[-1] == "mock: state_mismatch"


def test_a_callback_from_another_browser_is_refused(portal: Portal, provider: str) -> None:
    """Login CSRF: an attacker's own callback URL planted in a victim's browser."""
    with (
        httpx.Client(base_url=portal.url, follow_redirects=False, timeout=20) as attacker,
        httpx.Client(base_url=portal.url, follow_redirects=False, timeout=20) as victim,
    ):
        callback = _authorize(attacker, "mock", "kim-at-idp", "/")
        _refused(victim, victim.get(callback))
    assert _sso_failures(portal)[-1] == "mock: state_mismatch"


def test_a_replayed_authorization_code_is_refused(portal: Portal, browser: httpx.Client) -> None:
    callback = _authorize(browser, "mock", "kim-at-idp", "/")
    assert _follow(browser, callback) == "/"
    # The same callback again: its state was used up.
    _refused(browser, browser.get(callback), signed_in=True)
    assert _sso_failures(portal)[-1] == "mock: state_mismatch"
    # The used code under a fresh, valid state: the provider refuses the code itself.
    fresh = parse_qs(urlsplit(_location(browser.get("/login/sso/mock"))).query)["state"][0]
    old = urlsplit(callback)
    query = {key: values[0] for key, values in parse_qs(old.query).items()}
    query["state"] = fresh
    replayed = urlunsplit(old._replace(query=urlencode(query)))
    _refused(browser, browser.get(replayed), signed_in=True)
    assert _sso_failures(portal)[-1] == "mock: provider_error"


def test_an_unknown_subject_is_refused(portal: Portal, browser: httpx.Client) -> None:
    callback = _authorize(browser, "mock", "stranger-at-idp", "/")
    _refused(browser, browser.get(callback))
    assert _sso_failures(portal)[-1] == "mock: unknown_subject"
    assert _location(browser.get("/")).startswith("/login")


def test_a_deactivated_user_is_refused(portal: Portal, browser: httpx.Client) -> None:
    _link(portal.engine, "clinical@riverside.example", "mock", "nina-at-idp")
    with Session(portal.engine) as session:
        nina = session.exec(select(User).where(User.email == "clinical@riverside.example")).one()
        nina.is_active = False
        session.add(nina)
        session.commit()
    callback = _authorize(browser, "mock", "nina-at-idp", "/")
    _refused(browser, browser.get(callback))
    assert _sso_failures(portal)[-1] == "mock: deactivated"


def test_the_provider_saying_no_is_refused(portal: Portal, browser: httpx.Client) -> None:
    authorize_url = _location(browser.get("/login/sso/mock"))
    callback = _location(browser.post(authorize_url, data={"action": "deny"}))
    assert "error=access_denied" in callback
    _refused(browser, browser.get(callback))
    assert _sso_failures(portal)[-1] == "mock: provider_error"


def test_an_unconfigured_provider_is_refused(portal: Portal, browser: httpx.Client) -> None:
    _refused(browser, browser.get("/login/sso/nosuch"))
    assert _sso_failures(portal)[-1] == "nosuch: unknown_provider"


def test_a_verified_email_links_a_first_sign_in_where_the_provider_is_trusted_to(
    portal: Portal, browser: httpx.Client
) -> None:
    # Not at the provider that links only by admin...
    _refused(browser, browser.get(_authorize(browser, "mock", "tamara-at-idp", "/")))
    # ...nor with an unverified email...
    _refused(browser, browser.get(_authorize(browser, "mockmail", "tamara-unverified", "/")))
    # ...but with a verified one at the provider configured with link_by_email.
    assert _follow(browser, _authorize(browser, "mockmail", "tamara-at-idp", "/")) == "/"
    with Session(portal.engine) as session:
        link = session.exec(
            select(ExternalIdentity).where(ExternalIdentity.subject == "tamara-at-idp")
        ).one()
        assert link.provider == "mockmail"
        linked = session.exec(select(AuditEvent).where(AuditEvent.action == "sso_linked")).all()
        assert [event.user_id for event in linked] == [link.user_id]
