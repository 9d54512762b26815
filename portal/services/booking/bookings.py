"""Clients' bookings: book, move and cancel, race-safe in the database; reminders through the outbox.

A slot changes hands only through one conditional UPDATE (`status = 'free'` -> 'booked'), and the
partial unique indexes on booking make a second holder of a slot, or a second coming booking of a
type, impossible whatever the code above them does. Losing a race is an answer (SlotTaken), never
an error. SQLite serialises writers; a writer that still finds the file locked starts again.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, NamedTuple, TypeVar

from flask import current_app
from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from portal import crypto
from portal.content.appointments import AppointmentType, appointment_type
from portal.models import AppointmentOffer, BlockedDay, Booking, Client, ClientAssignment, Slot, StaffUser
from portal.models.base import utcnow
from portal.services.audit import Actor, record_access
from portal.services.booking.times import local_date
from portal.services.outbox import cancel_pending, notify_client
from portal.services.questionnaire.answering import INTERVIEW_TYPE, follow_interview
from portal.services.reads import prepared, read_values

T = TypeVar("T")
RETRIES = 5
ACCESSIBILITY_CONTEXT = "booking.accessibility"
MESSAGE_CONTEXT = "booking.message"
INTERPRETER_CONTEXT = "booking.interpreter_language"
CANCEL_REASON_CONTEXT = "booking.cancel_reason"


class BookingRefused(Exception):
    """The booking, move or cancellation was refused and nothing changed; `reason` says why."""

    def __init__(self, reason: str, booking: Booking | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.booking = booking


class SlotTaken(BookingRefused):
    """Someone else was faster: the time is no longer free."""

    def __init__(self) -> None:
        super().__init__("taken")


@dataclass(frozen=True)
class Needs:
    modality: str
    phone: str | None = None  # E.164; kept only for a meeting by phone
    interpreter_language: str | None = None
    accessibility: str | None = None
    message: str | None = None


def may_book(db: Session, client: Client, kind: AppointmentType) -> bool:
    """Network types: any client someone in the network works with. Offered types: an offer is needed."""
    if kind.bookable_by == "offered":
        found = read_values(db, _offered(), {"client_id": client.id, "kind": kind.key})
    else:
        found = read_values(db, _in_network(), {"client_id": client.id})
    return found.first() is not None


# The booking pages ask these on every visit: built once, the values come as parameters.


@prepared
def _offered() -> Select[tuple[int]]:
    return (
        select(AppointmentOffer.id)
        .where(
            AppointmentOffer.client_id == bindparam("client_id"),
            AppointmentOffer.appointment_type == bindparam("kind"),
        )
        .limit(1)
    )


@prepared
def _in_network() -> Select[tuple[int]]:
    return (
        select(ClientAssignment.id)
        .where(ClientAssignment.client_id == bindparam("client_id"), ClientAssignment.ended_at.is_(None))
        .limit(1)
    )


def cutoff_passed(booking: Booking, now: datetime | None = None) -> bool:
    kind = appointment_type(booking.appointment_type)
    return (now or utcnow()) >= booking.starts_at - kind.cutoff


def _retrying(db: Session, attempt: Callable[[], T]) -> T:
    """Run a use case again when SQLite reports the file locked; any other failure goes up."""
    for round_ in range(RETRIES):
        try:
            return attempt()
        except OperationalError as error:
            db.rollback()
            if "locked" not in str(error).lower() and "busy" not in str(error).lower():
                raise
            time.sleep(0.05 * (round_ + 1) + secrets.randbelow(50) / 1000)
    raise SlotTaken()


def _check_slot(slot: Slot | None, kind: AppointmentType, modality: str, now: datetime, staff: bool) -> Slot:
    if slot is None or slot.appointment_type != kind.key:
        raise BookingRefused("other_type")
    if slot.status == "withdrawn":
        raise BookingRefused("withdrawn")
    if slot.starts_at <= now or (not staff and slot.starts_at < now + kind.min_notice):
        raise BookingRefused("past")
    if not staff and slot.starts_at > now + timedelta(days=kind.bookable_days_ahead):
        raise BookingRefused("too_far")
    if slot.status != "free":
        raise SlotTaken()
    if modality not in slot.modality_list:
        raise BookingRefused("modality")
    return slot


def _take(db: Session, slot_id: int) -> None:
    """The one statement that decides a race: only a free slot becomes booked."""
    result = db.execute(
        update(Slot).where(Slot.id == slot_id, Slot.status == "free").values(status="booked"),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise SlotTaken()


def _release(db: Session, slot_id: int) -> None:
    """Free the slot again, or withdraw it when its day has been blocked since it was booked."""
    slot = db.get(Slot, slot_id)
    blocked = slot is not None and (
        db.scalar(
            select(BlockedDay.id).where(
                BlockedDay.adviser_id == slot.adviser_id, BlockedDay.day == local_date(slot.starts_at)
            )
        )
        is not None
    )
    db.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.status == "booked")
        .values(status="withdrawn" if blocked else "free", withdrawn_at=utcnow() if blocked else None),
        execution_options={"synchronize_session": False},
    )


def current_booking(db: Session, client_id: int, type_key: str) -> Booking | None:
    return db.scalar(_current_booking(), {"client_id": client_id, "kind": type_key})


class CurrentTime(NamedTuple):
    id: int
    starts_at: datetime


def current_booking_time(db: Session, client_id: int, type_key: str) -> CurrentTime | None:
    """When the client's current booking of this type starts: the list of free times checks it on
    every visit, and needs the booking itself only to say that one is booked already."""
    found = read_values(db, _current_booking_time(), {"client_id": client_id, "kind": type_key}).first()
    return None if found is None else CurrentTime(*found)


@prepared
def _current_booking_time() -> Select[tuple[int, datetime]]:
    return select(Booking.id, Booking.starts_at).where(
        Booking.client_id == bindparam("client_id"),
        Booking.appointment_type == bindparam("kind"),
        Booking.is_current,
    )


@cache
def _current_booking() -> Select[tuple[Booking]]:
    return select(Booking).where(
        Booking.client_id == bindparam("client_id"),
        Booking.appointment_type == bindparam("kind"),
        Booking.is_current,
    )


def book_slot(
    db: Session,
    actor: Actor,
    client: Client,
    type_key: str,
    slot_id: int,
    needs: Needs,
    *,
    now: datetime | None = None,
) -> Booking:
    """Book a free slot of a type the client may book. Raises BookingRefused or SlotTaken."""
    staff = actor.role != "client"
    client_id = client.id

    def attempt() -> Booking:
        moment = now or utcnow()
        kind = appointment_type(type_key)
        if not staff and not may_book(db, client, kind):
            raise BookingRefused("not_offered")
        # A booking whose time has passed no longer counts as the client's coming one.
        db.execute(
            update(Booking)
            .where(
                Booking.client_id == client_id,
                Booking.appointment_type == type_key,
                Booking.is_current,
                Booking.starts_at <= moment,
            )
            .values(is_current=False),
            execution_options={"synchronize_session": False},
        )
        # Before the time's own state: a time the client has just booked themselves is "you already
        # have one" (to a professional booking for them too), not "someone else took it".
        existing = current_booking(db, client_id, type_key)
        if existing is not None:
            raise BookingRefused("already_booked", existing)
        slot = _check_slot(db.get(Slot, slot_id), kind, needs.modality, moment, staff)
        _take(db, slot.id)
        booking = Booking(
            uid=secrets.token_hex(16),
            slot_id=slot.id,
            client_id=client_id,
            appointment_type=type_key,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            status="booked",
            is_current=True,
            modality=needs.modality,
            phone=needs.phone if needs.modality == "phone" else None,
            interpreter_language_encrypted=crypto.seal_text(needs.interpreter_language, INTERPRETER_CONTEXT),
            accessibility_encrypted=crypto.seal_text(needs.accessibility, ACCESSIBILITY_CONTEXT),
            message_encrypted=crypto.seal_text(needs.message, MESSAGE_CONTEXT),
            booked_by_staff_id=actor.id if staff else None,
        )
        db.add(booking)
        db.flush()
        if type_key == INTERVIEW_TYPE:
            follow_interview(db, booking.id, client_id, booking.starts_at)
        if staff:
            _offer_with_booking(db, actor, client_id, kind)
        _ensure_assignment(db, client_id, slot.adviser_id, actor)
        notify_client(
            db,
            client,
            template_key="booking_confirmed",
            params=message_params(booking),
            idempotency_key=f"booking:{booking.id}:confirmed",
        )
        schedule_reminders(db, client, booking, moment)
        record_access(
            db, actor=actor, action="create", object_type="booking", object_id=booking.id, client_id=client_id
        )
        db.commit()
        return booking

    return _retrying(db, lambda: _classified(db, client_id, type_key, attempt))


def _classified(db: Session, client_id: int, type_key: str, attempt: Callable[[], Booking]) -> Booking:
    """A unique index said no: tell the client which rule it was."""
    try:
        return attempt()
    except BookingRefused:
        db.rollback()
        raise
    except IntegrityError as error:
        db.rollback()
        existing = current_booking(db, client_id, type_key)
        if existing is not None:
            raise BookingRefused("already_booked", existing) from error
        raise SlotTaken() from error


def _offer_with_booking(db: Session, actor: Actor, client_id: int, kind: AppointmentType) -> None:
    """A type a professional books for the client is one the client may book: should the time be
    cancelled, the client is told to book a new one, and may move this one themselves."""
    if kind.bookable_by == "offered":
        _add_offer(db, actor, client_id, kind.key)


def _add_offer(db: Session, actor: Actor, client_id: int, type_key: str) -> bool:
    """Offer the type in the caller's transaction, logged; False when it was offered already."""
    exists = db.scalar(
        select(AppointmentOffer.id).where(
            AppointmentOffer.client_id == client_id, AppointmentOffer.appointment_type == type_key
        )
    )
    if exists is not None:
        return False
    offer = AppointmentOffer(client_id=client_id, appointment_type=type_key, offered_by_id=actor.id)
    db.add(offer)
    db.flush()
    record_access(
        db,
        actor=actor,
        action="create",
        object_type="appointment_offer",
        object_id=offer.id,
        client_id=client_id,
    )
    return True


