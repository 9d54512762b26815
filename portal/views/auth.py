"""Signing in through the identity providers, stepping up, the session, and signing out."""

from __future__ import annotations

import logging
import secrets
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from portal import crypto
from portal.auditing import current_actor, request_id
from portal.db import get_db
from portal.extensions import limiter
from portal.i18n import LOCALES, current_locale, remember_choice
from portal.identity import hetu, kept_forms, oidc
from portal.identity.access import current_user, keeps_typed_from_page, page_taking_back, public
from portal.identity.keys import portal_keys
from portal.identity.providers import Provider, ProviderUnavailable, metadata_cache, provider_for, providers
from portal.identity.sessions import ServerSession, end_all_sessions
from portal.models import Client, StaffUser
from portal.services.audit import ANONYMOUS, record_access, record_access_now
from portal.services.identity import RequestFacts, UnknownStaffUser, sign_in_client, sign_in_staff
from portal.urls import safe_next

bp = Blueprint("auth", __name__)
log = logging.getLogger("portal.auth")
ID_TOKEN_CONTEXT = "session.id_token"  # noqa: S105 - an encryption context label


def _sign_in_limit() -> str:
    limit: str = current_app.config["RATELIMIT_SIGN_IN"]
    return limit


def server_session() -> ServerSession:
    if not isinstance(session, ServerSession):
        raise TypeError("the portal runs only with server-side sessions")
    return session


def request_facts() -> RequestFacts:
    return RequestFacts(ip=request.remote_addr, request_id=request_id())


def landing_page(user: Client | StaffUser) -> str:
    return url_for("home.client_home") if isinstance(user, Client) else url_for("home.staff_home")


def redirect_to_provider(
    provider: Provider, *, next_url: str | None, prompt: str | None = None, max_age: int | None = None
) -> Response | tuple[str, int]:
    try:
        url, pending = oidc.begin(
            provider,
            metadata_cache(),
            portal_keys(),
            redirect_uri=url_for("auth.callback", provider_name=provider.name, _external=True),
            locale=current_locale(),
            prompt=prompt,
            max_age=max_age,
            login_hint=request.form.get("login_hint") if current_app.config["DEV_IDP_ENABLED"] else None,
        )
    except ProviderUnavailable:
        log.warning("identity provider %s unreachable", provider.name)
        return render_template("auth/unavailable.html"), 503
    session["oidc"] = {**pending, "next": next_url}
    return redirect(url)


@bp.get("/sign-in")
@public
def sign_in() -> str | Response:
    user = current_user()
    if user is not None:
        return redirect(landing_page(user))
    return render_template(
        "auth/sign_in.html",
        next=safe_next(request.args.get("next"), "auth.sign_in") if request.args.get("next") else "",
        client_provider=provider_for("client").name,
        staff_provider=provider_for("staff").name,
        expired=server_session().expired or request.args.get("reason") == "idle",
        kept=kept_forms.pending("timeout") is not None,
    )


@bp.post("/sign-in/<provider_name>")
@public
@limiter.limit(_sign_in_limit)
def start(provider_name: str) -> Response | tuple[str, int]:
    provider = providers().get(provider_name) or abort(404)
    next_url = request.form.get("next")
    return redirect_to_provider(provider, next_url=safe_next(next_url) if next_url else None)


@bp.get("/auth/<provider_name>/callback")
@public
@limiter.limit(_sign_in_limit)
def callback(provider_name: str) -> Response | tuple[str, int]:
    provider = providers().get(provider_name) or abort(404)
    pending = session.pop("oidc", None)
    db = get_db()
    try:
        verified = oidc.finish(provider, metadata_cache(), portal_keys(), request.args.to_dict(), pending)
        if provider.audience == "client":
            user: Client | StaffUser = sign_in_client(
                db,
                verified,
                provider,
                request_facts(),
                allow_test_codes=current_app.config["ENV"] != "production",
                locale=current_locale(),
            )
        else:
            user = sign_in_staff(db, verified, provider, request_facts(), locale=current_locale())
    except oidc.SignInCancelled:
        return render_template("auth/cancelled.html", provider=provider), 200
    except (oidc.SignInFailed, hetu.InvalidHetu) as error:
        reason = getattr(error, "reason", "invalid personal identity code")
        log.warning("sign-in with %s failed: %s", provider.name, reason)
        db.rollback()
        record_access_now(
            db,
            actor=ANONYMOUS,
            action="sign-in",
            object_type="session",
            outcome="failed",
            purpose=reason[:200],
            ip=request.remote_addr,
        )
        return render_template("auth/failed.html", provider=provider), 400
    except UnknownStaffUser:
        return render_template("auth/no_access.html"), 403
    except ProviderUnavailable:
        return render_template("auth/unavailable.html"), 503

    current = server_session()
    if current.get("step_up") and current.client_id is not None and not _same_client(user, current):
        return _identified_as_someone_else(current)
    # A form kept for this very person (a step-up, or a session that timed out) goes back to its page.
    kept = kept_forms.belonging_to(current, user)
    next_url = (pending or {}).get("next")
    current.clear()
    current.sign_in = {
        "client_id": user.id if isinstance(user, Client) else None,
        "staff_user_id": user.id if isinstance(user, StaffUser) else None,
        "provider": provider.name,
        "acr": verified.acr,
        "amr": verified.amr,
        "auth_time": verified.auth_time,
        "idp_session": verified.idp_session,
        "id_token_encrypted": (
            crypto.encrypt(verified.id_token, ID_TOKEN_CONTEXT) if provider.send_id_token_hint else None
        ),
    }
    if kept:
        return redirect(kept_forms.hand_back(kept))
    return redirect(safe_next(next_url) if next_url else landing_page(user))


