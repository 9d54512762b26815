"""What a person typed, kept while they identify again: before a weighty act (step-up), or after
their session timed out with the page still open.

The form is sealed, as it may hold health data, and bound to the person who typed it: only the
same person, identified again, gets it back, once, on the page it was sent from.
"""

from __future__ import annotations

import base64
import json
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import g, request, session
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from portal import crypto
from portal.models import Client, StaffUser
from portal.security import CSRF_FIELD

PENDING = "form_pending"  # kept; waiting for the person to identify
READY = "form_kept"  # the same person identified again: the page may take it back


def owner_of(client_id: int | None, staff_user_id: int | None) -> str | None:
    if client_id is not None:
        return f"client:{client_id}"
    if staff_user_id is not None:
        return f"staff:{staff_user_id}"
    return None


def _owner_of_user(user: Client | StaffUser) -> str | None:
    if isinstance(user, Client):
        return owner_of(user.id, None)
    return owner_of(None, user.id)


def _context(owner: str) -> str:
    # The owner is part of the encryption context: the form opens only for that person.
    return f"kept_form:{owner}"


def _sealed(form: MultiDict[str, str], owner: str) -> str:
    fields = {key: values for key, values in form.lists() if key not in (CSRF_FIELD, "return_to")}
    return base64.b64encode(crypto.encrypt(json.dumps(fields), _context(owner))).decode()


def keep(form: MultiDict[str, str], return_to: str, owner: str, *, reason: str) -> None:
    """Put the sent form (without its CSRF token) in the session until `owner` identifies again."""
    session[PENDING] = {
        "return_to": return_to,
        "owner": owner,
        "reason": reason,
        "form": _sealed(form, owner),
    }


def hold(form: MultiDict[str, str], pages: str, user: Client | StaffUser) -> None:
    """Keep a sent form that could not be acted on for the pages whose address starts with `pages`:
    a booking refused because the time was just taken fills in the next time's form. It stays until
    the page lets it go (`let_go`), so going back and choosing yet another time finds it too."""
    owner = _owner_of_user(user)
    if owner is not None:
        session[READY] = {"return_to": pages, "under": True, "owner": owner, "form": _sealed(form, owner)}


def held(pages: str) -> bool:
    """Whether a form is held for the pages under `pages` (see `hold`)."""
    kept = session.get(READY)
    return isinstance(kept, dict) and bool(kept.get("under")) and kept.get("return_to") == pages


def let_go() -> None:
    """The held form has been acted on."""
    kept = session.get(READY)
    if isinstance(kept, dict) and kept.get("under"):
        session.pop(READY)


def pending(reason: str | None = None) -> dict[str, Any] | None:
    """The form waiting for an identification (of this kind of reason, when given)."""
    kept = session.get(PENDING)
    if not isinstance(kept, dict) or (reason is not None and kept.get("reason") != reason):
        return None
    return kept


def belonging_to(data: dict[str, Any], user: Client | StaffUser) -> dict[str, Any] | None:
    """The pending form in this session data when `user` is the one who typed it; else None."""
    kept = data.get(PENDING)
    if not isinstance(kept, dict) or kept.get("owner") != _owner_of_user(user):
        return None
    return kept


def hand_back(kept: dict[str, Any]) -> str:
    """After the identification: the page at `return_to` takes the form back (restored_form)."""
    session.pop(PENDING, None)
    session[READY] = kept
    return str(kept["return_to"])


def restored_form() -> MultiDict[str, str] | None:
    """The form the person had filled in on this page before identifying again, once (or, held for
    a set of pages, each time until the page lets it go)."""
    kept = session.get(READY)
    if not isinstance(kept, dict):
        return None
    path = urlsplit(str(kept.get("return_to"))).path
    if kept.get("under"):
        signed_in = owner_of(getattr(session, "client_id", None), getattr(session, "staff_user_id", None))
        if not request.path.startswith(path) or kept.get("owner") != signed_in:
            return None
    elif request.path != path:
        return None
    else:
        session.pop(READY)
    try:
        sealed = base64.b64decode(kept["form"])
        fields = json.loads(crypto.decrypt(sealed, _context(str(kept["owner"]))))
    except (KeyError, ValueError, crypto.DecryptionFailed):
        return None
    g.restored_reason = kept.get("reason")
    return MultiDict([(key, value) for key, values in fields.items() for value in values])


def restored_reason() -> str | None:
    """Why the form restored on this request was kept: "step_up", "timeout" or "language"."""
    reason = g.get("restored_reason")
    return str(reason) if reason is not None else None


FormT = TypeVar("FormT", bound=FlaskForm)


def form_or_kept(form_class: type[FormT], **arguments: Any) -> tuple[FormT, bool]:
    """The page's form, filled from the kept one when a GET brings it back (restored_form), and
    whether it was: the page then says that nothing has been saved or done yet."""
    kept = restored_form() if request.method == "GET" else None
    if kept is None:
        return form_class(**arguments), False
    return form_class(formdata=kept, **arguments), True