def _ensure_assignment(db: Session, client_id: int, adviser_id: int, actor: Actor) -> None:
    """The adviser the client meets works with the client from now on, and may open their overview."""
    exists = db.scalar(
        select(ClientAssignment.id).where(
            ClientAssignment.client_id == client_id,
            ClientAssignment.staff_user_id == adviser_id,
            ClientAssignment.ended_at.is_(None),
        )
    )
    if exists is not None:
        return
    try:
        with db.begin_nested():
            db.add(
                ClientAssignment(
                    client_id=client_id,
                    staff_user_id=adviser_id,
                    responsibility="adviser",
                    assigned_by_id=actor.id if actor.role != "client" else None,
                )
            )
    except IntegrityError:
        pass  # assigned by a request running at the same time


def move_booking(
    db: Session,
    actor: Actor,
    booking: Booking,
    slot_id: int,
    modality: str,
    phone: str | None = None,
    *,
    seen_slot_id: int | None,
    now: datetime | None = None,
) -> Booking:
    """Move to another free slot of the same type in one transaction.

    The old slot is freed only if the new one was taken, so a failed move leaves the booking as it was.
    `seen_slot_id` is the time the person saw as the current one: if the booking was moved since (in
    another window, or by the other side), it is not moved again unseen. None (the page did not say
    which it showed: a form not sent from Polku's page) is refused alike.
    """
    staff = actor.role != "client"
    booking_id, old_slot_id = booking.id, booking.slot_id
    if seen_slot_id is None or seen_slot_id != old_slot_id:
        raise BookingRefused("moved_meanwhile", booking)

    def attempt() -> Booking:
        moment = now or utcnow()
        current = db.get(Booking, booking_id, populate_existing=True)
        if current is None or current.status != "booked" or not current.is_current:
            raise BookingRefused("not_active")
        if current.slot_id != old_slot_id:
            raise BookingRefused("changed")
        if not staff and cutoff_passed(current, moment):
            raise BookingRefused("cutoff", current)
        kind = appointment_type(current.appointment_type)
        slot = _check_slot(db.get(Slot, slot_id), kind, modality, moment, staff)
        _take(db, slot.id)
        _release(db, old_slot_id)
        moved = db.execute(
            update(Booking)
            .where(Booking.id == booking_id, Booking.slot_id == old_slot_id, Booking.status == "booked")
            .values(
                slot_id=slot.id,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                modality=modality,
                phone=phone if modality == "phone" else None,
                sequence=Booking.sequence + 1,
                updated_at=moment,
            ),
            execution_options={"synchronize_session": False},
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            raise BookingRefused("changed")
        _ensure_assignment(db, current.client_id, slot.adviser_id, actor)
        db.flush()
        current = db.get(Booking, booking_id, populate_existing=True)
        if current is None:
            raise BookingRefused("changed")
        if current.appointment_type == INTERVIEW_TYPE:
            follow_interview(db, booking_id, current.client_id, current.starts_at)
        cancel_pending(db, f"booking:{booking_id}:reminder:")
        notify_client(
            db,
            current.client,
            template_key="booking_moved",
            params=message_params(current),
            idempotency_key=f"booking:{booking_id}:moved:{current.sequence}",
        )
        schedule_reminders(db, current.client, current, moment)
        _log_change(db, actor, booking_id, current.client_id, "moved")
        db.commit()
        return current

    return _retrying(db, lambda: _classified_move(db, attempt))


def _log_change(db: Session, actor: Actor, booking_id: int, client_id: int, what: str) -> None:
    """The access log's entry for a change to a booking; `what` goes in its purpose."""
    record_access(
        db,
        actor=actor,
        action="change",
        object_type="booking",
        object_id=booking_id,
        client_id=client_id,
        purpose=what,
    )


def _classified_move(db: Session, attempt: Callable[[], Booking]) -> Booking:
    try:
        return attempt()
    except BookingRefused:
        db.rollback()
        raise
    except IntegrityError as error:
        db.rollback()
        raise SlotTaken() from error


def cancel_booking(
    db: Session,
    actor: Actor,
    booking: Booking,
    *,
    reason: str | None = None,
    now: datetime | None = None,
) -> Booking:
    """Cancel: the slot is free again (if still to come), reminders are withdrawn, the client is told."""
    staff = actor.role != "client"
    booking_id = booking.id

    def attempt() -> Booking:
        moment = now or utcnow()
        current = db.get(Booking, booking_id, populate_existing=True)
        if current is None or current.status != "booked":
            raise BookingRefused("not_active")
        if not staff and cutoff_passed(current, moment):
            raise BookingRefused("cutoff", current)
        changed = db.execute(
            update(Booking)
            .where(Booking.id == booking_id, Booking.status == "booked")
            .values(
                status="cancelled",
                is_current=False,
                cancelled_at=moment,
                cancelled_by="client" if not staff else actor.role,
                cancel_reason_encrypted=crypto.seal_text(reason, CANCEL_REASON_CONTEXT),
                updated_at=moment,
            ),
            execution_options={"synchronize_session": False},
        )
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            raise BookingRefused("not_active")
        if current.starts_at > moment:
            _release(db, current.slot_id)
        if current.appointment_type == INTERVIEW_TYPE:
            follow_interview(db, booking_id, current.client_id, None)
        cancel_pending(db, f"booking:{booking_id}:reminder:")
        params = {**message_params(current), "path": f"/appointments/book/{current.appointment_type}"}
        notify_client(
            db,
            current.client,
            template_key="booking_cancelled",
            params=params,
            idempotency_key=f"booking:{booking_id}:cancelled",
        )
        _log_change(db, actor, booking_id, current.client_id, "cancelled")
        db.commit()
        return db.get(Booking, booking_id, populate_existing=True) or current

    return _retrying(db, lambda: _classified_move(db, attempt))


def mark_outcome(
    db: Session, actor: Actor, booking: Booking, outcome: str, *, now: datetime | None = None
) -> None:
    """Done or no-show, once the appointment has begun."""
    if outcome not in ("done", "no_show"):
        raise ValueError(outcome)
    moment = now or utcnow()
    if booking.starts_at > moment:
        raise BookingRefused("not_started")
    changed = db.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status.in_(("booked", "done", "no_show")))
        .values(status=outcome, is_current=False, updated_at=moment),
        execution_options={"synchronize_session": False},
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        db.rollback()
        raise BookingRefused("not_active")
    cancel_pending(db, f"booking:{booking.id}:reminder:")
    _log_change(db, actor, booking.id, booking.client_id, outcome)
    db.commit()


