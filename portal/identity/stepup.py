"""Step-up: a fresh strong identification before a weighty act, coming back with what was typed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import request, session, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from portal.models.base import utcnow


def auth_is_recent(minutes: int) -> bool:
    auth_time = getattr(session, "auth_time", None)
    return auth_time is not None and utcnow() - auth_time <= timedelta(minutes=minutes)


def require_recent_auth(minutes: int, *, keep_form: bool = True) -> Response | None:
    """None when the last identification is recent enough; otherwise a redirect through the provider.

    The submitted form is kept in the session and handed back by `restored_form()` on the same page.
    """
    if auth_is_recent(minutes):
        return None
    from flask import redirect

    form = request.form.to_dict(flat=False) if keep_form and request.method == "POST" else {}
    form.pop("csrf_token", None)
    return_to = request.path if request.method == "POST" else request.full_path.rstrip("?")
    session["step_up"] = {"return_to": return_to, "form": form, "max_age": minutes * 60}
    if request.method != "POST":
        # A page with one button: starting an identification is never done by a plain link.
        from flask import render_template

        return Response(render_template("auth/step_up.html"))
    # 307 keeps the POST (and its CSRF token) on its way to the step-up start.
    return redirect(url_for("auth.step_up"), code=307)


def restored_form() -> MultiDict[str, Any] | None:
    """The form the person had filled in before stepping up, once, on the page they came back to."""
    saved = session.get("step_up_done")
    if not saved or saved.get("return_to") != request.path:
        return None
    session.pop("step_up_done")
    return MultiDict([(key, value) for key, values in saved.get("form", {}).items() for value in values])
