"""The language switch: a plain link that remembers the choice and returns to the same page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request
from werkzeug.wrappers import Response

from portal.i18n import LOCALES
from portal.identity.access import public
from portal.urls import safe_next

bp = Blueprint("language", __name__)

ONE_YEAR = 365 * 24 * 3600


@bp.get("/language/<code>")
@public
def switch(code: str) -> Response:
    # Only the display language changes (a preference cookie); nothing is written on the server.
    if code not in LOCALES:
        abort(404)
    response = redirect(safe_next(request.args.get("next")))
    response.set_cookie(
        current_app.config["LANGUAGE_COOKIE"],
        code,
        max_age=ONE_YEAR,
        secure=request.is_secure,
        httponly=True,
        samesite="Lax",
    )
    return response
