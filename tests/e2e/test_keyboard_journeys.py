"""Signing a consent, answering a questionnaire page and booking a time with the keyboard alone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.i18n import today
from portal.models import Booking, ConsentSignature
from portal.services.audit import Actor
from portal.services.booking import demo_availability
from portal.services.consent import issue
from tests.e2e.conftest import PHONE, check_page, new_context
from tests.integration.questionnaire_helpers import assign

ACTIVE = "(document.activeElement.textContent || '').trim()"


def tab_to(page, condition: str, limit: int = 120) -> None:
    """Press Tab until the focused element meets the JavaScript condition."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(condition):
            return
    raise AssertionError(f"never reached: {condition}")


def enter(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def keyboard_sign_in(page, base: str) -> None:
    page.goto(base + "/sign-in")
    tab_to(page, f"{ACTIVE} === 'Tunnistaudu'")
    enter(page)
    tab_to(page, "(document.activeElement.id || '').startsWith('person-')")
    while "Maija" not in page.evaluate(
        "document.querySelector('input[name=person]:checked').labels[0].textContent"
    ):
        page.keyboard.press("ArrowDown")
    tab_to(page, "document.activeElement.type === 'submit'")
    enter(page)
    assert page.url.endswith("/home")


def test_consent_questionnaire_and_booking_with_the_keyboard_alone(browser, live_server, app, db, demo):
    maija, sami, riikka = demo["client_fi"], demo["staff"], demo["adviser"]
    with app.app_context():
        issue(
            db,
            Actor(id=sami.id, role="staff"),
            sami,
            maija,
            template_key="tym_data_exchange",
            message=None,
            due_on=today() + timedelta(days=7),
        )
        assign(app, db, maija, riikka)
        demo_availability(db)
    page = new_context(browser, PHONE, "fi").new_page()
    keyboard_sign_in(page, live_server.url)

    # Consent: from the front page to the request, then sign.
    tab_to(page, f"{ACTIVE}.includes('TYM-yhteistyössä')")
    enter(page)
    check_page(page, "keyboard-consent-request")
    tab_to(page, f"{ACTIVE} === 'Allekirjoita'")
    enter(page)
    assert db.scalars(select(ConsentSignature)).first() is not None

    # Questionnaire: the first page, one choice with the space bar, save and continue.
    page.goto(live_server.url + "/home")
    tab_to(page, f"{ACTIVE} === 'Aloita vastaaminen'")
    enter(page)  # the questionnaire's introduction
    tab_to(page, f"{ACTIVE} === 'Aloita vastaaminen'")
    enter(page)
    tab_to(page, "document.activeElement.type === 'checkbox'")
    page.keyboard.press("Space")
    tab_to(page, f"{ACTIVE} === 'Tallenna ja jatka'")
    enter(page)
    assert "/pages/" in page.url
    check_page(page, "keyboard-questionnaire-page-2")

    # Booking: the interview, the first free time, confirm.
    page.goto(live_server.url + "/appointments")
    tab_to(page, f"{ACTIVE}.startsWith('Valitse aika')")
    enter(page)
    tab_to(page, "document.activeElement.tagName === 'A' && !!document.activeElement.closest('.day')")
    enter(page)
    tab_to(page, "document.activeElement.type === 'radio'")
    page.keyboard.press("Space")  # by phone: the number to call is the next field
    tab_to(page, "document.activeElement.name === 'phone'")
    page.keyboard.type("040 123 4567")
    tab_to(page, f"{ACTIVE} === 'Vahvista varaus'")
    enter(page)
    check_page(page, "keyboard-booked")
    db.expire_all()
    booking = db.scalars(select(Booking)).first()
    assert booking is not None
    assert (booking.modality, booking.phone) == ("phone", "+358401234567")
    page.context.close()