def set_video_link(db: Session, actor: Actor, booking: Booking, url: str | None) -> None:
    """The adviser's meeting link; reminders still waiting are queued again so they can carry it.
    Only a video meeting has one (a link left on one changed to a call can still be removed)."""
    if booking.status != "booked" or booking.ends_at <= utcnow():
        raise BookingRefused("not_active")
    if url and booking.modality != "video":
        raise BookingRefused("not_video")
    booking.video_url = url or None
    booking.updated_at = utcnow()
    db.flush()
    cancel_pending(db, f"booking:{booking.id}:reminder:")
    schedule_reminders(db, booking.client, booking, utcnow())
    _log_change(db, actor, booking.id, booking.client_id, "video link")
    db.commit()


def change_call_number(
    db: Session, actor: Actor, booking: Booking, phone: str, *, now: datetime | None = None
) -> None:
    """Another number (E.164) for a booked call, until the call's time is over."""
    moment = now or utcnow()
    changed = db.execute(
        update(Booking)
        .where(
            Booking.id == booking.id,
            Booking.status == "booked",
            Booking.modality == "phone",
            Booking.ends_at > moment,
        )
        .values(phone=phone, updated_at=moment),
        execution_options={"synchronize_session": False},
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        db.rollback()
        current = db.get(Booking, booking.id, populate_existing=True)
        # Moved to another way of meeting meanwhile: the page the person saw is out of date.
        live = current is not None and current.status == "booked" and current.ends_at > moment
        raise BookingRefused("changed" if live else "not_active")
    _log_change(db, actor, booking.id, booking.client_id, "call number")
    db.commit()
    db.refresh(booking)


def offer_type(db: Session, actor: Actor, client: Client, type_key: str) -> bool:
    """Offer an appointment type to a client; False when it had been offered already."""
    appointment_type(type_key)
    if not _add_offer(db, actor, client.id, type_key):
        return False
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        return False
    return True


# --- messages ----------------------------------------------------------------------------


def message_params(booking: Booking) -> dict[str, Any]:
    params: dict[str, Any] = {
        "path": f"/appointments/{booking.id}",
        "starts_at": booking.starts_at.isoformat(),
    }
    if (
        booking.video_url
        and booking.modality == "video"
        and not current_app.config["BOOKING_VIDEO_LINK_SENSITIVE"]
    ):
        params["meeting_url"] = booking.video_url
    return params


def reminder_hours() -> list[int]:
    configured = current_app.config["BOOKING_REMINDER_HOURS"]
    if isinstance(configured, str):
        configured = [part for part in configured.replace(" ", "").split(",") if part]
    return sorted({int(hours) for hours in configured}, reverse=True)


def schedule_reminders(db: Session, client: Client, booking: Booking, now: datetime) -> None:
    """One message per configured lead time; keys carry the start, so a moved booking gets new ones."""
    stamp = booking.starts_at.strftime("%Y%m%dT%H%MZ")
    for hours in reminder_hours():
        due = booking.starts_at - timedelta(hours=hours)
        if due <= now:
            continue  # booked later than this reminder would go: the confirmation is enough
        notify_client(
            db,
            client,
            template_key="booking_reminder",
            params=message_params(booking),
            idempotency_key=f"booking:{booking.id}:reminder:{hours}h:{stamp}",
            due_at=due,
        )


def accessibility_text(booking: Booking) -> str:
    return crypto.open_text(booking.accessibility_encrypted, ACCESSIBILITY_CONTEXT)


def message_text(booking: Booking) -> str:
    return crypto.open_text(booking.message_encrypted, MESSAGE_CONTEXT)


def interpreter_language(booking: Booking) -> str:
    """The language an interpreter is needed for; "" when none is."""
    return crypto.open_text(booking.interpreter_language_encrypted, INTERPRETER_CONTEXT)


def cancel_reason(booking: Booking) -> str:
    return crypto.open_text(booking.cancel_reason_encrypted, CANCEL_REASON_CONTEXT)


def adviser_of(db: Session, booking: Booking) -> StaffUser | None:
    return db.scalar(
        select(StaffUser).join(Slot, Slot.adviser_id == StaffUser.id).where(Slot.id == booking.slot_id)
    )
