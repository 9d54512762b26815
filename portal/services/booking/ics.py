"""The appointment as an iCalendar file: one UID per booking, SEQUENCE up on a move, CANCEL when cancelled."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event

from portal.content.appointments import appointment_type, modality_name, office
from portal.models import Booking, Slot
from portal.models.base import utcnow
from portal.services.booking.bookings import reminder_hours

PRODID = "-//Polku//Ajanvaraus//FI"


def calendar_file(booking: Booking, slot: Slot, locale: str, *, now: datetime | None = None) -> bytes:
    """Texts in the client's language; no needs, no message, nothing about health."""
    cancelled = booking.status == "cancelled"
    base_url = str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")
    kind = appointment_type(booking.appointment_type)
    with force_locale(locale):
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
        event = Event()
        event.add("uid", f"{booking.uid}@polku")
        # A cancellation is a change too: calendars apply it only with a higher sequence.
        event.add("sequence", booking.sequence + (1 if cancelled else 0))
        event.add("dtstamp", now or utcnow())
        event.add("dtstart", booking.starts_at)
        event.add("dtend", booking.ends_at)
        event.add("summary", kind.name[locale])
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        link = f"{base_url}/appointments/{booking.id}"
        event.add("url", link)
        details = _("The details of your appointment are in Polku: %(link)s", link=link)
        if booking.modality == "in_person" and slot.office_key:
            place = office(slot.office_key)
            event.add("location", f"{place.name[locale]}, {place.address[locale]}")
        else:
            event.add("location", modality_name(booking.modality))
            if (
                booking.modality == "video"
                and booking.video_url
                and not current_app.config["BOOKING_VIDEO_LINK_SENSITIVE"]
            ):
                details += "\n" + _("Video meeting link: %(link)s", link=booking.video_url)
        event.add("description", details)
        if not cancelled and reminder_hours():
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", kind.name[locale])
            alarm.add("trigger", timedelta(hours=-min(reminder_hours())))
            event.add_component(alarm)
        calendar.add_component(event)
    return bytes(calendar.to_ical())
