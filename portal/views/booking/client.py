"""The client's appointments: book a free time, see it, add it to a calendar, move or cancel it."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal.auditing import current_actor
from portal.db import get_db
from portal.extensions import limiter
from portal.forms.booking import (
    BookingForm,
    CallNumberForm,
    ConfirmForm,
    MoveForm,
    offer_call_number,
    set_modalities,
)
from portal.identity import kept_forms
from portal.identity.access import current_client, keeps_typed
from portal.identity.kept_forms import form_or_kept
from portal.models import Booking
from portal.models.base import utcnow
from portal.services.booking import bookings as service
from portal.services.booking.ics import calendar_file
from portal.services.booking.queries import bookable_types, booking_lines, upcoming
from portal.services.outbox import gets_messages
from portal.services.reads import by_id
from portal.views.booking import bp
from portal.views.booking.common import (
    appointment_type_or_404,
    cutoff_page,
    hold_for_another_time,
    move_as_chosen,
    needs_of,
    no_longer_free,
    office_of,
    own_booking_of,
    refused,
    requested_week,
    slot_or_404,
    week_of_times,
)

Page = str | Response | tuple[str, int]


def _booking_limit() -> str:
    limit: str = current_app.config["RATELIMIT_BOOKING"]
    return limit


def _per_client() -> str:
    # Per person, not per address: many clients may share one network address.
    return f"client:{current_client().id}"


booking_limit = limiter.limit(_booking_limit, key_func=_per_client, methods=["POST"])


def own_booking_or_404(booking_id: int) -> Booking:
    booking = by_id(get_db(), Booking, booking_id)
    if booking is None or booking.client_id != current_client().id:
        abort(404)
    return booking


@bp.get("/appointments")
def client_list() -> str:
    db = get_db()
    client = current_client()
    rows = booking_lines(db, client.id, limit=50)
    now = utcnow()
    coming = upcoming(rows, now)
    held = {booking.appointment_type for booking in coming}
    return render_template(
        "booking/client_list.html",
        coming=coming,
        past=[row for row in rows if row not in coming][:20],
        types=[kind for kind in bookable_types(db, client) if kind.key not in held],
    )


@bp.get("/appointments/book/<type_key>")
def choose_time(type_key: str) -> Page:
    kind = appointment_type_or_404(type_key)
    db = get_db()
    client = current_client()
    if not service.may_book(db, client, kind):
        return refused(service.BookingRefused("not_offered"), kind=kind)
    existing = service.current_booking_time(db, client.id, kind.key)
    if existing is not None and existing.starts_at > utcnow():
        booking = by_id(db, Booking, existing.id)
        return refused(service.BookingRefused("already_booked", booking), kind=kind)
    week = week_of_times(kind, requested_week(kind))
    return render_template("booking/times.html", kind=kind, week=week, mode="book")


@bp.route("/appointments/book/<type_key>/<int:slot_id>", methods=["GET", "POST"])
@keeps_typed
@booking_limit
def confirm(type_key: str, slot_id: int) -> Page:
    kind = appointment_type_or_404(type_key)
    slot = slot_or_404(slot_id)
    if slot.appointment_type != kind.key:
        return refused(service.BookingRefused("other_type"), kind=kind)
    times = url_for("booking.choose_time", type_key=kind.key) + "/"
    client = current_client()
    gone = no_longer_free(slot)
    mine = own_booking_of(slot, client) if gone is not None else None
    if mine is not None:
        # Back to a time they have just booked (the browser's back button, a second click): it is
        # theirs, not "taken by someone else".
        return redirect(url_for("booking.detail", booking_id=mine.id, done="already"))
    if request.method == "GET" and gone is not None:
        # Before the form is filled: a form kept for the next time chosen keeps waiting.
        return refused(gone, kind=kind, around=slot.starts_at, held=kept_forms.held(times))
    # Sent after the session had timed out, or for a time that was then taken: what was typed comes
    # back, nothing booked yet.
    form, kept = form_or_kept(BookingForm)
    set_modalities(form, [m for m in kind.modalities if m in slot.modality_list])
    offer_call_number(form, client.phone)
    page = {"kind": kind, "slot": slot, "office": office_of(slot), "form": form}
    if not form.is_submitted():
        return render_template("booking/confirm.html", kept=kept, **page)
    if not form.validate():
        return render_template("booking/confirm.html", **page), 422
    try:
        booking = service.book_slot(get_db(), current_actor(), client, kind.key, slot.id, needs_of(form))
    except service.BookingRefused as error:
        mine = own_booking_of(slot, client) if error.reason == "taken" else None
        if mine is not None:
            return redirect(url_for("booking.detail", booking_id=mine.id, done="already"))
        held = hold_for_another_time(error, times, client)
        return refused(error, kind=kind, around=slot.starts_at, held=held)
    kept_forms.let_go()
    return redirect(url_for("booking.detail", booking_id=booking.id, done="booked"))


@bp.get("/appointments/<int:booking_id>")
def detail(booking_id: int) -> str:
    booking = own_booking_or_404(booking_id)
    db = get_db()
    return render_template(
        "booking/detail.html",
        booking=booking,
        slot=booking.slot,
        kind=appointment_type_or_404(booking.appointment_type),
        office=office_of(booking.slot),
        adviser=service.adviser_of(db, booking),
        cutoff_passed=service.cutoff_passed(booking),
        ended=booking.ends_at <= utcnow(),
        done=request.args.get("done"),
        messaged=gets_messages(current_client()),
        interpreter=service.interpreter_language(booking),
        reason=service.cancel_reason(booking),
    )


@bp.get("/appointments/<int:booking_id>/calendar.ics")
def ics(booking_id: int) -> Response:
    booking = own_booking_or_404(booking_id)
    body = calendar_file(booking, booking.slot, current_client().locale or "fi")
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'attachment; filename="polku-{booking.id}.ics"'
    return response


@bp.get("/appointments/<int:booking_id>/move")
def move(booking_id: int) -> Page:
    booking = own_booking_or_404(booking_id)
    kind = appointment_type_or_404(booking.appointment_type)
    if booking.status != "booked" or booking.starts_at <= utcnow():
        return refused(service.BookingRefused("not_active"), kind=kind)
    if service.cutoff_passed(booking):
        return cutoff_page(booking)
    week = week_of_times(kind, requested_week(kind))
    return render_template("booking/times.html", kind=kind, week=week, mode="move", booking=booking)


@bp.route("/appointments/<int:booking_id>/move/<int:slot_id>", methods=["GET", "POST"])
@keeps_typed
@booking_limit
def move_confirm(booking_id: int, slot_id: int) -> Page:
    booking = own_booking_or_404(booking_id)
    kind = appointment_type_or_404(booking.appointment_type)
    slot = slot_or_404(slot_id)
    if slot.appointment_type != kind.key:
        return refused(service.BookingRefused("other_type"), kind=kind)
    if booking.status == "booked" and booking.slot_id == slot.id and not service.cutoff_passed(booking):
        # Moved to this very time already (in another tab, or sent twice): done, not "taken".
        return redirect(url_for("booking.detail", booking_id=booking.id, done="moved"))
    times = url_for("booking.move", booking_id=booking.id) + "/"
    # As when booking: the way of meeting and number chosen for a time just taken come back.
    form, kept = form_or_kept(MoveForm, data={"modality": booking.modality} if not request.form else None)
    set_modalities(form, [m for m in kind.modalities if m in slot.modality_list])
    offer_call_number(form, booking.phone or current_client().phone)
    page = {"kind": kind, "slot": slot, "office": office_of(slot), "form": form, "booking": booking}
    if not form.is_submitted():
        if service.cutoff_passed(booking):
            return cutoff_page(booking)
        gone = no_longer_free(slot)
        if gone is not None:
            held = kept_forms.held(times)
            return refused(gone, kind=kind, around=slot.starts_at, booking=booking, held=held)
        return render_template("booking/move_confirm.html", kept=kept, **page)
    if not form.validate():
        return render_template("booking/move_confirm.html", **page), 422
    try:
        move_as_chosen(booking, slot, form)
    except service.BookingRefused as error:
        held = hold_for_another_time(error, times, current_client())
        return refused(error, kind=kind, around=slot.starts_at, booking=booking, held=held)
    kept_forms.let_go()
    return redirect(url_for("booking.detail", booking_id=booking.id, done="moved"))


@bp.route("/appointments/<int:booking_id>/number", methods=["GET", "POST"])
@keeps_typed
def change_number(booking_id: int) -> Page:
    """Another number for the adviser to call, without moving the time."""
    booking = own_booking_or_404(booking_id)
    kind = appointment_type_or_404(booking.appointment_type)
    if booking.status != "booked" or booking.ends_at <= utcnow():
        return refused(service.BookingRefused("not_active"), kind=kind)
    if booking.modality != "phone":
        return refused(service.BookingRefused("not_a_call"), kind=kind)
    form, kept = form_or_kept(CallNumberForm)
    offer_call_number(form, booking.phone or current_client().phone)
    page = {"booking": booking, "kind": kind, "form": form}
    if not form.is_submitted():
        return render_template("booking/call_number.html", kept=kept, **page)
    if not form.validate():
        return render_template("booking/call_number.html", **page), 422
    try:
        service.change_call_number(get_db(), current_actor(), booking, form.number())
    except service.BookingRefused as error:
        return refused(error, kind=kind)
    return redirect(url_for("booking.detail", booking_id=booking.id, done="number"))


@bp.route("/appointments/<int:booking_id>/cancel", methods=["GET", "POST"])
def cancel(booking_id: int) -> Page:
    booking = own_booking_or_404(booking_id)
    kind = appointment_type_or_404(booking.appointment_type)
    if booking.status != "booked":
        return refused(service.BookingRefused("not_active"), kind=kind)
    if service.cutoff_passed(booking):
        return cutoff_page(booking, status=409 if request.method == "POST" else 200)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("booking/cancel.html", booking=booking, kind=kind, form=form)
    try:
        service.cancel_booking(get_db(), current_actor(), booking)
    except service.BookingRefused as error:
        return refused(error, kind=kind)
    return redirect(url_for("booking.detail", booking_id=booking.id, done="cancelled"))
