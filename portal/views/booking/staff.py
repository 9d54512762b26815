"""The professionals' side: the schedule, publishing times, blocked days, and bookings for clients."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from portal.auditing import current_actor, log_view, log_views
from portal.content.appointments import MODALITY_LABELS, AppointmentType, catalogue
from portal.db import get_db
from portal.forms.booking import (
    BlockDayForm,
    OfferForm,
    OutcomeForm,
    PublishForm,
    StaffBookingForm,
    StaffCallNumberForm,
    StaffCancelForm,
    StaffMoveForm,
    VideoLinkForm,
    offer_call_number,
    set_modalities,
)
from portal.i18n import current_locale
from portal.identity import kept_forms
from portal.identity.access import current_staff, form_shown_on, keeps_typed
from portal.identity.kept_forms import form_or_kept
from portal.models import Booking, Client, Role, Slot, StaffUser
from portal.models.base import utcnow
from portal.phone_numbers import readable
from portal.services import clients as client_service
from portal.services.booking import availability
from portal.services.booking import bookings as service
from portal.services.booking.queries import schedule as schedule_rows
from portal.services.booking.times import dates, local_date, week_start
from portal.services.outbox import gets_messages
from portal.services.reads import by_id
from portal.views.booking import bp
from portal.views.booking.common import (
    appointment_type_or_404,
    asked_day,
    hold_for_another_time,
    move_as_chosen,
    needs_of,
    no_longer_free,
    office_of,
    refused,
    requested_week,
    slot_or_404,
    week_of_times,
)
from portal.views.booking.panels import types_to_offer
from portal.views.clients import client_for_staff_or_404, overview_page

Page = str | Response | tuple[str, int]


def _adviser() -> StaffUser:
    staff = current_staff()
    if not staff.has_role(Role.ADVISER):
        abort(403)
    return staff


def booking_for_staff_or_404(booking_id: int) -> Booking:
    """The adviser whose time it is, or a professional who works with the client; others: not found."""
    db = get_db()
    booking = by_id(db, Booking, booking_id)
    staff = current_staff()
    if booking is None:
        abort(404)
    if booking.slot.adviser_id != staff.id and not client_service.can_see_client(
        db, staff, booking.client_id
    ):
        abort(404)
    return booking


@bp.get("/staff/schedule")
def schedule() -> str:
    staff = current_staff()
    today = local_date(utcnow())
    day = asked_day("date") or today
    view = "day" if request.args.get("view") == "day" else "week"
    first = day if view == "day" else week_start(day)
    last = first if view == "day" else first + timedelta(days=6)
    rows = schedule_rows(get_db(), staff, first, last) if staff.has_role(Role.ADVISER) else []
    log_views(
        get_db(),
        client_ids=sorted({row.client.id for row in rows if row.client is not None}),
        object_type="booking_schedule",
    )
    by_day = {d: [row for row in rows if local_date(row.slot.starts_at) == d] for d in dates(first, last)}
    step = timedelta(days=1 if view == "day" else 7)
    blocked_days = availability.blocked_days(get_db(), staff, first, last)
    return render_template(
        "booking/schedule.html",
        view=view,
        first=first,
        last=last,
        days=sorted(by_day.items()),
        previous=first - step,
        next=first + step,
        today=today,
        is_adviser=staff.has_role(Role.ADVISER),
        blocked={b.day: availability.block_reason(b) for b in blocked_days},
        questionnaire_link="questionnaire.review_queue" in current_app.view_functions,
    )


def _publish_form() -> PublishForm:
    types = catalogue().types.values()
    form = PublishForm(
        today=local_date(utcnow()), offered_modalities={kind.key: kind.modalities for kind in types}
    )
    locale = current_locale()
    form.appointment_type.choices = [SelectChoice(kind.key, kind.name[locale]) for kind in types]
    form.modalities.choices = [SelectChoice(key, label) for key, label in MODALITY_LABELS.items()]
    form.office.choices = [
        SelectChoice(place.key, f"{place.name[locale]}, {place.address[locale]}")
        for place in catalogue().offices.values()
    ]
    return form


def _spec(form: PublishForm) -> availability.AvailabilitySpec:
    weekly = form.kind.data == "weekly"
    first = form.valid_from.data or local_date(utcnow())
    kind = catalogue().types[form.appointment_type.data or ""]
    modalities = tuple(m for m in kind.modalities if m in (form.modalities.data or []))
    return availability.AvailabilitySpec(
        appointment_type=kind.key,
        modalities=modalities,
        office_key=(form.office.data or None) if "in_person" in modalities else None,
        start_time=form.start,
        end_time=form.end,
        valid_from=first,
        valid_until=(form.valid_until.data or first) if weekly else first,
        weekdays=tuple(sorted(form.weekdays.data or [])) if weekly else (),
    )


@bp.route("/staff/schedule/publish", methods=["GET", "POST"])
def publish() -> Page:
    adviser = _adviser()
    form = _publish_form()
    if not form.is_submitted():
        return render_template("booking/publish.html", form=form, plan=None)
    if not form.validate():
        return render_template("booking/publish.html", form=form, plan=None), 422
    spec = _spec(form)
    db = get_db()
    previewed = request.form.get("previewed")
    # The preview names the ways of meeting and the office the times are published with.
    page = {"form": form, "spec": spec, "office": catalogue().offices.get(spec.office_key or "")}
    try:
        if request.form.get("action") == "publish" and previewed not in (None, spec.digest()):
            plan = availability.plan(db, adviser, spec)
            return render_template("booking/publish.html", plan=plan, changed=True, **page), 409
        if request.form.get("action") == "publish":
            slots = availability.publish(db, adviser, spec)
            first = local_date(slots[0].starts_at)
            return redirect(url_for("booking.schedule", date=first.isoformat(), published=len(slots)))
        plan = availability.plan(db, adviser, spec)
    except availability.AvailabilityRefused as error:
        shown = availability.plan(db, adviser, spec) if error.reason in ("overlap", "empty") else None
        return render_template("booking/publish.html", plan=shown, refusal=error.reason, **page), 409
    return render_template("booking/publish.html", plan=plan, **page)


@bp.route("/staff/schedule/block", methods=["GET", "POST"])
def block_day() -> Page:
    adviser = _adviser()
    form = BlockDayForm(today=local_date(utcnow()))
    if not form.is_submitted():
        return render_template("booking/block.html", form=form, result=None)
    if not form.validate():
        return render_template("booking/block.html", form=form, result=None), 422
    day = form.day.data or local_date(utcnow())
    result = availability.block_day(get_db(), adviser, day, form.reason.data or "")
    bookings = [get_db().get(Booking, booking_id) for booking_id in result.bookings_left]
    # Done: the form is empty for another day, not still holding this one as if nothing happened.
    empty = BlockDayForm(formdata=None, today=local_date(utcnow()))
    return render_template("booking/block.html", form=empty, result=result, day=day, bookings=bookings)


@bp.post("/staff/schedule/blocked/<day>/unblock")
@form_shown_on("booking.schedule")
def unblock_day(day: str) -> Page:
    adviser = _adviser()
    try:
        opened = date.fromisoformat(day)
    except ValueError:
        abort(404)
    # Opened already (in another tab, by a second click) is opened all the same: the day is open.
    availability.unblock_day(get_db(), adviser, opened)
    return redirect(url_for("booking.schedule", view="day", date=opened.isoformat(), unblocked=1), code=303)


@bp.post("/staff/schedule/slots/<int:slot_id>/withdraw")
def withdraw(slot_id: int) -> Page:
    adviser = _adviser()
    slot = get_db().get(Slot, slot_id)
    if slot is None or slot.adviser_id != adviser.id:
        abort(404)
    day = local_date(slot.starts_at)
    if not availability.withdraw_slot(get_db(), adviser, slot_id):
        return refused(service.BookingRefused("not_active" if slot.status == "withdrawn" else "changed"))
    # Back to the view the time was withdrawn from: the day, or the week.
    view = "day" if request.form.get("view") == "day" else None
    return redirect(url_for("booking.schedule", view=view, date=day.isoformat(), withdrawn=1))


# --- one booking -----------------------------------------------------------------------


def _staff_booking_page(booking: Booking, **forms: object) -> str:
    db = get_db()
    log_view(db, client_id=booking.client_id, object_type="booking", object_id=booking.id)
    recorded = booking.status if booking.status in ("done", "no_show") else None
    outcome_form = forms.get("outcome_form") or OutcomeForm(data={"outcome": recorded})
    video_form = forms.get("video_form") or VideoLinkForm(data={"video_url": booking.video_url or ""})
    number_form = forms.get("number_form") or StaffCallNumberForm(
        data={"phone": readable(booking.phone or booking.client.phone)}
    )
    return render_template(
        "booking/staff_booking.html",
        booking=booking,
        slot=booking.slot,
        kind=appointment_type_or_404(booking.appointment_type),
        office=office_of(booking.slot),
        client=booking.client,
        adviser=service.adviser_of(db, booking),
        accessibility=service.accessibility_text(booking),
        message=service.message_text(booking),
        interpreter=service.interpreter_language(booking),
        reason=service.cancel_reason(booking),
        can_see_client=client_service.can_see_client(db, current_staff(), booking.client_id),
        started=booking.starts_at <= utcnow(),
        ended=booking.ends_at <= utcnow(),
        outcome_form=outcome_form,
        video_form=video_form,
        number_form=number_form,
        form=next(iter(forms.values()), video_form),  # the one sent, for the error summary
        questionnaire_link="questionnaire.review_queue" in current_app.view_functions,
        saved=request.args.get("saved") if not forms else None,
    )


@bp.get("/staff/bookings/<int:booking_id>")
def staff_booking(booking_id: int) -> str:
    return _staff_booking_page(booking_for_staff_or_404(booking_id))


@bp.route("/staff/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@keeps_typed
def staff_cancel(booking_id: int) -> Page:
    booking = booking_for_staff_or_404(booking_id)
    kind = appointment_type_or_404(booking.appointment_type)
    if booking.status != "booked":
        return refused(service.BookingRefused("not_active"), kind=kind)
    # The reason sent after the session had timed out comes back; nothing was cancelled.
    form, kept = form_or_kept(StaffCancelForm)
    page = {
        "booking": booking,
        "kind": kind,
        "form": form,
        "can_notify": gets_messages(booking.client),
    }
    if not form.is_submitted():
        return render_template("booking/staff_cancel.html", kept=kept, **page)
    if not form.validate():
        return render_template("booking/staff_cancel.html", **page), 422
    try:
        service.cancel_booking(get_db(), current_actor(), booking, reason=(form.reason.data or "").strip())
    except service.BookingRefused as error:
        return refused(error, kind=kind)
    return redirect(url_for("booking.staff_booking", booking_id=booking.id, saved="cancelled"))


@bp.post("/staff/bookings/<int:booking_id>/outcome")
@form_shown_on("booking.staff_booking")
def outcome(booking_id: int) -> Page:
    booking = booking_for_staff_or_404(booking_id)
    form = OutcomeForm()
    if not form.validate():
        return _staff_booking_page(booking, outcome_form=form), 422
    try:
        service.mark_outcome(get_db(), current_actor(), booking, form.outcome.data or "")
    except service.BookingRefused as error:
        return refused(error)
    return redirect(url_for("booking.staff_booking", booking_id=booking.id, saved="outcome"))


@bp.post("/staff/bookings/<int:booking_id>/video-link")
@form_shown_on("booking.staff_booking")
def video_link(booking_id: int) -> Page:
    booking = booking_for_staff_or_404(booking_id)
    form = VideoLinkForm()
    if not form.validate():
        return _staff_booking_page(booking, video_form=form), 422
    had_link, link = bool(booking.video_url), (form.video_url.data or "").strip()
    try:
        service.set_video_link(get_db(), current_actor(), booking, link)
    except service.BookingRefused as error:
        return refused(error)
    saved = "link" if link else "link-removed" if had_link else None
    return redirect(url_for("booking.staff_booking", booking_id=booking.id, saved=saved))


@bp.post("/staff/bookings/<int:booking_id>/number")
@form_shown_on("booking.staff_booking")
def staff_call_number(booking_id: int) -> Page:
    """The client gave another number to call (by phone, say): the time stays."""
    booking = booking_for_staff_or_404(booking_id)
    form = StaffCallNumberForm()
    if not form.validate():
        return _staff_booking_page(booking, number_form=form), 422
    try:
        service.change_call_number(get_db(), current_actor(), booking, form.number())
    except service.BookingRefused as error:
        return refused(error)
    return redirect(url_for("booking.staff_booking", booking_id=booking.id, saved="number"))


# --- on the client's behalf -------------------------------------------------------------


@bp.post("/staff/booking/clients/<int:client_id>/offer")
@form_shown_on("clients.overview")
def offer(client_id: int) -> Page:
    client = client_for_staff_or_404(client_id)
    form = OfferForm()
    form.appointment_type.choices = [SelectChoice(key, key) for key in catalogue().types]
    if form.validate():
        service.offer_type(get_db(), current_actor(), client, form.appointment_type.data or "")
    elif types_to_offer(get_db(), client.id):
        return overview_page(client, offer_form=form), 422
    # Offered; or sent from an out-of-date page when everything had been offered meanwhile.
    return redirect(url_for("clients.overview", client_id=client.id) + "#booking-heading")


@bp.get("/staff/booking/clients/<int:client_id>/book/<type_key>")
def staff_choose_time(client_id: int, type_key: str) -> Page:
    client = client_for_staff_or_404(client_id)
    kind = appointment_type_or_404(type_key)
    held = _held_already(client, kind)
    if held is not None:
        return held
    week = week_of_times(kind, requested_week(kind, staff=True), staff=True)
    return render_template("booking/times.html", kind=kind, week=week, mode="staff_book", client=client)


def _held_already(client: Client, kind: AppointmentType) -> tuple[str, int] | None:
    """The refusal for a client who already has a coming time of this type, else None."""
    existing = service.current_booking(get_db(), client.id, kind.key)
    if existing is not None and existing.starts_at > utcnow():
        return refused(service.BookingRefused("already_booked", existing), kind=kind, client=client)
    return None


@bp.route("/staff/booking/clients/<int:client_id>/book/<type_key>/<int:slot_id>", methods=["GET", "POST"])
@keeps_typed
def staff_confirm(client_id: int, type_key: str, slot_id: int) -> Page:
    client = client_for_staff_or_404(client_id)
    kind = appointment_type_or_404(type_key)
    slot = slot_or_404(slot_id)
    if slot.appointment_type != kind.key:
        return refused(service.BookingRefused("other_type"), kind=kind, client=client)
    times = url_for("booking.staff_choose_time", client_id=client.id, type_key=kind.key) + "/"
    gone = no_longer_free(slot)
    if request.method == "GET" and gone is not None:
        # As for the client: opened from a list that was out of date; a kept form keeps waiting.
        # Taken by the client themselves: they have their time, and no other would do.
        return _held_already(client, kind) or refused(
            gone, kind=kind, around=slot.starts_at, client=client, held=kept_forms.held(times)
        )
    # Sent after the session had timed out: what was typed comes back, nothing booked yet.
    form, kept = form_or_kept(StaffBookingForm)
    set_modalities(form, [m for m in kind.modalities if m in slot.modality_list])
    offer_call_number(form, client.phone)
    page = {"kind": kind, "slot": slot, "office": office_of(slot), "form": form, "client": client}
    if not form.is_submitted():
        return render_template("booking/confirm.html", kept=kept, **page)
    if not form.validate():
        return render_template("booking/confirm.html", **page), 422
    try:
        booking = service.book_slot(get_db(), current_actor(), client, kind.key, slot.id, needs_of(form))
    except service.BookingRefused as error:
        held = hold_for_another_time(error, times, current_staff())
        return refused(error, kind=kind, around=slot.starts_at, client=client, held=held)
    kept_forms.let_go()
    return redirect(url_for("booking.staff_booking", booking_id=booking.id, saved="booked"))


@bp.get("/staff/bookings/<int:booking_id>/move")
def staff_move(booking_id: int) -> Page:
    booking = booking_for_staff_or_404(booking_id)
    kind = appointment_type_or_404(booking.appointment_type)
    if booking.status != "booked":
        return refused(service.BookingRefused("not_active"), kind=kind)
    week = week_of_times(kind, requested_week(kind, staff=True), staff=True)
    return render_template(
        "booking/times.html", kind=kind, week=week, mode="staff_move", booking=booking, client=booking.client
    )


@bp.route("/staff/bookings/<int:booking_id>/move/<int:slot_id>", methods=["GET", "POST"])
@keeps_typed
def staff_move_confirm(booking_id: int, slot_id: int) -> Page:
    booking = booking_for_staff_or_404(booking_id)
    kind = appointment_type_or_404(booking.appointment_type)
    slot = slot_or_404(slot_id)
    if slot.appointment_type != kind.key:
        return refused(service.BookingRefused("other_type"), kind=kind)
    if booking.status == "booked" and booking.slot_id == slot.id:
        # Moved to this very time already (in another tab, or sent twice): done, not "taken".
        return redirect(url_for("booking.staff_booking", booking_id=booking.id, saved="moved"))
    times = url_for("booking.staff_move", booking_id=booking.id) + "/"
    chosen = {"modality": booking.modality} if not request.form else None
    form, kept = form_or_kept(StaffMoveForm, data=chosen)
    set_modalities(form, [m for m in kind.modalities if m in slot.modality_list])
    offer_call_number(form, booking.phone or booking.client.phone)
    page = {"kind": kind, "slot": slot, "office": office_of(slot), "form": form, "booking": booking}
    if not form.is_submitted():
        if booking.status != "booked":
            return refused(service.BookingRefused("not_active"), kind=kind)
        gone = no_longer_free(slot)
        if gone is not None:
            held = kept_forms.held(times)
            client = booking.client
            return refused(gone, kind=kind, around=slot.starts_at, booking=booking, client=client, held=held)
        return render_template("booking/move_confirm.html", client=booking.client, kept=kept, **page)
    if not form.validate():
        return render_template("booking/move_confirm.html", client=booking.client, **page), 422
    try:
        move_as_chosen(booking, slot, form)
    except service.BookingRefused as error:
        held = hold_for_another_time(error, times, current_staff())
        return refused(
            error, kind=kind, around=slot.starts_at, booking=booking, client=booking.client, held=held
        )
    kept_forms.let_go()
    return redirect(url_for("booking.staff_booking", booking_id=booking.id, saved="moved"))
