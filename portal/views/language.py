"""The language switch: a plain link that remembers the choice and returns to the same page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, redirect, request, url_for
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Response

from portal.i18n import LOCALES, remember_choice
from portal.identity.access import current_user, public
from portal.urls import local_path, safe_next
from portal.views.auth import landing_page

bp = Blueprint("language", __name__)


@bp.get("/language/<code>")
@public
def switch(code: str) -> Response:
    # Only the display language changes (a preference cookie); nothing is written on the server.
    if code not in LOCALES:
        abort(404)
    response = redirect(page_answering_get(safe_next(request.args.get("next"))))
    remember_choice(response, code)
    return response


def switch_returns_to() -> str:
    """The page the switch on this page returns to (the templates' `here`).

    A page sent in answer to a form (its errors, a refusal) stands at the address the form was
    posted to, and a link there is a GET, which an address that takes only posted forms refuses.
    """
    here = request.full_path.rstrip("?")
    rule = request.url_rule
    if request.method in ("GET", "HEAD") or (rule is not None and "GET" in (rule.methods or ())):
        return here
    return page_answering_get(here)


def page_answering_get(address: str) -> str:
    """`address` when it answers GET; for an address that only takes posted forms, the page that
    shows the form (form_shown_on), else the page of this site the browser came from, else the
    person's home."""
    page = _page_at(address)
    if page is None:
        came_from = _came_from()
        page = _page_at(came_from) if came_from else None
    return page or _home()


def _page_at(address: str) -> str | None:
    adapter = current_app.url_map.bind("localhost")
    path = urlsplit(address).path
    try:
        adapter.match(path, method="GET")
    except MethodNotAllowed:
        pass
    except HTTPException:
        # Not found: the page says so in the language chosen. A redirect (a missing slash) answers GET.
        return address
    else:
        return address
    try:
        endpoint, arguments = adapter.match(path, method="POST")
    except HTTPException:
        return None
    page = getattr(current_app.view_functions.get(endpoint), "form_page", None)
    if page is None:
        return None
    # Only the arguments the page's address has: a list page of forms needs none of the item's id.
    takes = {name for rule in current_app.url_map.iter_rules(page) for name in rule.arguments}
    return url_for(page, **{name: value for name, value in arguments.items() if name in takes})


def _came_from() -> str | None:
    parts = urlsplit(request.referrer or "")
    if not parts.netloc or parts.netloc != request.host:
        return None
    return local_path(parts.path + (f"?{parts.query}" if parts.query else ""))


def _home() -> str:
    user = current_user()
    return landing_page(user) if user is not None else url_for("pages.start")
