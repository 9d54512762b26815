"""What the booking pages and panels read: free times, schedules, a client's bookings; constant queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import CompoundSelect, Select, String, and_, bindparam, func, literal, select, type_coerce
from sqlalchemy.orm import Session

from portal.content.appointments import AppointmentType, catalogue
from portal.models import AppointmentOffer, Booking, Client, ClientAssignment, Slot, StaffUser
from portal.models.base import UTCDateTime, in_text, utcnow
from portal.services.booking.bookings import (
    accessibility_text,
    cancel_reason,
    interpreter_language,
    message_text,
)
from portal.services.booking.times import day_bounds, local_date
from portal.services.reads import prepared, read_values

HOLDING = ("booked", "done", "no_show")


def bookable_window(
    kind: AppointmentType, now: datetime, *, staff: bool = False
) -> tuple[datetime, datetime]:
    if staff:
        return now, now + timedelta(days=366)
    return now + kind.min_notice, now + timedelta(days=kind.bookable_days_ahead)


class FreeTime(NamedTuple):
    """A free time as the lists of times show it: plain values, so that its line can be kept rendered."""

    id: int
    starts_at: datetime
    modalities: tuple[str, ...]
    adviser_name: str


def free_slots(
    db: Session,
    kind: AppointmentType,
    first: date,
    last: date,
    *,
    now: datetime | None = None,
    staff: bool = False,
) -> list[FreeTime]:
    """Free times of a type on the Helsinki days first..last, inside the bookable window."""
    earliest, latest = bookable_window(kind, now or utcnow(), staff=staff)
    start, _ = day_bounds(first)
    _, end = day_bounds(last)
    found = read_values(
        db, _free_slots(), {"kind": kind.key, "start": max(start, earliest), "end": end, "latest": latest}
    )
    return [_free_time(*row) for row in found]


def _free_time(slot_id: int, starts_at: datetime, modalities: str, adviser_name: str) -> FreeTime:
    return FreeTime(slot_id, starts_at, tuple(modalities.split()), adviser_name)  # as Slot.modality_list


# The client's pages ask for these on every visit; they are built once and take the values as parameters.


@prepared
def _free_slots() -> Select[tuple[int, datetime, str, str]]:
    # Columns, not objects: a week's times loaded as objects cost more than the rest of the page.
    return (
        select(Slot.id, Slot.starts_at, Slot.modalities, StaffUser.name)
        .join(StaffUser, StaffUser.id == Slot.adviser_id)
        .where(
            Slot.appointment_type == bindparam("kind"),
            Slot.status == "free",
            Slot.starts_at >= bindparam("start"),
            Slot.starts_at < bindparam("end"),
            Slot.starts_at <= bindparam("latest"),
        )
        .order_by(Slot.starts_at, StaffUser.name, Slot.id)
    )


@prepared
def _first_free() -> Select[tuple[datetime]]:
    return select(func.min(Slot.starts_at)).where(
        Slot.appointment_type == bindparam("kind"),
        Slot.status == "free",
        Slot.starts_at >= bindparam("earliest"),
        Slot.starts_at <= bindparam("latest"),
    )


def first_free_day(
    db: Session, kind: AppointmentType, *, now: datetime | None = None, staff: bool = False
) -> date | None:
    earliest, latest = bookable_window(kind, now or utcnow(), staff=staff)
    first = read_values(
        db, _first_free(), {"kind": kind.key, "earliest": earliest, "latest": latest}
    ).scalar()
    if first is None:
        return None
    if first.tzinfo is None:  # an aggregate skips the column type on SQLite
        from datetime import UTC

        first = first.replace(tzinfo=UTC)
    return local_date(first)


def nearest_free(
    db: Session, kind: AppointmentType, around: datetime, *, now: datetime | None = None, limit: int = 5
) -> list[FreeTime]:
    """The free times closest to the one that was just taken, in time order."""
    earliest, latest = bookable_window(kind, now or utcnow())
    base = (
        select(Slot.id, Slot.starts_at, Slot.modalities, StaffUser.name)
        .join(StaffUser, StaffUser.id == Slot.adviser_id)
        .where(
            Slot.appointment_type == kind.key,
            Slot.status == "free",
            Slot.starts_at >= earliest,
            Slot.starts_at <= latest,
        )
    )
    after = read_values(db, base.where(Slot.starts_at >= around).order_by(Slot.starts_at).limit(limit)).all()
    before = read_values(
        db, base.where(Slot.starts_at < around).order_by(Slot.starts_at.desc()).limit(limit)
    ).all()
    rows = [_free_time(*row) for row in [*after, *before]]
    rows.sort(key=lambda row: abs((row.starts_at - around).total_seconds()))
    return sorted(rows[:limit], key=lambda row: row.starts_at)


# Not a type key: stands for "someone in the network works with the client" in bookable_types().
IN_NETWORK = "*network*"


def bookable_types(db: Session, client: Client) -> list[AppointmentType]:
    """The types this client may book now: offered ones, and network ones once someone works with them."""
    found = set(read_values(db, _offered_and_network(), {"client_id": client.id}).scalars())
    in_network = IN_NETWORK in found
    return [
        kind
        for kind in catalogue().types.values()
        if kind.key in found or (kind.bookable_by == "network" and in_network)
    ]


@prepared
def _offered_and_network() -> CompoundSelect[tuple[str]]:
    """One statement: the types offered to the client, and the marker when someone works with them."""
    assigned = select(ClientAssignment.id).where(
        ClientAssignment.client_id == bindparam("client_id"), ClientAssignment.ended_at.is_(None)
    )
    return (
        select(AppointmentOffer.appointment_type)
        .where(AppointmentOffer.client_id == bindparam("client_id"))
        .union_all(select(literal(IN_NETWORK, String)).where(assigned.exists()))
    )


def offered_types(db: Session, client_id: int) -> set[str]:
    """The appointment types offered to the client (the client overview shows and offers them)."""
    return set(read_values(db, _offered_types(), {"client_id": client_id}).scalars())


@prepared
def _offered_types() -> Select[tuple[str]]:
    return select(AppointmentOffer.appointment_type).where(
        AppointmentOffer.client_id == bindparam("client_id")
    )


class ComingBooking(NamedTuple):
    """A booked appointment as the client's front page shows it: plain values."""

    id: int
    appointment_type: str
    starts_at: datetime
    ends_at: datetime


