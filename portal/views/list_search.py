"""A list's search term kept in the session, not in the address.

A professional types a client's name or personal identity code into the search of their client list
or review queue. Sent as ?q=, it would reach the server's access log, a proxy's log and the
browser's history; so the search is posted, its term kept in the server-side session, and the list
shown searched at an address that only says so (?search=1), which its pages and the language
switch keep. The term is kept encrypted, as an identity code may never lie in the database in clear.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask import redirect, request, session, url_for
from werkzeug.wrappers import Response

from portal import crypto

SEARCHED = "search"


def _context(key: str) -> str:
    # The searcher is part of the context: the term opens only in their own session.
    return f"list_search:{key}:{getattr(session, 'staff_user_id', None)}"


def recalled(key: str) -> str:
    """The term last searched for on this list, when the address says the list is searched."""
    kept = session.get(f"search:{key}")
    if not request.args.get(SEARCHED) or not isinstance(kept, str) or not kept:
        return ""
    try:
        return crypto.decrypt(base64.b64decode(kept), _context(key))
    except (binascii.Error, ValueError, crypto.DecryptionFailed):
        return ""


def remember_and_show(key: str, term: str, endpoint: str, **args: Any) -> Response:
    """After a search is sent: keep its term and show the list searched (303, to a GET)."""
    session[f"search:{key}"] = base64.b64encode(crypto.encrypt(term, _context(key))).decode() if term else ""
    if term:
        args[SEARCHED] = 1
    return redirect(url_for(endpoint, **args), code=303)
