"""Configuration: one prefix, sane defaults, and production refuses a default secret."""

import pytest

from storage.settings import DEFAULT_SECRET, InsecureConfiguration, Settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "PORT", "ENV", "SECRET", "HOST"):
        monkeypatch.delenv(f"PORTICO_{name}", raising=False)
    settings = Settings()
    assert settings.database_url == "sqlite:///./portico.db"
    assert settings.port == 8080
    assert settings.env == "development"


def test_environment_variables_use_the_portico_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTICO_PORT", "9001")
    monkeypatch.setenv("PORTICO_DATABASE_URL", "postgresql://db/portico")
    settings = Settings()
    assert settings.port == 9001
    assert settings.database_url == "postgresql://db/portico"


@pytest.mark.parametrize("secret", [None, DEFAULT_SECRET, "", "short"])
def test_production_refuses_a_missing_default_or_short_secret(
    monkeypatch: pytest.MonkeyPatch, secret: str | None
) -> None:
    monkeypatch.setenv("PORTICO_ENV", "production")
    if secret is None:
        monkeypatch.delenv("PORTICO_SECRET", raising=False)
    else:
        monkeypatch.setenv("PORTICO_SECRET", secret)
    with pytest.raises(InsecureConfiguration, match="PORTICO_SECRET"):
        Settings()


def test_production_starts_with_a_real_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTICO_ENV", "production")
    monkeypatch.setenv("PORTICO_SECRET", "x" * 48)
    assert Settings().is_production