def coming_bookings(db: Session, client_id: int, now: datetime) -> list[ComingBooking]:
    """The client's booked appointments that have not ended yet, soonest first (a few at most)."""
    found = read_values(db, _coming_bookings(), {"client_id": client_id, "now": now})
    return [ComingBooking(*row) for row in found]


@prepared
def _coming_bookings() -> Select[tuple[int, str, datetime, datetime]]:
    # Built once: the client's front page asks on every visit. Columns, not objects: loading the
    # bookings as objects cost more than the rest of the panel.
    return (
        select(Booking.id, Booking.appointment_type, Booking.starts_at, Booking.ends_at)
        .where(
            Booking.client_id == bindparam("client_id"),
            Booking.status == in_text("booked"),
            Booking.ends_at > bindparam("now"),
        )
        .order_by(Booking.starts_at, Booking.id)
    )


def client_bookings(db: Session, client_id: int, *, limit: int = 50) -> list[tuple[Booking, Slot, StaffUser]]:
    return [
        (booking, slot, adviser)
        for booking, slot, adviser in db.execute(
            select(Booking, Slot, StaffUser)
            .join(Slot, Slot.id == Booking.slot_id)
            .join(StaffUser, StaffUser.id == Slot.adviser_id)
            .where(Booking.client_id == client_id)
            .order_by(Booking.starts_at.desc(), Booking.id.desc())
            .limit(limit)
        ).all()
    ]


def booking_lines(db: Session, client_id: int, *, limit: int) -> list[Any]:
    """The client's newest appointments as plain rows (id, starts_at, appointment_type, modality,
    status, adviser_name, ends_at): the client overview and the client's own list show them and
    change none."""
    return list(read_values(db, _booking_lines(), {"client_id": client_id, "limit": limit}).all())


@prepared
def _booking_lines() -> Select[tuple[int, datetime, str, str, str, str, datetime]]:
    return (
        select(
            Booking.id,
            Booking.starts_at,
            Booking.appointment_type,
            Booking.modality,
            Booking.status,
            StaffUser.name.label("adviser_name"),
            Booking.ends_at,
        )
        .join(Slot, Slot.id == Booking.slot_id)
        .join(StaffUser, StaffUser.id == Slot.adviser_id)
        .where(Booking.client_id == bindparam("client_id"))
        .order_by(Booking.starts_at.desc(), Booking.id.desc())
        .limit(bindparam("limit"))
    )


