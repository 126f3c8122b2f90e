"""OpenID Connect single sign-on through Authlib: the providers configured in
PORTICO_OIDC_PROVIDERS, each a "Sign in with ..." button on the sign-in page.

    GET /login/sso/{name}?next=/claims   -> the provider's authorization endpoint
    GET /auth/sso/{name}/callback        <- the provider sends the browser back here

Authlib keeps `state`, `nonce` and the PKCE code_verifier (S256) in the signed session cookie
between the two requests and, at the callback, refuses a state it did not issue (or already
used), exchanges the code, and validates the ID token's signature (the provider's JWKS), issuer,
audience, expiry and nonce. domain/sso.py then decides which account the identity is. The
first factor has passed: MFA still follows for those who need it (ui/sign_in_flow.py), so an
admin's sign-in through a provider is as strong as with a password and a code, whatever the
provider itself checked.

Every refusal sends the browser to /login?sso=failed, which shows one generic message; the
reason is audited ("sso_failed"), never shown.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui

from domain.sso import (
    SSO_FAILED,
    SsoIdentity,
    SsoRefusal,
    record_sso_failure,
    sign_in_with_identity,
)
from storage.settings import OidcProvider, get_settings
from ui import clock, session, sign_in_flow
from ui.data import call

logger = logging.getLogger(__name__)

START_PATH = "/login/sso/{name}"
CALLBACK_PATH = "/auth/sso/{name}/callback"
CALLBACK_ROUTE = "sso_callback"
FAILED_FLAG = "sso"  # /login?sso=failed
_NEXT_KEY = "sso_next"  # request.session: where to go once signed in

# One Authlib registry per composed app (main.py is re-run for every UI test).
_oauth: OAuth | None = None


def configured_providers() -> list[OidcProvider]:
    return list(get_settings().oidc_providers)


def register() -> None:
    """Register every configured provider with Authlib, and the two routes."""
    global _oauth
    _oauth = OAuth()
    for provider in configured_providers():
        _oauth.register(
            name=provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret or None,
            server_metadata_url=provider.issuer.rstrip("/") + "/.well-known/openid-configuration",
            client_kwargs={
                "scope": provider.scope,
                "code_challenge_method": "S256",
                # A public client (no secret) authenticates at the token endpoint by PKCE alone.
                "token_endpoint_auth_method": (
                    "client_secret_basic" if provider.client_secret else "none"
                ),
            },
        )
    app.get(START_PATH, include_in_schema=False)(start_sign_in)
    app.get(CALLBACK_PATH, include_in_schema=False, name=CALLBACK_ROUTE)(finish_sign_in)


def start_url(name: str, next_path: str) -> str:
    url = START_PATH.format(name=quote(name, safe=""))
    return url if next_path == session.HOME else f"{url}?next={quote(next_path, safe='/')}"


def failed_url() -> str:
    return f"{session.LOGIN}?{FAILED_FLAG}=failed"


def sso_buttons(next_path: str) -> None:
    """The sign-in page's part: the failure message after a refused single sign-on, and a
    "Sign in with <label>" button per provider (nothing when none is configured)."""
    request = ui.context.client.request
    if request.query_params.get(FAILED_FLAG) == "failed":
        ui.label(SSO_FAILED).props('role="alert"').classes(
            "text-negative text-sm mt-4 font-medium"
        ).mark("sso-error")
    providers = configured_providers()
    if not providers:
        return
    with ui.row().classes("w-full items-center gap-3 my-5 no-wrap"):
        ui.element("div").classes("h-px bg-slate-200 grow")
        ui.label("or").classes("text-sm portico-muted")
        ui.element("div").classes("h-px bg-slate-200 grow")
    for provider in providers:
        button = (
            ui.button(f"Sign in with {provider.label}", icon="login")
            .props("outline no-caps size=lg")
            .classes("w-full mb-2")
            .mark(f"sso-{provider.name}")
        )
        # A real link (Quasar renders an <a>): the browser leaves for the provider by itself.
        button.props["href"] = start_url(provider.name, next_path)


def _client(name: str) -> tuple[OidcProvider, StarletteOAuth2App] | None:
    provider = next((p for p in configured_providers() if p.name == name), None)
    if provider is None or _oauth is None:
        return None
    client = _oauth.create_client(name)
    return (provider, client) if client is not None else None


async def _refuse(request: Request, name: str, reason: SsoRefusal) -> RedirectResponse:
    logger.warning("single sign-on through %r refused: %s", name[:40], reason.value)
    await call(
        record_sso_failure,
        provider=name,
        reason=reason,
        at=clock.now(),
        source_ip=request.client.host if request.client else "",
    )
    return RedirectResponse(failed_url(), status_code=303)


async def start_sign_in(request: Request, name: str, next: str = session.HOME) -> RedirectResponse:
    found = _client(name)
    if found is None:
        return await _refuse(request, name, SsoRefusal.UNKNOWN_PROVIDER)
    _provider, client = found
    request.session[_NEXT_KEY] = session.safe_next(next)
    callback = str(request.url_for(CALLBACK_ROUTE, name=name))
    try:
        response = await client.authorize_redirect(request, callback)
    except Exception as error:  # the provider is down or its discovery document is unreadable
        logger.warning("single sign-on through %r: %s", name, type(error).__name__)
        return await _refuse(request, name, SsoRefusal.PROVIDER_ERROR)
    assert isinstance(response, RedirectResponse)
    return response


async def finish_sign_in(request: Request, name: str) -> RedirectResponse:
    found = _client(name)
    if found is None:
        return await _refuse(request, name, SsoRefusal.UNKNOWN_PROVIDER)
    provider, client = found
    try:
        token = await client.authorize_access_token(request)
    except MismatchingStateError:  # not started here, started in another browser, or replayed
        return await _refuse(request, name, SsoRefusal.STATE_MISMATCH)
    except OAuthError:  # an error from the provider, a refused code, a bad ID token
        return await _refuse(request, name, SsoRefusal.PROVIDER_ERROR)
    except Exception as error:  # the token endpoint or JWKS unreachable, an undecodable token
        logger.warning("single sign-on through %r: %s", name, type(error).__name__)
        return await _refuse(request, name, SsoRefusal.PROVIDER_ERROR)
    claims = token.get("userinfo")  # set only when an ID token came and validated
    if not claims or not claims.get("sub"):
        return await _refuse(request, name, SsoRefusal.PROVIDER_ERROR)
    verified = claims.get("email_verified")
    identity = SsoIdentity(
        provider=name,
        subject=str(claims["sub"]),
        email=claims.get("email") if isinstance(claims.get("email"), str) else None,
        # Some providers send the claim as a string.
        email_verified=verified is True or verified == "true",
    )
    user_id = await call(
        sign_in_with_identity,
        identity=identity,
        link_by_email=provider.link_by_email,
        at=clock.now(),
        source_ip=request.client.host if request.client else "",
    )
    if user_id is None:  # audited by the use case, with its reason
        return RedirectResponse(failed_url(), status_code=303)
    next_path = session.safe_next(request.session.pop(_NEXT_KEY, None))
    url = await sign_in_flow.first_factor_passed(
        user_id, method=f"oidc:{name}", next_path=next_path
    )
    return RedirectResponse(url, status_code=303)
