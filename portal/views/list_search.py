"""A list's search term kept in the session, not in the address.

A professional types a client's name or personal identity code into the search of their client list
or review queue. Sent as ?q=, it would reach the server's access log, a proxy's log and the
browser's history; so the search is posted, its term kept in the server-side session, and the list
shown searched at an address that only says so (?search=1), which its pages and the language
switch keep.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, request, session, url_for
from werkzeug.wrappers import Response

SEARCHED = "search"


def recalled(key: str) -> str:
    """The term last searched for on this list, when the address says the list is searched."""
    if not request.args.get(SEARCHED):
        return ""
    return str(session.get(f"search:{key}", ""))


def remember_and_show(key: str, term: str, endpoint: str, **args: Any) -> Response:
    """After a search is sent: keep its term and show the list searched (303, to a GET)."""
    session[f"search:{key}"] = term
    if term:
        args[SEARCHED] = 1
    return redirect(url_for(endpoint, **args), code=303)
