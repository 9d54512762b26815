"""Booking: advisers' slots, weekly availability rules, blocked days, offers and clients' bookings.

The database itself keeps a slot from being booked twice: a partial unique index allows one
booked booking per slot, another one current booking per client and appointment type, and on
PostgreSQL an exclusion constraint (created by the migration) keeps one adviser's published
times from overlapping. SQLite gets the same overlap rule as a trigger.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.identity import Client, StaffUser

SLOT_STATUSES = ("free", "booked", "withdrawn")
BOOKING_STATUSES = ("booked", "cancelled", "done", "no_show")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class AvailabilityRule(Base):
    """A weekly rule an adviser published: on this weekday, these hours, for this date range."""

    __tablename__ = "availability_rule"
    __table_args__ = (CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    adviser_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    appointment_type: Mapped[str] = mapped_column(String(64))
    weekday: Mapped[int] = mapped_column()  # Monday 0 ... Sunday 6
    # Local wall-clock times in Europe/Helsinki, "HH:MM": the slots follow the clock across DST.
    start_time: Mapped[str] = mapped_column(String(5))
    end_time: Mapped[str] = mapped_column(String(5))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    modalities: Mapped[str] = mapped_column(String(40))
    office_key: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Slot(Base):
    """One bookable time of one adviser; `occupied_*` include the type's buffers."""

    __tablename__ = "slot"
    __table_args__ = (
        CheckConstraint(_one_of("status", SLOT_STATUSES), name="status"),
        CheckConstraint("ends_at > starts_at", name="positive"),
        CheckConstraint("occupied_from <= starts_at AND occupied_until >= ends_at", name="occupied"),
        Index("ix_slot_adviser_occupied", "adviser_id", "occupied_from", "occupied_until"),
        # Free times of one type, soonest first: the client's list of times.
        Index("ix_slot_type_status_starts", "appointment_type", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    adviser_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))
    appointment_type: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    occupied_from: Mapped[datetime] = mapped_column(UTCDateTime())
    occupied_until: Mapped[datetime] = mapped_column(UTCDateTime())
    # The ways the meeting may happen, space-separated: "phone video in_person".
    modalities: Mapped[str] = mapped_column(String(40))
    office_key: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="free")
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("availability_rule.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    adviser: Mapped[StaffUser] = relationship()

    @property
    def modality_list(self) -> list[str]:
        return self.modalities.split()


class BlockedDay(Base):
    """A day an adviser takes no appointments: a holiday or an absence."""

    __tablename__ = "blocked_day"
    __table_args__ = (UniqueConstraint("adviser_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    adviser_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    # Sealed (portal.services.booking.availability): an absence's reason may be the adviser's illness.
    reason_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AppointmentOffer(Base):
    """An adviser offered an appointment type to a client, who may then book it."""

    __tablename__ = "appointment_offer"
    __table_args__ = (UniqueConstraint("client_id", "appointment_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    appointment_type: Mapped[str] = mapped_column(String(64))
    offered_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Booking(Base):
    """A client's appointment in a slot. Moving changes the slot and keeps the booking (and its UID)."""

    __tablename__ = "booking"
    __table_args__ = (
        CheckConstraint(_one_of("status", BOOKING_STATUSES), name="status"),
        CheckConstraint("status = 'booked' OR NOT is_current", name="current_is_booked"),
        # A slot has at most one booking that holds it.
        Index(
            "uq_booking_slot_booked",
            "slot_id",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
        # A client holds at most one coming booking of each type.
        Index(
            "uq_booking_client_type_current",
            "client_id",
            "appointment_type",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        Index("ix_booking_client_starts", "client_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id", ondelete="RESTRICT"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id", ondelete="CASCADE"))
    appointment_type: Mapped[str] = mapped_column(String(64))
    # Copied from the slot (and changed with it on a move), for lists and reminders.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="booked")
    # True while the booking is booked and still to come; cleared when it ends, is cancelled or has passed.
    is_current: Mapped[bool] = mapped_column(default=True)
    modality: Mapped[str] = mapped_column(String(16))
    # The number the adviser calls (E.164), for a meeting by phone only.
    phone: Mapped[str | None] = mapped_column(String(20))
    # Sealed like the other needs (portal.services.booking.bookings): a language can tell of origin.
    interpreter_language_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The client's own words can hold health details: stored encrypted.
    accessibility_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    message_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    video_url: Mapped[str | None] = mapped_column(String(500))
    sequence: Mapped[int] = mapped_column(default=0)  # the .ics SEQUENCE, raised on every move
    booked_by_staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_by: Mapped[str | None] = mapped_column(String(16))  # client, adviser or staff
    # A professional's reason, shown to the client: free text, so sealed like the client's own words.
    cancel_reason_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)

    slot: Mapped[Slot] = relationship()
    client: Mapped[Client] = relationship()
