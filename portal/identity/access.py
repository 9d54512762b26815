"""Who is signed in, the route rule (@public), role guards per blueprint, and objects that answer 404."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, redirect, request, session, url_for
from flask_wtf.csrf import validate_csrf
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response
from wtforms import ValidationError

from portal.context import kept_for_request
from portal.db import get_db
from portal.identity import kept_forms
from portal.models import Client, StaffUser
from portal.security import CSRF_FIELD

F = TypeVar("F", bound=Callable[..., Any])

# Endpoints registered by Flask itself, outside our blueprints.
BUILTIN_PUBLIC = frozenset({"static"})
FROM_PAGE = "the page named in the form"  # keeps_typed_from_page
ENDED_CSRF = "ended_session_csrf"  # for a moment only: the raw CSRF token of a session that timed out


def public(view: F) -> F:
    """Mark a view as reachable without signing in."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def keeps_typed(view: F) -> F:
    """Mark a form page whose sent form outlives a timed-out session (keep_typed_over_timeout).

    Only for pages that also answer GET at the same address and take the form back there
    (restored_form): the person comes back to that page after identifying again.
    """
    view.keeps_typed = True  # type: ignore[attr-defined]
    return view


def keeps_typed_from_page(view: F) -> F:
    """keeps_typed for the session's own keeping address, to which the timeout warning's script sends
    a form at the time limit: the page it was typed on is named in the form (`return_to`)."""
    view.keeps_typed = FROM_PAGE  # type: ignore[attr-defined]
    return view


def keeps_typed_for(page_endpoint: str) -> Callable[[F], F]:
    """keeps_typed for a form posted to an address of its own: the person comes back to the page
    that shows the form (`page_endpoint`, with the same URL arguments), which takes it back."""

    def mark(view: F) -> F:
        view.keeps_typed = page_endpoint  # type: ignore[attr-defined]
        return form_shown_on(page_endpoint)(view)

    return mark


def form_shown_on(page_endpoint: str) -> Callable[[F], F]:
    """Mark a route that only takes a form posted to it: the form is on `page_endpoint` (with the
    same URL arguments), the page the language switch leads to from a page sent in answer."""

    def mark(view: F) -> F:
        view.form_page = page_endpoint  # type: ignore[attr-defined]
        return view

    return mark


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


def keep_typed_over_timeout() -> Response | None:
    """A form sent just after the session timed out is kept, not lost: the person identifies again
    and comes back to the page with what they typed (kept_forms), nothing yet saved.

    Runs before the CSRF check, which such a form fails as its session has ended. It is kept only
    when it carries the CSRF token of the session that ended, so another site cannot plant a form,
    and only the person of that session gets it back.
    """
    timed_out = session if getattr(session, "expired", False) else None
    if timed_out is None or request.method != "POST" or current_user() is not None:
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    owner = kept_forms.owner_of(*getattr(timed_out, "expired_owner", (None, None)))
    page = getattr(view, "keeps_typed", None)
    return_to = _return_to(page) if page and owner is not None else None
    if return_to is None or owner is None:
        return None
    if not _proves_ended_session(str(getattr(timed_out, "expired_csrf", "") or "")):
        return None
    kept_forms.keep(request.form, return_to, owner, reason="timeout")
    return redirect(url_for("auth.sign_in", next=return_to, reason="idle"), code=303)


def _return_to(page: bool | str) -> str | None:
    if page is True:
        return request.full_path.rstrip("?")  # with its query: a questionnaire page's ?return=check
    if page == FROM_PAGE:
        return page_taking_back(request.form.get("return_to"))
    return url_for(str(page), **(request.view_args or {}))


def page_taking_back(address: str | None) -> str | None:
    """`address` (a path and its query) when it is one of this portal's pages that take a kept form
    back; else None."""
    parts, path = urlsplit(address or ""), urlsplit(address or "").path
    if parts.scheme or parts.netloc or parts.fragment or not path.startswith("/") or path.startswith("//"):
        return None
    if "\\" in (address or "") or any(ord(character) < 32 for character in address or ""):
        return None
    try:
        endpoint, _arguments = current_app.url_map.bind("localhost").match(path, method="GET")
    except HTTPException:
        return None
    return address if endpoint in _pages_taking_back(current_app) else None


def _pages_taking_back(app: Flask) -> set[str]:
    pages = set()
    for endpoint, view in app.view_functions.items():
        page = getattr(view, "keeps_typed", None)
        if page is True:
            pages.add(endpoint)
        elif isinstance(page, str) and page != FROM_PAGE:
            pages.add(page)
    return pages


def _proves_ended_session(raw_token: str) -> bool:
    if not raw_token:
        return False
    try:
        # Flask-WTF compares the signed token with the raw one kept under `token_key` in the session.
        session[ENDED_CSRF] = raw_token
        validate_csrf(request.form.get(CSRF_FIELD), token_key=ENDED_CSRF)
    except ValidationError:
        return False
    finally:
        session.pop(ENDED_CSRF, None)
    return True


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
    # First of all, before Flask-WTF's CSRF check refuses the form of a session that has ended.
    app.before_request_funcs.setdefault(None, []).insert(0, keep_typed_over_timeout)
    app.before_request(enforce_sign_in)
