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


def test_production_uses_a_host_prefixed_secure_cookie(tmp_path):
    from joserfc.jwk import RSAKey

    keys = {}
    for name in ("signing", "encryption"):
        path = tmp_path / f"{name}.pem"
        path.write_bytes(RSAKey.generate_key(2048, private=True).as_pem(private=True))
        keys[name] = str(path)
    oidc = tmp_path / "oidc.toml"
    oidc.write_text(
        '[providers.ftn]\naudience = "client"\nclient_id = "polku"\n'
        'discovery_url = "https://broker.example/.well-known/openid-configuration"\n'
        '[providers.staff]\naudience = "staff"\nclient_id = "polku-staff"\n'
        'discovery_url = "https://login.example/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    app = create_app(
        {
            **GOOD_PRODUCTION,
            "FIELD_ENCRYPTION_KEY": "A" * 43 + "=",
            "LOOKUP_HMAC_KEY": "B" * 43 + "=",
            "AUDIT_HMAC_KEY": "c" * 48,
            "SMS_GATEWAY": "some.gateway:Gateway",
            "SIGNING_KEY": keys["signing"],
            "ENCRYPTION_KEY": keys["encryption"],
            "OIDC_CONFIG": str(oidc),
        }
    )
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-polku"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert "devidp.discovery" not in app.view_functions
    assert "devtools.outbox" not in app.view_functions


def test_numbers_and_lists_from_the_environment_take_the_settings_kind(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite3")
    monkeypatch.setenv("PORTAL_SESSION_IDLE_MINUTES", "3")
    monkeypatch.setenv("PORTAL_SESSION_WARNING_SECONDS", " 150 ")
    monkeypatch.setenv("PORTAL_BOOKING_REMINDER_HOURS", "48, 3")
    monkeypatch.setenv("PORTAL_CSP_FORM_ACTION", "https://idp.example, https://login.example")
    monkeypatch.setenv("PORTAL_SMTP_PASSWORD", "0")
    monkeypatch.setenv("PORTAL_DEV_IDP_ENABLED", "0")
    app = create_app()
    assert app.config["SESSION_IDLE_MINUTES"] == 3
    assert app.config["SESSION_WARNING_SECONDS"] == 150
    assert app.config["BOOKING_REMINDER_HOURS"] == [48, 3]
    assert app.config["CSP_FORM_ACTION"] == ["https://idp.example", "https://login.example"]
    assert app.config["SMTP_PASSWORD"] == "0", "a password of digits stays text"
    assert app.config["DEV_IDP_ENABLED"] is False


@pytest.mark.parametrize(
    ("name", "value", "complaint"),
    [
        ("SESSION_IDLE_MINUTES", "half an hour", "PORTAL_SESSION_IDLE_MINUTES must be a whole number"),
        ("RATELIMIT_ENABLED", "maybe", "PORTAL_RATELIMIT_ENABLED must be true or false"),
        ("BOOKING_REMINDER_HOURS", "24,two", "PORTAL_BOOKING_REMINDER_HOURS must be whole numbers"),
    ],
)
def test_a_value_of_the_wrong_kind_stops_the_start_and_names_it(monkeypatch, name, value, complaint):
    monkeypatch.setenv(f"PORTAL_{name}", value)
    with pytest.raises(UnsafeConfiguration, match=complaint):
        create_app()
