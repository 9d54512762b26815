"""Production refuses to start with development settings."""

import pytest

from portal import create_app
from portal.config import UnsafeConfiguration

GOOD_PRODUCTION = {
    "ENV": "production",
    "DATABASE_URL": "postgresql+psycopg://polku@db.internal/polku",
    "SECRET_KEY": "x" * 48,
    "DEV_IDP_ENABLED": False,
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
}


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"DATABASE_URL": "sqlite:///polku.sqlite3"}, "PostgreSQL"),
        ({"SECRET_KEY": "polku-development-secret-key-do-not-use-in-production"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DEBUG": True}, "debug"),
        ({"DEV_IDP_ENABLED": True}, "development identity provider"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
    ],
)
def test_production_refuses_unsafe_settings(override, complaint):
    with pytest.raises(UnsafeConfiguration, match=complaint):
        create_app({**GOOD_PRODUCTION, **override})


def test_production_refuses_development_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    with pytest.raises(UnsafeConfiguration, match="PostgreSQL"):
        create_app()


def test_environment_variables_configure_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite3")
    monkeypatch.setenv("PORTAL_RATELIMIT_ENABLED", "false")
    app = create_app()
    assert app.config["DATABASE_URL"].endswith("env.sqlite3")
    assert app.config["RATELIMIT_ENABLED"] is False
