"""Advisers' availability: one-off and weekly times previewed then published, blocked days, withdrawals."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import crypto
from portal.content.appointments import appointment_type
from portal.models import AvailabilityRule, BlockedDay, Booking, Slot, StaffUser
from portal.models.base import utcnow
from portal.services.booking.times import clock, dates, day_bounds, local_date, local_instant

MAX_RANGE_DAYS = 366
MAX_SLOTS = 500
# How far ahead times are published and days blocked: a year's weekly times, a coming summer's
# holiday. Clients see a time only once it is within the type's bookable_days_ahead.
FURTHEST_AHEAD = timedelta(days=366)
BLOCK_REASON_CONTEXT = "blocked_day.reason"


class AvailabilityRefused(ValueError):
    """Nothing was published: the reason is in `reason`, the clashing times in `clashes`."""

    def __init__(self, reason: str, clashes: list[PlannedSlot] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.clashes = clashes or []


@dataclass(frozen=True)
class AvailabilitySpec:
    """What the adviser asked for. One-off: `weekdays` empty and valid_from == valid_until."""

    appointment_type: str
    modalities: tuple[str, ...]
    office_key: str | None
    start_time: time
    end_time: time | None  # None: one time only, at start_time
    valid_from: date
    valid_until: date
    weekdays: tuple[int, ...] = ()

    @property
    def weekly(self) -> bool:
        return bool(self.weekdays)

    def digest(self) -> str:
        """Names these choices: the publish button carries the previewed one's, so that times changed
        after the preview are previewed again rather than published unseen."""
        return hashlib.sha256(repr(self).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class PlannedSlot:
    starts_at: datetime
    ends_at: datetime
    occupied_from: datetime
    occupied_until: datetime
    weekday: int


@dataclass
class Plan:
    slots: list[PlannedSlot] = field(default_factory=list)
    clashes: list[PlannedSlot] = field(default_factory=list)
    skipped_blocked: list[date] = field(default_factory=list)
    skipped_past: int = 0


def plan(db: Session, adviser: StaffUser, spec: AvailabilitySpec, *, now: datetime | None = None) -> Plan:
    """The times a spec would publish, and which of them clash with the adviser's existing times."""
    now = now or utcnow()
    kind = appointment_type(spec.appointment_type)
    if not spec.modalities or not set(spec.modalities) <= set(kind.modalities):
        raise AvailabilityRefused("modalities")  # a type offered only as its content allows
    if spec.valid_until < spec.valid_from:
        raise AvailabilityRefused("range")
    if (spec.valid_until - spec.valid_from).days > MAX_RANGE_DAYS:
        raise AvailabilityRefused("range_too_long")
    if spec.valid_until > local_date(now) + FURTHEST_AHEAD:
        raise AvailabilityRefused("too_far")
    blocked = set(
        db.scalars(
            select(BlockedDay.day).where(
                BlockedDay.adviser_id == adviser.id,
                BlockedDay.day >= spec.valid_from,
                BlockedDay.day <= spec.valid_until,
            )
        )
    )
    result = Plan()
    step = kind.buffer_before + kind.duration + kind.buffer_after
    for day in dates(spec.valid_from, spec.valid_until):
        if spec.weekly and day.weekday() not in spec.weekdays:
            continue
        if day in blocked:
            result.skipped_blocked.append(day)
            continue
        for starts_at in _starts(day, spec.start_time, spec.end_time, kind.duration, step):
            if starts_at <= now:
                result.skipped_past += 1
                continue
            result.slots.append(
                PlannedSlot(
                    starts_at=starts_at,
                    ends_at=starts_at + kind.duration,
                    occupied_from=starts_at - kind.buffer_before,
                    occupied_until=starts_at + kind.duration + kind.buffer_after,
                    weekday=day.weekday(),
                )
            )
    if len(result.slots) > MAX_SLOTS:
        raise AvailabilityRefused("too_many")
    result.clashes = _clashes(db, adviser, result.slots)
    return result


def _starts(day: date, start: time, end: time | None, duration: timedelta, step: timedelta) -> list[datetime]:
    """Start instants on one day, stepping in wall-clock time so a DST change never shifts the hours."""
    if end is None:
        instant = local_instant(day, start)
        return [instant] if instant else []
    starts = []
    cursor = datetime.combine(day, start)
    last = datetime.combine(day, end)
    while cursor + duration <= last:
        instant = local_instant(day, cursor.time())
        if instant is not None:
            starts.append(instant)
        cursor += step
    return starts


