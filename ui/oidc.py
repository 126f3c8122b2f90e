"""OpenID Connect single sign-on through Authlib: the providers configured in
PORTICO_OIDC_PROVIDERS, each a button on the sign-in page."""

from __future__ import annotations

from storage.settings import OidcProvider, get_settings


def configured_providers() -> list[OidcProvider]:
    return list(get_settings().oidc_providers)
