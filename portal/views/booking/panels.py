"""Booking's parts of shared pages: the client's next appointment, the overview's bookings, a list column."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from wtforms.fields.choices import SelectChoice

from portal.content.appointments import catalogue
from portal.forms.booking import OfferForm
from portal.i18n import current_locale
from portal.i18n import lazy_gettext as _l
from portal.models import Client
from portal.models.base import utcnow
from portal.services.booking.queries import (
    bookable_types,
    booking_lines,
    coming_bookings,
    next_appointments,
    offered_types,
)
from portal.views import panels


def _home(db: Session, client: Client) -> dict[str, Any] | None:
    coming = coming_bookings(db, client.id, utcnow())
    held = {booking.appointment_type for booking in coming}
    to_book = [kind for kind in bookable_types(db, client) if kind.key not in held]
    if not coming and not to_book:
        return None
    return {"next": coming[0] if coming else None, "to_book": to_book}


def types_to_offer(db: Session, client_id: int) -> tuple[str, ...]:
    """The keys of the appointment types that need an offer and have not been offered to the client."""
    return _not_offered(offered_types(db, client_id))


def _not_offered(offered: set[str]) -> tuple[str, ...]:
    types = catalogue().types.values()
    return tuple(kind.key for kind in types if kind.bookable_by == "offered" and kind.key not in offered)


def _overview(db: Session, client: Client) -> dict[str, Any]:
    offered = offered_types(db, client.id)
    to_offer = _not_offered(offered)
    types, locale, now = catalogue().types, current_locale(), utcnow()
    lines = booking_lines(db, client.id, limit=panels.overview_rows())
    # A kind the client already holds a coming time of is not offered for booking again: that time
    # is in the table above (newest first), where it can be opened and moved.
    held = {line.appointment_type for line in lines if line.status == "booked" and line.starts_at > now}
    return {
        **panels.newest(lines),
        # The names of the types offered, as the page lists them.
        "offered": ", ".join(types[key].name[locale] for key in sorted(offered) if key in types),
        # The form's choices are kept rendered by these keys; the form is built only to render them,
        # or it is the one that was sent without a valid choice, shown with these choices.
        "to_offer": to_offer,
        "offer_form": lambda sent=None: _offer_form(to_offer, sent),
        "types": [kind for kind in types.values() if kind.key not in held],
        "held": tuple(sorted(held)),
        "now": now,
    }


def _offer_form(keys: tuple[str, ...], sent: OfferForm | None = None) -> OfferForm:
    form = sent if sent is not None else OfferForm()
    locale = current_locale()
    types = catalogue().types
    form.appointment_type.choices = [SelectChoice(key, types[key].name[locale]) for key in keys]
    return form


def _column(db: Session, client_ids: list[int]) -> dict[int, datetime]:
    return next_appointments(db, client_ids)


def register() -> None:
    panels.register(panels.CLIENT_HOME, panels.Panel("booking", "booking/panel_home.html", _home, order=40))
    panels.register(
        panels.CLIENT_OVERVIEW,
        panels.Panel("booking", "booking/panel_overview.html", _overview, order=40, logs_as="bookings"),
    )
    panels.register_column(
        panels.Column("booking", _l("Next appointment"), "booking/column.html", _column, order=40)
    )


register()
