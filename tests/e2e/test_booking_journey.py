"""The adviser publishes a week of interview times; the client books one on a phone, gets the calendar
file, moves it and cancels it; the adviser's schedule follows every step. In Finnish and in Swedish."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from portal.models import Booking
from portal.models.base import utcnow
from portal.services.audit import SYSTEM
from portal.services.booking.times import local_date
from portal.services.clients import assign
from tests.e2e.conftest import DESKTOP, PHONE, check_page, new_context, sign_in_as

CASES = {
    "fi": {
        "client": "client_fi",
        "name": "Maija Meikäläinen",
        "preview": "Esikatsele aikoja",
        "publish": "Julkaise ajat",
        "published": "10 aikaa julkaistiin.",
        "offer": "Tarjoa asiakkaalle",
        "choose_type": "Valitse ajan tyyppi.",
        "book_link": "Varaa aika: Kelan kuntoutushaastattelu",
        "phone": "Puhelimessa",
        "number": "Puhelinnumero, johon neuvoja soittaa",
        "no_number": "Kirjoita puhelinnumero, johon neuvoja voi soittaa sinulle.",
        "calls_you": "Neuvoja soittaa sinulle numeroon 040 123 4567 sovittuun aikaan.",
        "number_to_call": "Soitettava numero",
        "change_number": "Vaihda numero",
        "save_number": "Tallenna numero",
        "not_a_number": "Kirjoita puhelinnumero, esimerkiksi 040 123 4567 tai +358 40 123 4567.",
        "number_changed": "Puhelinnumero on vaihdettu",
        "confirm": "Vahvista varaus",
        "booked": "Aikasi on varattu",
        "move": "Siirrä toiseen aikaan",
        "move_button": "Siirrä aika",
        "moved": "Aikasi on siirretty",
        "cancel": "Peru aika",
        "cancel_button": "Kyllä, peru aika",
        "cancelled": "Aikasi on peruttu",
        "calendar": "Lisää kalenteriisi (.ics)",
        "summary": "SUMMARY:Kelan kuntoutushaastattelu",
    },
    "sv": {
        "client": "client_sv",
        "name": "Anna-Lena Björkqvist",
        "preview": "Förhandsgranska tiderna",
        "publish": "Publicera tiderna",
        "published": "10 tider publicerades.",
        "offer": "Erbjud klienten",
        "choose_type": "Välj typ av tid.",
        "book_link": "Boka tid: FPA:s rehabiliteringsintervju",
        "phone": "Per telefon",
        "number": "Telefonnummer som rådgivaren ringer till",
        "no_number": "Skriv det telefonnummer som rådgivaren kan ringa dig på.",
        "calls_you": "Rådgivaren ringer dig på numret 040 123 4567 vid den bokade tiden.",
        "number_to_call": "Telefonnummer",
        "change_number": "Ändra numret",
        "save_number": "Spara numret",
        "not_a_number": "Skriv ett telefonnummer, till exempel 040 123 4567 eller +358 40 123 4567.",
        "number_changed": "Telefonnumret har ändrats",
        "confirm": "Bekräfta bokningen",
        "booked": "Din tid är bokad",
        "move": "Flytta till en annan tid",
        "move_button": "Flytta tiden",
        "moved": "Din tid har flyttats",
        "cancel": "Avboka tiden",
        "cancel_button": "Ja, avboka tiden",
        "cancelled": "Din tid är avbokad",
        "calendar": "Lägg till i din kalender (.ics)",
        "summary": "SUMMARY:FPA:s rehabiliteringsintervju",
    },
}


def next_monday() -> date:
    today = local_date(utcnow())
    return today + timedelta(days=7 - today.weekday())


def publish_week(page: Page, base: str, locale: str, monday: date) -> None:
    case = CASES[locale]
    page.goto(base + "/staff/schedule/publish")
    check_page(page, f"booking-publish-{locale}")
    page.check("#kind-0")
    page.check("#appointment_type-0")  # the rehabilitation interview
    for number in range(3):
        page.check(f"#modalities-{number}")
    page.check("#office-1")  # Järvenpää
    friday = monday + timedelta(days=4)
    for prefix, day in (("valid_from", monday), ("valid_until", friday)):
        page.fill(f"#{prefix}-day", str(day.day))
        page.fill(f"#{prefix}-month", str(day.month))
        page.fill(f"#{prefix}-year", str(day.year))
    for weekday in range(5):
        page.check(f"#weekdays-{weekday}")
    page.fill("#start_time", "9.00")
    page.fill("#end_time", "12.00")
    with page.expect_navigation():
        page.get_by_role("button", name=case["preview"]).click()
    check_page(page, f"booking-preview-{locale}")
    with page.expect_navigation():
        page.get_by_role("button", name=case["publish"]).click()
    assert case["published"] in page.locator("main").inner_text()
    check_page(page, f"booking-schedule-published-{locale}")


def schedule_text(page: Page, base: str, monday: date, name: str, locale: str) -> str:
    page.goto(f"{base}/staff/schedule?date={monday.isoformat()}")
    check_page(page, name + "-" + locale)
    return page.locator("main").inner_text()


@pytest.mark.parametrize("locale", ["fi", "sv"])
def test_a_client_books_moves_and_cancels_an_interview_on_a_phone(
    browser, live_server, app, db, demo, locale
):
    case = CASES[locale]
    client = demo[case["client"]]
    base = live_server.url
    with app.app_context():
        assign(db, SYSTEM, client, demo["adviser"])
    monday = next_monday()

    adviser = new_context(browser, DESKTOP, locale).new_page()
    sign_in_as(adviser, base, "Riikka Rantanen", staff=True)
    publish_week(adviser, base, locale, monday)
    adviser.goto(f"{base}/staff/clients/{client.id}")
    # Sent with nothing chosen: the overview comes back with the error in the summary and at the field.
    with adviser.expect_navigation():
        adviser.get_by_role("button", name=case["offer"]).click()
    assert adviser.locator(".error-summary").inner_text().endswith(case["choose_type"])
    assert case["choose_type"] in adviser.locator("#appointment_type-error").inner_text()
    check_page(adviser, f"booking-overview-offer-error-{locale}")
    adviser.locator(".error-summary a").first.click()
    assert adviser.evaluate("document.activeElement.id") == "appointment_type-0"
    adviser.check("#appointment_type-0")
    with adviser.expect_navigation():
        adviser.get_by_role("button", name=case["offer"]).click()
    check_page(adviser, f"booking-overview-offered-{locale}")

    phone = new_context(browser, PHONE, locale).new_page()
    sign_in_as(phone, base, case["name"])
    phone.goto(base + "/home")
    check_page(phone, f"booking-client-home-{locale}")
    with phone.expect_navigation():
        phone.get_by_role("link", name=case["book_link"]).click()
    check_page(phone, f"booking-times-{locale}")
    first_time = phone.locator(".time-list__link").first
    with phone.expect_navigation():
        first_time.click()
    check_page(phone, f"booking-confirm-{locale}")
    phone.get_by_label(case["phone"], exact=True).check()
    with phone.expect_navigation():
        phone.get_by_role("button", name=case["confirm"]).click()
    # A call needs a number: asked for next to the field and in the summary, the choice kept.
    assert phone.locator(".error-summary").get_by_role("link", name=case["no_number"]).is_visible()
    assert phone.get_by_label(case["phone"], exact=True).is_checked()
    check_page(phone, f"booking-confirm-no-number-{locale}")
    phone.get_by_label(case["number"]).fill("040 123 4567")
    with phone.expect_navigation():
        phone.get_by_role("button", name=case["confirm"]).click()
    assert case["booked"] in phone.locator("h1").inner_text()
    assert case["calls_you"] in phone.locator("main").inner_text()
    check_page(phone, f"booking-booked-{locale}")
    with phone.expect_download() as download:
        phone.get_by_role("link", name=case["calendar"]).click()
    calendar = open(download.value.path(), encoding="utf-8").read()  # noqa: SIM115
    assert "BEGIN:VCALENDAR" in calendar
    assert case["summary"] in calendar
    assert "BEGIN:VALARM" in calendar

    # Another number to call, the time kept.
    with phone.expect_navigation():
        phone.get_by_role("link", name=case["change_number"]).click()
    check_page(phone, f"booking-number-{locale}")
    phone.get_by_label(case["number"]).fill("050 76")
    with phone.expect_navigation():
        phone.get_by_role("button", name=case["save_number"]).click()
    assert phone.locator(".error-summary").get_by_role("link", name=case["not_a_number"]).is_visible()
    assert phone.get_by_label(case["number"]).input_value() == "050 76"
    check_page(phone, f"booking-number-error-{locale}")
    phone.get_by_label(case["number"]).fill("050 765 4321")
    with phone.expect_navigation():
        phone.get_by_role("button", name=case["save_number"]).click()
    assert case["number_changed"] in phone.locator("h1").inner_text()
    assert "050 765 4321" in phone.locator("main").inner_text()
    check_page(phone, f"booking-number-changed-{locale}")

    booked_week = schedule_text(adviser, base, monday, "booking-schedule-booked", locale)
    assert case["name"] in booked_week
    with adviser.expect_navigation():
        adviser.get_by_role("link", name=case["name"]).first.click()
    check_page(adviser, f"booking-staff-booking-{locale}")
    assert f"{case['number_to_call']}\n050 765 4321" in adviser.locator("main dl").inner_text()

    with phone.expect_navigation():
        phone.get_by_role("link", name=case["move"]).click()
    check_page(phone, f"booking-move-times-{locale}")
    later = phone.locator(".time-list__link").nth(1)
    with phone.expect_navigation():
        later.click()
    check_page(phone, f"booking-move-confirm-{locale}")
    with phone.expect_navigation():
        phone.get_by_role("button", name=case["move_button"]).click()
    assert case["moved"] in phone.locator("h1").inner_text()
    check_page(phone, f"booking-moved-{locale}")
    db.expire_all()
    (booking,) = db.scalars(select(Booking)).all()
    assert (booking.sequence, booking.status) == (1, "booked"), "moved, not booked again"

    moved_week = schedule_text(adviser, base, monday, "booking-schedule-moved", locale)
    assert moved_week.count(case["name"]) == booked_week.count(case["name"]), "one booking, at its new time"

    with phone.expect_navigation():
        phone.get_by_role("link", name=case["cancel"]).click()
    check_page(phone, f"booking-cancel-{locale}")
    with phone.expect_navigation():
        phone.get_by_role("button", name=case["cancel_button"]).click()
    assert case["cancelled"] in phone.locator("h1").inner_text()
    check_page(phone, f"booking-cancelled-{locale}")
    phone.goto(base + "/appointments")
    check_page(phone, f"booking-client-list-{locale}")

    cancelled_week = schedule_text(adviser, base, monday, "booking-schedule-cancelled", locale)
    assert case["name"] not in cancelled_week
    adviser.context.close()
    phone.context.close()


def test_the_times_page_fits_a_320px_screen(browser, live_server, app, db, demo):
    from tests.integration.booking_support import may_book, publish_times

    publish_times(app, db, demo["adviser"], first=next_monday() + timedelta(days=7), days=5)
    may_book(app, db, demo["client_fi"], demo["adviser"])
    page = new_context(browser, {"width": 320, "height": 640}).new_page()
    sign_in_as(page, live_server.url, "Maija Meikäläinen")
    for path in ("/appointments", "/appointments/book/rehabilitation_interview"):
        page.goto(live_server.url + path)
        check_page(page, "booking-320" + path.replace("/", "-"))
    page.locator(".time-list__link").first.click()
    page.wait_for_load_state()
    check_page(page, "booking-320-confirm")
    page.context.close()
