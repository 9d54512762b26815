"""Production refuses to start with development settings."""

import pytest
from flask import request

from portal import create_app
from portal.config import UnsafeConfiguration
from portal.identity.access import public

GOOD_PRODUCTION = {
    "ENV": "production",
    "DATABASE_URL": "postgresql+psycopg://polku@db.internal/polku",
    "SECRET_KEY": "x" * 48,
    "DEV_IDP_ENABLED": False,
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "PUBLIC_BASE_URL": "https://polku.example",
    "SMTP_STARTTLS": True,
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
        ({"PUBLIC_BASE_URL": "http://polku.example"}, "PUBLIC_BASE_URL must be the portal's https"),
        ({"PUBLIC_BASE_URL": "http://127.0.0.1:5000"}, "PUBLIC_BASE_URL"),
        ({"SMTP_STARTTLS": False}, "mail must be sent encrypted"),
        ({"DATABASE_ECHO": True}, "DATABASE_ECHO must be off"),
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


@pytest.mark.parametrize("typed", ["Production", "prod", "staging"])
def test_an_environment_name_that_is_not_one_of_the_three_stops_the_start(monkeypatch, typed):
    # Taken for development, it would open the development sign-in to anyone.
    monkeypatch.setenv("PORTAL_ENV", typed)
    with pytest.raises(
        UnsafeConfiguration, match="PORTAL_ENV must be one of development, testing, production"
    ):
        create_app()


def test_a_misspelt_setting_stops_the_start_and_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite3")
    monkeypatch.setenv("PORTAL_SESSION_IDLE_MINUTE", "5")
    with pytest.raises(UnsafeConfiguration, match="Unknown settings: PORTAL_SESSION_IDLE_MINUTE"):
        create_app()


def test_the_test_tools_variables_are_not_taken_for_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite3")
    monkeypatch.setenv("PORTAL_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/test")
    monkeypatch.setenv("PORTAL_CHROMIUM", "/usr/bin/chromium")
    assert "TEST_DATABASE_URL" not in create_app().config


@pytest.mark.parametrize("word", ["on", "no", "true", "0"])
def test_mail_account_settings_are_text_whatever_they_look_like(monkeypatch, tmp_path, word):
    monkeypatch.setenv("PORTAL_DATABASE_URL", f"sqlite:///{tmp_path}/env.sqlite3")
    monkeypatch.setenv("PORTAL_SMTP_USERNAME", word)
    monkeypatch.setenv("PORTAL_SMTP_PASSWORD", word)
    config = create_app().config
    assert config["SMTP_USERNAME"] == word
    assert config["SMTP_PASSWORD"] == word


def test_behind_a_trusted_proxy_the_client_address_and_https_come_from_its_headers(tmp_path):
    app = create_app(
        {"ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path}/p.sqlite3", "TRUSTED_PROXIES": 1}
    )

    @public
    def seen():
        return f"{request.remote_addr} {request.scheme}"

    app.add_url_rule("/_seen", view_func=seen)
    headers = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}
    assert app.test_client().get("/_seen", headers=headers).get_data(as_text=True) == "198.51.100.7 https"
    untrusted = create_app({"ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path}/u.sqlite3"})
    untrusted.add_url_rule("/_seen", view_func=seen)
    assert untrusted.test_client().get("/_seen", headers=headers).get_data(as_text=True) == "127.0.0.1 http"