def upcoming(lines: list[Any], now: datetime) -> list[Any]:
    """Of booking_lines, the booked appointments that have not ended, soonest first."""
    return sorted(
        (line for line in lines if line.status == "booked" and line.ends_at > now),
        key=lambda line: line.starts_at,
    )


def next_appointments(
    db: Session, client_ids: list[int], *, now: datetime | None = None
) -> dict[int, datetime]:
    """When each client's next booked appointment starts, in one query."""
    if not client_ids:
        return {}
    rows = read_values(db, _next_starts(), {"client_ids": client_ids, "now": now or utcnow()}).all()
    return dict(rows)  # type: ignore[arg-type]


@cache
def _next_starts() -> Select[tuple[int, datetime]]:
    # The aggregate keeps the column's type, so SQLite hands back aware times too.
    soonest = type_coerce(func.min(Booking.starts_at), UTCDateTime())
    return (
        select(Booking.client_id, soonest)
        .where(
            Booking.client_id.in_(bindparam("client_ids", expanding=True)),
            Booking.status == in_text("booked"),
            Booking.starts_at > bindparam("now"),
        )
        .group_by(Booking.client_id)
    )


@dataclass(frozen=True)
class ScheduleRow:
    slot: Slot
    booking: Booking | None
    client: Client | None
    accessibility: str
    message: str
    interpreter: str


def schedule(db: Session, adviser: StaffUser, first: date, last: date) -> list[ScheduleRow]:
    """The adviser's published times on days first..last with the bookings that hold them."""
    start, _ = day_bounds(first)
    _, end = day_bounds(last)
    rows = db.execute(
        select(Slot, Booking, Client)
        .outerjoin(Booking, and_(Booking.slot_id == Slot.id, Booking.status.in_(HOLDING)))
        .outerjoin(Client, Client.id == Booking.client_id)
        .where(
            Slot.adviser_id == adviser.id,
            Slot.starts_at >= start,
            Slot.starts_at < end,
            Slot.status != "withdrawn",
        )
        .order_by(Slot.starts_at, Slot.id)
    ).all()
    return [
        ScheduleRow(
            slot=slot,
            booking=booking,
            client=client,
            accessibility=accessibility_text(booking) if booking else "",
            message=message_text(booking) if booking else "",
            interpreter=interpreter_language(booking) if booking else "",
        )
        for slot, booking, client in rows
    ]


def export_for_client(db: Session, client: Client) -> list[dict[str, Any]]:
    """Everything booking holds about the client, for "download my data"."""
    offers = db.scalars(
        select(AppointmentOffer).where(AppointmentOffer.client_id == client.id).order_by(AppointmentOffer.id)
    ).all()
    records: list[dict[str, Any]] = [
        {
            "kind": "appointment_offer",
            "appointment_type": offer.appointment_type,
            "offered_at": offer.offered_at.isoformat(),
        }
        for offer in offers
    ]
    for booking, slot, adviser in sorted(client_bookings(db, client.id, limit=10_000), key=lambda r: r[0].id):
        records.append(
            {
                "kind": "booking",
                "id": booking.id,
                "appointment_type": booking.appointment_type,
                "starts_at": booking.starts_at.isoformat(),
                "ends_at": booking.ends_at.isoformat(),
                "status": booking.status,
                "modality": booking.modality,
                "office": slot.office_key if booking.modality == "in_person" else None,
                "adviser": adviser.name,
                "interpreter_language": interpreter_language(booking) or None,
                "accessibility_needs": accessibility_text(booking) or None,
                "message": message_text(booking) or None,
                "phone": booking.phone,
                "video_url": booking.video_url,
                "booked_at": booking.created_at.isoformat(),
                "booked_by_staff": booking.booked_by_staff_id is not None,
                "cancelled_at": booking.cancelled_at.isoformat() if booking.cancelled_at else None,
                "cancelled_by": booking.cancelled_by,
                "cancel_reason": cancel_reason(booking) or None,
            }
        )
    return records
