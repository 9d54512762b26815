"""Booking over time: daylight-saving changes, reminders that go once or never, and the calendar file."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from icalendar import Calendar
from sqlalchemy import select

from portal.models import OutboxMessage, Slot
from portal.notifications import delivery_from_config
from portal.services.booking.times import local_instant
from portal.services.outbox import cancel_pending, send_due
from tests.conftest import login_as
from tests.integration.booking_support import (
    book_as_client,
    bookings,
    may_book,
    outbox,
    post_with_token,
    publish_times,
)
from tests.integration.test_outbox import Mailbox, SmtpServer, free_port

# The last Sundays of March and October, when Finland moves its clocks.
DST_SUNDAYS = [date(2026, 3, 29), date(2026, 10, 25), date(2027, 3, 28), date(2027, 10, 31)]


@pytest.mark.parametrize("sunday", DST_SUNDAYS, ids=str)
def test_sunday_times_keep_their_local_hour_across_the_clock_change(app, db, demo, sunday):
    with time_machine.travel(datetime.combine(sunday - timedelta(days=20), time(10), tzinfo=UTC), tick=False):
        ids = publish_times(
            app,
            db,
            demo["adviser"],
            kind="guidance",
            first=sunday - timedelta(days=7),
            days=15,
            start=time(9),
            end=time(10),
            modalities=("phone",),
            weekdays=(6,),
        )
        slots = db.scalars(select(Slot).where(Slot.id.in_(ids)).order_by(Slot.starts_at)).all()
        assert [s.starts_at.date() for s in slots] == [
            sunday - timedelta(days=7),
            sunday,
            sunday + timedelta(days=7),
        ]
        summer_before = sunday.month == 10
        expected_hours = [6, 7, 7] if summer_before else [7, 6, 6]
        assert [s.starts_at.hour for s in slots] == expected_hours, "09:00 Helsinki in UTC on each Sunday"
        assert all(s.ends_at - s.starts_at == timedelta(minutes=45) for s in slots)

        may_book(app, db, demo["client_fi"], demo["adviser"], kind="guidance")
        browser = app.test_client()
        login_as(app, browser, demo["client_fi"])
        monday = sunday - timedelta(days=6)
        html = browser.get(f"/appointments/book/guidance?week={monday.isoformat()}").get_data(as_text=True)
        day_section = html.split(f'id="day-{sunday.isoformat()}"')[1].split("</section>")[0]
        assert "9.00" in day_section, "the time is shown as 9.00 on the day of the change"
        assert book_as_client(browser, slots[1].id, kind="guidance").status_code == 302
        booking = bookings(db)[0]
        detail = browser.get(f"/appointments/{booking.id}").get_data(as_text=True)
        assert "9.00–9.45" in detail
        calendar = Calendar.from_ical(browser.get(f"/appointments/{booking.id}/calendar.ics").data)
        (event,) = calendar.walk("VEVENT")
        assert event.decoded("dtstart") == slots[1].starts_at


def test_wall_clock_times_in_the_spring_gap_do_not_exist_and_autumn_takes_the_first():
    assert local_instant(date(2026, 3, 29), time(3, 30)) is None
    assert local_instant(date(2026, 3, 29), time(2, 30)) == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert local_instant(date(2026, 10, 25), time(3, 30)) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


# --- reminders -------------------------------------------------------------------------


@pytest.fixture
def smtp(app):
    mailbox = Mailbox()
    server = SmtpServer(mailbox, free_port())
    app.config.update(SMTP_PORT=server.port, SMTP_TIMEOUT=5)
    server.start()
    yield mailbox
    server.stop()


def booked(app, db, demo, *, days=1):
    ids = publish_times(app, db, demo["adviser"], days=days)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    browser = app.test_client()
    login_as(app, browser, demo["client_fi"])
    assert book_as_client(browser, ids[0]).status_code == 302
    return browser, ids, bookings(db)[0]


def test_reminders_are_due_24_and_2_hours_before(app, db, demo):
    _browser, _ids, booking = booked(app, db, demo)
    reminders = outbox(db, f"booking:{booking.id}:reminder:")
    assert sorted(m.due_at for m in reminders) == [
        booking.starts_at - timedelta(hours=24),
        booking.starts_at - timedelta(hours=2),
    ]
    assert all(m.template_key == "booking_reminder" and m.locale == "fi" for m in reminders)


@pytest.mark.parametrize("app_config", [{"BOOKING_REMINDER_HOURS": "48,1"}], indirect=True)
def test_reminder_times_are_configurable(app, db, demo):
    _browser, _ids, booking = booked(app, db, demo)
    reminders = outbox(db, f"booking:{booking.id}:reminder:")
    assert sorted(booking.starts_at - m.due_at for m in reminders) == [
        timedelta(hours=1),
        timedelta(hours=48),
    ]


def test_a_reminder_is_sent_once_and_never_again(app, db, demo, smtp):
    _browser, _ids, booking = booked(app, db, demo)
    sessions = app.extensions["polku.sessionmaker"]
    delivery = delivery_from_config(app.config)
    with app.app_context():
        send_due(sessions, "worker", delivery)  # the confirmation
        first = send_due(sessions, "worker", delivery, now=booking.starts_at - timedelta(hours=23))
        again = send_due(sessions, "worker", delivery, now=booking.starts_at - timedelta(hours=23))
        last = send_due(sessions, "worker", delivery, now=booking.starts_at - timedelta(hours=1))
    assert (first.sent, again.claimed, last.sent) == (1, 0, 1)
    subjects = [message["Subject"] for _, message in smtp.messages]
    assert subjects.count("Muistutus varatusta ajasta") == 2
    assert len(smtp.messages) == 3


@pytest.mark.parametrize("change", ["moved", "cancelled"])
def test_reminders_of_a_moved_or_cancelled_booking_are_never_sent(app, db, demo, smtp, change):
    browser, ids, booking = booked(app, db, demo, days=2)
    old_start = booking.starts_at
    if change == "moved":
        url = f"/appointments/{booking.id}/move/{ids[-1]}"
        response = post_with_token(browser, url, url, {"modality": "phone", "phone": "040 123 4567"})
    else:
        url = f"/appointments/{booking.id}/cancel"
        response = post_with_token(browser, url, url)
    assert response.status_code == 302
    sessions = app.extensions["polku.sessionmaker"]
    delivery = delivery_from_config(app.config)
    with app.app_context():
        for hours in (23, 1):
            send_due(sessions, "worker", delivery, now=old_start - timedelta(hours=hours))
    sent_reminders = db.scalars(
        select(OutboxMessage).where(
            OutboxMessage.template_key == "booking_reminder", OutboxMessage.status != "pending"
        )
    ).all()
    assert sent_reminders == [], "no reminder for the old time went out"
    subjects = [message["Subject"] for _, message in smtp.messages]
    assert "Muistutus varatusta ajasta" not in subjects
    pending = outbox(db, f"booking:{booking.id}:reminder:")
    if change == "moved":
        assert len(pending) == 2
        assert all(m.due_at > old_start for m in pending)
    else:
        assert pending == []


def test_cancel_pending_leaves_what_is_already_on_its_way(app, db, demo):
    _browser, _ids, booking = booked(app, db, demo)
    first = outbox(db, f"booking:{booking.id}:reminder:")[0]
    first.status = "sending"
    db.commit()
    with app.app_context():
        removed = cancel_pending(db, f"booking:{booking.id}:reminder:")
        db.commit()
    assert removed == 1
    assert [m.id for m in outbox(db, f"booking:{booking.id}:reminder:")] == [first.id]
    with pytest.raises(ValueError, match="literal"):
        cancel_pending(db, "booking:%")


# --- the calendar file -----------------------------------------------------------------


def test_the_calendar_file_keeps_its_uid_raises_the_sequence_and_cancels(app, db, demo):
    browser, ids, booking = booked(app, db, demo, days=2)
    first = Calendar.from_ical(browser.get(f"/appointments/{booking.id}/calendar.ics").data)
    assert first["METHOD"] == "PUBLISH"
    (event,) = first.walk("VEVENT")
    uid = str(event["UID"])
    assert int(event["SEQUENCE"]) == 0
    assert str(event["SUMMARY"]) == "Kelan kuntoutushaastattelu"
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("trigger") == -timedelta(hours=2)
    body = browser.get(f"/appointments/{booking.id}/calendar.ics").get_data(as_text=True)
    assert "150385" not in body, "no personal data in the file"
    assert "Maija" not in body

    url = f"/appointments/{booking.id}/move/{ids[-1]}"
    post_with_token(browser, url, url, {"modality": "in_person"})
    moved = Calendar.from_ical(browser.get(f"/appointments/{booking.id}/calendar.ics").data)
    (event,) = moved.walk("VEVENT")
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (uid, 1)
    assert "Sibeliuksenkatu 11" in str(event["LOCATION"])

    url = f"/appointments/{booking.id}/cancel"
    post_with_token(browser, url, url)
    cancelled = Calendar.from_ical(browser.get(f"/appointments/{booking.id}/calendar.ics").data)
    assert cancelled["METHOD"] == "CANCEL"
    (event,) = cancelled.walk("VEVENT")
    assert (str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"])) == (uid, 2, "CANCELLED")
    assert not event.walk("VALARM")


def test_the_calendar_file_is_in_the_clients_language(app, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_sv"], demo["adviser"])
    browser = app.test_client()
    login_as(app, browser, demo["client_sv"])
    book_as_client(browser, ids[0])
    booking = bookings(db)[0]
    (event,) = Calendar.from_ical(browser.get(f"/appointments/{booking.id}/calendar.ics").data).walk("VEVENT")
    assert str(event["SUMMARY"]) == "FPA:s rehabiliteringsintervju"
    assert str(event["LOCATION"]) == "Per telefon"
    assert "Polku" in str(event["DESCRIPTION"])

    browser.set_cookie("polku_lang", "fi")  # pages in Finnish: the file stays in the client's language
    assert "<h1>Ajanvaraukset</h1>" in browser.get("/appointments").get_data(as_text=True)
    (event,) = Calendar.from_ical(browser.get(f"/appointments/{booking.id}/calendar.ics").data).walk("VEVENT")
    assert (str(event["SUMMARY"]), str(event["LOCATION"])) == ("FPA:s rehabiliteringsintervju", "Per telefon")


def test_a_free_times_ways_of_meeting_read_as_one_phrase(app, db, demo):
    publish_times(app, db, demo["adviser"], days=1)
    for client, lang, phrase in (
        ("client_sv", "sv", "Per telefon, via videolänk, personligen på ett verksamhetsställe"),
        ("client_fi", "fi", "Puhelimessa, videoyhteydellä, kasvokkain toimipisteessä"),
    ):
        may_book(app, db, demo[client], demo["adviser"])
        browser = app.test_client()
        login_as(app, browser, demo[client])
        browser.set_cookie("polku_lang", lang)
        assert phrase in browser.get("/appointments/book/rehabilitation_interview").get_data(as_text=True)


def test_a_type_with_no_free_times_says_so_without_empty_days_or_a_next_week(app, db, demo):
    may_book(app, db, demo["client_fi"], demo["adviser"])
    browser = app.test_client()
    login_as(app, browser, demo["client_fi"])
    page = browser.get("/appointments/book/rehabilitation_interview").get_data(as_text=True)
    assert "Tällä viikolla ei ole vapaita aikoja." in page
    assert "Myöskään tämän viikon jälkeen ei ole julkaistu vapaita aikoja." in page
    assert 'class="day__heading"' not in page, "no list of seven days saying the same"
    assert "Seuraava viikko" not in page


def test_the_days_of_this_week_already_gone_are_not_listed(app, db, demo):
    with time_machine.travel(datetime(2026, 12, 1, 10, tzinfo=UTC), tick=False):  # a Tuesday
        publish_times(app, db, demo["adviser"], first=date(2026, 12, 1), days=4)  # to Friday
        may_book(app, db, demo["client_fi"], demo["adviser"])
        browser = app.test_client()
        login_as(app, browser, demo["client_fi"])
        page = browser.get("/appointments/book/rehabilitation_interview?week=2026-11-30").get_data(
            as_text=True
        )
    assert 'id="day-2026-11-30"' not in page, "Monday has gone"
    assert 'id="day-2026-12-01"' not in page, "today's times are too soon to book: no empty day listed"
    assert 'id="day-2026-12-04"' in page
