"""Step-up: a fresh strong identification before a weighty act, coming back with what was typed."""

from __future__ import annotations

from datetime import timedelta

from flask import redirect, render_template, request, session, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from portal.identity import kept_forms
from portal.models.base import utcnow


def auth_is_recent(minutes: int) -> bool:
    auth_time = getattr(session, "auth_time", None)
    return auth_time is not None and utcnow() - auth_time <= timedelta(minutes=minutes)


def require_recent_auth(minutes: int, *, keep_form: bool = True) -> Response | None:
    """None when the last identification is recent enough; otherwise a redirect through the provider.

    The submitted form is kept and handed back by `kept_forms.restored_form()` on the same page.
    """
    if auth_is_recent(minutes):
        return None
    return_to = request.path if request.method == "POST" else request.full_path.rstrip("?")
    owner = kept_forms.owner_of(getattr(session, "client_id", None), None)
    form = request.form if keep_form and request.method == "POST" else MultiDict[str, str]()
    if owner is not None:
        kept_forms.keep(form, return_to, owner, reason="step_up")
    session["step_up"] = {"max_age": minutes * 60}
    if request.method != "POST":
        # A page with one button: starting an identification is never done by a plain link.
        return Response(render_template("auth/step_up.html"))
    # 307 keeps the POST (and its CSRF token) on its way to the step-up start.
    return redirect(url_for("auth.step_up"), code=307)