def _clashes(db: Session, adviser: StaffUser, planned: list[PlannedSlot]) -> list[PlannedSlot]:
    if not planned:
        return []
    first = min(p.occupied_from for p in planned)
    last = max(p.occupied_until for p in planned)
    existing = db.execute(
        select(Slot.occupied_from, Slot.occupied_until).where(
            Slot.adviser_id == adviser.id,
            Slot.status != "withdrawn",
            Slot.occupied_from < last,
            Slot.occupied_until > first,
        )
    ).all()
    clashes = []
    ordered = sorted(planned, key=lambda p: p.occupied_from)
    for position, candidate in enumerate(ordered):
        overlaps_existing = any(
            start < candidate.occupied_until and end > candidate.occupied_from for start, end in existing
        )
        overlaps_planned = position > 0 and ordered[position - 1].occupied_until > candidate.occupied_from
        if overlaps_existing or overlaps_planned:
            clashes.append(candidate)
    return clashes


def publish(
    db: Session, adviser: StaffUser, spec: AvailabilitySpec, *, now: datetime | None = None
) -> list[Slot]:
    """Save the planned times, all or none: a clash, also one the database finds, refuses them all."""
    result = plan(db, adviser, spec, now=now)
    if result.clashes:
        raise AvailabilityRefused("overlap", result.clashes)
    if not result.slots:
        raise AvailabilityRefused("empty")
    modalities = " ".join(spec.modalities)
    rules: dict[int, AvailabilityRule] = {}
    if spec.weekly:
        for weekday in spec.weekdays:
            rules[weekday] = AvailabilityRule(
                adviser_id=adviser.id,
                appointment_type=spec.appointment_type,
                weekday=weekday,
                start_time=clock(spec.start_time),
                end_time=clock(spec.end_time or spec.start_time),
                valid_from=spec.valid_from,
                valid_until=spec.valid_until,
                modalities=modalities,
                office_key=spec.office_key,
            )
        db.add_all(rules.values())
        db.flush()
    slots = [
        Slot(
            adviser_id=adviser.id,
            appointment_type=spec.appointment_type,
            starts_at=planned.starts_at,
            ends_at=planned.ends_at,
            occupied_from=planned.occupied_from,
            occupied_until=planned.occupied_until,
            modalities=modalities,
            office_key=spec.office_key,
            status="free",
            rule_id=rules[planned.weekday].id if planned.weekday in rules else None,
        )
        for planned in result.slots
    ]
    db.add_all(slots)
    try:
        db.flush()
        db.commit()
    except IntegrityError as error:
        # Someone published an overlapping time between our check and our insert.
        db.rollback()
        raise AvailabilityRefused("overlap") from error
    return slots


def withdraw_slot(db: Session, adviser: StaffUser, slot_id: int) -> bool:
    """Withdraw a free time of this adviser; False when it is booked, gone or someone else's."""
    result = db.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.adviser_id == adviser.id, Slot.status == "free")
        .values(status="withdrawn", withdrawn_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    db.commit()
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class BlockResult:
    withdrawn: int
    bookings_left: list[int]


def block_day(db: Session, adviser: StaffUser, day: date, reason: str) -> BlockResult:
    """Mark a day closed and withdraw its free times; booked ones stay for the adviser to cancel."""
    existing = db.scalar(select(BlockedDay).where(BlockedDay.adviser_id == adviser.id, BlockedDay.day == day))
    if existing is None:
        sealed = crypto.seal_text(reason.replace("\x00", "")[:200], BLOCK_REASON_CONTEXT)
        db.add(BlockedDay(adviser_id=adviser.id, day=day, reason_encrypted=sealed))
    start, end = day_bounds(day)
    on_the_day = and_(Slot.adviser_id == adviser.id, Slot.starts_at >= start, Slot.starts_at < end)
    withdrawn = db.execute(
        update(Slot)
        .where(on_the_day, Slot.status == "free")
        .values(status="withdrawn", withdrawn_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    left = db.scalars(
        select(Booking.id)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(on_the_day, Booking.status == "booked")
        .order_by(Booking.starts_at)
    ).all()
    try:
        db.commit()
    except IntegrityError:
        db.rollback()  # blocked twice at the same moment: the other request did it
    return BlockResult(withdrawn.rowcount, list(left))  # type: ignore[attr-defined]


def block_reason(blocked: BlockedDay) -> str:
    """The adviser's own reason for the day, or "" when none was written."""
    return crypto.open_text(blocked.reason_encrypted, BLOCK_REASON_CONTEXT)


def unblock_day(db: Session, adviser: StaffUser, day: date) -> bool:
    """Open a blocked day again; whether it was blocked. The times withdrawn when it was blocked stay
    withdrawn (some may have been withdrawn for reasons of their own): the adviser publishes anew."""
    removed = db.execute(
        delete(BlockedDay).where(BlockedDay.adviser_id == adviser.id, BlockedDay.day == day),
        execution_options={"synchronize_session": False},
    )
    db.commit()
    return bool(removed.rowcount)  # type: ignore[attr-defined]


def blocked_days(db: Session, adviser: StaffUser, first: date, last: date) -> list[BlockedDay]:
    return list(
        db.scalars(
            select(BlockedDay)
            .where(BlockedDay.adviser_id == adviser.id, BlockedDay.day >= first, BlockedDay.day <= last)
            .order_by(BlockedDay.day)
        )
    )
