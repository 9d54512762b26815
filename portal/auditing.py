"""Writing to the access log from views: who is acting comes from the request."""

from __future__ import annotations

import re
from typing import Any

from flask import request
from sqlalchemy.orm import Session

from portal.identity.access import current_user
from portal.models import Client, StaffUser
from portal.services.audit import Actor, record_access, record_access_now, record_accesses


def current_actor() -> Actor:
    """The signed-in person, with the request's address and id for the entries of what they do."""
    user = current_user()
    ip, sent_id = request.remote_addr, request_id()
    if isinstance(user, StaffUser):
        return Actor(user.id, user.role, user.organisation, ip=ip, request_id=sent_id)
    if isinstance(user, Client):
        return Actor(user.id, "client", ip=ip, request_id=sent_id)
    return Actor(None, "anonymous", ip=ip, request_id=sent_id)


def log_view(
    db: Session,
    *,
    client_id: int,
    object_type: str,
    object_id: str | int | None = None,
    purpose: str | None = None,
    commit: bool = True,
) -> None:
    """A professional looked at one client's data."""
    fields = {
        **_request_fields(),
        "object_type": object_type,
        "object_id": object_id,
        "client_id": client_id,
        "purpose": purpose,
    }
    if commit:
        record_access_now(db, **fields)
    else:
        record_access(db, **fields)


def log_page_view(db: Session, *, object_type: str) -> None:
    """A professional looked at data that is no client's (the accessibility feedback)."""
    record_access_now(db, **_request_fields(), object_type=object_type)


def log_client_views(db: Session, *, client_id: int, object_types: list[str]) -> None:
    """A page showing several parts of one client's data: an entry for each part, one batch, one commit."""
    fields = _request_fields()
    record_accesses(
        db, [{**fields, "object_type": object_type, "client_id": client_id} for object_type in object_types]
    )
    db.commit()


def log_views(db: Session, *, client_ids: list[int], object_type: str, purpose: str | None = None) -> None:
    """Each client shown on a list page is a view of that client's data: one entry names them all,
    and each client finds it by the first such view of the day (see ListView); one commit."""
    if not client_ids:
        return
    record_accesses(
        db, [{**_request_fields(), "object_type": object_type, "client_ids": client_ids, "purpose": purpose}]
    )
    db.commit()


# What a reverse proxy sends as X-Request-Id (nginx's $request_id, a UUID); the column holds 64.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}", re.ASCII)


def request_id() -> str | None:
    """The X-Request-Id that ties an entry to the proxy's log line. Anyone can send the header, and
    a longer value failed the entry on PostgreSQL (a server error on every logged page): a value no
    proxy would send is left out of the entry instead."""
    value = request.headers.get("X-Request-Id", "")
    return value if REQUEST_ID.fullmatch(value) else None


def _request_fields() -> dict[str, Any]:
    """Who is viewing, from where: the same for every entry of the request."""
    return {"actor": current_actor(), "action": "view"}
