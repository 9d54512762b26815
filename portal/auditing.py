"""Writing to the access log from views: who is acting comes from the request."""

from __future__ import annotations

from flask import request
from sqlalchemy.orm import Session

from portal.identity.access import current_user
from portal.models import Client, StaffUser
from portal.services.audit import ANONYMOUS, Actor, record_access, record_access_now, record_accesses


def current_actor() -> Actor:
    user = current_user()
    if isinstance(user, StaffUser):
        return Actor(id=user.id, role=user.role, org=user.organisation)
    if isinstance(user, Client):
        return Actor(id=user.id, role="client")
    return ANONYMOUS


def log_view(
    db: Session,
    *,
    client_id: int,
    object_type: str,
    object_id: str | int | None = None,
    purpose: str | None = None,
    commit: bool = True,
) -> None:
    """A professional looked at a client's data: one row per client shown, also on list pages."""
    fields = {
        "actor": current_actor(),
        "action": "view",
        "object_type": object_type,
        "object_id": object_id,
        "client_id": client_id,
        "purpose": purpose,
        "request_id": request.headers.get("X-Request-Id"),
        "ip": request.remote_addr,
    }
    if commit:
        record_access_now(db, **fields)
    else:
        record_access(db, **fields)  # type: ignore[arg-type]


def log_client_views(db: Session, *, client_id: int, object_types: list[str]) -> None:
    """A page showing several parts of one client's data: an entry for each part, one batch, one commit."""
    _log_batch(db, [(client_id, object_type) for object_type in object_types])


def log_views(db: Session, *, client_ids: list[int], object_type: str, purpose: str | None = None) -> None:
    """Each client shown on a list page is a view of that client's data; one batch, one commit."""
    _log_batch(db, [(client_id, object_type) for client_id in client_ids], purpose)


def _log_batch(db: Session, views: list[tuple[int, str]], purpose: str | None = None) -> None:
    actor, request_id, ip = current_actor(), request.headers.get("X-Request-Id"), request.remote_addr
    entries = [
        {
            "actor": actor,
            "action": "view",
            "object_type": object_type,
            "client_id": client_id,
            "purpose": purpose,
            "request_id": request_id,
            "ip": ip,
        }
        for client_id, object_type in views
    ]
    record_accesses(db, entries)
    db.commit()
