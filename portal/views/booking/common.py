"""What the client's and the professionals' booking pages share: weeks of times, refusals, labels."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import abort, current_app, render_template, request
from sqlalchemy import select

from portal.auditing import current_actor
from portal.content import contact
from portal.content.appointments import AppointmentType, catalogue, office
from portal.db import get_db
from portal.forms.booking import BookingForm, MoveForm, call_number
from portal.i18n import lazy_gettext as _l
from portal.identity import kept_forms
from portal.models import Booking, Client, Slot, StaffUser
from portal.models.base import utcnow
from portal.services.booking.bookings import BookingRefused, Needs, SlotTaken, adviser_of, move_booking
from portal.services.booking.queries import FreeTime, first_free_day, free_slots, nearest_free
from portal.services.booking.times import dates, local_date, week_start
from portal.services.reads import by_id

STATUS_LABELS = {
    "booked": _l("Booked"),
    "cancelled": _l("Cancelled"),
    "done": _l("Took place"),
    "no_show": _l("Client did not come"),
}
REFUSALS = {
    "past": _l("That time has already passed, or it is too soon to book it."),
    "too_far": _l("That time cannot be booked yet."),
    "withdrawn": _l("That time is no longer available."),
    "other_type": _l("That time is not for this kind of appointment."),
    "not_offered": _l(
        "You cannot book this kind of appointment yet. Ask the professional who works with you."
    ),
    "already_booked": _l(
        "You already have an appointment of this kind. You can move it to another time instead."
    ),
    "modality": _l("That way of meeting is not available at that time."),
    "not_active": _l("This appointment has already been cancelled or has ended."),
    "not_a_call": _l(
        "This appointment is not a phone call. You can choose a call when you move it to another time."
    ),
    "changed": _l("The appointment was changed at the same time. Check its details and try again."),
    "moved_meanwhile": _l(
        "Your appointment was moved to another time after you opened this page, perhaps in another "
        "window. Check its time before you move it again."
    ),
    "not_started": _l("You can mark the outcome once the appointment has begun."),
    "not_video": _l("This appointment is not a video meeting, so it has no meeting link."),
}
# A time refused for one of these reasons can be swapped for another one: what was typed waits for it.
ANOTHER_TIME_HELPS = frozenset({"taken", "past", "withdrawn", "too_far", "modality"})
# A professional booking for a client reads about the client, not about themselves.
REFUSALS_FOR_STAFF = {
    "moved_meanwhile": _l(
        "The appointment was moved to another time after you opened this page, perhaps in another "
        "window or by the client. Check its time before you move it again."
    ),
    "already_booked": _l(
        "The client already has an appointment of this kind. You can move it to another time instead."
    ),
}


def move_as_chosen(booking: Booking, slot: Slot, form: MoveForm) -> Booking:
    """Move the booking to `slot` as the validated move form says, from the time the page showed."""
    return move_booking(
        get_db(),
        current_actor(),
        booking,
        slot.id,
        form.modality.data or "",
        call_number(form),
        seen_slot_id=form.seen_slot_id(),
    )


def needs_of(form: BookingForm) -> Needs:
    """What a validated booking form asks for, as the booking service takes it."""
    interpreter = form.interpreter.data == "yes"
    return Needs(
        modality=form.modality.data or "",
        phone=call_number(form),
        interpreter_language=(form.interpreter_language.data or "").strip() if interpreter else None,
        accessibility=form.accessibility.data,
        message=form.message.data,
    )


def hold_for_another_time(error: BookingRefused, pages: str, user: Client | StaffUser) -> bool:
    """Keep the form sent for the confirmation page of the next time chosen (under `pages`)."""
    if error.reason not in ANOTHER_TIME_HELPS:
        return False
    kept_forms.hold(request.form, pages, user)
    return True


def no_longer_free(slot: Slot) -> BookingRefused | None:
    """Why a time opened from a list can no longer be chosen (taken, withdrawn or begun); None
    while it is free and to come."""
    if slot.status == "booked":
        return SlotTaken()
    if slot.status == "withdrawn":
        return BookingRefused("withdrawn")
    return BookingRefused("past") if slot.starts_at <= utcnow() else None


def own_booking_of(slot: Slot, client: Client) -> Booking | None:
    """The client's own booking of this time, when it is they who hold it."""
    if slot.status != "booked":
        return None
    held = select(Booking).where(
        Booking.slot_id == slot.id, Booking.client_id == client.id, Booking.status == "booked"
    )
    return get_db().scalar(held)


