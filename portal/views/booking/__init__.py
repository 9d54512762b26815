"""Booking: clients book, move and cancel appointments; advisers publish times and keep their schedule.

One blueprint: the client's pages under /appointments, the professionals' under /staff.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, abort, current_app, request

from portal.content.appointments import catalogue, modality_name
from portal.i18n import current_locale
from portal.identity.access import current_user, is_public_endpoint
from portal.models import Client, Role, StaffUser
from portal.templating import kept_url_for

bp = Blueprint("booking", __name__)


@bp.before_request
def _only_the_right_people() -> None:
    if is_public_endpoint(current_app, request.endpoint):
        return
    user = current_user()
    if request.path.startswith("/staff/"):
        if not isinstance(user, StaffUser) or not user.has_role(Role.ADVISER, Role.STAFF):
            abort(403)
    elif not isinstance(user, Client):
        abort(403)


@bp.app_template_global()
def appointment_type_name(key: str) -> str:
    kind = catalogue().types.get(key)
    return kind.name[current_locale()] if kind else key


@bp.app_template_global()
def office_name(key: str | None) -> str:
    place = catalogue().offices.get(key or "")
    return place.name[current_locale()] if place else ""


# Names of keys for the templates, from the one list of each kind of label: a week of times
# or a table of appointments shows them on every row, and a Python call costs less than a macro.


bp.add_app_template_global(modality_name)


@bp.app_template_global()
def modality_names(keys: Iterable[str]) -> str:
    """The ways of meeting as one phrase: each name is a label with a capital of its own, which
    inside a list reads as a new sentence ("Per telefon, videomöte")."""
    names = [modality_name(key) for key in keys]
    return ", ".join(names[:1] + [name[:1].lower() + name[1:] for name in names[1:]])


@bp.app_template_global()
def status_name(key: str) -> str:
    from portal.views.booking.common import STATUS_LABELS

    return str(STATUS_LABELS.get(key, key))


@bp.app_template_global()
def slot_url(mode: str, kind: Any, slot: Any, booking: Any = None, client: Any = None) -> str:
    """Where a free time in a list leads: confirming it for the way the list was opened."""
    if mode == "move":
        return kept_url_for("booking.move_confirm", booking_id=booking.id, slot_id=slot.id)
    if mode == "staff_book":
        return kept_url_for("booking.staff_confirm", client_id=client.id, type_key=kind.key, slot_id=slot.id)
    if mode == "staff_move":
        return kept_url_for("booking.staff_move_confirm", booking_id=booking.id, slot_id=slot.id)
    return kept_url_for("booking.confirm", type_key=kind.key, slot_id=slot.id)


from portal.views.booking import client, panels, staff  # noqa: E402  (routes register on bp)

__all__ = ["bp", "client", "panels", "staff"]