def _same_client(user: Client | StaffUser, current: ServerSession) -> bool:
    return isinstance(user, Client) and user.id == current.client_id


def _identified_as_someone_else(current: ServerSession) -> tuple[str, int]:
    """A step-up answered by another person's identification (a helper's or a relative's bank
    codes): nothing is signed, the session is not handed to that person, and it ends, so that
    neither of them is left signed in as the other."""
    db = get_db()
    record_access(
        db,
        actor=current_actor(),
        action="sign-in",
        object_type="session",
        client_id=current.client_id,
        outcome="denied",
        purpose="step-up identified another person",
    )
    db.commit()
    current.clear()
    current.ended = True
    return render_template("auth/someone_else.html"), 403


@bp.post("/sign-in/step-up")
def step_up() -> Response | tuple[str, int]:
    """Started by require_recent_auth(): the same person identifies again, now."""
    current = server_session()
    plan = current.get("step_up")
    if not plan or current.client_id is None:
        abort(400)
    return redirect_to_provider(
        provider_for("client"), next_url=None, prompt="login", max_age=int(plan.get("max_age", 600))
    )


@bp.post("/sign-out")
def sign_out() -> Response:
    return _end_session(everywhere=False)


@bp.post("/sign-out/everywhere")
def sign_out_everywhere() -> Response:
    return _end_session(everywhere=True)


def _end_session(*, everywhere: bool) -> Response:
    """The local session ends first; then the provider's, so a failure there leaves nothing open here."""
    current = server_session()
    user = current_user()
    db = get_db()
    actor = current_actor()
    if everywhere:
        end_all_sessions(
            db,
            client_id=current.client_id,
            staff_user_id=current.staff_user_id,
        )
    record_access(
        db,
        actor=actor,
        action="sign-out",
        object_type="session",
        client_id=user.id if isinstance(user, Client) else None,
        purpose="everywhere" if everywhere else None,
        ip=request.remote_addr,
    )
    db.commit()
    id_token = _stored_id_token(current)
    provider = providers().get(current.provider or "")
    current.clear()
    current.ended = True
    if provider is None:
        return redirect(url_for("auth.signed_out"))
    try:
        end_session = metadata_cache().metadata(provider).get("end_session_endpoint")
    except ProviderUnavailable:
        end_session = None
    if not end_session:
        return redirect(url_for("auth.signed_out"))
    params: dict[str, Any] = {
        "client_id": provider.client_id,
        "post_logout_redirect_uri": url_for("auth.signed_out", _external=True),
        "state": secrets.token_urlsafe(16),
        "ui_locales": current_locale(),
    }
    if id_token and provider.send_id_token_hint:
        params["id_token_hint"] = id_token
    return redirect(f"{end_session}?{urlencode(params)}")


def _stored_id_token(current: ServerSession) -> str | None:
    from portal.models import UserSession

    if current.row_id is None:
        return None
    row = get_db().get(UserSession, current.row_id)
    if row is None or row.id_token_encrypted is None:
        return None
    try:
        return crypto.decrypt(row.id_token_encrypted, ID_TOKEN_CONTEXT)
    except crypto.DecryptionFailed:
        return None


@bp.get("/signed-out")
@public
def signed_out() -> str:
    return render_template("auth/signed_out.html")


@bp.post("/session/keep")
@keeps_typed_from_page
def keep_typed() -> Response:
    """Where the timeout warning's script sends a form with something typed in it at the time limit,
    instead of leaving the page: the form is kept (by keep_typed_over_timeout, the session having
    ended) and the person signs in again to get it back. Should the session still be open (another
    window kept it so, or the language switch sent it along), the form goes straight back to its
    page. Nothing is ever done with it here."""
    return_to = page_taking_back(request.form.get("return_to"))
    user = current_user()
    current = server_session()
    owner = kept_forms.owner_of(current.client_id, current.staff_user_id)
    if return_to is None or user is None or owner is None:
        abort(400)
    language = request.form.get("language") in LOCALES
    kept_forms.keep(request.form, return_to, owner, reason="language" if language else "timeout")
    kept = kept_forms.belonging_to(current, user)
    if kept is not None:
        kept_forms.hand_back(kept)
    response = redirect(return_to, code=303)
    # Sent by the language switch of a page with something typed: the page comes back in that language.
    if request.form.get("language") in LOCALES:
        remember_choice(response, request.form["language"])
    return response


@bp.post("/session/extend")
def extend_session() -> Response | tuple[str, int]:
    """Any request keeps the session alive; this one exists for the timeout warning's button."""
    server_session().modified = True
    server_session().last_seen_at = None
    if request.headers.get("X-Requested-With") == "fetch":
        return Response(status=204)
    return redirect(safe_next(request.form.get("next")))
