"""Booking through the pages: publishing times, booking, moving, cancelling, and every refusal."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from portal.models import AccessLogEntry, BlockedDay, Booking, Client, Slot, StaffRole, StaffUser
from portal.models.base import utcnow
from portal.services.booking.availability import AvailabilityRefused
from portal.services.booking.bookings import interpreter_language
from portal.services.booking.times import local_date
from tests.conftest import csrf_token_from, error_summary_of, lists_logged, login_as, signed_in
from tests.integration.booking_support import (
    book_as_client,
    bookings,
    count,
    may_book,
    monday_after,
    outbox,
    post_with_token,
    publish_times,
    slot,
)

INTERVIEW = "rehabilitation_interview"


@pytest.fixture
def adviser_browser(app, demo):
    browser = app.test_client()
    login_as(app, browser, demo["adviser"])
    return browser


@pytest.fixture
def client_fi(app, demo):
    browser = app.test_client()
    login_as(app, browser, demo["client_fi"])
    return browser


def publish_form(first, **overrides):
    data = {
        "kind": "weekly",
        "appointment_type": INTERVIEW,
        "modalities": ["phone", "video", "in_person"],
        "office": "jarvenpaa",
        "valid_from-day": first.day,
        "valid_from-month": first.month,
        "valid_from-year": first.year,
        "valid_until-day": (first + timedelta(days=4)).day,
        "valid_until-month": (first + timedelta(days=4)).month,
        "valid_until-year": (first + timedelta(days=4)).year,
        "weekdays": ["0", "1", "2", "3", "4"],
        "start_time": "9.00",
        "end_time": "12.00",
    }
    data.update(overrides)
    return data


# --- publishing ------------------------------------------------------------------------


def test_the_adviser_previews_weekly_times_before_publishing_them(adviser_browser, db):
    first = monday_after()
    preview = post_with_token(
        adviser_browser,
        "/staff/schedule/publish",
        "/staff/schedule/publish",
        publish_form(first, action="preview"),
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    # 9.00-12.00 with 60 minutes and a 15-minute buffer: 9.00, 10.15 (11.30 would end at 12.30).
    assert "10 aikaa julkaistaan" in html
    assert "Tapaamistavat: Puhelimessa, videoyhteydellä, kasvokkain toimipisteessä" in html
    assert "Toimipiste: Järvenpään TYM-toimipiste, Sibeliuksenkatu 11, 04400 Järvenpää" in html
    assert count(db, Slot) == 0, "a preview saves nothing"

    published = post_with_token(
        adviser_browser,
        "/staff/schedule/publish",
        "/staff/schedule/publish",
        publish_form(first, action="publish"),
    )
    assert published.status_code == 302
    slots = db.scalars(select(Slot).order_by(Slot.starts_at)).all()
    assert len(slots) == 10
    assert [s.starts_at.astimezone(local_tz()).strftime("%H:%M") for s in slots[:2]] == ["09:00", "10:15"]
    assert all(s.rule_id is not None and s.status == "free" for s in slots)
    schedule = adviser_browser.get(published.headers["Location"]).get_data(as_text=True)
    assert "10.15" in schedule


@pytest.mark.parametrize("action", ["preview", "publish"])
def test_a_type_is_published_only_in_the_ways_of_meeting_it_offers(app, adviser_browser, db, demo, action):
    # The nurse's appointment is by phone or in person, never by video.
    data = publish_form(
        monday_after(), appointment_type="nurse_appointment", modalities=["video"], action=action
    )
    response = post_with_token(adviser_browser, "/staff/schedule/publish", "/staff/schedule/publish", data)
    assert response.status_code == 422
    message = (
        "Valitse vain tapoja, joilla tätä ajan tyyppiä tarjotaan: ”Puhelimessa”, ”Kasvokkain toimipisteessä”."
    )
    assert message in error_summary_of(response.get_data(as_text=True))
    assert count(db, Slot) == 0
    with pytest.raises(AvailabilityRefused, match="modalities"):
        publish_times(app, db, demo["adviser"], kind="nurse_appointment", modalities=("video",))
    assert count(db, Slot) == 0, "nor does the service publish one"


def test_times_changed_after_the_preview_are_previewed_again_not_published_unseen(adviser_browser, db):
    day = monday_after()
    url = "/staff/schedule/publish"
    one_off = publish_form(day, kind="one_off", start_time="9.00")
    one_off.pop("weekdays")
    preview = post_with_token(adviser_browser, url, url, {**one_off, "action": "preview"}).text
    shown = re.search(r'name="previewed" value="([0-9a-f]+)"', preview).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', preview).group(1)
    changed = {**one_off, "start_time": "11.00", "action": "publish", "previewed": shown, "csrf_token": token}
    again = adviser_browser.post(url, data=changed)
    assert again.status_code == 409
    page = again.get_data(as_text=True)
    assert "Mitään ei julkaistu: valinnat muuttuivat esikatselun jälkeen." in page
    assert "11.00–12.00" in page, "the new choices previewed"
    assert count(db, Slot) == 0
    now_shown = re.search(r'name="previewed" value="([0-9a-f]+)"', page).group(1)
    published = adviser_browser.post(url, data={**changed, "previewed": now_shown})
    assert published.status_code == 302
    (only,) = db.scalars(select(Slot)).all()
    assert only.starts_at.astimezone(local_tz()).strftime("%H:%M") == "11:00"


def local_tz():
    from portal.i18n import HELSINKI

    return HELSINKI


def test_a_one_off_time_is_published(adviser_browser, db):
    day = monday_after()
    data = publish_form(day, kind="one_off", start_time="14.30", action="publish")
    data.pop("weekdays")
    response = post_with_token(adviser_browser, "/staff/schedule/publish", "/staff/schedule/publish", data)
    assert response.status_code == 302
    (only,) = db.scalars(select(Slot)).all()
    assert only.starts_at.astimezone(local_tz()).strftime("%Y-%m-%d %H:%M") == f"{day.isoformat()} 14:30"
    assert only.rule_id is None


@pytest.mark.parametrize("typed", ["²", "9.³⁰", "١٢"])
def test_a_time_typed_in_other_digits_is_asked_again_not_a_server_error(adviser_browser, db, typed):
    data = publish_form(monday_after(), start_time=typed, action="publish")
    response = post_with_token(adviser_browser, "/staff/schedule/publish", "/staff/schedule/publish", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Kirjoita kellonaika tunteina ja minuutteina, esimerkiksi 9.30." in error_summary_of(html)
    assert 'id="start_time-error"' in html
    assert count(db, Slot) == 0


def test_a_one_off_time_must_end_by_midnight_and_minutes_are_two_digits(adviser_browser, db):
    # 23.30 made an interview "23.30–0.15"; "9.5" was published at 9.05.
    late = publish_form(monday_after(), kind="one_off", start_time="23.30", action="publish")
    response = post_with_token(adviser_browser, "/staff/schedule/publish", "/staff/schedule/publish", late)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Ajan on päätyttävä ennen puoltayötä. Valitse aikaisempi alkamisaika." in error_summary_of(html)
    assert 'value="23.30"' in html
    vague = publish_form(monday_after(), kind="one_off", start_time="9.5", action="publish")
    response = post_with_token(adviser_browser, "/staff/schedule/publish", "/staff/schedule/publish", vague)
    assert response.status_code == 422
    assert "esimerkiksi 9.30." in error_summary_of(response.get_data(as_text=True))
    assert count(db, Slot) == 0


def test_errors_two_fields_share_are_told_apart_by_the_field_in_the_summary(adviser_browser, db):
    data = publish_form(monday_after(), start_time="", end_time="kello", action="publish")
    for part in ("day", "month", "year"):
        data[f"valid_from-{part}"] = data[f"valid_until-{part}"] = ""
    response = post_with_token(adviser_browser, "/staff/schedule/publish", "/staff/schedule/publish", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = error_summary_of(html)
    assert ">Ensimmäinen päivä: Kirjoita päivämäärä.</a>" in summary
    assert ">Viimeinen päivä: Kirjoita päivämäärä.</a>" in summary
    assert ">Alkamisaika: Kirjoita kellonaika tunteina ja minuutteina, esimerkiksi 9.30.</a>" in summary
    assert ">Päättymisaika: Kirjoita kellonaika tunteina ja minuutteina, esimerkiksi 9.30.</a>" in summary
    # Next to each field, where its label stands above it, the message alone.
    assert "</span> Kirjoita päivämäärä.</p>" in html
    assert count(db, Slot) == 0


def test_an_error_no_other_field_shares_is_shown_alone_in_the_summary(adviser_browser, db):
    data = publish_form(monday_after(), start_time="", action="publish")
    response = post_with_token(adviser_browser, "/staff/schedule/publish", "/staff/schedule/publish", data)
    summary = error_summary_of(response.get_data(as_text=True))
    assert ">Kirjoita kellonaika tunteina ja minuutteina, esimerkiksi 9.30.</a>" in summary


def summary_links(html):
    return re.findall(r'<li><a href="#([^"]+)">([^<]*)</a></li>', error_summary_of(html))


def test_the_summary_lists_the_errors_in_the_order_of_the_fields_on_the_page(adviser_browser, db):
    data = publish_form(monday_after(), action="preview")
    data.pop("weekdays")
    for part in ("day", "month", "year"):
        data[f"valid_from-{part}"] = data[f"valid_until-{part}"] = ""
    response = post_with_token(adviser_browser, "/staff/schedule/publish", "/staff/schedule/publish", data)
    assert response.status_code == 422
    assert summary_links(response.get_data(as_text=True)) == [
        ("valid_from-day", "Ensimmäinen päivä: Kirjoita päivämäärä."),
        ("valid_until-day", "Viimeinen päivä: Kirjoita päivämäärä."),
        ("weekdays-0", "Valitse vähintään yksi viikonpäivä."),
    ]


def test_the_summary_names_the_date_for_one_time_as_for_weekly_times(adviser_browser, db):
    data = publish_form(monday_after(), kind="one_off", action="preview")
    for part in ("day", "month", "year"):
        data[f"valid_from-{part}"] = ""
    response = post_with_token(adviser_browser, "/staff/schedule/publish", "/staff/schedule/publish", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert summary_links(html) == [("valid_from-day", "Ensimmäinen päivä: Kirjoita päivämäärä.")]
    assert "</span> Kirjoita päivämäärä.</p>" in html  # next to the field, under its label


@pytest.mark.parametrize("action", ["preview", "publish"])
def test_a_one_off_time_more_than_a_year_ahead_is_not_published(adviser_browser, db, action):
    data = publish_form(date(2999, 6, 1), kind="one_off", action=action)
    response = post_with_token(adviser_browser, "/staff/schedule/publish", "/staff/schedule/publish", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    message = "Aikoja voi julkaista enintään vuoden päähän tästä päivästä. Kirjoita aiempi päivämäärä."
    assert f"</span> {message}</p>" in html
    assert summary_links(html) == [("valid_from-day", f"Ensimmäinen päivä: {message}")]
    assert count(db, Slot) == 0


def until(day):
    return {"valid_until-day": day.day, "valid_until-month": day.month, "valid_until-year": day.year}


def test_weekly_times_end_at_most_a_year_ahead(adviser_browser, db):
    furthest = local_date(utcnow()) + timedelta(days=366)
    # One time a week on the weekday of the furthest day, so that the preview lists them all.
    data = publish_form(
        monday_after(), end_time="10.00", weekdays=[str(furthest.weekday())], action="preview"
    )
    data.update(until(furthest + timedelta(days=1)))
    adviser_browser.set_cookie("polku_lang", "sv")
    response = post_with_token(adviser_browser, "/staff/schedule/publish", "/staff/schedule/publish", data)
    assert response.status_code == 422
    message = "Du kan publicera tider högst ett år framåt från i dag. Skriv ett tidigare datum."
    assert summary_links(response.get_data(as_text=True)) == [("valid_until-day", f"Sista dagen: {message}")]
    data.update(until(furthest))
    preview = post_with_token(adviser_browser, "/staff/schedule/publish", "/staff/schedule/publish", data)
    assert preview.status_code == 200
    assert f" {furthest.day}.{furthest.month}.{furthest.year} 9.00" in preview.get_data(as_text=True)


def test_the_service_itself_publishes_no_time_more_than_a_year_ahead(app, db, demo):
    too_far = local_date(utcnow()) + timedelta(days=367)
    with pytest.raises(AvailabilityRefused, match="too_far"):
        publish_times(app, db, demo["adviser"], first=too_far, days=1)
    assert count(db, Slot) == 0


def test_overlapping_times_of_one_adviser_are_refused(adviser_browser, db):
    first = monday_after()
    post_with_token(
        adviser_browser,
        "/staff/schedule/publish",
        "/staff/schedule/publish",
        publish_form(first, action="publish"),
    )
    again = post_with_token(
        adviser_browser,
        "/staff/schedule/publish",
        "/staff/schedule/publish",
        publish_form(first, start_time="9.30", end_time="11.00", action="publish"),
    )
    assert again.status_code == 409
    assert count(db, Slot) == 10


def test_the_database_itself_refuses_overlapping_times(app, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    existing = slot(db, ids[0])
    db.add(
        Slot(
            adviser_id=existing.adviser_id,
            appointment_type="guidance",
            starts_at=existing.starts_at + timedelta(minutes=30),
            ends_at=existing.starts_at + timedelta(minutes=75),
            occupied_from=existing.starts_at + timedelta(minutes=30),
            occupied_until=existing.starts_at + timedelta(minutes=90),
            modalities="phone",
            status="free",
        )
    )
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()


def test_a_blocked_day_withdraws_its_free_times_and_is_left_out_later(app, adviser_browser, db, demo):
    first = monday_after()
    publish_times(app, db, demo["adviser"], first=first, days=2)
    response = post_with_token(
        adviser_browser,
        "/staff/schedule/block",
        "/staff/schedule/block",
        {"day-day": first.day, "day-month": first.month, "day-year": first.year, "reason": "Loma"},
    )
    assert response.status_code == 200
    weekday = ["maanantai", "tiistai", "keskiviikko", "torstai", "perjantai", "lauantai", "sunnuntai"][
        first.weekday()
    ]
    told = f"Päivä on estetty: {weekday} {first.day}.{first.month}.{first.year}. 2 vapaata aikaa poistettiin."
    assert told in response.get_data(as_text=True)
    assert 'name="day-day" type="text" inputmode="numeric" value=""' in response.get_data(as_text=True), (
        "the form is empty again for another day"
    )
    assert count(db, Slot, Slot.status == "withdrawn") == 2
    preview = post_with_token(
        adviser_browser,
        "/staff/schedule/publish",
        "/staff/schedule/publish",
        publish_form(first, start_time="13.00", end_time="16.00", action="preview"),
    )
    assert "1 estetty päivä jätetään pois" in preview.get_data(as_text=True)


def test_a_day_blocked_by_mistake_can_be_opened_again_and_published(app, adviser_browser, db, demo):
    first = monday_after()
    typed = {"day-day": first.day, "day-month": first.month, "day-year": first.year, "reason": "Koulutus"}
    post_with_token(adviser_browser, "/staff/schedule/block", "/staff/schedule/block", typed)
    day_view = f"/staff/schedule?view=day&date={first.isoformat()}"
    page = adviser_browser.get(day_view).get_data(as_text=True)
    assert "Estetty: Koulutus" in page
    assert "Koulutus" not in repr(db.execute(text("SELECT * FROM blocked_day")).all()), "sealed"
    unblock = f"/staff/schedule/blocked/{first.isoformat()}/unblock"
    assert f'action="{unblock}"' in page
    # Only an adviser has days to open, and only their own (the day is looked up as theirs).
    sami = signed_in(app, demo["staff"])
    token = csrf_token_from(sami.get("/staff").text)
    assert sami.post(unblock, data={"csrf_token": token}).status_code == 403
    assert adviser_browser.post(unblock).status_code == 400, "the form's token is needed"

    opened = post_with_token(adviser_browser, day_view, unblock, {})
    assert opened.status_code == 303
    after = adviser_browser.get(opened.headers["Location"]).get_data(as_text=True)
    assert "Päivän esto on poistettu." in after
    assert "Estetty: Koulutus" not in after
    preview = post_with_token(
        adviser_browser,
        "/staff/schedule/publish",
        "/staff/schedule/publish",
        publish_form(first, start_time="13.00", end_time="16.00", action="preview"),
    )
    assert "estetty päivä jätetään pois" not in preview.get_data(as_text=True)
    again = post_with_token(adviser_browser, day_view, unblock, {})
    assert again.status_code == 303, "a second click finds the day open, as asked"


def test_a_blocked_day_is_told_as_a_sentence_in_swedish(adviser_browser, db):
    day = monday_after()
    adviser_browser.set_cookie("polku_lang", "sv")
    typed = {"day-day": day.day, "day-month": day.month, "day-year": day.year}
    response = post_with_token(adviser_browser, "/staff/schedule/block", "/staff/schedule/block", typed)
    assert f"Dagen är spärrad: måndag {day.day}.{day.month}.{day.year}." in response.get_data(as_text=True)
    assert "drogs tillbaka" not in response.get_data(as_text=True), "no times, so no count of none"


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_a_day_more_than_a_year_ahead_is_not_blocked(adviser_browser, db, language):
    adviser_browser.set_cookie("polku_lang", language)
    too_far = local_date(utcnow()) + timedelta(days=367)
    for day in (date(2999, 1, 1), too_far):
        typed = {"day-day": day.day, "day-month": day.month, "day-year": day.year}
        response = post_with_token(adviser_browser, "/staff/schedule/block", "/staff/schedule/block", typed)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        message = {
            "fi": "Päiviä voi estää enintään vuoden päähän tästä päivästä. Kirjoita aiempi päivämäärä.",
            "sv": "Du kan spärra dagar högst ett år framåt från i dag. Skriv ett tidigare datum.",
        }[language]
        assert f"</span> {message}</p>" in html
        assert summary_links(html) == [("day-day", message)]
    assert count(db, BlockedDay) == 0
    furthest = too_far - timedelta(days=1)
    typed = {"day-day": furthest.day, "day-month": furthest.month, "day-year": furthest.year}
    response = post_with_token(adviser_browser, "/staff/schedule/block", "/staff/schedule/block", typed)
    assert response.status_code == 200
    assert count(db, BlockedDay) == 1


def test_the_adviser_withdraws_a_free_time_but_not_a_booked_one(app, adviser_browser, client_fi, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    assert book_as_client(client_fi, ids[0]).status_code == 302
    schedule = adviser_browser.get(f"/staff/schedule?date={slot(db, ids[0]).starts_at.date().isoformat()}")
    assert schedule.status_code == 200
    free = post_with_token(
        adviser_browser, "/staff/schedule", f"/staff/schedule/slots/{ids[1]}/withdraw", {"view": "day"}
    )
    assert free.status_code == 302
    assert "view=day" in free.headers["Location"], "back to the day it was withdrawn from"
    assert slot(db, ids[1]).status == "withdrawn"
    booked = post_with_token(adviser_browser, "/staff/schedule", f"/staff/schedule/slots/{ids[0]}/withdraw")
    assert booked.status_code == 409
    assert slot(db, ids[0]).status == "booked"


def test_another_advisers_time_cannot_be_withdrawn(app, db, demo):
    other = StaffUser(email="toinen@kela.example", name="Toinen Neuvoja")
    other.roles.append(StaffRole(role="adviser"))
    db.add(other)
    db.commit()
    ids = publish_times(app, db, other, days=1)
    browser = app.test_client()
    login_as(app, browser, demo["adviser"])
    response = post_with_token(browser, "/staff/schedule", f"/staff/schedule/slots/{ids[0]}/withdraw")
    assert response.status_code == 404
    assert slot(db, ids[0]).status == "free"


# --- booking ---------------------------------------------------------------------------


def test_the_client_books_a_time_and_gets_a_confirmation_a_message_and_reminders(app, client_fi, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    times = client_fi.get(f"/appointments/book/{INTERVIEW}")
    assert times.status_code == 200
    assert f"/appointments/book/{INTERVIEW}/{ids[0]}" in times.get_data(as_text=True)

    response = book_as_client(
        client_fi,
        ids[0],
        modality="video",
        interpreter="yes",
        interpreter_language="arabia",
        accessibility="Pyörätuoli",
        message="Tulen avustajan kanssa.",
    )
    assert response.status_code == 302
    (booking,) = bookings(db)
    assert (booking.status, booking.is_current, booking.modality) == ("booked", True, "video")
    with app.app_context():
        assert interpreter_language(booking) == "arabia"
    assert b"arabia" not in (booking.interpreter_language_encrypted or b""), "sealed like the other needs"
    assert b"Py\xc3\xb6r\xc3\xa4tuoli" not in booking.accessibility_encrypted, "needs are stored encrypted"
    assert slot(db, ids[0]).status == "booked"
    confirmation = client_fi.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h1>Aikasi on varattu</h1>" in confirmation
    assert "<title>Aikasi on varattu – Polku</title>" in confirmation, "a screen reader reads the title first"
    keys = [message.idempotency_key for message in outbox(db, f"booking:{booking.id}:")]
    assert f"booking:{booking.id}:confirmed:email" in keys
    assert sum(":reminder:" in key for key in keys) == 2


def test_back_to_a_time_just_booked_shows_the_clients_own_booking_not_taken(app, client_fi, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    booked = book_as_client(client_fi, ids[0])
    (booking,) = bookings(db)
    # The browser's back button opens the form again; a second click sends it again.
    for again in (
        client_fi.get(f"/appointments/book/{INTERVIEW}/{ids[0]}"),
        book_as_client(client_fi, ids[0]),
    ):
        assert again.status_code == 302
        assert again.headers["Location"] == f"/appointments/{booking.id}?done=already"
    page = client_fi.get(f"/appointments/{booking.id}?done=already").get_data(as_text=True)
    assert "Tämä aika on jo varattu sinulle" in page
    assert "Joku ehti varata" not in page
    assert len(bookings(db)) == 1
    assert booked.headers["Location"] == f"/appointments/{booking.id}?done=booked"


def test_a_client_whose_time_a_professional_booked_and_cancelled_can_book_a_new_one(app, db, demo):
    """The cancellation tells the client to book a new time: the type booked for them is theirs to book."""
    from portal.models import ClientAssignment

    client = demo["client_sv"]
    with app.app_context():
        db.add(ClientAssignment(client_id=client.id, staff_user_id=demo["staff"].id, responsibility="staff"))
        db.commit()
    ids = publish_times(app, db, demo["adviser"], days=1)
    sami = signed_in(app, demo["staff"])
    url = f"/staff/booking/clients/{client.id}/book/{INTERVIEW}/{ids[0]}"
    booked = post_with_token(sami, url, url, {"modality": "video", "interpreter": "no"})
    assert booked.status_code == 302
    (booking,) = bookings(db)
    cancel = f"/staff/bookings/{booking.id}/cancel"
    blank = post_with_token(sami, cancel, cancel, {"reason": "   "})
    assert blank.status_code == 422, "spaces are no reason: the client would see none"
    assert "Kirjoita perumisen syy. Asiakas näkee sen." in error_summary_of(blank.get_data(as_text=True))
    assert bookings(db)[0].status == "booked"
    assert post_with_token(sami, cancel, cancel, {"reason": "Neuvoja sairastui."}).status_code == 302

    anna_lena = signed_in(app, client)
    page = anna_lena.get(f"/appointments/{booking.id}").get_data(as_text=True)
    assert f'href="/appointments/book/{INTERVIEW}"' in page
    times = anna_lena.get(f"/appointments/book/{INTERVIEW}")
    assert times.status_code == 200, "the way to a new time the message promised"
    assert book_as_client(anna_lena, ids[1]).status_code == 302


def test_a_client_holds_one_coming_booking_per_type(app, adviser_browser, client_fi, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    assert book_as_client(client_fi, ids[0]).status_code == 302
    second = book_as_client(client_fi, ids[1])
    assert second.status_code == 409
    assert len(bookings(db)) == 1
    assert slot(db, ids[1]).status == "free"
    # The list of free times of that type says so too, and leads to the appointment held.
    listing = client_fi.get("/appointments/book/rehabilitation_interview")
    assert listing.status_code == 409
    page = listing.get_data(as_text=True)
    assert "Sinulla on jo tällainen aika." in page
    assert f'href="/appointments/{bookings(db)[0].id}"' in page
    # The adviser booking for the client is told about the client, not about themselves.
    staff = adviser_browser.get(f"/staff/booking/clients/{demo['client_fi'].id}/book/{INTERVIEW}")
    assert staff.status_code == 409
    staff_page = staff.get_data(as_text=True)
    assert "Asiakkaalla on jo tällainen aika." in staff_page
    assert "Sinulla on jo" not in staff_page
    assert f'href="/staff/bookings/{bookings(db)[0].id}"' in staff_page
    # The client overview does not offer to book that kind again; it shows the time held instead.
    overview = adviser_browser.get(f"/staff/clients/{demo['client_fi'].id}").get_data(as_text=True)
    book_base = f"/staff/booking/clients/{demo['client_fi'].id}/book/"
    assert f'href="{book_base}{INTERVIEW}"' not in overview
    assert f'href="{book_base}guidance"' in overview
    assert f'href="/staff/bookings/{bookings(db)[0].id}"' in overview


@pytest.mark.parametrize("case", ["past", "withdrawn", "other_type", "taken", "not_offered"])
def test_unbookable_times_are_refused_with_a_page_and_nothing_changes(app, db, demo, case):
    ids = publish_times(app, db, demo["adviser"], days=1)
    client = demo["client_fi"]
    if case != "not_offered":
        may_book(app, db, client, demo["adviser"])
    kind = INTERVIEW
    target = ids[0]
    if case == "past":
        moment = utcnow() - timedelta(days=2)
        past = Slot(
            adviser_id=demo["adviser"].id,
            appointment_type=INTERVIEW,
            starts_at=moment,
            ends_at=moment + timedelta(hours=1),
            occupied_from=moment,
            occupied_until=moment + timedelta(hours=1),
            modalities="phone",
            status="free",
        )
        db.add(past)
        db.commit()
        target = past.id
    elif case == "withdrawn":
        db.get(Slot, target).status = "withdrawn"
        db.commit()
    elif case == "other_type":
        kind = "guidance"
    elif case == "taken":
        other = app.test_client()
        login_as(app, other, demo["client_sv"])
        may_book(app, db, demo["client_sv"], demo["adviser"])
        assert book_as_client(other, target).status_code == 302
    before = len(bookings(db))
    browser = app.test_client()
    login_as(app, browser, client)
    token_page = browser.get("/appointments")
    from tests.conftest import csrf_token_from

    response = browser.post(
        f"/appointments/book/{kind}/{target}",
        data={
            "csrf_token": csrf_token_from(token_page.get_data(as_text=True)),
            "modality": "phone",
            "phone": "040 123 4567",
            "interpreter": "no",
        },
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    if case == "taken":
        assert "Joku ehti varata ajan juuri ennen sinua" in html
        assert f"/appointments/book/{INTERVIEW}/{ids[1]}" in html, "the nearest free times are offered"
    assert len(bookings(db)) == before


def test_a_free_time_leads_to_the_next_step_of_the_list_it_is_shown_in(
    app, adviser_browser, client_fi, db, demo
):
    """A line of a list of free times is kept rendered: each list must still link to its own step."""
    ids = publish_times(app, db, demo["adviser"], days=2)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    client = demo["client_fi"]
    book_list = client_fi.get(f"/appointments/book/{INTERVIEW}").get_data(as_text=True)
    assert f'href="/appointments/book/{INTERVIEW}/{ids[1]}"' in book_list
    staff_base = f"/staff/booking/clients/{client.id}/book/{INTERVIEW}"
    staff_list = adviser_browser.get(staff_base).get_data(as_text=True)
    assert f'href="{staff_base}/{ids[1]}"' in staff_list
    assert f'href="/appointments/book/{INTERVIEW}/{ids[1]}"' not in staff_list
    book_as_client(client_fi, ids[0])
    (booking,) = bookings(db)
    move_list = client_fi.get(f"/appointments/{booking.id}/move").get_data(as_text=True)
    assert f'href="/appointments/{booking.id}/move/{ids[1]}"' in move_list
    assert f'/move/{ids[0]}"' not in move_list, "the booked time is no longer free"
    staff_move_list = adviser_browser.get(f"/staff/bookings/{booking.id}/move").get_data(as_text=True)
    assert f'href="/staff/bookings/{booking.id}/move/{ids[1]}"' in staff_move_list


def test_the_client_moves_a_booking_in_one_step(app, client_fi, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=2)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    book_as_client(client_fi, ids[0])
    (booking,) = bookings(db)
    old_reminders = {m.idempotency_key for m in outbox(db, f"booking:{booking.id}:reminder:")}
    moved = post_with_token(
        client_fi,
        f"/appointments/{booking.id}/move/{ids[3]}",
        f"/appointments/{booking.id}/move/{ids[3]}",
        {"modality": "in_person"},
    )
    assert moved.status_code == 302
    (booking,) = bookings(db)
    assert (booking.slot_id, booking.sequence, booking.modality) == (ids[3], 1, "in_person")
    assert (slot(db, ids[0]).status, slot(db, ids[3]).status) == ("free", "booked")
    new_reminders = {m.idempotency_key for m in outbox(db, f"booking:{booking.id}:reminder:")}
    assert new_reminders
    assert not (new_reminders & old_reminders), "the old reminders are withdrawn"
    assert outbox(db, f"booking:{booking.id}:moved:1")


def test_moving_to_a_taken_time_changes_nothing(app, client_fi, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    may_book(app, db, demo["client_sv"], demo["adviser"])
    book_as_client(client_fi, ids[0])
    other = app.test_client()
    login_as(app, other, demo["client_sv"])
    book_as_client(other, ids[1])
    mine = bookings(db)[0]
    response = post_with_token(
        client_fi,
        f"/appointments/{mine.id}",
        f"/appointments/{mine.id}/move/{ids[1]}",
        {"modality": "phone", "phone": "040 123 4567"},
    )
    assert response.status_code == 409
    mine = bookings(db)[0]
    assert (mine.slot_id, mine.sequence) == (ids[0], 0)
    assert slot(db, ids[0]).status == "booked"


def test_the_client_cancels_and_the_time_is_free_again(app, client_fi, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    book_as_client(client_fi, ids[0])
    booking = bookings(db)[0]
    response = post_with_token(
        client_fi, f"/appointments/{booking.id}/cancel", f"/appointments/{booking.id}/cancel"
    )
    assert response.status_code == 302
    booking = bookings(db)[0]
    assert (booking.status, booking.is_current, booking.cancelled_by) == ("cancelled", False, "client")
    assert slot(db, ids[0]).status == "free"
    assert outbox(db, f"booking:{booking.id}:reminder:") == []
    (cancelled,) = outbox(db, f"booking:{booking.id}:cancelled")
    assert cancelled.params["path"] == f"/appointments/book/{INTERVIEW}"
    # And the client may book the type again.
    assert book_as_client(client_fi, ids[1]).status_code == 302
    booked = next(b for b in bookings(db) if b.status == "booked")
    page = client_fi.get("/appointments").get_data(as_text=True)
    coming, earlier = page.index("Tulevat aikasi"), page.index("Aiemmat ja perutut ajat")
    assert coming < page.index(f'href="/appointments/{booked.id}"') < earlier
    assert earlier < page.index(f'href="/appointments/{booking.id}"')
    assert "(Peruttu)" in page[earlier:]


def test_after_the_cut_off_the_page_tells_whom_to_call_and_nothing_changes(app, client_fi, db, demo):
    # Guidance may be booked 4 hours ahead, but moved or cancelled only until 24 hours before.
    from datetime import time

    from portal.i18n import HELSINKI

    # A 50-minute time six hours ahead; eight when that would run past midnight in Helsinki.
    for hours in (6, 8):
        soon = utcnow() + timedelta(hours=hours)
        start = soon.astimezone(HELSINKI).time().replace(second=0, microsecond=0)
        end = (soon + timedelta(minutes=50)).astimezone(HELSINKI).time().replace(second=0, microsecond=0)
        if end > start:
            break
    day = local_date(soon)
    may_book(app, db, demo["client_fi"], demo["adviser"], kind="guidance")
    ids = publish_times(
        app,
        db,
        demo["adviser"],
        kind="guidance",
        first=day,
        days=1,
        start=start,
        end=time(end.hour, end.minute),
    )
    assert book_as_client(client_fi, ids[0], kind="guidance").status_code == 302
    booking = bookings(db)[0]
    page = client_fi.get(f"/appointments/{booking.id}/cancel")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "019 226 0440" in html
    assert demo["adviser"].name in html
    from tests.conftest import csrf_token_from

    token = csrf_token_from(client_fi.get("/appointments").get_data(as_text=True))
    refused = client_fi.post(f"/appointments/{booking.id}/cancel", data={"csrf_token": token})
    assert refused.status_code == 409
    moved = client_fi.post(
        f"/appointments/{booking.id}/move/{ids[0]}",
        data={"csrf_token": token, "modality": "phone", "phone": "040 123 4567"},
    )
    assert moved.status_code == 409
    assert bookings(db)[0].status == "booked"


def test_another_clients_booking_is_not_found_and_stays_as_it_was(app, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    owner = app.test_client()
    login_as(app, owner, demo["client_fi"])
    book_as_client(owner, ids[0])
    booking = bookings(db)[0]
    intruder = app.test_client()
    login_as(app, intruder, demo["client_sv"])
    from tests.conftest import csrf_token_from

    token = csrf_token_from(intruder.get("/appointments").get_data(as_text=True))
    for url in (
        f"/appointments/{booking.id}",
        f"/appointments/{booking.id}/calendar.ics",
        f"/appointments/{booking.id}/move",
        f"/appointments/{booking.id}/move/{ids[1]}",
        f"/appointments/{booking.id}/cancel",
    ):
        assert intruder.get(url).status_code == 404, url
    assert intruder.post(f"/appointments/{booking.id}/cancel", data={"csrf_token": token}).status_code == 404
    assert (
        intruder.post(
            f"/appointments/{booking.id}/move/{ids[1]}",
            data={"csrf_token": token, "modality": "phone", "phone": "040 123 4567"},
        ).status_code
        == 404
    )
    after = bookings(db)[0]
    assert (after.status, after.slot_id, after.sequence) == ("booked", ids[0], 0)


# --- the professionals ---------------------------------------------------------------


def test_the_adviser_cancels_with_a_reason_and_the_client_is_told(app, adviser_browser, client_fi, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    book_as_client(client_fi, ids[0])
    booking = bookings(db)[0]
    empty = post_with_token(
        adviser_browser, f"/staff/bookings/{booking.id}/cancel", f"/staff/bookings/{booking.id}/cancel"
    )
    assert empty.status_code == 422, "a reason is required"
    assert "Asiakas saa viestin, jossa on linkki uuden ajan varaamiseen." in empty.get_data(as_text=True)
    with app.app_context():
        db.get(Client, demo["client_fi"].id).notify_by = "none"
        db.commit()
    unwilling = adviser_browser.get(f"/staff/bookings/{booking.id}/cancel").get_data(as_text=True)
    assert "Kerro hänelle itse, että aika on peruttu." in unwilling
    assert "Asiakas saa viestin" not in unwilling
    with app.app_context():
        db.get(Client, demo["client_fi"].id).notify_by = "email"
        db.commit()
    response = post_with_token(
        adviser_browser,
        f"/staff/bookings/{booking.id}/cancel",
        f"/staff/bookings/{booking.id}/cancel",
        {"reason": "Neuvoja on sairaana."},
    )
    assert response.status_code == 302
    booking = bookings(db)[0]
    assert (booking.status, booking.cancelled_by) == ("cancelled", "adviser")
    assert outbox(db, f"booking:{booking.id}:cancelled")
    seen = client_fi.get(f"/appointments/{booking.id}").get_data(as_text=True)
    assert "Neuvoja on sairaana." in seen
    staff_page = adviser_browser.get(f"/staff/bookings/{booking.id}").get_data(as_text=True)
    assert '<dd class="summary-list__value">Neuvoja on sairaana.</dd>' in staff_page
    raw = db.execute(text("SELECT * FROM booking")).all()
    assert "sairaana" not in repr(raw), "sealed, as free text is"
    assert f'href="/appointments/{booking.id}/calendar.ics" download>Poista se kalenteristasi' in seen, (
        "the client takes it out of their calendar as when they cancel themselves"
    )


def test_the_schedule_shows_client_needs_and_links(app, adviser_browser, client_fi, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    book_as_client(
        client_fi,
        ids[0],
        interpreter="yes",
        interpreter_language="viittomakieli",
        accessibility="Kuulosilmukka",
    )
    day = local_date(slot(db, ids[0]).starts_at)
    html = adviser_browser.get(f"/staff/schedule?view=day&date={day.isoformat()}").get_data(as_text=True)
    assert demo["client_fi"].full_name in html
    assert f"/staff/clients/{demo['client_fi'].id}" in html
    assert "viittomakieli" in html
    assert "Kuulosilmukka" in html
    assert lists_logged(db, "booking_schedule") == [[demo["client_fi"].id]]


def test_staff_book_move_and_cancel_on_the_clients_behalf(app, db, demo):
    from portal.services.clients import assign

    ids = publish_times(app, db, demo["adviser"], days=1)
    with app.app_context():
        from tests.integration.booking_support import actor_for

        assign(db, actor_for(demo["staff"]), demo["client_sv"], demo["staff"], responsibility="staff")
    staff = app.test_client()
    login_as(app, staff, demo["staff"])
    client = demo["client_sv"]
    base = f"/staff/booking/clients/{client.id}/book/{INTERVIEW}"
    assert str(ids[0]) in staff.get(base).get_data(as_text=True)
    booked = post_with_token(
        staff,
        f"{base}/{ids[0]}",
        f"{base}/{ids[0]}",
        {"modality": "phone", "phone": "040 123 4567", "interpreter": "no"},
    )
    assert booked.status_code == 302
    booking = bookings(db)[0]
    assert booking.booked_by_staff_id == demo["staff"].id
    assert outbox(db, f"booking:{booking.id}:confirmed")[0].locale == "sv"
    moved = post_with_token(
        staff,
        f"/staff/bookings/{booking.id}/move/{ids[1]}",
        f"/staff/bookings/{booking.id}/move/{ids[1]}",
        {"modality": "phone", "phone": "040 123 4567"},
    )
    assert moved.status_code == 302
    cancelled = post_with_token(
        staff,
        f"/staff/bookings/{booking.id}/cancel",
        f"/staff/bookings/{booking.id}/cancel",
        {"reason": "Sjuk."},
    )
    assert cancelled.status_code == 302
    entries = db.scalars(
        select(AccessLogEntry).where(AccessLogEntry.object_type == "booking", AccessLogEntry.action != "view")
    ).all()
    assert [(e.actor_id, e.purpose) for e in entries] == [
        (demo["staff"].id, None),
        (demo["staff"].id, "moved"),
        (demo["staff"].id, "cancelled"),
    ]
    assert {m.template_key for m in outbox(db, f"booking:{booking.id}:")} >= {
        "booking_confirmed",
        "booking_moved",
        "booking_cancelled",
    }


def test_a_professional_who_does_not_work_with_the_client_cannot_see_the_booking(app, db, demo, client_fi):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    book_as_client(client_fi, ids[0])
    booking = bookings(db)[0]
    staff = app.test_client()
    login_as(app, staff, demo["staff"])
    assert staff.get(f"/staff/bookings/{booking.id}").status_code == 404
    assert staff.get(f"/staff/bookings/{booking.id}/cancel").status_code == 404


def test_the_adviser_marks_done_or_no_show_only_after_the_start(app, adviser_browser, client_fi, db, demo):
    import time_machine

    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    book_as_client(client_fi, ids[0])
    booking = bookings(db)[0]
    early = post_with_token(
        adviser_browser,
        f"/staff/bookings/{booking.id}",
        f"/staff/bookings/{booking.id}/outcome",
        {"outcome": "done"},
    )
    assert early.status_code == 409
    with time_machine.travel(booking.starts_at + timedelta(minutes=70), tick=False):
        login_as(app, adviser_browser, demo["adviser"])
        done = post_with_token(
            adviser_browser,
            f"/staff/bookings/{booking.id}",
            f"/staff/bookings/{booking.id}/outcome",
            {"outcome": "no_show"},
        )
        page = adviser_browser.get(done.headers["Location"]).get_data(as_text=True)
    assert done.status_code == 302
    assert (bookings(db)[0].status, bookings(db)[0].is_current) == ("no_show", False)
    assert "Lopputulos on tallennettu." in page
    assert 'value="no_show" checked' in page, "the outcome recorded is the one chosen on the page"
    assert "Siirrä toiseen aikaan" not in page, "an ended time is not moved"
    assert "Peru aika" not in page


@pytest.mark.parametrize("app_config", [{"BOOKING_VIDEO_LINK_SENSITIVE": True}], indirect=True)
def test_the_video_link_is_shown_only_in_the_portal_when_it_is_sensitive(
    app, adviser_browser, client_fi, db, demo
):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    book_as_client(client_fi, ids[0], modality="video")
    booking = bookings(db)[0]
    link = "https://video.example.fi/room/abc123"
    saved = post_with_token(
        adviser_browser,
        f"/staff/bookings/{booking.id}",
        f"/staff/bookings/{booking.id}/video-link",
        {"video_url": link},
    )
    assert saved.status_code == 302
    confirmed = adviser_browser.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Videotapaamisen linkki on tallennettu." in confirmed
    assert link in client_fi.get(f"/appointments/{booking.id}").get_data(as_text=True)
    assert all("meeting_url" not in m.params for m in outbox(db, f"booking:{booking.id}:"))
    assert link not in client_fi.get(f"/appointments/{booking.id}/calendar.ics").get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"BOOKING_VIDEO_LINK_SENSITIVE": False}], indirect=True)
def test_a_video_link_not_treated_as_sensitive_goes_into_the_reminders(
    app, adviser_browser, client_fi, db, demo
):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    book_as_client(client_fi, ids[0], modality="video")
    booking = bookings(db)[0]
    link = "https://video.example.fi/room/abc123"
    post_with_token(
        adviser_browser,
        f"/staff/bookings/{booking.id}",
        f"/staff/bookings/{booking.id}/video-link",
        {"video_url": link},
    )
    reminders = outbox(db, f"booking:{booking.id}:reminder:")
    assert [m.params["meeting_url"] for m in reminders] == [link, link]
    bad = post_with_token(
        adviser_browser,
        f"/staff/bookings/{booking.id}",
        f"/staff/bookings/{booking.id}/video-link",
        {"video_url": "javascript:alert(1)"},
    )
    assert bad.status_code == 422
    overlong = f"https://video.example.fi/{'a' * 600}"
    too_long = post_with_token(
        adviser_browser,
        f"/staff/bookings/{booking.id}",
        f"/staff/bookings/{booking.id}/video-link",
        {"video_url": overlong},
    )
    assert "Linkki voi olla enintään 500 merkkiä pitkä." in error_summary_of(too_long.get_data(as_text=True))
    coded = post_with_token(  # the link goes into the client's messages
        adviser_browser,
        f"/staff/bookings/{booking.id}",
        f"/staff/bookings/{booking.id}/video-link",
        {"video_url": "https://video.example.fi/150385-9013"},
    )
    assert "Poista henkilötunnus tekstistä." in error_summary_of(coded.get_data(as_text=True))
    removed = post_with_token(
        adviser_browser,
        f"/staff/bookings/{booking.id}",
        f"/staff/bookings/{booking.id}/video-link",
        {"video_url": ""},
    )
    assert "Videotapaamisen linkki on poistettu." in adviser_browser.get(removed.headers["Location"]).text


def test_a_phone_appointment_takes_no_video_link_even_sent_by_hand(app, adviser_browser, client_fi, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    book_as_client(client_fi, ids[0], modality="phone")
    booking = bookings(db)[0]
    page = adviser_browser.get(f"/staff/bookings/{booking.id}").get_data(as_text=True)
    assert "/video-link" not in page, "the page offers no link for a call"
    sent = post_with_token(
        adviser_browser,
        f"/staff/bookings/{booking.id}",
        f"/staff/bookings/{booking.id}/video-link",
        {"video_url": "https://video.example.fi/room/abc123"},
    )
    assert sent.status_code == 409
    assert "Tämä tapaaminen ei ole videotapaaminen" in sent.get_data(as_text=True)
    db.expire_all()
    assert bookings(db)[0].video_url is None


def test_the_adviser_offers_a_type_from_the_client_overview(app, adviser_browser, client_fi, db, demo):
    from portal.models import ClientAssignment

    db.add(ClientAssignment(client_id=demo["client_fi"].id, staff_user_id=demo["adviser"].id))
    db.commit()
    assert client_fi.get(f"/appointments/book/{INTERVIEW}").status_code == 409
    overview = f"/staff/clients/{demo['client_fi'].id}"
    response = post_with_token(
        adviser_browser,
        overview,
        f"/staff/booking/clients/{demo['client_fi'].id}/offer",
        {"appointment_type": INTERVIEW},
    )
    assert response.status_code == 302
    assert client_fi.get(f"/appointments/book/{INTERVIEW}").status_code == 200
    # Network types need no offer, only someone who works with the client.
    assert client_fi.get("/appointments/book/guidance").status_code == 200


def test_offering_with_nothing_chosen_says_so_on_the_overview_and_offers_nothing(
    app, adviser_browser, db, demo
):
    from portal.models import AppointmentOffer, ClientAssignment

    client_id = demo["client_fi"].id
    db.add(ClientAssignment(client_id=client_id, staff_user_id=demo["adviser"].id))
    db.commit()
    overview = f"/staff/clients/{client_id}"
    action = f"/staff/booking/clients/{client_id}/offer"
    for sent in ({}, {"appointment_type": "no_such_type"}):
        response = post_with_token(adviser_browser, overview, action, sent)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        summary = error_summary_of(html)
        assert 'href="#appointment_type-0">Valitse ajan tyyppi.</a>' in summary
        assert '<p class="field-error" id="appointment_type-error">' in html
        assert "<title>Virhe: " in html
        # The choices come back as the page showed them, by name.
        assert "Kelan kuntoutushaastattelu</label>" in html
    adviser_browser.get(f"/language/sv?next={overview}")
    swedish = post_with_token(adviser_browser, overview, action).get_data(as_text=True)
    assert 'href="#appointment_type-0">Välj typ av tid.</a>' in swedish
    assert "FPA:s rehabiliteringsintervju</label>" in swedish
    assert count(db, AppointmentOffer) == 0
    # Both types offered from another page meanwhile: nothing left to choose, back to the overview.
    for kind in (INTERVIEW, "network_meeting"):
        post_with_token(adviser_browser, overview, action, {"appointment_type": kind})
    assert count(db, AppointmentOffer) == 2
    assert post_with_token(adviser_browser, overview, action).status_code == 302


def test_panels_show_the_next_appointment(app, adviser_browser, client_fi, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    assert "Varaa aika: Kelan kuntoutushaastattelu" in client_fi.get("/home").get_data(as_text=True)
    book_as_client(client_fi, ids[0])
    booking = bookings(db)[0]
    assert f"/appointments/{booking.id}" in client_fi.get("/home").get_data(as_text=True)
    overview = adviser_browser.get(f"/staff/clients/{demo['client_fi'].id}").get_data(as_text=True)
    assert f"/staff/bookings/{booking.id}" in overview
    listing = adviser_browser.get("/staff/clients").get_data(as_text=True)
    assert slot(db, ids[0]).starts_at.astimezone(local_tz()).strftime("%-d.%-m.%Y") in listing


def test_a_booking_is_also_kept_in_the_booking_table_only_once_per_slot(app, db, demo):
    """The partial unique index: a second booked row for a slot is impossible."""
    ids = publish_times(app, db, demo["adviser"], days=1)
    moment = slot(db, ids[0]).starts_at
    for client in (demo["client_fi"], demo["client_sv"]):
        db.add(
            Booking(
                uid=f"uid-{client.id}",
                slot_id=ids[0],
                client_id=client.id,
                appointment_type=INTERVIEW,
                starts_at=moment,
                ends_at=moment + timedelta(hours=1),
                modality="phone",
            )
        )
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()


def test_a_time_freed_on_a_blocked_day_is_withdrawn_not_offered_again(
    app, adviser_browser, client_fi, db, demo
):
    first = monday_after()
    ids = publish_times(app, db, demo["adviser"], first=first, days=2)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    book_as_client(client_fi, ids[0])
    blocked = post_with_token(
        adviser_browser,
        "/staff/schedule/block",
        "/staff/schedule/block",
        {"day-day": first.day, "day-month": first.month, "day-year": first.year},
    )
    booking = bookings(db)[0]
    assert f"/staff/bookings/{booking.id}/cancel" in blocked.get_data(as_text=True), (
        "the booking left is listed"
    )
    post_with_token(
        adviser_browser,
        f"/staff/bookings/{booking.id}/cancel",
        f"/staff/bookings/{booking.id}/cancel",
        {"reason": "Koulutuspäivä."},
    )
    assert slot(db, ids[0]).status == "withdrawn"


def test_the_demo_week_is_published_once_and_offered_to_the_demo_clients(app, db, demo):
    from portal.services.booking import demo_availability
    from portal.services.booking.queries import bookable_types

    with app.app_context():
        assert demo_availability(db) == 10
        assert demo_availability(db) == 0, "running it again changes nothing"
        for key in ("client_fi", "client_sv"):
            assert INTERVIEW in {kind.key for kind in bookable_types(db, demo[key])}
    assert count(db, Slot) == 10


def test_the_clients_booking_data_can_be_exported(app, client_fi, db, demo):
    from portal.services.booking import export_for_client

    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    book_as_client(client_fi, ids[0], accessibility="Induktiosilmukka")
    with app.app_context():
        records = export_for_client(db, demo["client_fi"])
        others = export_for_client(db, demo["client_sv"])
    kinds = [record["kind"] for record in records]
    assert kinds == ["appointment_offer", "booking"]
    assert records[1]["accessibility_needs"] == "Induktiosilmukka"
    assert records[1]["adviser"] == demo["adviser"].name
    assert others == []


@pytest.mark.parametrize("app_config", [{"RATELIMIT_BOOKING": "2 per minute"}], indirect=True)
def test_booking_attempts_are_rate_limited_per_client(app, db, demo):
    from tests.conftest import csrf_token_from, login_as

    def attempt(browser):
        token = csrf_token_from(browser.get("/my-data").get_data(as_text=True))
        return browser.post("/appointments/book/guidance/999999", data={"csrf_token": token}).status_code

    maija = app.test_client()
    login_as(app, maija, demo["client_fi"])
    codes = [attempt(maija) for _ in range(3)]
    assert codes[:2] == [404, 404]
    assert codes[2] == 429
    anna = app.test_client()
    login_as(app, anna, demo["client_sv"])
    assert attempt(anna) == 404


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2026-1²-01", "x"])
def test_a_day_no_calendar_can_show_opens_this_weeks_schedule(adviser_browser, day):
    def heading(url):
        response = adviser_browser.get(url)
        assert response.status_code == 200
        return response.get_data(as_text=True).split("<h1", 1)[1].split("</h1>", 1)[0]

    assert heading(f"/staff/schedule?date={day}") == heading("/staff/schedule")
    assert heading(f"/staff/schedule?date={day}&view=day") == heading("/staff/schedule?view=day")


def test_one_days_schedule_has_its_date_as_one_heading_and_a_week_links_each_day(adviser_browser):
    day = monday_after()
    alone = adviser_browser.get(f"/staff/schedule?view=day&date={day.isoformat()}").get_data(as_text=True)
    link_to_itself = f'href="/staff/schedule?view=day&amp;date={day.isoformat()}"'
    assert link_to_itself not in alone
    assert alone.count(f'id="day-{day.isoformat()}"') == 1
    week = adviser_browser.get(f"/staff/schedule?date={day.isoformat()}").get_data(as_text=True)
    assert link_to_itself in week


def test_the_questionnaire_link_of_an_appointment_leads_to_that_clients_questionnaires(app, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    book_as_client(signed_in(app, demo["client_fi"]), ids[0])
    (booking,) = bookings(db)
    riikka = signed_in(app, demo["adviser"])
    wanted = f'href="/staff/clients/{demo["client_fi"].id}#questionnaires">Kyselyn vastaukset'
    assert wanted in riikka.get(f"/staff/bookings/{booking.id}").get_data(as_text=True)
    day = booking.starts_at.astimezone().date().isoformat()
    schedule = riikka.get(f"/staff/schedule?view=day&date={day}").get_data(as_text=True)
    assert f'{wanted}<span class="visually-hidden">: Maija Meikäläinen</span></a>' in schedule
    assert 'href="/staff/questionnaires">' not in schedule.split("<main")[1], "not the whole queue"


@pytest.mark.parametrize("person", ["client_fi", "client_sv"])
def test_an_appointment_in_person_shows_its_office_to_the_client_and_the_adviser(app, db, demo, person):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo[person], demo["adviser"])
    browser = signed_in(app, demo[person])
    swedish = person == "client_sv"
    if swedish:
        browser.get("/language/sv")
    booked = book_as_client(browser, ids[0], modality="in_person")
    confirmation = browser.get(booked.headers["Location"])
    assert confirmation.status_code == 200
    where = (
        "TYM-verksamhetsstället i Träskända, Sibeliuksenkatu 11, 04400 Järvenpää"
        if swedish
        else "Järvenpään TYM-toimipiste, Sibeliuksenkatu 11, 04400 Järvenpää"
    )
    assert where in confirmation.get_data(as_text=True)
    (booking,) = bookings(db)
    staff_page = signed_in(app, demo["adviser"]).get(f"/staff/bookings/{booking.id}")
    assert staff_page.status_code == 200
    assert "Järvenpään TYM-toimipiste, Sibeliuksenkatu 11, 04400 Järvenpää" in staff_page.get_data(
        as_text=True
    )


def test_the_confirmation_says_a_message_was_sent_only_when_one_was(app, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    maija = signed_in(app, demo["client_fi"])
    booked = maija.get(book_as_client(maija, ids[0]).headers["Location"]).get_data(as_text=True)
    assert "Lähetimme sinulle siitä myös viestin." in booked
    assert len(outbox(db)) >= 1
    (booking,) = bookings(db)
    with app.app_context():
        db.get(Client, demo["client_fi"].id).notify_by = "none"
        db.commit()
    moved = post_with_token(
        maija,
        f"/appointments/{booking.id}/move/{ids[1]}",
        f"/appointments/{booking.id}/move/{ids[1]}",
        {"modality": "phone", "phone": "040 123 4567"},
    )
    page = maija.get(moved.headers["Location"]).get_data(as_text=True)
    assert "Aikasi on siirretty" in page
    assert "Lähetimme sinulle" not in page
    assert "Löydät sen Polusta kohdasta Ajanvaraukset." in page
    assert "booking_moved" not in {message.template_key for message in outbox(db)}, "and indeed none was sent"


def test_two_texts_too_long_are_told_apart_in_the_summary_by_their_labels_without_optional(app, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    maija = signed_in(app, demo["client_fi"])
    url = f"/appointments/book/{INTERVIEW}/{ids[0]}"
    typed = {"modality": "video", "interpreter": "no", "accessibility": "a" * 1001, "message": "b" * 1001}
    summary = error_summary_of(post_with_token(maija, url, url, typed).get_data(as_text=True))
    message = "Teksti voi olla enintään 1\u00a0000 merkkiä pitkä. Lyhennä sitä hieman."
    assert f"Saavutettavuustarpeet: {message}" in summary
    assert "(vapaaehtoinen):" not in summary


def test_moving_again_to_the_time_already_moved_to_is_done_not_taken(app, adviser_browser, db, demo):
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    maija = signed_in(app, demo["client_fi"])
    book_as_client(maija, ids[0])
    (booking,) = bookings(db)
    url = f"/appointments/{booking.id}/move/{ids[1]}"
    stale = maija.get(url).get_data(as_text=True)  # a second tab opens the same move
    assert post_with_token(maija, url, url, {"modality": "phone", "phone": "040 123 4567"}).status_code == 302
    again = maija.post(
        url, data={"csrf_token": csrf_token_from(stale), "modality": "phone", "phone": "040 123 4567"}
    )
    assert again.headers["Location"] == f"/appointments/{booking.id}?done=moved"
    assert "Aikasi on siirretty" in maija.get(again.headers["Location"]).text
    staff_url = f"/staff/bookings/{booking.id}/move/{ids[1]}"
    assert adviser_browser.get(staff_url).headers["Location"] == f"/staff/bookings/{booking.id}?saved=moved"
    assert bookings(db)[0].sequence == 1, "moved once"


SEEN = re.compile(r'name="seen" value="(\d+)"')


def test_a_move_sent_from_a_page_older_than_the_last_move_is_refused_not_made_unseen(
    app, adviser_browser, db, demo
):
    ids = publish_times(app, db, demo["adviser"], days=3)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    maija = signed_in(app, demo["client_fi"])
    book_as_client(maija, ids[0])
    (booking,) = bookings(db)
    # Two windows: the move to ids[1] is made in the first, the second still shows ids[0] as current.
    first = maija.get(f"/appointments/{booking.id}/move/{ids[1]}").get_data(as_text=True)
    second_url = f"/appointments/{booking.id}/move/{ids[2]}"
    second = maija.get(second_url).get_data(as_text=True)
    assert SEEN.findall(first) == SEEN.findall(second) == [str(ids[0])]
    moved = maija.post(
        f"/appointments/{booking.id}/move/{ids[1]}",
        data={"csrf_token": csrf_token_from(first), "seen": str(ids[0]), "modality": "in_person"},
    )
    assert moved.status_code == 302
    stale = maija.post(
        second_url, data={"csrf_token": csrf_token_from(second), "seen": str(ids[0]), "modality": "in_person"}
    )
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "Aikasi siirrettiin toiseen ajankohtaan sen jälkeen, kun avasit tämän sivun" in page
    assert f'href="/appointments/{booking.id}">Katso aikasi</a>' in page
    (booking,) = bookings(db)
    assert (booking.slot_id, booking.sequence) == (ids[1], 1), "moved once, to the time chosen first"
    assert slot(db, ids[2]).status == "free"

    # The adviser's page shows ids[1]; the client moves again meanwhile, to ids[3].
    staff_url = f"/staff/bookings/{booking.id}/move/{ids[4]}"
    staff_page = adviser_browser.get(staff_url).get_data(as_text=True)
    assert SEEN.findall(staff_page) == [str(ids[1])]
    again = maija.get(f"/appointments/{booking.id}/move/{ids[3]}").get_data(as_text=True)
    maija.post(
        f"/appointments/{booking.id}/move/{ids[3]}",
        data={"csrf_token": csrf_token_from(again), "seen": str(ids[1]), "modality": "in_person"},
    )
    refused = adviser_browser.post(
        staff_url,
        data={"csrf_token": csrf_token_from(staff_page), "seen": str(ids[1]), "modality": "in_person"},
    )
    assert refused.status_code == 409
    assert "Sen on voinut siirtää asiakas itse" in refused.get_data(as_text=True)
    assert bookings(db)[0].slot_id == ids[3]


def test_an_identity_code_or_letters_are_refused_where_the_adviser_reads_them(app, db, demo):
    # The interpreter's language reached the adviser's schedule with a code in it, and a number
    # "found" in a text with letters was saved as the number to call.
    ids = publish_times(app, db, demo["adviser"], days=1)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    maija = signed_in(app, demo["client_fi"])
    typed = {
        "interpreter": "yes",
        "interpreter_language": "arabia 010190-900P",
        "phone": "minun hetu 010190-900P",
    }
    refused = book_as_client(maija, ids[0], **typed)
    assert refused.status_code == 422
    summary = error_summary_of(refused.get_data(as_text=True))
    assert "Poista henkilötunnus tekstistä." in summary
    assert "Kirjoita puhelinnumero, esimerkiksi 040 123 4567" in summary
    assert bookings(db) == []


@pytest.mark.parametrize("seen", [None, "", "x", "-1"])
def test_a_move_that_does_not_say_which_time_it_saw_is_refused_too(app, db, demo, seen):
    # A hand-made form without the page's time, or with something else in it, was moved unchecked.
    ids = publish_times(app, db, demo["adviser"], days=2)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    maija = signed_in(app, demo["client_fi"])
    book_as_client(maija, ids[0])
    (booking,) = bookings(db)
    url = f"/appointments/{booking.id}/move/{ids[1]}"
    fields = {"csrf_token": csrf_token_from(maija.get(url).get_data(as_text=True)), "modality": "in_person"}
    if seen is not None:
        fields["seen"] = seen
    refused = maija.post(url, data=fields)
    assert refused.status_code == 409
    assert "Katso aikasi" in refused.get_data(as_text=True)
    assert bookings(db)[0].slot_id == ids[0]
    assert slot(db, ids[1]).status == "free"