def appointment_type_or_404(key: str) -> AppointmentType:
    kind = catalogue().types.get(key)
    if kind is None:
        abort(404)
    return kind


def slot_or_404(slot_id: int) -> Slot:
    slot = by_id(get_db(), Slot, slot_id)
    if slot is None:
        abort(404)
    return slot


def requested_week(kind: AppointmentType, *, staff: bool = False) -> date:
    """The Monday of ?week=YYYY-MM-DD, else of the first week with a free time, else this week."""
    today = local_date(utcnow())
    asked = asked_day("week") or first_free_day(get_db(), kind, staff=staff) or today
    return max(week_start(asked), week_start(today))


def asked_day(name: str) -> date | None:
    """The day of ?name=YYYY-MM-DD; None when there is none, or none a calendar can show (a day
    near year 1 or 9999 would overflow the week's arithmetic and the time zone conversions)."""
    raw = request.args.get(name, "")
    try:
        asked = date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return asked if asked is not None and date(2000, 1, 1) <= asked <= date(2100, 1, 1) else None


def week_of_times(kind: AppointmentType, monday: date, *, staff: bool = False) -> dict[str, Any]:
    sunday = monday + timedelta(days=6)
    rows = free_slots(get_db(), kind, monday, sunday, staff=staff)
    today = local_date(utcnow())
    # The days to come: a day already gone can hold no time to book.
    by_day: dict[date, list[FreeTime]] = {day: [] for day in dates(max(monday, today), sunday)}
    for time in rows:
        by_day.setdefault(local_date(time.starts_at), []).append(time)
    this_week = week_start(today)
    following = first_free_day(get_db(), kind, staff=staff, now=_day_after(sunday)) if not rows else None
    return {
        "monday": monday,
        "sunday": sunday,
        "days": sorted(by_day.items()),
        "previous_week": monday - timedelta(days=7) if monday > this_week else None,
        # Nothing this week and nothing later: no next week to page to.
        "next_week": monday + timedelta(days=7) if rows or following else None,
        "next_free_week": week_start(following) if following else None,
        "any_times": bool(rows),
    }


def _day_after(day: date) -> datetime:
    from portal.services.booking.times import day_bounds

    return day_bounds(day + timedelta(days=1))[0]


def refused(error: BookingRefused, *, kind: AppointmentType | None = None, **context: Any) -> tuple[str, int]:
    """Nothing changed; say why, and for a taken time offer the nearest free ones."""
    if error.reason == "taken":
        around = context.pop("around", utcnow())
        alternatives = nearest_free(get_db(), kind, around) if kind is not None else []
        return (
            render_template("booking/taken.html", kind=kind, alternatives=alternatives, **context),
            409,
        )
    if error.reason == "cutoff" and error.booking is not None:
        return cutoff_page(error.booking, status=409)
    return (
        render_template(
            "booking/refused.html",
            message=_refusal_message(error.reason, for_staff=context.get("client") is not None),
            reason=error.reason,
            existing=error.booking,
            kind=kind,
            **context,
        ),
        409,
    )


def _refusal_message(reason: str, *, for_staff: bool) -> Any:
    if for_staff and reason in REFUSALS_FOR_STAFF:
        return REFUSALS_FOR_STAFF[reason]
    return REFUSALS.get(reason, REFUSALS["not_active"])


def cutoff_page(booking: Booking, *, status: int = 200) -> tuple[str, int]:
    kind = catalogue().types[booking.appointment_type]
    return (
        render_template(
            "booking/cutoff.html",
            booking=booking,
            kind=kind,
            adviser=adviser_of(get_db(), booking),
            channels=[c for c in contact.load_channels(current_app.config["CONTACT_FILE"]) if c.phone],
        ),
        status,
    )


def office_of(slot: Slot) -> Any:
    return office(slot.office_key) if slot.office_key else None
