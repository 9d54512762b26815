"""Security headers on every response, the CSP nonce, and cookie settings."""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, request, session
from flask_wtf.csrf import generate_csrf, validate_csrf
from wtforms import ValidationError

from portal.context import kept_for_request, request_globals


def csp_nonce() -> str:
    return kept_for_request("csp_nonce", _new_nonce)


def _new_nonce() -> str:
    return secrets.token_urlsafe(18)


# The signed form of each session's CSRF token, by the secret key and the session's raw token.
# With WTF_CSRF_TIME_LIMIT None the time inside a signed token is never checked, so a signed form
# made earlier is exactly as good as a new one; signing again on every page cost about 3 % of the
# page (itsdangerous), and every signed-in page has a form (at least signing out).
CSRF_FIELD = "csrf_token"  # Flask-WTF's default WTF_CSRF_FIELD_NAME, which the portal keeps
CSRF_KEPT = 10_000
_signed_csrf: dict[tuple[object, str], str] = {}


def _csrf_key() -> tuple[object, str] | None:
    if current_app.config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return None
    raw = session.get(CSRF_FIELD)
    return (current_app.secret_key, raw) if isinstance(raw, str) else None


def csrf_token() -> str:
    """The templates' csrf_token(): Flask-WTF's generate_csrf, which keeps the signed token on `g`
    once made (or reuse_signed_csrf put it there); a page's forms then take it from there."""
    kept = request_globals().__dict__.get(CSRF_FIELD)
    return kept if isinstance(kept, str) else generate_csrf()


def reuse_signed_csrf() -> None:
    """Before the view: where generate_csrf (the forms', the templates') looks first."""
    key = _csrf_key()
    kept = _signed_csrf.get(key) if key else None
    if kept is not None:
        setattr(g, CSRF_FIELD, kept)


def keep_signed_csrf(response: Response) -> Response:
    signed = g.get(CSRF_FIELD)
    key = _csrf_key() if signed else None
    if key and key not in _signed_csrf:
        try:
            # Kept only if it proves the session's token as it is now, once per session and worker.
            validate_csrf(signed)
        except ValidationError:
            return response
        if len(_signed_csrf) >= CSRF_KEPT:
            _signed_csrf.clear()
        _signed_csrf[key] = signed
    return response


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.before_request(reuse_signed_csrf)
    app.after_request(keep_signed_csrf)
    production = app.config["ENV"] == "production"
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if production:
        # The __Host- prefix binds the cookie to this exact host over HTTPS.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["SESSION_COOKIE_NAME"] = "__Host-polku"
        app.config["PREFERRED_URL_SCHEME"] = "https"
    else:
        app.config["SESSION_COOKIE_NAME"] = "polku_session"

    form_action = " ".join(["'self'", *app.config["CSP_FORM_ACTION"]])

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = (
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{csp_nonce()}'; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
            f"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action {form_action}"
        )
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        if request.is_secure:
            headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        if request.endpoint != "static":
            # Pages may hold personal data: no shared or back-button caches keep them.
            headers["Cache-Control"] = "no-store"
        return response
