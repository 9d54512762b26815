"""Factories for the booking tests: advisers' times, clients who may book, bookings made as a client would."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from portal.models import Booking, Client, ClientAssignment, OutboxMessage, Slot, StaffUser
from portal.models.base import utcnow
from portal.services.audit import Actor
from portal.services.booking.availability import AvailabilitySpec, publish
from portal.services.booking.bookings import offer_type
from portal.services.booking.times import local_date
from tests.conftest import csrf_token_from

HREF_SLOT = re.compile(r'href="/appointments/book/[a-z_]+/(\d+)"')


def monday_after(days: int = 3) -> date:
    """A Monday at least `days` days from now, so notice periods and cut-offs are far away."""
    day = local_date(utcnow()) + timedelta(days=days)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def actor_for(staff: StaffUser) -> Actor:
    return Actor(id=staff.id, role=staff.role, org=staff.organisation)


def publish_times(
    app,
    db,
    adviser,
    *,
    kind="rehabilitation_interview",
    first=None,
    days=5,
    start=time(9),
    end=time(12),
    modalities=("phone", "video", "in_person"),
    office="jarvenpaa",
    now=None,
    weekdays=None,
):
    first = first or monday_after()
    spec = AvailabilitySpec(
        appointment_type=kind,
        modalities=modalities,
        office_key=office if "in_person" in modalities else None,
        start_time=start,
        end_time=end,
        valid_from=first,
        valid_until=first + timedelta(days=days - 1),
        weekdays=weekdays or tuple(sorted({(first + timedelta(days=n)).weekday() for n in range(days)})),
    )
    with app.app_context():
        slots = publish(db, adviser, spec, now=now)
    return [slot.id for slot in slots]


def may_book(app, db, client, adviser, kind="rehabilitation_interview"):
    """Assign the client to the adviser and offer the type, as an adviser would."""
    with app.app_context():
        if db.scalar(select(ClientAssignment.id).where(ClientAssignment.client_id == client.id)) is None:
            db.add(ClientAssignment(client_id=client.id, staff_user_id=adviser.id, responsibility="adviser"))
            db.commit()
        offer_type(db, actor_for(adviser), client, kind)


def make_clients(db, count, *, email=True):
    clients = [
        Client(
            hetu_hash=f"race-{secrets.token_hex(8)}",
            hetu_encrypted=b"\x00",
            given_name=f"Testi{n}",
            family_name="Asiakas",
            locale="fi",
            email=f"asiakas{n}@example.fi" if email else None,
        )
        for n in range(count)
    ]
    db.add_all(clients)
    db.commit()
    return clients


def book_as_client(browser, slot_id, kind="rehabilitation_interview", modality="phone", **extra):
    url = f"/appointments/book/{kind}/{slot_id}"
    page = browser.get(url)
    token = csrf_token_from(page.get_data(as_text=True)) if page.status_code == 200 else ""
    if not token:
        token = csrf_token_from(browser.get("/appointments").get_data(as_text=True))
    number = {"phone": "040 123 4567"} if modality == "phone" else {}
    data = {"csrf_token": token, "modality": modality, "interpreter": "no", **number, **extra}
    return browser.post(url, data=data)


def post_with_token(browser, page_url, action, data=None):
    """Post as the page's form does (page_fields)."""
    html = browser.get(page_url).get_data(as_text=True)
    return browser.post(action, data={**page_fields(html), **(data or {})})


def page_fields(html):
    """What the page's form sends beside what is typed: its CSRF token and, on a move, the time
    the page showed as current."""
    found = SEEN_FIELD.search(html)
    return {"csrf_token": csrf_token_from(html), **({"seen": found.group(1)} if found else {})}


SEEN_FIELD = re.compile(r'<input[^>]* name="seen"[^>]* value="(\d+)"')


def count(db, model, *where):
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model).where(*where))


def bookings(db):
    db.expire_all()
    return db.scalars(select(Booking).order_by(Booking.id)).all()


def slot(db, slot_id):
    db.expire_all()
    return db.get(Slot, slot_id)


def outbox(db, prefix=""):
    db.expire_all()
    return db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.idempotency_key.startswith(prefix))
        .order_by(OutboxMessage.id)
    ).all()


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)
