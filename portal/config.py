"""Configuration: safe development defaults, PORTAL_* from the environment, production guards."""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

# Refused in production by check_production(); only ever a development default.
DEFAULT_SECRET_KEY = "polku-development-secret-key-do-not-use-in-production"  # noqa: S105
DEFAULT_FIELD_KEY = "polku-development-field-key-do-not-use-in-production"
DEFAULT_LOOKUP_KEY = "polku-development-lookup-key-do-not-use-in-production"
DEFAULT_AUDIT_HMAC_KEY = "polku-development-audit-key-do-not-use-in-production"


class UnsafeConfiguration(RuntimeError):
    """Raised when the portal is asked to start with a setting it cannot use: a development setting
    in production, or a value of the wrong kind."""


def defaults(instance_path: str) -> dict[str, Any]:
    db_file = Path(instance_path) / "polku.sqlite3"
    return {
        "ENV": "development",
        "DEBUG": False,
        "TESTING": False,
        "SECRET_KEY": DEFAULT_SECRET_KEY,
        "DATABASE_URL": f"sqlite:///{db_file}",
        "DATABASE_ECHO": False,
        # Forms and uploads stay small; anything larger is refused with a 413 page.
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "BABEL_DEFAULT_LOCALE": "fi",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Helsinki",
        "LANGUAGE_COOKIE": "polku_lang",
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": True,
        # None: on everywhere but production, where it must stay off.
        "DEV_IDP_ENABLED": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_FEEDBACK": "5 per minute;30 per day",
        # Accessibility feedback is deleted this many days after it was marked handled.
        "FEEDBACK_KEEP_DAYS": 365,
        "PREFERRED_URL_SCHEME": "http",
        # How many proxies (load balancer, reverse proxy) stand in front and set X-Forwarded-For,
        # -Proto and -Host; 0: none, the headers are not believed.
        "TRUSTED_PROXIES": 0,
        "CONTACT_FILE": None,
        # Extra origins a form may post or redirect to (the identity providers).
        "CSP_FORM_ACTION": [],
        # Sign-in: providers from a TOML file (see README); without one, the development provider.
        "OIDC_CONFIG": None,
        "SIGNING_KEY": None,
        "ENCRYPTION_KEY": None,
        "SESSION_IDLE_MINUTES": 30,
        "SESSION_MAX_HOURS": 12,
        "SESSION_WARNING_SECONDS": 120,
        "STEP_UP_MINUTES": 10,
        # Consent: the default answer-by date of a new request, and the public verification page's limit.
        "CONSENT_DUE_DAYS": 14,
        "RATELIMIT_CONSENT_VERIFY": "20 per minute;200 per day",
        # Whether the client's "who has used my data" page names the professionals, not only roles.
        "ACCESS_LOG_SHOW_NAMES": True,
        "RATELIMIT_SIGN_IN": "30 per minute",
        "RATELIMIT_BOOKING": "30 per minute;300 per day",
        # Field encryption (hetu, answers) and keyed look-up hashes: 32 random bytes, base64.
        "FIELD_ENCRYPTION_KEY": DEFAULT_FIELD_KEY,
        "LOOKUP_HMAC_KEY": DEFAULT_LOOKUP_KEY,
        # The access log's MAC key lives outside the database, so a database copy cannot re-chain it.
        "AUDIT_HMAC_KEY": DEFAULT_AUDIT_HMAC_KEY,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": 1025,
        "SMTP_STARTTLS": False,
        "SMTP_SSL": False,
        "SMTP_USERNAME": None,
        "SMTP_PASSWORD": None,
        "SMTP_TIMEOUT": 10,
        "MAIL_FROM": "Polku <no-reply@polku.example>",
        "SMS_GATEWAY": "portal.notifications.sms:ConsoleGateway",
        "OUTBOX_MAX_ATTEMPTS": 8,
        # Links in e-mail and SMS are absolute; there is no request to take the host from.
        "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
        # Booking: reminders this many hours before an appointment (a list, or "24,2" from the
        # environment); a video meeting link is shown only in the portal while this is true.
        "BOOKING_REMINDER_HOURS": [24, 2],
        "BOOKING_VIDEO_LINK_SENSITIVE": True,
        # The review queue and the client list count their rows this far and say "more than" beyond
        # it: counting a national caseload's every row took longer than the rest of the page.
        "LIST_COUNT_LIMIT": 1000,
    }


ENVIRONMENTS = ("development", "testing", "production")
# PORTAL_* variables the test and benchmark tools read for themselves: not settings of the portal.
TOOL_VARIABLES = frozenset({"TEST_DATABASE_URL", "CHROMIUM"})
# Settings of the extensions that have no default here but may be given.
EXTENSION_SETTINGS = frozenset({"RATELIMIT_HEADERS_ENABLED", "WTF_CSRF_ENABLED"})


