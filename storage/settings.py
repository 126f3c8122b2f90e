"""Runtime configuration: environment variables with the PORTICO_ prefix, read once."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "portico-development-secret-change-me"  # noqa: S105 (refused in production)


class InsecureConfiguration(RuntimeError):
    """Raised when production is started with a configuration that would leak PHI."""


class OidcProvider(BaseModel):
    """One OpenID Connect identity provider (ui/oidc.py registers it with Authlib)."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")  # in URLs: /login/sso/NAME
    label: str
    issuer: str  # its /.well-known/openid-configuration is read from here
    client_id: str
    client_secret: str = ""
    scope: str = "openid email profile"
    # Link a first sign-in to an existing account by the provider's verified email; off by
    # default, so only an admin-provisioned link (provider + sub) admits a user.
    link_by_email: bool = False


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTICO_", env_file=None, extra="ignore")

    database_url: str = "sqlite:///./portico.db"
    host: str = "127.0.0.1"
    port: int = 8080
    secret: str = DEFAULT_SECRET
    env: Literal["development", "production"] = "development"
    # Seed the demo practices on start when the database is empty (make run sets it).
    seed_demo_on_start: bool = False
    # The status-refresh job (jobs/status_refresh.py). Off in the test fixtures, so a test only
    # sees the pipeline move claims when it asks for that.
    scheduler_enabled: bool = True
    # Cadence in seconds: minutes in production, a few seconds for the demo (make run sets 5).
    status_refresh_seconds: float = Field(default=300, gt=0)
    # Claims advanced per transaction, and transactions per run, so one run stays bounded and
    # the next run picks up where it stopped.
    status_refresh_batch_size: int = Field(default=100, gt=0)
    status_refresh_max_batches: int = Field(default=100, gt=0)
    # A payment run (remittances for finalized claims) when this long has passed since the last.
    payment_cycle_seconds: float = Field(default=3600, gt=0)
    # Where appeal attachments are kept (storage/attachments.py). Empty: an "attachments" folder
    # beside the SQLite database, or ./data/attachments. Never a folder the web server serves.
    attachments_dir: str = ""

    # Sessions (domain/user_sessions.py): idle and absolute timeouts, and how long before the
    # idle timeout the "Stay signed in?" dialog appears.
    session_idle_minutes: float = Field(default=15, gt=0)
    session_absolute_hours: float = Field(default=12, gt=0)
    session_warning_seconds: float = Field(default=120, gt=0)
    # Sign-in throttling (domain/auth.py): after this many failures in a row the account is
    # locked for lockout_minutes; before that each failure adds a growing delay.
    sign_in_lockout_failures: int = Field(default=10, gt=0)
    sign_in_lockout_minutes: float = Field(default=15, gt=0)
    # MFA (domain/mfa.py): admins always need a second factor; this extends it to everyone.
    mfa_required_for_all: bool = False
    # One-time links (invitations, password resets) stay valid this long.
    one_time_link_hours: float = Field(default=72, gt=0)
    # OpenID Connect providers, as JSON in PORTICO_OIDC_PROVIDERS, e.g.
    # [{"name": "okta", "label": "Okta", "issuer": "https://example.okta.com",
    #   "client_id": "...", "client_secret": "...", "link_by_email": false}]
    oidc_providers: list[OidcProvider] = Field(default_factory=list)

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.env == "production" and (not self.secret or self.secret == DEFAULT_SECRET):
            raise InsecureConfiguration(
                "PORTICO_SECRET must be set to a long random value when PORTICO_ENV=production "
                "(it signs session cookies). Generate one with: "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        if self.env == "production" and len(self.secret) < 32:
            raise InsecureConfiguration(
                "PORTICO_SECRET must be at least 32 characters in production."
            )
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"


@lru_cache
def get_settings() -> Settings:
    return Settings()
