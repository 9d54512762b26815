"""Who is signed in, the route rule (@public), role guards per blueprint, and objects that answer 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Flask, abort, current_app, redirect, request, session, url_for
from werkzeug.wrappers import Response

from portal.context import kept_for_request
from portal.db import get_db
from portal.models import Client, StaffUser

F = TypeVar("F", bound=Callable[..., Any])

# Endpoints registered by Flask itself, outside our blueprints.
BUILTIN_PUBLIC = frozenset({"static"})


def public(view: F) -> F:
    """Mark a view as reachable without signing in."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def is_public_endpoint(app: Flask, endpoint: str | None) -> bool:
    if endpoint is None or endpoint in BUILTIN_PUBLIC:
        return True
    view = app.view_functions.get(endpoint)
    return bool(getattr(view, "is_public", False))


def current_user() -> Client | StaffUser | None:
    """The signed-in person of this request, loaded from the server-side session."""
    return kept_for_request("user", _load_user)


def _load_user() -> Client | StaffUser | None:
    client_id = getattr(session, "client_id", None)
    staff_user_id = getattr(session, "staff_user_id", None)
    # The person read with the session row (open_session), else from the database.
    person = getattr(session, "person", None)
    if client_id is not None:
        return person if isinstance(person, Client) else get_db().get(Client, client_id)
    if staff_user_id is not None:
        staff = person if isinstance(person, StaffUser) else get_db().get(StaffUser, staff_user_id)
        return staff if staff is not None and staff.active and staff.role_names else None
    return None


def current_client() -> Client:
    user = current_user()
    if not isinstance(user, Client):
        abort(403)
    return user


def current_staff() -> StaffUser:
    user = current_user()
    if not isinstance(user, StaffUser):
        abort(403)
    return user


def enforce_sign_in() -> Response | None:
    if is_public_endpoint(current_app, request.endpoint):
        return None
    if current_user() is None:
        if request.method != "GET":
            abort(401)
        # Say why, when a timeout ended the session: the person did nothing wrong.
        reason = "idle" if getattr(session, "expired", False) else None
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?"), reason=reason))
    return None


def clients_only(bp: Blueprint) -> None:
    """Every route of this blueprint is for a signed-in client only."""

    @bp.before_request
    def _check() -> None:
        if not is_public_endpoint(current_app, request.endpoint) and not isinstance(current_user(), Client):
            abort(403)


def roles_only(bp: Blueprint, *roles: str) -> None:
    """Every route of this blueprint needs one of these staff roles."""

    @bp.before_request
    def _check() -> None:
        if is_public_endpoint(current_app, request.endpoint):
            return
        user = current_user()
        if not isinstance(user, StaffUser) or not user.has_role(*roles):
            abort(403)


def init_app(app: Flask) -> None:
    app.before_request(enforce_sign_in)