def load(app_config: dict[str, Any], overrides: dict[str, Any] | None) -> None:
    """Layer the environment and then explicit overrides over the defaults."""
    unknown = []
    for key, value in sorted(os.environ.items()):
        if key.startswith("PORTAL_"):
            name = key.removeprefix("PORTAL_")
            if name in TOOL_VARIABLES:
                continue
            if name not in app_config and name not in TYPES and name not in EXTENSION_SETTINGS:
                unknown.append(key)  # a misspelt name would otherwise leave its setting as it was
                continue
            app_config[name] = _parse(name, value, app_config.get(name))
    if unknown:
        raise UnsafeConfiguration(f"Unknown settings: {', '.join(unknown)} (see the README's table)")
    if overrides:
        app_config.update(overrides)
    if app_config["ENV"] not in ENVIRONMENTS:
        # "Production" or "prod" must not start as development, with its sign-in for anyone.
        raise UnsafeConfiguration(
            f"PORTAL_ENV must be one of {', '.join(ENVIRONMENTS)}, not {app_config['ENV']!r}"
        )
    app_config["TESTING"] = app_config["TESTING"] or app_config["ENV"] == "testing"
    if app_config["DEV_IDP_ENABLED"] is None:
        app_config["DEV_IDP_ENABLED"] = app_config["ENV"] != "production"
    if app_config["ENV"] == "production":
        check_production(app_config)


def _is_32_byte_key(value: str) -> bool:
    try:
        return len(base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_")) == 32
    except ValueError:
        return False


TRUE_WORDS = frozenset({"true", "yes", "on", "1"})
FALSE_WORDS = frozenset({"false", "no", "off", "0"})
# Settings whose default (None) does not tell their type.
TYPES: dict[str, type] = {
    "DEV_IDP_ENABLED": bool,
    "WTF_CSRF_TIME_LIMIT": int,
    "SMTP_USERNAME": str,  # "no" or "on" is a user name or a password like any other
    "SMTP_PASSWORD": str,
    "OIDC_CONFIG": str,
    "SIGNING_KEY": str,
    "ENCRYPTION_KEY": str,
    "CONTACT_FILE": str,
}


def _parse(name: str, value: str, default: Any) -> Any:
    """An environment variable as the type of the setting's default: a minute count given as "3"
    must be the number 3 (the pages count with it), and a password of digits stays text."""
    kind = TYPES.get(name) or (type(default) if default is not None else None)
    text = value.strip()
    if kind is bool:
        if text.lower() in TRUE_WORDS | FALSE_WORDS:
            return text.lower() in TRUE_WORDS
        raise UnsafeConfiguration(f"PORTAL_{name} must be true or false, not {value!r}")
    if kind is int:
        try:
            return int(text)
        except ValueError:
            raise UnsafeConfiguration(f"PORTAL_{name} must be a whole number, not {value!r}") from None
    if kind is list:
        parts = [part.strip() for part in text.split(",") if part.strip()]
        if default and all(isinstance(item, int) for item in default):
            try:
                return [int(part) for part in parts]
            except ValueError:
                problem = f"PORTAL_{name} must be whole numbers separated by commas"
                raise UnsafeConfiguration(problem) from None
        return parts
    if kind is str:
        return value
    if kind is None and text.lower() in (TRUE_WORDS | FALSE_WORDS) - {"1", "0"}:
        return text.lower() in TRUE_WORDS  # a setting of Flask or an extension that has no default here
    return value


def check_production(config: dict[str, Any]) -> None:
    problems = []
    if config["DATABASE_URL"].startswith("sqlite"):
        problems.append("PORTAL_DATABASE_URL must point to PostgreSQL, not SQLite")
    if config["SECRET_KEY"] == DEFAULT_SECRET_KEY or len(str(config["SECRET_KEY"])) < 32:
        problems.append("PORTAL_SECRET_KEY must be set to a random value of at least 32 characters")
    if config.get("DEBUG"):
        problems.append("debug mode must be off")
    if config.get("DEV_IDP_ENABLED"):
        problems.append("the development identity provider must be off (PORTAL_DEV_IDP_ENABLED=false)")
    if str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory"):
        problems.append("PORTAL_RATELIMIT_STORAGE_URI must be a shared store such as redis://")
    if config["AUDIT_HMAC_KEY"] == DEFAULT_AUDIT_HMAC_KEY or len(str(config["AUDIT_HMAC_KEY"])) < 32:
        problems.append("PORTAL_AUDIT_HMAC_KEY must be set to a random value of at least 32 characters")
    if str(config.get("SMS_GATEWAY", "")).endswith(":ConsoleGateway"):
        problems.append("PORTAL_SMS_GATEWAY must name a real SMS gateway, not the console one")
    for name, default in (
        ("FIELD_ENCRYPTION_KEY", DEFAULT_FIELD_KEY),
        ("LOOKUP_HMAC_KEY", DEFAULT_LOOKUP_KEY),
    ):
        if config[name] == default or not _is_32_byte_key(str(config[name])):
            problems.append(f"PORTAL_{name} must be 32 random bytes in base64 (openssl rand -base64 32)")
    base_url = str(config.get("PUBLIC_BASE_URL", ""))
    if not base_url.startswith("https://") or base_url == defaults("")["PUBLIC_BASE_URL"]:
        problems.append(
            "PORTAL_PUBLIC_BASE_URL must be the portal's https:// address (links and seals carry it)"
        )
    if not (config.get("SMTP_STARTTLS") or config.get("SMTP_SSL")):
        problems.append("mail must be sent encrypted: PORTAL_SMTP_STARTTLS=true or PORTAL_SMTP_SSL=true")
    if config.get("DATABASE_ECHO"):
        problems.append("PORTAL_DATABASE_ECHO must be off: it writes the statements' values to the log")
    for name in ("SIGNING_KEY", "ENCRYPTION_KEY", "OIDC_CONFIG"):
        if not config.get(name):
            problems.append(f"PORTAL_{name} must be set (see the README's production section)")
    if problems:
        raise UnsafeConfiguration("Refusing to start in production: " + "; ".join(problems) + ".")
