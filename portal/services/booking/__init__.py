"""Booking advisers' slots: availability, race-safe booking, reminders and schedules.

availability: publishing and withdrawing times; bookings: book, move, cancel; queries: what pages
read; ics: the calendar file. The demo's week of interview times is set up here too.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.demo import demo_person
from portal.identity import hetu
from portal.models import Client, StaffUser
from portal.models.base import utcnow
from portal.services.audit import Actor
from portal.services.booking.availability import AvailabilityRefused, AvailabilitySpec, publish
from portal.services.booking.bookings import offer_type
from portal.services.booking.queries import export_for_client
from portal.services.booking.times import local_date

__all__ = ["demo_availability", "export_for_client"]


def demo_availability(db: Session, *, start: date | None = None) -> int:
    """The demo adviser's interview times for next week (Monday to Friday, 9-12, phone, video or in
    Järvenpää), offered to the demo clients. Safe to run again: times that exist are left as they are."""
    adviser = db.scalar(select(StaffUser).where(StaffUser.email == demo_person("adviser")["email"]))
    if adviser is None:
        return 0
    today = local_date(utcnow())
    monday = start or today + timedelta(days=7 - today.weekday())
    spec = AvailabilitySpec(
        appointment_type="rehabilitation_interview",
        modalities=("phone", "video", "in_person"),
        office_key="jarvenpaa",
        start_time=time(9, 0),
        end_time=time(12, 0),
        valid_from=monday,
        valid_until=monday + timedelta(days=4),
        weekdays=(0, 1, 2, 3, 4),
    )
    try:
        published = len(publish(db, adviser, spec))
    except AvailabilityRefused:
        published = 0  # already published
    actor = Actor(id=adviser.id, role=adviser.role, org=adviser.organisation)
    for key in ("client_fi", "client_sv"):
        code = hetu.validate(demo_person(key)["hetu"], allow_test_codes=True)
        client = db.scalar(select(Client).where(Client.hetu_hash == hetu.lookup(code)))
        if client is not None:
            offer_type(db, actor, client, "rehabilitation_interview")
    return published
